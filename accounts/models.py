"""API tokens, stored hashed: the secret is shown once and never kept; and people, who
appear in the data (who reviewed, who moved a status) whether or not they have an account here."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from core.visibility import VisibleQuerySet

PREFIX_LENGTH = 8
# Every new token expires: 90 days unless its issuer says otherwise, ten years at most.
DEFAULT_LIFETIME_DAYS = 90
MAX_LIFETIME_DAYS = 3650


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A bearer token for the API. Only a SHA-256 hash of the secret is stored.

    The raw token is `<prefix>.<secret>`; the prefix finds the row, the hash proves the secret.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for.")
    prefix = models.CharField(max_length=PREFIX_LENGTH, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires.")
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.prefix}… ({self.name}, {self.user})"

    @classmethod
    def issue(cls, *, user, name: str, days: int = DEFAULT_LIFETIME_DAYS) -> tuple["ApiToken", str]:
        """Create a token valid for `days` (1 to MAX_LIFETIME_DAYS); returns it with the raw
        value, which is not stored anywhere."""
        if not 1 <= days <= MAX_LIFETIME_DAYS:
            raise ValueError(f"A token lives 1 to {MAX_LIFETIME_DAYS} days, not {days}.")
        token = cls(user=user, name=name, expires_at=timezone.now() + timedelta(days=days))
        raw = token.set_secret()
        token.save()
        return token, raw

    def set_secret(self) -> str:
        """Give the token a new random secret; returns the raw token (shown once)."""
        self.prefix = secrets.token_hex(PREFIX_LENGTH // 2)
        raw = f"{self.prefix}.{secrets.token_urlsafe(32)}"
        self.key_hash = hash_secret(raw)
        return raw

    @property
    def is_active(self) -> bool:
        expired = self.expires_at is not None and self.expires_at <= timezone.now()
        return self.revoked_at is None and not expired

    def matches(self, raw: str) -> bool:
        return hmac.compare_digest(self.key_hash, hash_secret(raw))

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class PersonManager(models.Manager.from_queryset(VisibleQuerySet)):
    def get_by_natural_key(self, username):
        return self.get(username=username)


class Person(models.Model):
    """Someone the data says did something: reviewed a claim, moved its status, wrote a note.

    A person is data, not an account: it travels in datasets by its username (its natural
    key) and display name, and is linked to a local account only when one with that
    username exists here. Importing a dataset creates people, never accounts, so nobody
    can sign in because a dataset named them.
    """

    username = models.CharField(
        max_length=150, unique=True, help_text="As recorded; the same as the account's, if any."
    )
    display_name = models.CharField(max_length=200, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        help_text="The local account of this person, if there is one (never exported).",
    )

    objects = PersonManager()

    class Meta:
        ordering = ["username"]
        verbose_name_plural = "people"

    def __str__(self):
        return self.display_name or self.username

    def natural_key(self):
        return (self.username,)

    @classmethod
    def for_user(cls, user) -> "Person":
        """The person of a local account: the one linked to it, else the unlinked person of
        the same username (now linked), else a new one."""
        person = cls.objects.filter(user=user).first()
        if person is not None:
            return person
        display_name = user.get_full_name().strip() if hasattr(user, "get_full_name") else ""
        person, created = cls.objects.get_or_create(
            username=user.get_username(),
            defaults={"user": user, "display_name": display_name},
        )
        if not created and person.user_id is None:
            person.user = user
            person.save(update_fields=["user"])
        elif not created and person.user_id != user.pk:
            # The name belongs to another account's person (an account renamed since):
            # record this one under a name of its own rather than under someone else's.
            person = cls.objects.create(
                username=f"{user.get_username()}#{user.pk}", user=user, display_name=display_name
            )
        return person

    def link_local_account(self) -> None:
        """Link to the local account of the same username, if any and not linked elsewhere."""
        if self.user_id is not None:
            return
        user_model = get_user_model()
        account = user_model._default_manager.filter(
            **{user_model.USERNAME_FIELD: self.username}, person__isnull=True
        ).first()
        if account is not None:
            self.user = account
