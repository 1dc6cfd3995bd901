from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared plumbing without tables: base viewset, search, serializer and admin mixins,
    the abstract timestamped model, and the visibility rule."""

    name = "core"
    verbose_name = "Core"

    def ready(self):
        from core import checks, data_version  # noqa: F401  checks register themselves

        data_version.connect_signals()
