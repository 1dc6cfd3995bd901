"""Writing a dataset: fixture JSON with natural keys that imports back identically."""

import datetime
import json
from collections.abc import Iterable

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q

from sources.models import Source

from ..models import Claim, Document, Evidence, Section, Topic
from .problems import DatasetError, Problem
from .reading import LOCAL_FIELDS, MODEL_LABELS, Person


class DatasetJSONEncoder(DjangoJSONEncoder):
    """Keeps datetimes to the microsecond (Django's encoder cuts them to milliseconds),
    so an exported dataset imports back to exactly the same values."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            return o.isoformat()
        return super().default(o)


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
    people = Person.objects.filter(
        Q(pk__in=claims.values("reviewed_by")) | Q(pk__in=claims.values("status_changed_by"))
    ).order_by("username")
    if document_slugs is None:
        people = Person.objects.order_by("username")
    objects = [
        *people,
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
    for item in data:
        for name in LOCAL_FIELDS.get(MODEL_LABELS[item["model"]], ()):
            item["fields"].pop(name, None)
    return json.dumps(data, cls=DatasetJSONEncoder, indent=2, ensure_ascii=False) + "\n"
