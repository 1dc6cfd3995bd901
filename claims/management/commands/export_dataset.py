"""manage.py export_dataset [--document SLUG] [-o FILE]: write a dataset that imports back identically."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims.datasets import DatasetError, dataset_export


class Command(BaseCommand):
    help = "Export documents, their claims, evidence, and the sources and topics they use as a fixture."

    def add_arguments(self, parser):
        parser.add_argument("--document", action="append", dest="documents", metavar="SLUG",
                            help="Export only this document (repeatable). Default: everything.")  # fmt: skip
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")

    def handle(self, *args, documents=None, output=None, **options):
        try:
            text = dataset_export(document_slugs=documents)
        except DatasetError as error:
            raise CommandError("; ".join(str(problem) for problem in error.problems)) from error
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(self.style.SUCCESS(f"Wrote {output}."))
        else:
            self.stdout.write(text, ending="")
