from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claims"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import signals  # noqa: F401  connects the receivers

        post_migrate.connect(_ensure_search_index, sender=self)


def _ensure_search_index(sender, using="default", plan=None, **kwargs):
    """SQLite drops a table's triggers when a migration rebuilds the table: put back the
    full-text index's (claims/search_index.py) after every migrate."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from . import search_index

    connection = connections[using]
    if ("claims", search_index.MIGRATION) in MigrationRecorder(connection).applied_migrations():
        search_index.ensure(connection)
