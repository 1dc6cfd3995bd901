"""manage.py verify_excerpts [--source KEY]: look for every excerpt in its stored copies."""

from django.core.management.base import BaseCommand

from ...excerpt_finding import verify_excerpts


class Command(BaseCommand):
    help = (
        "Record, for each evidence row with an excerpt, whether the machine found it in a "
        "stored copy of its source (found / not_found / no_snapshot), and where."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", dest="source_key", help="Only this source's evidence.")

    def handle(self, *args, source_key=None, **options):
        report = verify_excerpts(source_key=source_key)
        for name, count in sorted(report.counts.items()):
            self.stdout.write(f"{name}: {count}")
        for problem in report.problems:
            self.stderr.write(f"Problem: {problem}")
        if not report.counts:
            self.stdout.write("No evidence with an excerpt to check.")
