"""manage.py import_dataset FILE...: validate a whole dataset, then import it in one transaction."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from claims.datasets import DatasetError, dataset_import


class Command(BaseCommand):
    help = (
        "Import dataset fixtures. Every object is validated first (model, fields, references, "
        "choices, anchoring, duplicates); nothing is written unless all of it is valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="Fixture JSON files.")
        parser.add_argument("--user", help="Username to name in the history of the imported rows.")

    def handle(self, *args, files, user=None, **options):
        user_model = get_user_model()
        if user is not None:
            try:
                user = user_model.objects.get(username=user)
            except user_model.DoesNotExist as error:
                raise CommandError(f"--user: no user named {user!r}.") from error
        try:
            report = dataset_import(paths=files, user=user)
        except DatasetError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Imported: {report}."))
