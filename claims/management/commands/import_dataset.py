"""manage.py import_dataset FILE... [--map-user OLD=NEW]: validate a whole dataset and import
it in one transaction; the people it names become people, never accounts."""

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from claims.datasets import DatasetError, dataset_import
from claims.datasets.database import refuse_unmigrated_database


class Command(BaseCommand):
    help = (
        "Import dataset fixtures. Every object is validated (model, fields, references, "
        "choices, anchoring, duplicates); nothing is kept unless all of it is valid. People "
        "named in it are recorded as people, linked to the local account of the same username "
        "if there is one; no account is ever created."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="Fixture JSON files.")
        parser.add_argument("--user", help="Username to name in the history of the imported rows.")
        parser.add_argument("--map-user", action="append", default=[], metavar="OLD=NEW",
                            help="Record the dataset's person OLD as NEW (e.g. the username of "
                                 "their account here). Repeatable.")  # fmt: skip

    def handle(self, *args, files, user=None, map_user=(), **options):
        mapping = parse_mapping(map_user)
        try:
            refuse_unmigrated_database()  # before --user is looked up in a table
        except DatasetError as error:
            raise CommandError(str(error.problems[0])) from error
        if user is not None:
            user_model = get_user_model()
            try:
                user = user_model.objects.get(username=user)
            except user_model.DoesNotExist as error:
                raise CommandError(f"--user: no user named {user!r}.") from error
        # A progress bar on a terminal only: never in a log or a pipe.
        progress = ProgressBar(self.stderr, files) if self.stderr.isatty() else None
        try:
            report = dataset_import(paths=files, user=user, map_users=mapping, progress=progress)
        except DatasetError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(str(error)) from error
        finally:
            if progress is not None:
                progress.close()
        self.stdout.write(self.style.SUCCESS(f"Imported: {report}."))


def parse_mapping(pairs) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise CommandError(f"--map-user {pair!r}: write it as OLD=NEW, e.g. admin=ada.")
        if old.strip() in mapping:
            raise CommandError(f"--map-user: {old.strip()!r} is mapped twice.")
        mapping[old.strip()] = new.strip()
    return mapping


class ProgressBar:
    """One line, redrawn after each batch: how much of the files is read, objects, rate."""

    WIDTH = 30

    def __init__(self, stream, files):
        self.stream, self.started, self.drawn = stream, time.monotonic(), False
        self.total = sum(file_size(name) for name in files)

    def __call__(self, done: int, objects: int) -> None:
        share = min(done / self.total, 1.0) if self.total else 1.0
        filled = round(share * self.WIDTH)
        rate = objects / max(time.monotonic() - self.started, 1e-3)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.stream.write(f"\r[{bar}] {share:4.0%}  {objects:,} objects, {rate:,.0f}/s", ending="")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("")  # end the line the bar was drawn on


def file_size(name: str) -> int:
    try:
        return Path(name).stat().st_size
    except OSError:
        return 0  # the import says why it cannot read it
