"""manage.py export_dataset [--document SLUG] [--published-only] [-o FILE]: write a dataset
that imports back identically, and say what it holds."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims.datasets import DatasetError, write_dataset


class Command(BaseCommand):
    help = (
        "Export documents, their claims, evidence, and the sources, topics and people they use "
        "as a fixture that imports into any Claimbase database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--document", action="append", dest="documents", metavar="SLUG",
                            help="Export only this document (repeatable). Default: everything.")  # fmt: skip
        parser.add_argument("--published-only", action="store_true",
                            help="Only what an anonymous reader of the API may see: no draft or "
                                 "claim in review, no internal field, no people.")  # fmt: skip
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")

    def handle(self, *args, documents=None, published_only=False, output=None, **options):
        target = Path(output) if output else None
        partial = target.with_name(target.name + ".partial") if target else None
        try:
            if target:
                # Written beside the target and moved into place whole: never half a file.
                with partial.open("w", encoding="utf-8") as out:
                    report = write_dataset(
                        out, document_slugs=documents, published_only=published_only
                    )
                partial.replace(target)
            else:
                report = write_dataset(
                    self.stdout, document_slugs=documents, published_only=published_only
                )
        except DatasetError as error:
            if partial is not None:
                partial.unlink(missing_ok=True)
            raise CommandError("; ".join(str(problem) for problem in error.problems)) from error
        kind = "published-only dataset" if published_only else "dataset"
        where = output or "standard output"
        # The summary goes to standard error when the dataset itself goes to standard output.
        stream = self.stdout if target else self.stderr
        stream.write(self.style.SUCCESS(f"Wrote {kind} to {where}: {report}."))
        if not target:
            sys.stdout.flush()
