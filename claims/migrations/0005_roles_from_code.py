"""Re-apply the roles as claims/roles.py defines them (0003 stays as history).

From here on the definition lives in code: this migration calls claims.roles.apply_roles,
and `manage.py setup_roles` applies a later change.
"""

from django.db import migrations

from claims.roles import reapply_roles_in_migration




class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0004_search_similarity_same_as"),
        ("sources", "0002_search_index"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(reapply_roles_in_migration, migrations.RunPython.noop)]
