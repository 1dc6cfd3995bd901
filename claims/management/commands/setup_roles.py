"""manage.py setup_roles: give the curators and reviewers groups exactly the permissions
claims/roles.py defines (creating the groups if needed)."""

from django.core.management.base import BaseCommand

from claims.roles import apply_roles


class Command(BaseCommand):
    help = "Create or update the curators and reviewers groups from claims/roles.py."

    def handle(self, *args, **options):
        for name, count in apply_roles().items():
            self.stdout.write(self.style.SUCCESS(f"{name}: {count} permissions."))
