"""Importing a dataset: every entry checked, then written in one transaction, all or nothing.

Rows are saved as loaddata saves them (raw: the dataset's timestamps are kept) and each
gets one history entry, recorded through django-simple-history's own API.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_manager_for_model

from core.db_statistics import refresh_planner_statistics

from ..models import Document, Evidence
from .checks import check_fields, validate
from .database import refuse_unmigrated_database
from .problems import DatasetError, Problem
from .reading import Entry, RowCache, read_dataset
from .registry import DATASET_MODELS, LOCAL_FIELDS, Person

TIMESTAMP_FIELDS = ("created_at", "updated_at")
HISTORY_REASON = "dataset import"


@dataclass
class ImportReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: dict, label: str):
        bucket[label] = bucket.get(label, 0) + 1

    def __str__(self):
        def total(bucket):
            return sum(bucket.values())

        return (
            f"{total(self.created)} created, {total(self.updated)} updated, "
            f"{total(self.unchanged)} unchanged"
        )


def dataset_import(
    *,
    paths: Iterable[Path | str] = (),
    raw: bytes | None = None,
    user=None,
    map_users: dict[str, str] | None = None,
) -> ImportReport:
    """Validate and import dataset files (or raw bytes) in one transaction; all or nothing.

    The files are read as streams and each object is written as it is read; an object that
    refers to one later in the file waits for it. Every row written gets a history record
    naming `user` (if given) and the import. `map_users` renames the dataset's people
    (old username -> new), e.g. onto the local accounts of the people who did the work.
    """
    refuse_unmigrated_database()
    report, cache, seen = ImportReport(), RowCache(), SeenKeys()
    problems: list[Problem] = []
    waiting: list[Entry] = []
    with transaction.atomic():
        for number, (source, name) in enumerate(dataset_sources(paths, raw)):
            for item in read_dataset(source, name=name):
                if isinstance(item, Problem):
                    problems.append(item)
                    continue
                rename_people(item, map_users or {})
                duplicate = seen.add(item, number)
                if duplicate is not None:
                    problems.append(duplicate)
                    continue
                entry_problems = import_entry(item, report, cache, user)
                if entry_problems and all(problem.unresolved for problem in entry_problems):
                    waiting.append(item)  # it refers to an object further on
                else:
                    record(item, entry_problems, cache, problems)
        problems += import_waiting(waiting, report, cache, user)
        if problems:
            transaction.set_rollback(True)
    if problems:
        raise DatasetError(problems)
    # The tables may have grown tenfold: let the planner know (core/db_statistics.py).
    refresh_planner_statistics(models=DATASET_MODELS)
    return report


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


def import_entry(entry: Entry, report: ImportReport, cache: RowCache, user=None) -> list[Problem]:
    problems = check_fields(entry, cache)
    if problems:
        return problems
    model, fields, key = entry.model, entry.fields, entry.natural_key
    existing = cache.get(model, key)
    savepoint = transaction.savepoint()
    try:
        instance, many_to_many = build_instance(entry, existing, cache)
        fill_stored_values(instance, existing, fields)
        validate(instance)  # the file's copy_kind too: an unknown kind is an error
        if isinstance(instance, Evidence):
            instance.copy_kind = instance.derive_copy_kind()  # then derived, as on save
        if existing is not None and same_content(existing, instance, many_to_many):
            report.count(report.unchanged, model._meta.label_lower)
        else:
            save_with_history(instance, many_to_many, created=existing is None, user=user)
            cache.remember(instance, key)
            bucket = report.updated if existing is not None else report.created
            report.count(bucket, model._meta.label_lower)
    except ValidationError as error:
        transaction.savepoint_rollback(savepoint)
        return [
            Problem(entry.where, "; ".join(messages), name)
            for name, messages in message_dict(error)
        ]
    except (DatabaseError, ValueError, TypeError, OverflowError) as error:
        transaction.savepoint_rollback(savepoint)
        return [Problem(entry.where, str(error).splitlines()[0][:300])]
    transaction.savepoint_commit(savepoint)
    return []


def build_instance(entry: Entry, existing, cache: RowCache) -> tuple[models.Model, dict]:
    """The model instance an entry describes (references resolved from the cache), and its m2m rows.

    Django's deserializer would look every natural key up again; the cache has them.
    """
    values, many_to_many = {}, {}
    for name, value in entry.fields.items():
        model_field = entry.model._meta.get_field(name)
        if model_field.many_to_many:
            many_to_many[name] = [cache.get(model_field.remote_field.model, item) for item in value]
        elif model_field.many_to_one:
            values[name] = (
                None if value is None else cache.get(model_field.remote_field.model, value)
            )
        else:
            values[model_field.attname] = model_field.to_python(value)
    instance = entry.model(**values)
    if existing is not None:
        # Found by natural key: validate and save as an update of that row.
        instance.pk = existing.pk
        instance._state.adding = False
        instance._state.db = existing._state.db
    return instance, many_to_many


def fill_stored_values(instance, existing, given: dict) -> None:
    """A dataset without timestamps keeps the stored ones (new rows get the model's default:
    now); local fields keep the stored value (a person is linked to its local account)."""
    if existing is not None:
        for name in TIMESTAMP_FIELDS:
            if name not in given and hasattr(existing, name):
                setattr(instance, name, getattr(existing, name))
    for name in LOCAL_FIELDS.get(type(instance), ()):
        if existing is not None:
            setattr(instance, name, getattr(existing, name))
    if hasattr(instance, "link_local_account"):
        instance.link_local_account()
    if isinstance(instance, Document):
        instance.body_sha256 = instance.body_sha256 or instance.compute_sha256()


def same_content(existing, incoming, many_to_many: dict) -> bool:
    """True when saving `incoming` over `existing` would change nothing a curator wrote."""
    for model_field in existing._meta.concrete_fields:
        if model_field.primary_key or model_field.name in TIMESTAMP_FIELDS:
            continue
        if model_field.value_from_object(existing) != model_field.value_from_object(incoming):
            return False
    for name, rows in many_to_many.items():
        current = set(getattr(existing, name).values_list("pk", flat=True))
        if current != {row.pk for row in rows}:
            return False
    return True


def save_with_history(instance: models.Model, many_to_many: dict, *, created: bool, user) -> None:
    """Save as loaddata does (raw: the dataset's timestamps are kept, and django-simple-history,
    like every receiver that honours `raw`, records nothing), then record one history entry."""
    instance.save_base(raw=True)
    instance.skip_history_when_saving = True  # no extra entry per m2m change
    for name, rows in many_to_many.items():
        getattr(instance, name).set(rows)
    del instance.skip_history_when_saving
    record_history(instance, created=created, user=user)


def record_history(instance: models.Model, *, created: bool, user) -> None:
    """One history entry for a row the import wrote, with its many-to-many links as they stand.

    The row's version is written by the model's history manager (bulk_history_create, the
    API simple-history offers for writes that bypass save()); the links of the fields
    simple-history tracks go into the version's own link table, as it records them itself.
    """
    try:
        history = get_history_manager_for_model(type(instance))
    except NotHistoricalModelError:
        return  # people keep no history: a person is who did something, not a curated text
    versions = history.bulk_history_create(
        [instance],
        update=not created,
        default_user=user,
        default_change_reason=HISTORY_REASON,
    )
    for version in versions or []:  # None when SIMPLE_HISTORY_ENABLED is off
        for m2m_field in version._history_m2m_fields:
            link_model = getattr(type(version), m2m_field.name).model
            through = m2m_field.remote_field.through
            links = through.objects.filter(**{m2m_field.m2m_field_name(): instance})
            link_model.objects.bulk_create(
                link_model(
                    history=version,
                    **{f.attname: getattr(link, f.attname) for f in through._meta.concrete_fields},
                )
                for link in links
            )


def message_dict(error: ValidationError):
    if hasattr(error, "error_dict"):
        return list(error.message_dict.items())
    return [("", error.messages)]
