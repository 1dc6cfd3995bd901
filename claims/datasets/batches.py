"""Writing a batch of entries at once: the checks and the rows of one-by-one writing, in a
number of queries that grows with the models in a batch, not with its objects.

For each model of the batch, in dependency order: the rows its entries update and the rows
they refer to are fetched (a query per model); every entry is checked field by field and by
the model's clean(), in memory; uniqueness, and a claim's span against the other claims of
its document, are checked for the whole batch (a query per rule, instead of one per object);
then new rows go in with bulk_create, changed rows with bulk_update, their many-to-many links
and their history entries in bulk, exactly as one-by-one writing leaves them.

Whatever a batch cannot write this way — any entry with a problem, a row the database
refuses — raises BatchRefused: the caller rolls the batch back and writes it one object at
a time (writing.py), whose messages name the object and the field.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, router
from django.db.models import Q
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_change_reason_from_object, get_history_manager_for_model

from ..models import Claim, Document, DocumentVersion, Evidence, Section
from .checks import check_fields
from .inserting import allocate_ids, insert_rows, insert_values
from .reading import Entry, RowCache, as_key
from .registry import DATASET_MODELS, SPECS, Person
from .writing import (
    HISTORY_REASON,
    ImportReport,
    build_instance,
    fill_stored_values,
    import_entry,
    same_content,
)

# Entries per batch: enough that its queries cost little per object (a few per model), few
# enough that the rows it holds stay small beside a document's text.
BATCH_ENTRIES = 1000

# Written one by one even in a batch: few rows each, and checks that read the database per
# row (a person's local account; a section's neighbours, which no constraint guards).
ONE_BY_ONE = (Person, Document, DocumentVersion, Section)

# Rows per UPDATE statement (bulk_update writes a CASE per column).
UPDATE_ROWS = 500


class BatchRefused(Exception):
    """The batch cannot be written in bulk: write it again one object at a time."""


@dataclass
class Row:
    entry: Entry
    instance: models.Model
    many_to_many: dict
    existing: models.Model | None


def has_long_text(entry: Entry) -> bool:
    """A document's body, a version's: text that may run to a million characters."""
    return any(entry.fields.get(name) for name in SPECS[entry.model].streamed_fields)


def import_batch(entries: list[Entry], cache: RowCache, user) -> tuple[ImportReport, list[Entry]]:
    """Write a batch; what was written, and the entries that wait for objects further on."""
    report, waiting = ImportReport(), []
    for model in DATASET_MODELS:
        model_entries = [entry for entry in entries if entry.model is model]
        if not model_entries:
            continue
        if model in ONE_BY_ONE or stamps_on_insert(model):
            waiting += import_one_by_one(model_entries, report, cache, user)
        else:
            waiting += ModelBatch(model, cache, user, report).write(model_entries)
    return report, waiting


def stamps_on_insert(model: type[models.Model]) -> bool:
    """A model with an auto_now(_add) field: bulk_create would stamp it with the time of the
    import, where a raw save keeps the dataset's (a note's time is part of its key)."""
    return any(
        getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        for f in model._meta.concrete_fields
    )


def import_one_by_one(entries: list[Entry], report, cache: RowCache, user) -> list[Entry]:
    waiting = []
    for entry in entries:
        problems = import_entry(entry, report, cache, user)
        if problems and all(problem.unresolved for problem in problems):
            waiting.append(entry)
        elif problems:
            raise BatchRefused
    return waiting


class ModelBatch:
    """The entries of one model in a batch, checked and written together."""

    def __init__(self, model: type[models.Model], cache: RowCache, user, report: ImportReport):
        self.model, self.cache, self.user, self.report = model, cache, user, report
        self.label = model._meta.label_lower

    def write(self, entries: list[Entry]) -> list[Entry]:
        self.prefetch(entries)
        rows, waiting, restatements = [], [], []
        for entry in entries:
            if refers_to_its_own_model(entry):
                restatements.append(entry)  # checked against the rows of this batch: after
                continue
            problems = check_fields(entry, self.cache)
            if problems and all(problem.unresolved for problem in problems):
                waiting.append(entry)  # it refers to an object further on
                continue
            if problems:
                raise BatchRefused
            row = self.build(entry)
            if row.existing is not None and same_content(
                row.existing, row.instance, row.many_to_many
            ):
                self.report.count(self.report.unchanged, self.label)
            else:
                rows.append(row)
        check_unique(self.model, [row.instance for row in rows])
        if self.model is Claim:
            check_claim_spans([row.instance for row in rows])
        self.save(rows)
        return waiting + import_one_by_one(restatements, self.report, self.cache, self.user)

    def prefetch(self, entries: list[Entry]) -> None:
        """The rows the entries update, and the rows they refer to: a query per model."""
        self.cache.prefetch(self.model, [entry.natural_key for entry in entries], whole=True)
        references: dict[type[models.Model], list] = {}
        for entry in entries:
            for name, value in entry.fields.items():
                try:
                    model_field = self.model._meta.get_field(name)
                except FieldDoesNotExist:
                    continue  # check_fields says so
                if not model_field.is_relation or value is None:
                    continue
                items = value if model_field.many_to_many else [value]
                if isinstance(items, list):
                    references.setdefault(model_field.related_model, []).extend(items)
        for target, keys in references.items():
            if target in SPECS:  # not an account or a stored copy (check_fields says why)
                self.cache.prefetch(target, [key for key in keys if is_hashable(key)])

    def build(self, entry: Entry) -> Row:
        existing = self.cache.get(self.model, entry.natural_key)
        try:
            instance, many_to_many = build_instance(entry, existing, self.cache)
            fill_stored_values(instance, existing, entry.fields)
            validate_alone(instance)
        except (ValidationError, ValueError, TypeError, OverflowError) as error:
            raise BatchRefused from error
        if isinstance(instance, Evidence):
            instance.copy_kind = instance.derive_copy_kind()  # as on save
        return Row(entry, instance, many_to_many, existing)

    def save(self, rows: list[Row]) -> None:
        """Rows as loaddata saves them (raw: receivers that honour raw do nothing), with
        their links and one history entry each."""
        if not rows:
            return
        using = router.db_for_write(self.model)
        new = [row for row in rows if row.existing is None]
        changed = [row for row in rows if row.existing is not None]
        for row in rows:
            pre_save.send(self.model, instance=row.instance, raw=True, using=using, update_fields=None)  # fmt: skip
        insert_rows(self.model, [row.instance for row in new], using)
        if changed:
            fields = [f.name for f in self.model._meta.concrete_fields if not f.primary_key]
            self.model._base_manager.db_manager(using).bulk_update(
                [row.instance for row in changed], fields, batch_size=UPDATE_ROWS
            )
        for row in rows:
            created = row.existing is None
            post_save.send(self.model, instance=row.instance, created=created, raw=True, using=using, update_fields=None)  # fmt: skip
        added_links = write_links(self.model, rows)
        write_history(self.model, new, update=False, user=self.user, links=added_links)
        write_history(self.model, changed, update=True, user=self.user)
        for row in rows:
            self.cache.pin(row.instance, row.entry.natural_key)
        self.report.count(self.report.created, self.label, len(new))
        self.report.count(self.report.updated, self.label, len(changed))


def refers_to_its_own_model(entry: Entry) -> bool:
    """A claim recorded as the same as another: its check reads the other claim as it stands,
    which may be a row of this very batch (written one by one, after the batch's rows)."""
    return any(
        entry.fields.get(f.name) is not None
        for f in entry.model._meta.concrete_fields
        if f.many_to_one and f.related_model is entry.model
    )


def is_hashable(value) -> bool:
    try:
        hash(as_key(value))
    except TypeError:
        return False
    return True


def no_problems() -> dict:
    return {}


def validate_alone(instance: models.Model) -> None:
    """checks.validate() without the queries it makes per object: uniqueness and a claim's
    twin span are checked for the whole batch instead (check_unique, check_claim_spans)."""
    references = [f.name for f in instance._meta.concrete_fields if f.many_to_one]
    if isinstance(instance, Claim):
        instance.duplicate_problems = no_problems  # this instance only: check_claim_spans
    try:
        instance.full_clean(exclude=references, validate_unique=False, validate_constraints=False)
    finally:
        instance.__dict__.pop("duplicate_problems", None)
    for constraint in unchecked_constraints(type(instance)):
        constraint.validate(type(instance), instance)


def unique_sets(model: type[models.Model]) -> list[tuple[str, ...]]:
    """The field sets whose values no two rows share (unique fields, unique_together and
    UniqueConstraints on plain fields)."""
    sets = [(f.name,) for f in model._meta.concrete_fields if f.unique and not f.primary_key]
    sets += [tuple(names) for names in model._meta.unique_together]
    sets += [
        tuple(constraint.fields)
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint) and plain(constraint)
    ]
    return sets


