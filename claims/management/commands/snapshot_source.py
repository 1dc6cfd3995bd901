"""manage.py snapshot_source KEY (--file PATH --url URL --retrieved DATE | --fetch)."""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sources.fetching import FetchRefused, fetch
from sources.models import Source
from sources.snapshots import SnapshotRefused, snapshot_create

from ...excerpt_finding import verify_excerpts


class Command(BaseCommand):
    help = (
        "Store a copy of a source as read (a saved page, PDF or text file, or fetched), "
        "then look for the excerpts of the source's evidence in it."
    )

    def add_arguments(self, parser):
        parser.add_argument("key", help="The source's key.")
        parser.add_argument("--file", type=Path, help="A saved copy: HTML, PDF or UTF-8 text.")
        parser.add_argument("--url", help="The address the copy was read at.")
        parser.add_argument("--retrieved", help="When it was retrieved, YYYY-MM-DD.")
        parser.add_argument(
            "--fetch",
            action="store_true",
            help="Fetch the copy now (from --url, else the source's address).",
        )

    def handle(self, *args, key, file, url, retrieved, fetch: bool, **options):
        try:
            source = Source.objects.get(key=key)
        except Source.DoesNotExist as error:
            raise CommandError(f"No source with the key {key!r}.") from error
        if bool(file) == bool(fetch):
            raise CommandError("Give either --file PATH (with --url and --retrieved) or --fetch.")
        if fetch:
            data, media_type, url, retrieved_on = self.fetched(url or source.url)
        else:
            data, media_type = self.from_file(file, url, retrieved), None
            retrieved_on = self.date(retrieved)
        try:
            snapshot = snapshot_create(
                source=source, data=data, url=url, retrieved_on=retrieved_on, media_type=media_type
            )
        except SnapshotRefused as error:
            raise CommandError(f"{file or url}: {error} Nothing was stored.") from error
        self.stdout.write(
            f"Stored snapshot {snapshot.pk} of {key}: {snapshot.media_type}, "
            f"{snapshot.size:,} bytes, sha256 {snapshot.sha256[:12]}…, "
            f"{len(snapshot.text):,} characters of text."
        )
        report = verify_excerpts(source_key=key)
        found = ", ".join(f"{name} {count}" for name, count in sorted(report.counts.items()))
        self.stdout.write(f"Excerpts of {key}: {found or 'none to check'}.")
        for problem in report.problems:
            self.stderr.write(problem)

    def from_file(self, file: Path, url: str | None, retrieved: str | None) -> bytes:
        if not url or not retrieved:
            raise CommandError("With --file, give --url (where it was read) and --retrieved.")
        try:
            return file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error

    def date(self, value: str) -> dt.date:
        try:
            return dt.date.fromisoformat(value)
        except ValueError as error:
            raise CommandError(
                f"--retrieved must be a date as YYYY-MM-DD, not {value!r}."
            ) from error

    def fetched(self, url: str | None):
        if not url:
            raise CommandError("The source has no address: give --url.")
        try:
            result = fetch(url)
        except FetchRefused as error:
            raise CommandError(f"{error} Nothing was stored.") from error
        return result.data, result.media_type, result.url, timezone.localdate()
