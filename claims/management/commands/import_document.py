"""manage.py import_document FILE.txt --title ...: store a text verbatim and detect its sections.

With --revise SLUG, FILE is a revised text of that document: every claim is re-anchored in
it (claims/reanchoring.py) and the report printed; nothing is written without --apply.
"""

import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
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
        parser.add_argument("--title", default="", help="The new document's title.")
        parser.add_argument(
            "--revise", metavar="SLUG", default="", help="FILE is a revised text of this document."
        )
        parser.add_argument(
            "--apply", action="store_true", help="With --revise: write the re-anchoring."
        )
        parser.add_argument(
            "--user",
            default="",
            help="With --apply: who revises (a reviewer, when published claims' words change).",
        )
        parser.add_argument("--note", default="", help="With --revise: what this text is.")
        parser.add_argument("--slug", default="")
        parser.add_argument("--author", default="")
        parser.add_argument("--publisher", default="")
        parser.add_argument("--url", default="")
        parser.add_argument("--language", default="en")
        parser.add_argument("--published", type=iso_date, default=None, help="YYYY-MM-DD")

    def handle(self, *args, file, title, slug, published, **options):
        body = self.read(file)
        if options["revise"]:
            return self.revise(options["revise"], body, published, options)
        if not title:
            raise CommandError("--title is required for a new document (or give --revise SLUG).")
        self.create(file, body, title, slug, published, options)

    def revise(self, slug, body, published, options):
        from claims import reanchoring
        from claims.models import Document
        from claims.workflow import person_of

        try:
            document = Document.objects.get(slug=slug)
        except Document.DoesNotExist as error:
            raise CommandError(f"No document with the slug {slug!r}.") from error
        if body == document.body:
            raise CommandError("The revised text is the document's current text: nothing to do.")
        placements = reanchoring.plan(document, body)
        self.stdout.write(reanchoring.report(placements))
        if not options["apply"]:
            self.stdout.write("Nothing was written (dry run): add --apply to take the new text.")
            return
        user = self.user(options["user"])
        try:
            version = reanchoring.apply(
                document=document, new_body=body, placements=placements, user=user,
                person=person_of(user), published_on=published, url=options["url"],
                publisher=options["publisher"], note=options["note"],
            )  # fmt: skip
        except ValidationError as error:
            raise CommandError(f"Nothing was written: {'; '.join(error.messages)}") from error
        except PermissionDenied as error:
            raise CommandError(
                f"Nothing was written: {error} A published claim's words changed, so it goes "
                "back to review: revise as a reviewer (--user)."
            ) from error
        self.stdout.write(self.style.SUCCESS(f"Stored version {version.number} of {slug}."))

    def user(self, username):
        if not username:
            raise CommandError("--apply needs --user USERNAME (who revises the text).")
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"No user named {username!r}.") from error

    def read(self, file) -> str:
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
        return body

    def create(self, file, body, title, slug, published, options):
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
