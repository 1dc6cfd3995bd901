"""The roles (groups) curators and reviewers hold, and their permissions: defined here only.

`manage.py setup_roles` applies this definition to the database, and so does migration
claims 0005 (through apply_roles), so a new database and an upgraded one hold the same
groups. Change a role here, then run `setup_roles` (or add a migration calling apply_roles).

Both roles hold core.visibility.UNPUBLISHED_PERMISSION (claims.view_claim): they see drafts.
"""

from django.apps import apps as installed_apps
from django.db import transaction

# The models curators edit, by app.
EDITED_MODELS = {
    "claims": ["document", "section", "claim", "evidence", "topic"],
    "sources": ["source"],
}
CURATOR_PERMISSIONS = [
    f"{app}.{action}_{model}"
    for app, models in EDITED_MODELS.items()
    for model in models
    for action in ("view", "add", "change", "delete")
]
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
            group.permissions.set([permission(permission_model, label) for label in permissions])
            counts[name] = len(permissions)
    return counts


def permission(permission_model, label: str):
    app_label, codename = label.split(".")
    try:
        return permission_model.objects.get(content_type__app_label=app_label, codename=codename)
    except permission_model.DoesNotExist:
        raise LookupError(f"Role permission {label} does not exist.") from None
