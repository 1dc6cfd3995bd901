"""Re-apply the roles as claims/roles.py defines them (0003 stays as history).

From here on the definition lives in code: this migration calls claims.roles.apply_roles,
and `manage.py setup_roles` applies a later change.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def reapply_roles(apps, schema_editor):
    from claims.roles import apply_roles

    # Permissions are normally created after migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    apply_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0004_search_similarity_same_as"),
        ("sources", "0002_search_index"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(reapply_roles, migrations.RunPython.noop)]
