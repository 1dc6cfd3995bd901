"""manage.py api_token create|revoke|list: API tokens from the command line."""

import argparse

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import DEFAULT_LIFETIME_DAYS, MAX_LIFETIME_DAYS, ApiToken


def lifetime_days(value: str) -> int:
    """--days: a whole number of days from 1 to MAX_LIFETIME_DAYS (every token expires)."""
    try:
        days = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a whole number of days (e.g. --days 30)."
        ) from None
    if not 1 <= days <= MAX_LIFETIME_DAYS:
        raise argparse.ArgumentTypeError(
            f"{days} is out of range: a token lives 1 to {MAX_LIFETIME_DAYS} days "
            "(revoke it early if it is no longer needed)."
        )
    return days


class Command(BaseCommand):
    help = "Create, revoke or list API tokens. A new token's secret is printed once."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Issue a token for a user.")
        create.add_argument("username")
        create.add_argument("--name", default="command line")
        create.add_argument(
            "--days",
            type=lifetime_days,
            default=DEFAULT_LIFETIME_DAYS,
            help=f"Lifetime in days, 1 to {MAX_LIFETIME_DAYS} (default {DEFAULT_LIFETIME_DAYS}).",
        )
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix.")
        revoke.add_argument("prefix")
        listing = sub.add_parser("list", help="List tokens.")
        listing.add_argument("username", nargs="?")

    def handle(self, *args, action, **options):
        getattr(self, f"handle_{action}")(**options)

    def handle_create(self, *, username, name, days, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"No user named {username!r}.") from error
        token, raw = ApiToken.issue(user=user, name=name, days=days)
        expiry = token.expires_at.isoformat()
        self.stdout.write(f"{raw}\n")
        self.stderr.write(f"Token {token.prefix} for {username}, expires {expiry}. Shown once.")

    def handle_revoke(self, *, prefix, **options):
        token = ApiToken.objects.filter(prefix=prefix).first()
        if token is None:
            raise CommandError(f"No token with prefix {prefix!r}.")
        token.revoke()
        self.stdout.write(
            f"Revoked {token.prefix} at {timezone.localtime(token.revoked_at):%Y-%m-%d %H:%M}."
        )

    def handle_list(self, *, username=None, **options):
        tokens = ApiToken.objects.select_related("user")
        if username:
            tokens = tokens.filter(user__username=username)
        for token in tokens:
            state = "active" if token.is_active else "inactive"
            self.stdout.write(f"{token.prefix}  {token.user.username:<20} {token.name:<30} {state}")
