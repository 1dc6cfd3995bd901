"""Datasets in and out: Django fixtures validated whole before anything is written.

A dataset is a Django fixture (a JSON list of {"model", "fields"} objects using
natural keys) that `manage.py loaddata` also accepts. `dataset_import` checks every
object (model, fields, references, choices, model validation, duplicates) inside
one transaction and writes nothing unless all of it is valid; `dataset_export`
writes a dataset that imports back identically.
"""

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.core import serializers
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, models, transaction

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


def describe_key(model, item) -> str:
    """A readable natural key for messages, e.g. (respect-history, C012)."""
    fields = item.get("fields", {})
    if model is Claim:
        parts = [first(fields.get("document")), fields.get("key")]
    elif model is Section:
        parts = [first(fields.get("document")), fields.get("label")]
    elif model is Evidence:
        claim = fields.get("claim") or []
        parts = [*claim, first(fields.get("source")), fields.get("stance")]
    else:
        parts = [fields.get("slug") or fields.get("key")]
    return "(" + ", ".join(str(part) for part in parts) + ")"


def first(value):
    return value[0] if isinstance(value, list) and value else value


def dataset_import(*, paths: Iterable[Path | str] = (), raw: bytes | None = None) -> ImportReport:
    """Validate and import dataset files (or raw bytes) in one transaction; all or nothing."""
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
    entries.sort(key=lambda entry: DATASET_MODELS.index(entry.model))
    report = ImportReport()
    with transaction.atomic():
        for entry in entries:
            problems += import_entry(entry, report)
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


def import_entry(entry: Entry, report: ImportReport) -> list[Problem]:
    problems = check_fields(entry)
    if problems:
        return problems
    savepoint = transaction.savepoint()
    try:
        (deserialized,) = serializers.deserialize("python", [prepared(entry)])
        instance = deserialized.object
        existing = (
            type(instance)._default_manager.filter(pk=instance.pk).first() if instance.pk else None
        )
        if existing is not None:
            # Found by natural key: validate as an update of that row, not as a new one.
            instance._state.adding = False
            instance._state.db = existing._state.db
        fill_timestamps(instance, existing, entry.data["fields"])
        instance.full_clean()
        if existing is not None and same_content(existing, instance, deserialized.m2m_data):
            report.count(report.unchanged, entry.model._meta.label_lower)
        else:
            deserialized.save()
            bucket = report.updated if existing is not None else report.created
            report.count(bucket, entry.model._meta.label_lower)
    except ValidationError as error:
        transaction.savepoint_rollback(savepoint)
        return [
            Problem(entry.where, "; ".join(messages), name)
            for name, messages in message_dict(error)
        ]
    except (
        serializers.base.DeserializationError,
        ObjectDoesNotExist,
        DatabaseError,
        ValueError,
    ) as error:
        transaction.savepoint_rollback(savepoint)
        return [Problem(entry.where, str(error).splitlines()[0][:300])]
    transaction.savepoint_commit(savepoint)
    return []


def prepared(entry: Entry) -> dict:
    """The entry as Django's deserializer wants it (model label normalised)."""
    return {"model": entry.model._meta.label_lower, "fields": entry.data["fields"], **pk_of(entry)}


def pk_of(entry: Entry) -> dict:
    return {"pk": entry.data["pk"]} if "pk" in entry.data else {}


def check_fields(entry: Entry) -> list[Problem]:
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
        problems += check_value(entry, model_field, value)
    return problems


def check_value(entry: Entry, model_field, value) -> list[Problem]:
    if isinstance(value, str) and "\x00" in value:
        return [Problem(entry.where, "contains a NUL character.", model_field.name)]
    if model_field.many_to_many:
        if not isinstance(value, list):
            return [Problem(entry.where, "must be a list of references.", model_field.name)]
        return [problem for item in value for problem in check_reference(entry, model_field, item)]
    if model_field.is_relation:
        return [] if value is None else check_reference(entry, model_field, value)
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


def check_reference(entry: Entry, model_field, value) -> list[Problem]:
    target = model_field.remote_field.model
    try:
        if isinstance(value, list):
            target._default_manager.get_by_natural_key(*value)
        else:
            target._default_manager.get(pk=value)
    except (ObjectDoesNotExist, TypeError, ValueError):
        return [
            Problem(
                entry.where,
                f"refers to {target._meta.label_lower} {value!r}, which is neither in the database "
                "nor earlier in the dataset.",
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


def same_content(existing, incoming, m2m_data: dict) -> bool:
    """True when saving `incoming` over `existing` would change nothing a curator wrote."""
    for model_field in existing._meta.concrete_fields:
        if model_field.primary_key or model_field.name in TIMESTAMP_FIELDS:
            continue
        if model_field.value_from_object(existing) != model_field.value_from_object(incoming):
            return False
    for name, pks in (m2m_data or {}).items():
        current = set(getattr(existing, name).values_list("pk", flat=True))
        if current != set(pks):
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
