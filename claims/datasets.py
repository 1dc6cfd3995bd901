"""Datasets in and out: Django fixtures validated whole before anything is written.

A dataset is a Django fixture (a JSON list of {"model", "fields"} objects using
natural keys) that `manage.py loaddata` also accepts. `dataset_import` checks every
object (model, fields, references, choices, model validation, duplicates) inside
one transaction and writes nothing unless all of it is valid; `dataset_export`
writes a dataset that imports back identically.
"""

import datetime
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.core import serializers
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, models, transaction
from django.db.models.signals import post_save

from sources.models import Source

from .models import Claim, Document, Evidence, Section, Topic

# Import order: every model after the models it refers to.
DATASET_MODELS: list[type[models.Model]] = [Topic, Source, Document, Section, Claim, Evidence]
MODEL_LABELS = {model._meta.label_lower: model for model in DATASET_MODELS}
TIMESTAMP_FIELDS = ("created_at", "updated_at")
MAX_FILE_BYTES = 50 * 1024 * 1024


class DatasetJSONEncoder(DjangoJSONEncoder):
    """Keeps datetimes to the microsecond (Django's encoder cuts them to milliseconds),
    so an exported dataset imports back to exactly the same values."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            return o.isoformat()
        return super().default(o)


@dataclass
class Problem:
    """One thing wrong with a dataset, with the place it stands."""

    where: str
    message: str
    field: str = ""

    def __str__(self):
        return f"{self.where}: {self.field + ': ' if self.field else ''}{self.message}"


class DatasetError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the dataset; nothing was written.")


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


@dataclass
class Entry:
    """An object of the dataset and where it came from (file and index), for messages."""

    where: str
    data: dict
    model: type[models.Model] | None = None


def read_dataset_file(path: Path | str) -> tuple[list[Entry], list[Problem]]:
    """Parse one file into entries, reporting encoding and JSON problems with their place."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        return [], [Problem(str(path), f"cannot be read ({error.strerror}).")]
    if len(raw) > MAX_FILE_BYTES:
        return [], [Problem(str(path), f"is larger than {MAX_FILE_BYTES // 1024 // 1024} MiB.")]
    return parse_dataset(raw, name=str(path))


def parse_dataset(raw: bytes, *, name: str) -> tuple[list[Entry], list[Problem]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return [], [Problem(name, f"is not UTF-8 text (invalid byte at position {error.start}).")]
    try:
        objects = json.loads(text)
    except RecursionError:
        return [], [Problem(name, "is not a dataset: its JSON is nested too deeply.")]
    except json.JSONDecodeError as error:
        return [], [
            Problem(
                name,
                f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}.",
            )
        ]
    if not isinstance(objects, list):
        return [], [Problem(name, "must hold a JSON list of objects.")]
    entries, problems = [], []
    for index, item in enumerate(objects):
        where = f"{name}[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("fields"), dict):
            problems.append(Problem(where, 'must be an object with "model" and "fields".'))
            continue
        label = str(item.get("model", "")).lower()
        model = MODEL_LABELS.get(label)
        if model is None:
            problems.append(Problem(where, f"unknown model {item.get('model')!r}.", "model"))
            continue
        entries.append(Entry(f"{where} {label} {describe_key(model, item)}", item, model))
    return entries, problems


def natural_key_of(model, fields: dict) -> list:
    """The natural key an object of the dataset will have, read from its fields."""
    if model is Claim:
        return [first(fields.get("document")), fields.get("key")]
    if model is Section:
        return [first(fields.get("document")), fields.get("label")]
    if model is Evidence:
        claim = fields.get("claim") if isinstance(fields.get("claim"), list) else [None, None]
        return [*claim, first(fields.get("source")), fields.get("stance")]
    return [fields.get("slug") if model in (Topic, Document) else fields.get("key")]


def describe_key(model, item) -> str:
    """A readable natural key for messages, e.g. (respect-history, C012)."""
    return (
        "(" + ", ".join(str(part) for part in natural_key_of(model, item.get("fields", {}))) + ")"
    )


def first(value):
    return value[0] if isinstance(value, list) and value else value


