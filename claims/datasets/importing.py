"""Importing a dataset: every entry checked, then written in one transaction, all or nothing.

Entries are read as a stream and written in batches (batches.py): a thousand at a time,
checked as one by one, written in bulk. A batch with any problem is rolled back and written
again one object at a time (writing.py), so each problem names its object and field. Rows
are saved as loaddata saves them (raw: the dataset's timestamps are kept) and each gets one
history entry, recorded through django-simple-history's own API.
"""

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, models, transaction

from core import data_version
from core.db_statistics import refresh_planner_statistics

from .batches import BATCH_ENTRIES, BatchRefused, has_long_text, import_batch
from .database import refuse_unmigrated_database
from .problems import DatasetError, Problem
from .reading import Entry, RowCache, read_dataset
from .registry import DATASET_MODELS, Person
from .writing import ImportReport, import_entry

__all__ = ["ImportReport", "dataset_import"]

# Told how far the import is: bytes of the files read so far, objects read so far.
Progress = Callable[[int, int], None]


@dataclass
class ImportState:
    """What an import has done so far, and what it carries from one batch to the next."""

    user: object = None
    report: ImportReport = field(default_factory=ImportReport)
    cache: RowCache = field(default_factory=RowCache)
    problems: list[Problem] = field(default_factory=list)
    waiting: list[Entry] = field(default_factory=list)


