"""Create the curators and reviewers groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITED_MODELS = {
    "claims": ["document", "section", "claim", "evidence", "topic"],
    "sources": ["source"],
}
CURATOR_ACTIONS = ["view", "add", "change", "delete"]
REVIEWER_EXTRA = ["publish_claim", "retract_claim", "set_verdict_claim"]


def create_roles(apps, schema_editor):
    # Permissions are normally created after migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    curator_permissions = [
        Permission.objects.get(content_type__app_label=app, codename=f"{action}_{model}")
        for app, models in EDITED_MODELS.items()
        for model in models
        for action in CURATOR_ACTIONS
    ]
    reviewer_permissions = curator_permissions + [
        Permission.objects.get(content_type__app_label="claims", codename=codename)
        for codename in REVIEWER_EXTRA
    ]
    curators, _ = Group.objects.get_or_create(name="curators")
    curators.permissions.set(curator_permissions)
    reviewers, _ = Group.objects.get_or_create(name="reviewers")
    reviewers.permissions.set(reviewer_permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["curators", "reviewers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0002_workflow_fields"),
        ("sources", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
