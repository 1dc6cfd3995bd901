"""The roles (groups) curators and reviewers hold, and their permissions: defined here only.

`manage.py setup_roles` applies this definition to the database, and so does migration
claims 0005 and 0006 (through apply_roles), so a new database and an upgraded one hold the same
groups. Change a role here, then run `setup_roles` (or add a migration calling apply_roles).

Both roles hold core.visibility.UNPUBLISHED_PERMISSION (claims.view_claim): they see drafts.
"""

from django.apps import apps as installed_apps
from django.db import transaction

# The models curators edit, by app.
EDITED_MODELS = {
    "claims": ["document", "section", "claim", "evidence", "topic"],
    "sources": ["source", "snapshot"],
}
CURATOR_PERMISSIONS = [
    f"{app}.{action}_{model}"
    for app, models in EDITED_MODELS.items()
    for model in models
    for action in ("view", "add", "change", "delete")
]
# The notes thread of a claim: read and add (a note is a record; it is not edited or deleted).
NOTE_PERMISSIONS = ["claims.view_claimnote", "claims.add_claimnote"]
CURATOR_PERMISSIONS += NOTE_PERMISSIONS
# Reviewers do what curators do, and rate, publish and retract (claims/workflow.py).
REVIEWER_PERMISSIONS = [
    *CURATOR_PERMISSIONS,
    "claims.publish_claim",
    "claims.retract_claim",
    "claims.set_verdict_claim",
]
ROLES: dict[str, list[str]] = {
    "curators": CURATOR_PERMISSIONS,
    "reviewers": REVIEWER_PERMISSIONS,
}


def desk_users():
    """The users who may be assigned a claim: active holders of claims.change_claim."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    holds = Q(groups__permissions__codename="change_claim") | Q(
        user_permissions__codename="change_claim"
    )
    users = get_user_model().objects.filter(is_active=True)
    return users.filter(holds | Q(is_superuser=True)).distinct().order_by("username")


def reapply_roles_in_migration(apps, schema_editor) -> None:
    """A migration's RunPython when a role gains permissions (a new model): the permissions
    are normally created after migrating, so create them first, then apply the roles."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    apply_roles(apps)


def apply_roles(apps=installed_apps) -> dict[str, int]:
    """Create each role's group and give it exactly its permissions; returns how many each has.

    `apps` is the app registry to read the models from: the installed one, or a
    migration's historical one. The permissions must exist already (Django creates them
    after migrating; a migration calling this creates them first).
    """
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    counts = {}
    with transaction.atomic():
        for name, permissions in ROLES.items():
            group, _created = group_model.objects.get_or_create(name=name)
            found = [permission(permission_model, label, apps) for label in permissions]
            group.permissions.set([row for row in found if row is not None])
            counts[name] = len(permissions)
    return counts


def permission(permission_model, label: str, apps=installed_apps):
    """The permission of `label`. In a migration (a historical `apps`), one whose model
    does not exist yet at that point is skipped (None): the migration adding the model
    applies the roles again."""
    app_label, codename = label.split(".")
    try:
        return permission_model.objects.get(content_type__app_label=app_label, codename=codename)
    except permission_model.DoesNotExist:
        if apps is not installed_apps:
            return None
        raise LookupError(f"Role permission {label} does not exist.") from None