def dataset_import(
    *,
    paths: Iterable[Path | str] = (),
    raw: bytes | None = None,
    user=None,
    map_users: dict[str, str] | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate and import dataset files (or raw bytes) in one transaction; all or nothing.

    The files are read as streams and written in batches as they are read; an object that
    refers to one later in the file waits for it. Every row written gets a history record
    naming `user` (if given) and the import. `map_users` renames the dataset's people
    (old username -> new), e.g. onto the local accounts of the people who did the work.
    `progress`, if given, is told after each batch how many bytes and objects were read.
    """
    refuse_unmigrated_database()
    state = ImportState(user=user)
    read = ReadSoFar()

    def tell_progress() -> None:
        if progress is not None:
            progress(read.bytes, read.objects)

    with transaction.atomic():
        entries = valid_entries(dataset_sources(paths, raw), map_users or {}, state, read)
        import_in_batches(entries, state, on_batch=tell_progress)
        state.problems += import_waiting(state.waiting, state.report, state.cache, user)
        tell_progress()
        if state.problems:
            transaction.set_rollback(True)
        elif state.report.written:
            data_version.bump()  # raw saves leave it to the importer: once, on commit
    if state.problems:
        raise DatasetError(state.problems)
    grown = grown_tables(state.report)
    if grown:  # the planner would misjudge them (core/db_statistics.py)
        refresh_planner_statistics(models=grown)
    return state.report


def grown_tables(report: ImportReport) -> list[type[models.Model]]:
    """The models whose tables the import grew by a tenth or more (into an empty database:
    from nothing). A smaller import leaves the planner's statistics as good as they were,
    and ANALYZE of a large table costs a tenth of a second or more."""
    return [
        model
        for model in DATASET_MODELS
        if (written := report.created.get(model._meta.label_lower, 0))
        and written * 10 >= model._base_manager.count()
    ]


@dataclass
class ReadSoFar:
    bytes: int = 0
    objects: int = 0

    def count_bytes(self, size: int) -> None:
        self.bytes += size


def valid_entries(
    sources: list[tuple], map_users: dict[str, str], state: ImportState, read: ReadSoFar
) -> Iterator[Entry]:
    """The entries of the files, people renamed; what is not an entry, or repeats one's
    natural key, goes to the problems instead."""
    seen = SeenKeys()
    for number, (source, name) in enumerate(sources):
        for item in read_dataset(source, name=name, on_read=read.count_bytes):
            read.objects += 1
            if isinstance(item, Problem):
                state.problems.append(item)
                continue
            rename_people(item, map_users)
            duplicate = seen.add(item, number)
            if duplicate is not None:
                state.problems.append(duplicate)
                continue
            yield item


def import_in_batches(
    entries: Iterable[Entry], state: ImportState, *, on_batch: Callable[[], None]
) -> None:
    batch: list[Entry] = []
    for entry in entries:
        if has_long_text(entry):
            # A batch of its own: its text is held in a few copies while it is parsed,
            # checked and stored, and a batch's rows are not held alongside.
            import_in_batch(batch, state)
            import_in_batch([entry], state)
            batch = []
        else:
            batch.append(entry)
        if not batch or len(batch) >= BATCH_ENTRIES:
            import_in_batch(batch, state)
            batch = []
            on_batch()
    import_in_batch(batch, state)


def import_in_batch(entries: list[Entry], state: ImportState) -> None:
    """Write a batch in bulk; if it has any problem, roll it back and write it one object at
    a time, which names every problem."""
    if not entries:
        return
    try:
        # A savepoint: an error inside rolls the batch back and leaves the import usable.
        with transaction.atomic():
            report, waiting = import_batch(entries, state.cache, state.user)
    except (BatchRefused, DatabaseError):
        state.cache.forget_rows()  # the rows it wrote are gone
        import_one_by_one(entries, state)
    else:
        state.report.add(report)
        state.waiting += waiting
    finally:
        state.cache.unpin()


def import_one_by_one(entries: list[Entry], state: ImportState) -> None:
    for entry in entries:
        entry_problems = import_entry(entry, state.report, state.cache, state.user)
        if entry_problems and all(problem.unresolved for problem in entry_problems):
            state.waiting.append(entry)  # it refers to an object further on
        else:
            record(entry, entry_problems, state.cache, state.problems)


def dataset_sources(paths: Iterable[Path | str], raw: bytes | None) -> list[tuple]:
    sources = [(path, str(path)) for path in paths]
    return sources + ([(raw, "dataset")] if raw is not None else [])


def record(entry: Entry, entry_problems: list[Problem], cache: RowCache, problems: list) -> None:
    if entry_problems:
        cache.refuse(entry.model, entry.natural_key)
        problems += entry_problems


def import_waiting(waiting: list[Entry], report, cache: RowCache, user) -> list[Problem]:
    """Objects that referred to objects further on, once those are in: in dependency order,
    again while any gets in (a restatement after the claim it repeats)."""
    waiting.sort(key=lambda entry: (DATASET_MODELS.index(entry.model), entry.index))
    while waiting:
        still_waiting = []
        for entry in waiting:
            entry_problems = import_entry(entry, report, cache, user)
            if entry_problems and all(problem.unresolved for problem in entry_problems):
                still_waiting.append(entry)
            elif entry_problems:
                cache.refuse(entry.model, entry.natural_key)
                return [*entry_problems, *unresolvable(still_waiting, report, cache, user)]
        if len(still_waiting) == len(waiting):
            return unresolvable(still_waiting, report, cache, user)
        waiting = still_waiting
    return []


def unresolvable(entries: list[Entry], report, cache: RowCache, user) -> list[Problem]:
    problems: list[Problem] = []
    for entry in entries:
        entry_problems = import_entry(entry, report, cache, user)
        record(entry, entry_problems, cache, problems)
    return problems


class SeenKeys:
    """The natural keys read so far, to refuse a second object with the same key. A short
    digest per object: the only memory an import keeps that grows with the dataset."""

    def __init__(self):
        self.first: dict[bytes, tuple[int, int, str]] = {}

    def add(self, entry: Entry, number: int) -> Problem | None:
        digest = hashlib.blake2b(
            repr((entry.model._meta.label_lower, entry.natural_key)).encode(), digest_size=12
        ).digest()
        if digest in self.first:
            where = self.first[digest][2]
            return Problem(entry.where, f"duplicates the natural key of {where}.")
        self.first[digest] = (number, entry.index, entry.where.split(" ", 1)[0])
        return None


def rename_people(entry: Entry, map_users: dict[str, str]) -> None:
    """--map-user old=new: the person `old` of the dataset is imported as `new`."""
    if not map_users:
        return
    fields = entry.fields
    if entry.model is Person and fields.get("username") in map_users:
        fields["username"] = map_users[fields["username"]]
    for model_field in entry.model._meta.concrete_fields:
        value = fields.get(model_field.name)
        is_person = model_field.many_to_one and model_field.related_model is Person
        if is_person and isinstance(value, list) and len(value) == 1 and value[0] in map_users:
            fields[model_field.name] = [map_users[value[0]]]
    entry.__dict__.pop("natural_key", None)  # read again from the renamed fields