def plain(constraint: models.UniqueConstraint) -> bool:
    return bool(constraint.fields) and constraint.condition is None and not constraint.expressions


def unchecked_constraints(model: type[models.Model]) -> list[models.UniqueConstraint]:
    """Unique constraints with a condition or expressions: validated row by row, as before."""
    return [
        constraint
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint) and not plain(constraint)
    ]


def check_unique(model: type[models.Model], instances: list[models.Model]) -> None:
    """No two rows of the batch, and no row of the batch and another in the database, share
    the values of a unique field set: one query per set."""
    for names in unique_sets(model):
        if set(names) == key_field_names(model):
            # The natural key: the row it names was found (the entry updates it), and a second
            # entry with the same key was refused as it was read (SeenKeys).
            continue
        attnames = [model._meta.get_field(name).attname for name in names]
        holders: dict[tuple, object] = {}
        for instance in instances:
            values = tuple(getattr(instance, attname) for attname in attnames)
            if any(value is None for value in values):
                continue  # NULL is never equal to NULL in SQL: no clash
            if values in holders:
                raise BatchRefused
            holders[values] = instance.pk
        if holders:
            stored = model._base_manager.filter(
                **{
                    f"{attname}__in": {values[i] for values in holders}
                    for i, attname in enumerate(attnames)
                }  # fmt: skip
            ).values_list("pk", *attnames)
            for pk, *values in stored:
                if holders.get(tuple(values), pk) != pk:
                    raise BatchRefused


