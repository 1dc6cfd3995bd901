"""System checks of the deployment (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def secret_key_from_environment(app_configs, **kwargs):
    """The same rule the server applies when it starts (config/startup.py), said earlier."""
    if getattr(settings, "SECRET_KEY_FROM_ENVIRONMENT", True):
        return []
    return [
        Error(
            "SECRET_KEY is not set in the environment: the key generated into var/ is for "
            "development, and a server with DEBUG off refuses to start on it.",
            hint="Set SECRET_KEY to a long random value, e.g. the output of "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'.",
            id="claimbase.E001",
        )
    ]
