"""manage.py import_claims_csv SLUG FILE.csv: add a document's claims from a CSV (claims/bulk.py).

All rows are written or none; each problem is printed with its line and column.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from claims.bulk import BulkRefused, claims_from_csv
from claims.models import Document


class Command(BaseCommand):
    help = "Add draft claims to a document from a CSV (quote, claim_type, paraphrase, topics, ...)."

    def add_arguments(self, parser):
        parser.add_argument("document", help="The document's slug.")
        parser.add_argument("file", help="A UTF-8 CSV file with a header row.")
        parser.add_argument("--user", help="Username to record in the history as the author.")

    def handle(self, *args, document, file, user=None, **options):
        target = Document.objects.filter(slug=document).first()
        if target is None:
            raise CommandError(f"No document with the slug {document!r}.")
        try:
            text = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{file}: cannot be read as UTF-8 text ({error}).") from error
        author = None
        if user:
            author = get_user_model().objects.filter(username=user).first()
            if author is None:
                raise CommandError(f"--user: no user {user!r}.")
        try:
            created = claims_from_csv(document=target, text=text, user=author)
        except BulkRefused as refused:
            for problem in refused.problems:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(
                f"Nothing was written: {len(refused.problems)} problem(s) in {file}."
            ) from None
        keys = ", ".join(claim.key for claim in created)
        self.stdout.write(f"Added {len(created)} draft claim(s) to {target.slug}: {keys}.")