class RowCache:
    """Rows by natural key (or pk), each fetched at most once per import.

    The seed alone refers to its document from hundreds of claims; without this
    the import re-read the document (and its long body) for every reference.
    """

    def __init__(self):
        self.rows: dict[tuple, models.Model | None] = {}
        # Natural keys of the dataset's objects that were refused, so references to them say so.
        self.refused: set[tuple[type, str]] = set()

    def get(self, model, key) -> models.Model | None:
        cache_key = (model, tuple(key) if isinstance(key, list) else key)
        if cache_key not in self.rows:
            manager = model._default_manager
            try:
                row = (
                    manager.get_by_natural_key(*key)
                    if isinstance(key, list)
                    else manager.get(pk=key)
                )
            except (ObjectDoesNotExist, TypeError, ValueError):
                row = None
            self.rows[cache_key] = row
        return self.rows[cache_key]

    def remember(self, row: models.Model, key: list) -> None:
        self.rows[(type(row), tuple(key))] = row

    def refuse(self, model, key: list) -> None:
        # repr: a refused object's key may hold anything the file had, lists and dicts included.
        self.refused.add((model, repr(key)))

    def was_refused(self, model, key) -> bool:
        return (model, repr(key)) in self.refused


def dataset_import(
    *, paths: Iterable[Path | str] = (), raw: bytes | None = None, user=None
) -> ImportReport:
    """Validate and import dataset files (or raw bytes) in one transaction; all or nothing.

    Every row written gets a history record naming `user` (if given) and the import.
    """
    entries, problems = [], []
    for path in paths:
        file_entries, file_problems = read_dataset_file(path)
        entries += file_entries
        problems += file_problems
    if raw is not None:
        raw_entries, raw_problems = parse_dataset(raw, name="dataset")
        entries += raw_entries
        problems += raw_problems
    problems += find_duplicates(entries)
    # Models in dependency order; within claims, restatements (same_as) after the claims they
    # point to, which never point further themselves (links are one step deep).
    entries.sort(
        key=lambda entry: (
            DATASET_MODELS.index(entry.model),
            bool(entry.data["fields"].get("same_as")),
        )
    )
    report, cache = ImportReport(), RowCache()
    with transaction.atomic():
        for entry in entries:
            entry_problems = import_entry(entry, report, cache, user)
            if entry_problems:
                cache.refuse(entry.model, natural_key_of(entry.model, entry.data["fields"]))
            problems += entry_problems
        if problems:
            transaction.set_rollback(True)
    if problems:
        raise DatasetError(problems)
    return report


def find_duplicates(entries: list[Entry]) -> list[Problem]:
    seen: dict[str, str] = {}
    problems = []
    for entry in entries:
        key = entry.where.split(" ", 1)[1]
        if key in seen:
            problems.append(
                Problem(entry.where, f"duplicates the natural key of {seen[key].split(' ')[0]}.")
            )
        else:
            seen[key] = entry.where
    return problems


def import_entry(entry: Entry, report: ImportReport, cache: RowCache, user=None) -> list[Problem]:
    problems = check_fields(entry, cache)
    if problems:
        return problems
    model, fields = entry.model, entry.data["fields"]
    key = natural_key_of(model, fields)
    existing = cache.get(model, key)
    savepoint = transaction.savepoint()
    try:
        instance, many_to_many = build_instance(entry, existing, cache)
        fill_timestamps(instance, existing, fields)
        validate(instance)
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


def save_with_history(instance: models.Model, many_to_many: dict, *, created: bool, user) -> None:
    """Save as loaddata does (raw: the dataset's timestamps are kept), then record one history entry.

    Raw saves skip django-simple-history, so the post_save it listens to is sent once the
    row and its many-to-many links are all written.
    """
    instance.save_base(raw=True)
    instance.skip_history_when_saving = True  # no extra entry per m2m change
    for name, rows in many_to_many.items():
        getattr(instance, name).set(rows)
    del instance.skip_history_when_saving
    if user is not None:
        instance._history_user = user
    instance._change_reason = "dataset import"
    post_save.send(
        sender=type(instance),
        instance=instance,
        created=created,
        raw=False,
        using=instance._state.db,
        update_fields=None,
    )


def build_instance(entry: Entry, existing, cache: RowCache) -> tuple[models.Model, dict]:
    """The model instance an entry describes (references resolved from the cache), and its m2m rows.

    Django's deserializer would look every natural key up again; the cache has them.
    """
    values, many_to_many = {}, {}
    for name, value in entry.data["fields"].items():
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


def validate(instance: models.Model) -> None:
    """full_clean() without re-running check constraints in Python.

    Every check constraint is mirrored by a field choice or by clean(), which give
    the better message, and the database enforces them on save anyway; running
    them here cost one query each (about a third of the import time).
    """
    # References were resolved from the cache, so ForeignKey's own existence query is skipped too.
    references = [f.name for f in instance._meta.concrete_fields if f.many_to_one]
    instance.full_clean(exclude=references, validate_constraints=False)
    unique_constraints = [
        c for c in instance._meta.constraints if isinstance(c, models.UniqueConstraint)
    ]
    errors = {}
    for constraint in unique_constraints:
        try:
            constraint.validate(type(instance), instance)
        except ValidationError as error:
            errors.setdefault("__all__", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)


