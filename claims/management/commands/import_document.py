"""manage.py import_document FILE.txt --title ...: store a text verbatim and detect its sections."""

import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from claims.documents import document_create


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--published: {value!r} is not a date like 2020-08-07.") from error


class Command(BaseCommand):
    help = "Store a UTF-8 text file as a new document, byte for byte, with its sections detected."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--title", required=True)
        parser.add_argument("--slug", default="")
        parser.add_argument("--author", default="")
        parser.add_argument("--publisher", default="")
        parser.add_argument("--url", default="")
        parser.add_argument("--language", default="en")
        parser.add_argument("--published", type=iso_date, default=None, help="YYYY-MM-DD")

    def handle(self, *args, file, title, slug, published, **options):
        try:
            raw = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: cannot be read ({error.strerror}).") from error
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise CommandError(
                f"{file}: not UTF-8 (invalid byte at position {error.start})."
            ) from error
        fields = {name: options[name] for name in ("author", "publisher", "url", "language")}
        try:
            document = document_create(
                title=title, slug=slug, body=body, published_on=published, **fields
            )
        except ValidationError as error:
            messages = "; ".join(
                f"{name}: {' '.join(msgs)}" for name, msgs in error.message_dict.items()
            )
            raise CommandError(f"{file}: {messages}") from error
        labels = ", ".join(section.label for section in document.sections.all())
        self.stdout.write(
            self.style.SUCCESS(
                f"Stored {document.slug} ({len(body)} characters; sections: {labels})."
            )
        )
