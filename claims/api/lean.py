"""The claim list's lean read path: ClaimSerializer's JSON, built from values() rows.

A page of 50 claims through ModelSerializer built about 400 model instances (claims,
their documents, sections, evidence, sources, topics) and walked every field of each
through DRF's per-field objects: most of a list request's time was Python, not SQL.
Here a page costs three narrow queries (the claims, their topics, their evidence with
sources) and no model instance; each value still goes through the serializer field's own
`to_representation`, so dates, decimals and choices come out exactly as the serializer
writes them. The fields come from the serializer itself: a field this module does not
know how to read makes `lean_fields` answer None and the view falls back to the
serializer (tests/claims/test_lean.py checks that both give the same JSON).
"""

from collections import defaultdict

from django.core.exceptions import ValidationError
from rest_framework import serializers

from core.search import SEARCH_HIT_FIELDS, SearchHitSerializer, snippet_of
from core.serializers import InternalFieldsMixin
from core.visibility import can_see_unpublished

from ..choices import COUNTER_STANCES, Stance
from ..models import Evidence
from ..querysets import topic_slugs_by_claim
from ..research.claimreview import ClaimPageUrls

# Method fields computed here from the rows (see `represent`), and what they read.
_METHOD_FIELDS = {"sources", "counter_sources", "same_as", "snippet", "url"}
_SEARCH_ANNOTATIONS = ("search_rank", "search_headline", "search_query")


# The classes whose to_representation this module reproduces; any other one in a
# serializer's MRO (a new rule on the output) makes the list use the serializer instead.
# (SearchHitSerializer's rule, search fields only in a search's answer, is `represent`'s too.)
_KNOWN_REPRESENTATIONS = (InternalFieldsMixin, SearchHitSerializer, serializers.Serializer)


def _reproducible(serializer: serializers.Serializer) -> bool:
    return all(
        "to_representation" not in vars(cls) or cls in _KNOWN_REPRESENTATIONS
        for cls in type(serializer).__mro__
        if cls is not object and not issubclass(serializers.Serializer, cls)
    )


def _hidden(serializer: serializers.Serializer, user) -> set[str]:
    """The internal fields (InternalFieldsMixin) this user does not receive."""
    if isinstance(serializer, InternalFieldsMixin) and not can_see_unpublished(user):
        return set(getattr(serializer.Meta, "internal_fields", ()))
    return set()


def _columns(serializer: serializers.Serializer, user, prefix: str = "") -> list[tuple] | None:
    """(name, values() lookup, field) for each plain field of a serializer, or None when a
    field is not a plain column, a slug of a to-one relation or a known method field."""
    if not _reproducible(serializer):
        return None
    model = serializer.Meta.model
    hidden = _hidden(serializer, user)
    columns = []
    for name, field in serializer.fields.items():
        if field.write_only or name in hidden:
            continue
        if isinstance(
            field,
            (
                serializers.SerializerMethodField,
                serializers.ListSerializer | serializers.ManyRelatedField,
            ),
        ):
            columns.append((name, None, field))
            continue
        source = field.source.replace(".", "__")
        if isinstance(field, serializers.SlugRelatedField):
            columns.append((name, f"{prefix}{source}__{field.slug_field}", None))  # the slug
            continue
        elif isinstance(field, serializers.Serializer):
            columns.append((name, None, field))  # embedded: read by its own _columns
            continue
        elif source.split("__")[0] not in {f.name for f in model._meta.get_fields()} and (
            source not in _SEARCH_ANNOTATIONS
        ):
            return None
        columns.append((name, prefix + source, None if _plain(field) else field))
    return columns


# Plans by (serializer class, whether the user sees internal fields): a plan depends on
# nothing else, and building one walks every field of three serializers (~3 ms a request).
_PLANS: dict[tuple, tuple | None] = {}


def lean_fields(serializer: serializers.Serializer, user):
    """The plan of a claim serializer's lean read for `user`, or None if it holds a field
    or a rule this module cannot reproduce from rows (then the caller uses the serializer)."""
    key = (type(serializer), can_see_unpublished(user))
    if key not in _PLANS:
        _PLANS[key] = _plan(serializer, user)
    return _PLANS[key]


def _plan(serializer: serializers.Serializer, user):
    claim_columns = _columns(serializer, user)
    if claim_columns is None:
        return None
    for name, lookup, _field in claim_columns:
        if lookup is None and name not in _METHOD_FIELDS | {"topics"}:
            return None
    embedded = serializer.embedded_evidence
    evidence_columns = _columns(embedded, user)
    source_columns = _columns(embedded.fields["source"], user, prefix="source__")
    if evidence_columns is None or source_columns is None:
        return None
    unknown = [name for name, lookup, _ in evidence_columns + source_columns if lookup is None]
    if unknown != ["source"]:
        return None
    return claim_columns, evidence_columns, source_columns


