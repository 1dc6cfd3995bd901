"""manage.py setup_site: first-run set-up for `make run` (seed data, an admin account)."""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from claims.datasets import DatasetError, dataset_import
from claims.models import Document

SEED_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "seed.json"


class Command(BaseCommand):
    help = (
        "Load the seed dataset into an empty database and create an admin account if none exists."
    )

    def handle(self, *args, **options):
        if Document.objects.exists():
            self.stdout.write("Database already holds documents; seed not loaded.")
        else:
            try:
                report = dataset_import(paths=[SEED_FIXTURE])
            except DatasetError as error:
                raise CommandError("; ".join(map(str, error.problems[:10]))) from error
            self.stdout.write(self.style.SUCCESS(f"Seed dataset loaded: {report}."))
        user_model = get_user_model()
        if not user_model.objects.filter(is_superuser=True).exists():
            password = secrets.token_urlsafe(12)
            user_model.objects.create_superuser("admin", "", password)
            self.stdout.write(self.style.WARNING(
                f"Created superuser 'admin' with password: {password}  (shown once; change it in the admin)"
            ))  # fmt: skip