def check_fields(entry: Entry, cache: RowCache) -> list[Problem]:
    """Unknown fields, bad values and missing references, each named by field."""
    problems = []
    model = entry.model
    for name, value in entry.data["fields"].items():
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            problems.append(Problem(entry.where, "unknown field.", name))
            continue
        if model_field.auto_created or not model_field.concrete and not model_field.many_to_many:
            problems.append(Problem(entry.where, "is not a stored field.", name))
            continue
        problems += check_value(entry, model_field, value, cache)
    return problems


def check_value(entry: Entry, model_field, value, cache: RowCache) -> list[Problem]:
    if isinstance(value, str) and "\x00" in value:
        return [Problem(entry.where, "contains a NUL character.", model_field.name)]
    if model_field.many_to_many:
        if not isinstance(value, list):
            return [Problem(entry.where, "must be a list of references.", model_field.name)]
        return [
            problem
            for item in value
            for problem in check_reference(entry, model_field, item, cache)
        ]
    if model_field.is_relation:
        return [] if value is None else check_reference(entry, model_field, value, cache)
    if isinstance(value, float) and not math.isfinite(value):
        # JSON allows 1e999 (read as infinity) and Python's reader NaN; no field can store them.
        return [Problem(entry.where, f"{value} is not a finite number.", model_field.name)]
    try:
        model_field.to_python(value)
    except ValidationError as error:
        return [Problem(entry.where, "; ".join(error.messages), model_field.name)]
    if isinstance(value, (dict, list)) and not isinstance(model_field, models.JSONField):
        return [
            Problem(
                entry.where,
                f"must be a single value, not {type(value).__name__}.",
                model_field.name,
            )
        ]
    return []


def check_reference(entry: Entry, model_field, value, cache: RowCache) -> list[Problem]:
    target = model_field.remote_field.model
    if cache.get(target, value) is None:
        if cache.was_refused(target, value):
            reason = "which this dataset defines but could not import (see its own problem)"
        else:
            reason = "which is neither in the database nor earlier in the dataset"
        return [
            Problem(
                entry.where,
                f"refers to {target._meta.label_lower} {value!r}, {reason}.",
                model_field.name,
            )
        ]
    return []


def fill_timestamps(instance, existing, given: dict) -> None:
    """A dataset without timestamps keeps the stored ones (new rows get the model's default: now)."""
    if existing is not None:
        for name in TIMESTAMP_FIELDS:
            if name not in given and hasattr(existing, name):
                setattr(instance, name, getattr(existing, name))
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


def message_dict(error: ValidationError):
    if hasattr(error, "error_dict"):
        return list(error.message_dict.items())
    return [("", error.messages)]


def dataset_export(*, document_slugs: Iterable[str] | None = None) -> str:
    """The dataset as fixture JSON: all documents, or the named ones with what they cite."""
    documents = Document.objects.order_by("slug")
    if document_slugs is not None:
        slugs = list(document_slugs)
        documents = documents.filter(slug__in=slugs)
        missing = set(slugs) - set(documents.values_list("slug", flat=True))
        if missing:
            raise DatasetError(
                [Problem("export", f"no document with slug {slug!r}.") for slug in sorted(missing)]
            )
    claims = (
        Claim.objects.filter(document__in=documents)
        .select_related("document")
        .order_by("document__slug", "start", "key")
    )
    evidence = (
        Evidence.objects.filter(claim__in=claims)
        .select_related("claim__document", "source")
        .order_by("claim__document__slug", "claim__start", "claim__key", "source__key", "stance")
    )
    sources = Source.objects.filter(evidence__in=evidence).distinct().order_by("key")
    topics = Topic.objects.filter(claims__in=claims).distinct().order_by("slug")
    if document_slugs is None:
        sources = Source.objects.order_by("key")
        topics = Topic.objects.order_by("slug")
    sections = (
        Section.objects.filter(document__in=documents)
        .select_related("document")
        .order_by("document__slug", "order")
    )
    objects = [
        *topics,
        *sources,
        *documents,
        *sections,
        *claims.prefetch_related("topics"),
        *evidence,
    ]
    data = serializers.serialize(
        "python", objects, use_natural_foreign_keys=True, use_natural_primary_keys=True
    )
    return json.dumps(data, cls=DatasetJSONEncoder, indent=2, ensure_ascii=False) + "\n"
