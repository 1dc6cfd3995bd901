from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "API access"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import schema  # noqa: F401  registers the OpenAPI description of the tokens
        from .admin import restrict_login_attempt_tables

        restrict_login_attempt_tables()  # the admin has registered axes' tables by now