def _plain(field) -> bool:
    """True when the field writes a column's value as it comes from the database (text of
    a CharField, a string choice, an integer, a boolean): then `represent` skips the call."""
    kind = type(field)
    if kind.to_representation is serializers.CharField.to_representation:
        return True
    if isinstance(field, serializers.ChoiceField):
        return all(isinstance(key, str) for key in field.choices)
    return kind.to_representation in (
        serializers.IntegerField.to_representation,
        serializers.BooleanField.to_representation,
    )


def _value(field, value):
    if value is None or field is None:
        return value
    return field.to_representation(value)


def row_queryset(queryset, plan, user, *, extra: tuple[str, ...] = ()):
    """The values() queryset of a claim list (filtered and ordered, not yet paged)."""
    claim_columns = plan[0]
    annotations = queryset.query.annotations
    lookups = {"id", "same_as_visible", "quote", "paraphrase", "attributed_to", "verdict_summary"}
    lookups |= {"key", "document__slug"}  # the claim's page (url)
    lookups |= {
        lookup for _, lookup, _ in claim_columns if lookup and lookup not in _SEARCH_ANNOTATIONS
    }
    lookups |= {name for name in _SEARCH_ANNOTATIONS if name in annotations}
    rows = (
        queryset.with_visible_same_as(user)
        .prefetch_related(None)
        .values(*sorted(lookups | set(extra)))
    )
    rows.count_queryset = queryset  # counted without the joins of the shown columns
    rows.ids_queryset = queryset  # a deep page's ids, read before its rows (pagination)
    return rows


def detail_row(queryset, plan, user, pk) -> dict | None:
    """One claim's row for its detail (the list's columns and its quote selectors cut by
    the database), or None when `pk` names no claim of `queryset`."""
    selectors = ("quote_exact", "quote_prefix", "quote_suffix")
    rows = row_queryset(queryset.with_quote_context(), plan, user, extra=selectors)
    try:
        return rows.filter(pk=pk).first()
    except (TypeError, ValueError, ValidationError):
        return None  # not a claim id at all: a 404, as the serializer path answers


def represent(rows: list[dict], plan, absolute=None) -> list[dict]:
    """The JSON of one page of rows from `row_queryset()`; `absolute` makes the claims'
    page addresses absolute (a request's build_absolute_uri)."""
    urls = ClaimPageUrls(absolute)
    claim_columns, evidence_columns, source_columns = plan
    ids = [row["id"] for row in rows]
    topics = topic_slugs_by_claim(ids)
    evidence = defaultdict(list)
    evidence_lookups = {lookup for _, lookup, _ in evidence_columns if lookup} | {
        lookup for _, lookup, _ in source_columns
    }
    evidence_lookups.add("stance")
    for row in (
        Evidence.objects.filter(claim_id__in=ids)
        .order_by("stance", "source__key")
        .values("claim_id", *sorted(evidence_lookups))
    ):
        evidence[row["claim_id"]].append(row)
    return [
        _claim(row, claim_columns, evidence_columns, source_columns, topics, evidence, urls)
        for row in rows
    ]


def _evidence(row, evidence_columns, source_columns) -> dict:
    return {
        name: (
            {name: _value(field, row[lookup]) for name, lookup, field in source_columns}
            if lookup is None
            else _value(field, row[lookup])
        )
        for name, lookup, field in evidence_columns
    }


def _claim(row, claim_columns, evidence_columns, source_columns, topics, evidence, urls) -> dict:
    data = {}
    searching = any(name in row for name in _SEARCH_ANNOTATIONS)
    links = evidence[row["id"]]
    for name, lookup, field in claim_columns:
        if name == "topics":
            data[name] = topics[row["id"]]
        elif name == "sources":
            data[name] = [
                _evidence(link, evidence_columns, source_columns)
                for link in links
                if link["stance"] == Stance.SUPPORTS
            ]
        elif name == "counter_sources":
            data[name] = [
                _evidence(link, evidence_columns, source_columns)
                for link in links
                if link["stance"] in COUNTER_STANCES
            ]
        elif name == "same_as":
            data[name] = row["same_as_visible"]
        elif name == "url":
            data[name] = urls(row["document__slug"], row["key"], row["id"])
        elif name in SEARCH_HIT_FIELDS and not searching:
            continue  # only in a search's answer, as SearchHitSerializer leaves them out
        elif name == "snippet":
            texts = [row["quote"], row["paraphrase"], row["attributed_to"], row["verdict_summary"]]
            data[name] = snippet_of(row.get("search_headline"), row.get("search_query"), texts)
        elif lookup in _SEARCH_ANNOTATIONS:
            data[name] = _value(field, row.get(lookup))
        else:
            data[name] = _value(field, row[lookup])
    return data
