"""Writing one entry: built, checked by the model, saved as loaddata saves it, with its history.

The way every entry was written before imports went in batches (batches.py), and still the
way of the few that a batch does not take (people, documents, sections) and of a batch that
cannot be written in bulk: its messages name the object and the field.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_manager_for_model

from ..models import Document, Evidence
from .checks import check_fields, validate
from .problems import Problem
from .reading import Entry, RowCache
from .registry import LOCAL_FIELDS

TIMESTAMP_FIELDS = ("created_at", "updated_at")
HISTORY_REASON = "dataset import"


@dataclass
class ImportReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: dict, label: str, number: int = 1):
        bucket[label] = bucket.get(label, 0) + number

    def add(self, other: "ImportReport") -> None:
        for name in ("created", "updated", "unchanged"):
            for label, number in getattr(other, name).items():
                self.count(getattr(self, name), label, number)

    @property
    def written(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())

    def __str__(self):
        def total(bucket):
            return sum(bucket.values())

        return (
            f"{total(self.created)} created, {total(self.updated)} updated, "
            f"{total(self.unchanged)} unchanged"
        )


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
        current = {row.pk for row in getattr(existing, name).all()}  # prefetched by a batch
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
