from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared plumbing without tables: base viewset, search, serializer and admin mixins,
    the abstract timestamped model, and the visibility rule."""

    name = "core"
    verbose_name = "Core"

    def ready(self):
        from django.db.models.signals import post_migrate

        from core import checks, data_version, db_statistics  # noqa: F401  checks register themselves

        data_version.connect_signals()
        post_migrate.connect(db_statistics.refresh_after_migrate, sender=self)
