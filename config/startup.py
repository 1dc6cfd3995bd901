"""What the server checks before it serves its first request (config/wsgi.py, config/asgi.py)."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def refuse_unsafe_start() -> None:
    """A server with DEBUG off needs SECRET_KEY from its environment.

    The key generated into var/ is a convenience for development and for management
    commands; a production server signing sessions and CSRF tokens with a key that lives
    next to the code (and changes when var/ is lost, signing everyone out) is a mistake
    to stop at once, not to discover later.
    """
    if not settings.DEBUG and not settings.SECRET_KEY_FROM_ENVIRONMENT:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set and DEBUG is off: the server will not start. Set "
            "SECRET_KEY in the environment to a long random value (e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`), or set "
            "DEBUG=1 for development."
        )