def key_field_names(model: type[models.Model]) -> set[str]:
    return {lookup.split("__", 1)[0] for lookup in SPECS[model].key}


def check_claim_spans(claims: list[Claim]) -> None:
    """Claim.duplicate_problems for the batch: no two claims of a document hold the same span."""
    holders: dict[tuple, object] = {}
    for claim in claims:
        span = (claim.document_id, claim.start, claim.end)
        if span in holders:
            raise BatchRefused
        holders[span] = claim.pk
    if not holders:
        return
    # The stored claims of each document between the batch's first and last start: a range
    # of the (document, start) index, not a list of a thousand values to compile and send.
    ranges: dict[object, list[int]] = {}
    for document_id, start, _ in holders:
        bounds = ranges.setdefault(document_id, [start, start])
        bounds[0], bounds[1] = min(bounds[0], start), max(bounds[1], start)
    within = Q()
    for document_id, (first, last) in ranges.items():
        within |= Q(document_id=document_id, start__gte=first, start__lte=last)
    stored = Claim._base_manager.filter(within).values_list("pk", "document_id", "start", "end")
    for pk, *span in stored:
        if holders.get(tuple(span), pk) != pk:
            raise BatchRefused


def write_links(model: type[models.Model], rows: list[Row]) -> dict[str, list[models.Model]]:
    """The many-to-many links the rows name, as .set() leaves them: missing ones added in
    bulk, ones the dataset no longer names removed. Returns the links added, by field."""
    added_by_field = {}
    for m2m_field in model._meta.many_to_many:
        through = m2m_field.remote_field.through
        source = m2m_field.m2m_field_name() + "_id"
        target = m2m_field.m2m_reverse_field_name() + "_id"
        added = []
        for row in rows:
            if m2m_field.name not in row.many_to_many:
                continue
            wanted = dict.fromkeys(item.pk for item in row.many_to_many[m2m_field.name])
            current = set()
            if row.existing is not None:
                current = {item.pk for item in getattr(row.existing, m2m_field.name).all()}
            gone = current - set(wanted)
            if gone:  # an update that drops links: rare, one query each
                through._base_manager.filter(
                    **{source: row.instance.pk, f"{target}__in": gone}
                ).delete()
            added += [
                through(**{source: row.instance.pk, target: pk})
                for pk in wanted
                if pk not in current
            ]
        added_by_field[m2m_field.name] = through._base_manager.bulk_create(added)
    return added_by_field


