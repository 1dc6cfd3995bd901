"""manage.py import_dataset FILE...: validate a whole dataset, then import it in one transaction."""

from django.core.management.base import BaseCommand, CommandError

from claims.datasets import DatasetError, dataset_import


class Command(BaseCommand):
    help = (
        "Import dataset fixtures. Every object is validated first (model, fields, references, "
        "choices, anchoring, duplicates); nothing is written unless all of it is valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="Fixture JSON files.")

    def handle(self, *args, files, **options):
        try:
            report = dataset_import(paths=files)
        except DatasetError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Imported: {report}."))
