"""Writing a dataset: fixture JSON with natural keys that imports back identically.

Rows are read as values (never model instances) in chunks and written as they come,
each reference as the natural key it is read by: a claim's reference to its document is
the document's slug, read by a join, so no row ever loads the document's text. The one
text that can be long, a document's body, is read and written in slices. Memory does
not grow with a document's length or the dataset's size.

The file is what `json.dumps(objects, indent=2, ensure_ascii=False)` writes (and what
Django's serializer wrote before), so files written before stream out unchanged.
"""

import datetime
import io
import json
import textwrap
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from django.contrib.auth.models import AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import BooleanField, Case, Q, Value, When
from django.db.models.functions import Length, Substr

from core.visibility import restrict, rule_for, visible_q

from ..choices import ClaimStatus
from ..models import Claim, Document
from .database import refuse_unmigrated_database
from .problems import DatasetError, Problem
from .registry import DATASET, SPECS, DatasetModel, key_lookups

CHUNK_ROWS = 200
SLICE_CHARACTERS = 1 << 18
PLACEHOLDER = "\x00claimbase-streamed-field\x00"


class DatasetJSONEncoder(DjangoJSONEncoder):
    """Keeps datetimes to the microsecond (Django's encoder cuts them to milliseconds),
    so an exported dataset imports back to exactly the same values."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            return o.isoformat()
        return super().default(o)


@dataclass
class ExportReport:
    """What a dataset holds: rows per model, and claims by status."""

    rows: dict[str, int] = field(default_factory=dict)
    claims_by_status: dict[str, int] = field(default_factory=dict)

    def count(self, spec: DatasetModel, row: dict) -> None:
        self.rows[spec.label] = self.rows.get(spec.label, 0) + 1
        if spec.model is Claim:
            status = row["status"]
            self.claims_by_status[status] = self.claims_by_status.get(status, 0) + 1

    def __str__(self):
        parts = []
        for spec in DATASET:
            number = self.rows.get(spec.label, 0)
            meta = spec.model._meta
            name = meta.verbose_name if number == 1 else meta.verbose_name_plural
            part = f"{number} {name}"
            if spec.model is Claim and number:
                statuses = ", ".join(
                    f"{self.claims_by_status[status]} {label.lower()}"
                    for status, label in ClaimStatus.choices
                    if status in self.claims_by_status
                )
                part += f" ({statuses})"
            parts.append(part)
        return ", ".join(parts)


def dataset_export(
    *, document_slugs: Iterable[str] | None = None, published_only: bool = False
) -> str:
    """The dataset as fixture JSON text (see write_dataset; for small datasets and tests)."""
    out = io.StringIO()
    write_dataset(out, document_slugs=document_slugs, published_only=published_only)
    return out.getvalue()


def write_dataset(
    out: TextIO, *, document_slugs: Iterable[str] | None = None, published_only: bool = False
) -> ExportReport:
    """Write the dataset to `out`: all documents, or the named ones with what they use.

    `published_only`: what an anonymous reader of the API may see, and nothing more
    (core.visibility decides the rows; each model's internal fields are left out).
    """
    refuse_unmigrated_database()
    querysets = dataset_querysets(document_slugs, published_only)
    report = ExportReport()
    first = True
    out.write("[")
    for spec in DATASET:
        for row in rows_of(spec, querysets[spec.model], published_only):
            report.count(spec, row.counted)
            out.write("\n" if first else ",\n")
            first = False
            write_object(out, spec, row)
    out.write("]\n" if first else "\n]\n")
    return report


def dataset_querysets(document_slugs, published_only: bool) -> dict:
    """Each model's rows in the dataset, unevaluated."""
    querysets = {}
    for spec in DATASET:
        queryset = spec.model._default_manager.all()
        if published_only:
            queryset = restrict(queryset, AnonymousUser())
            if spec.internal:
                queryset = queryset.none()
        querysets[spec.model] = queryset
    if document_slugs is None:
        return querysets
    slugs = list(document_slugs)
    documents = Document.objects.filter(slug__in=slugs)
    missing = set(slugs) - set(documents.values_list("slug", flat=True))
    if missing:
        raise DatasetError(
            [Problem("export", f"no document with slug {slug!r}.") for slug in sorted(missing)]
        )
    for spec in DATASET:
        if spec.document:
            lookup = f"{spec.document}__in"
            querysets[spec.model] = querysets[spec.model].filter(**{lookup: documents.values("pk")})
    for spec in DATASET:
        if not spec.document:
            querysets[spec.model] = querysets[spec.model].filter(
                referred_to(spec.model, querysets, published_only)
            )
    return querysets


def referred_to(model, querysets: dict, published_only: bool) -> Q:
    """The rows of a shared model (people, topics, sources) that the exported rows refer to."""
    condition = Q(pk__in=[])
    for spec in DATASET:
        if not spec.document:
            continue
        for model_field in exported_fields(spec, published_only):
            if model_field.is_relation and model_field.related_model is model:
                referring = querysets[spec.model].values(model_field.name)
                condition |= Q(pk__in=referring)
    return condition


def exported_fields(spec: DatasetModel, published_only: bool) -> list[models.Field]:
    """The fields written, in the order Django's serializer writes them."""
    meta = spec.model._meta
    left_out = set(spec.local_fields) | (set(spec.internal_fields) if published_only else set())
    return [
        model_field
        for model_field in [*meta.local_fields, *meta.local_many_to_many]
        if model_field.serialize and model_field.name not in left_out
    ]


@dataclass
class Row:
    fields: dict
    counted: dict
    streamed: dict = field(default_factory=dict)  # field name -> (pk, length)


def rows_of(spec: DatasetModel, queryset, published_only: bool) -> Iterator[Row]:
    """The rows of one model as the dataset writes them, read CHUNK_ROWS at a time."""
    fields = exported_fields(spec, published_only)
    lookups: dict[str, tuple[str, ...]] = {}
    annotations = {}
    for model_field in fields:
        if model_field.many_to_many:
            continue
        if model_field.name in spec.streamed_fields:
            annotations[f"{model_field.name}__length"] = Length(model_field.name)
        elif model_field.many_to_one:
            target = model_field.related_model
            lookups[model_field.name] = tuple(
                f"{model_field.name}__{part}" for part in key_lookups(target)
            )
            if published_only and rule_for(target).kind != "always":
                annotations[f"{model_field.name}__visible"] = Case(
                    When(visible_q(AnonymousUser(), target, via=model_field.name), then=True),
                    default=Value(False),
                    output_field=BooleanField(),
                )
        else:
            lookups[model_field.name] = (model_field.attname,)
    columns = sorted({"pk", *(c for parts in lookups.values() for c in parts)})
    values = (
        queryset.annotate(**annotations)
        .order_by(*spec.order_by)
        .values(*columns, *annotations)
        .iterator(chunk_size=CHUNK_ROWS)
    )
    many_to_many = [f for f in fields if f.many_to_many]
    for chunk in chunks(values, CHUNK_ROWS):
        links = {f.name: links_of(f, [row["pk"] for row in chunk]) for f in many_to_many}
        for row in chunk:
            yield build_row(spec, fields, lookups, row, links)


def build_row(spec, fields, lookups, row: dict, links: dict) -> Row:
    data, streamed = {}, {}
    for model_field in fields:
        name = model_field.name
        if model_field.many_to_many:
            data[name] = links[name].get(row["pk"], [])
        elif name in spec.streamed_fields:
            data[name] = PLACEHOLDER
            streamed[name] = (row["pk"], row[f"{name}__length"])
        elif model_field.many_to_one:
            key = [row[column] for column in lookups[name]]
            visible = row.get(f"{name}__visible", True)
            data[name] = key if key[0] is not None and visible else None
        else:
            data[name] = row[lookups[name][0]]
    return Row(data, data, streamed)


def links_of(model_field: models.ManyToManyField, pks: list) -> dict[object, list]:
    """The natural keys of the rows each of `pks` links to, in the target's default order."""
    through = model_field.remote_field.through
    source = model_field.m2m_field_name()
    target = model_field.m2m_reverse_field_name()
    target_model = model_field.related_model
    ordering = [
        f"-{target}__{name[1:]}" if name.startswith("-") else f"{target}__{name}"
        for name in target_model._meta.ordering
    ]
    key = [f"{target}__{part}" for part in key_lookups(target_model)]
    links = defaultdict(list)
    rows = (
        through.objects.filter(**{f"{source}__in": pks})
        .order_by(f"{source}_id", *ordering, f"{target}_id")
        .values_list(f"{source}_id", *key)
    )
    for owner, *natural_key in rows:
        links[owner].append(list(natural_key))
    return links


def chunks(iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def write_object(out: TextIO, spec: DatasetModel, row: Row) -> None:
    text = json.dumps(
        {"model": spec.label, "fields": row.fields},
        cls=DatasetJSONEncoder,
        indent=2,
        ensure_ascii=False,
    )
    text = textwrap.indent(text, "  ")
    placeholder = json.dumps(PLACEHOLDER)
    for name, (pk, length) in row.streamed.items():
        before, text = text.split(placeholder, 1)
        out.write(before)
        out.write('"')
        for start in range(0, length, SLICE_CHARACTERS):
            out.write(json.dumps(text_slice(spec.model, name, pk, start), ensure_ascii=False)[1:-1])
        out.write('"')
    out.write(text)


def text_slice(model, name: str, pk, start: int) -> str:
    """Characters start .. start + SLICE_CHARACTERS of a long text (SUBSTR counts characters,
    as Python does, on both engines)."""
    return (
        model._default_manager.filter(pk=pk)
        .annotate(part=Substr(name, start + 1, SLICE_CHARACTERS))
        .values_list("part", flat=True)
        .get()
    )


__all__ = ["SPECS", "DatasetJSONEncoder", "ExportReport", "dataset_export", "write_dataset"]