def write_history(
    model: type[models.Model], rows: list[Row], *, update: bool, user, links: dict | None = None
) -> None:
    """One history entry per row (as writing.record_history writes it for one), with the
    links of the many-to-many fields simple-history tracks, in bulk. `links`: all the links
    of new rows (the ones just added), so they are not read back."""
    if not rows:
        return
    try:
        history = get_history_manager_for_model(model)
    except NotHistoricalModelError:
        return  # people keep no history
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    instances = [row.instance for row in rows]
    versions = insert_history(history.model, instances, update=update, user=user)
    for m2m_field in getattr(history.model, "_history_m2m_fields", []):
        through = m2m_field.remote_field.through
        source = m2m_field.m2m_field_name() + "_id"
        if links is not None:
            rows_links = links[m2m_field.name]
        else:
            rows_links = through._base_manager.filter(
                **{f"{source}__in": [instance.pk for instance in instances]}
            ).order_by("pk")
        by_row: dict[object, list] = {}
        for link in rows_links:
            by_row.setdefault(getattr(link, source), []).append(link)
        link_model = getattr(history.model, m2m_field.name).model
        columns = [f.attname for f in through._meta.concrete_fields]
        link_model.objects.bulk_create(
            link_model(
                history_id=version.history_id, **{name: getattr(link, name) for name in columns}
            )  # fmt: skip
            for version in versions
            for link in by_row.get(version.row_id, [])
        )


def insert_history(history_model, instances: list[models.Model], *, update: bool, user) -> list:
    """Insert the history entries of `instances`, with the values simple-history's
    HistoryManager.bulk_history_create gives them (the API one-by-one writing uses; a test
    compares the two), without building a model instance per entry. Returns each entry's
    (id, instance), for the links of its many-to-many fields."""
    using = router.db_for_write(history_model)
    ids = allocate_ids(history_model, len(instances), using)
    tracked = [f.attname for f in history_model.tracked_fields]
    extra = {
        "history_id": None,
        "history_date": None,
        "history_user_id": None,
        "history_change_reason": None,
        "history_type": "~" if update else "+",
    }
    fields = [f for f in history_model._meta.concrete_fields if not getattr(f, "generated", False)]
    columns = {f.attname for f in fields}
    if columns != {*tracked, *extra}:
        raise ValueError(f"{history_model.__name__} has columns this import does not fill.")
    rows = []
    for history_id, instance in zip(ids, instances, strict=True):
        history_user = getattr(
            instance, "_history_user", user or history_model.get_default_history_user(instance)
        )
        values = {
            **{name: getattr(instance, name) for name in tracked},
            **extra,
            "history_id": history_id,
            "history_date": getattr(instance, "_history_date", timezone.now()),
            "history_user_id": history_user.pk if history_user is not None else None,
            "history_change_reason": get_change_reason_from_object(instance) or HISTORY_REASON,
        }
        rows.append([values[f.attname] for f in fields])
    insert_values(history_model, fields, rows, using)
    return [Version(history_id, instance.pk) for history_id, instance in zip(ids, instances, strict=True)]  # fmt: skip


@dataclass
class Version:
    """A history entry just inserted: its id and the id of the row it records."""

    history_id: int
    row_id: object
