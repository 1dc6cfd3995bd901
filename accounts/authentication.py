"""DRF authentication with hashed, expiring, revocable API tokens."""

from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions

from .models import PREFIX_LENGTH, ApiToken

# Writing last_used_at on every request would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=5)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <prefix>.<secret>` (or `Bearer <...>`)."""

    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Give the token after the keyword, without spaces."
            )
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed("Invalid token.") from error
        prefix = raw.split(".", 1)[0]
        token = (
            ApiToken.objects.select_related("user").filter(prefix=prefix[:PREFIX_LENGTH]).first()
            if len(prefix) == PREFIX_LENGTH
            else None
        )
        if token is None or not token.matches(raw):
            raise exceptions.AuthenticationFailed("Invalid token.")
        if not token.is_active:
            raise exceptions.AuthenticationFailed("This token has expired or was revoked.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("This account is disabled.")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return "Token"
