"""Facet counts over any claim query, the way Datasette's `_facet` works: one grouped query each.

Grouped on the filtered rows themselves (the filters join nothing that repeats a claim:
topics, sources and counter-sources are EXISTS conditions, search an id list), so a
narrow filter counts few rows; counted without DISTINCT; and cached per data version
(core/data_version.py): at 100k claims the unfiltered facets cost ~2 s once, then
nothing until a write.
"""

from django.db.models import Count

from core import data_version

from ..choices import ClaimStatus, ClaimType, Verdict
from ..models import Claim
from ..querysets import has_counter_sources

FACETS = [
    "claim_type",
    "verdict",
    "status",
    "section",
    "topic",
    "attributed_to",
    "has_counter_sources",
]
DEFAULT_FACET_SIZE = 30
MAX_FACET_SIZE = 200

# facet name -> (grouped column, label column or labels by value)
_COLUMNS = {
    "claim_type": ("claim_type", dict(ClaimType.choices)),
    "verdict": ("verdict", {**dict(Verdict.choices), "": "No verdict yet"}),
    "status": ("status", dict(ClaimStatus.choices)),
    "section": ("section__label", None),
    "topic": ("topics__slug", "topics__name"),
    "attributed_to": ("attributed_to", None),
}
# Open-ended facets are cut at `size` values (most frequent first); the rest are fixed lists.
_OPEN_ENDED = {"section", "topic", "attributed_to"}


def claim_facets(claims, *, size: int = DEFAULT_FACET_SIZE) -> dict:
    """Counts of the claims in `claims` (any filtered queryset) by each facet.

    Returns {"count": total, "facets": {name: {"values": [{"value", "label", "count"}],
    "truncated": bool}}}. Each value is the parameter value that filters the list to
    it (e.g. `?topic=trade`); claims with no topic, section or attribution count under
    null. Costs one query for the total and one per facet, whatever the number of rows.
    """
    rows = _grouping_rows(claims)
    try:
        sql, params = rows.query.sql_with_params()
    except Exception:  # EmptyResultSet and the like: nothing worth caching
        return _facets(rows, size)
    return data_version.cached(("facets", rows.db, sql, params, size), lambda: _facets(rows, size))


def _grouping_rows(claims):
    """The rows to group: the filtered claims themselves, unless a filter joined a to-many
    relation (repeating claims) or asked for DISTINCT; then the claims of their ids."""
    query = claims.query
    repeats = query.distinct or any(
        getattr(join, "join_field", None) is not None
        and (join.join_field.many_to_many or join.join_field.one_to_many)
        for join in query.alias_map.values()
    )
    if repeats:
        return Claim.objects.filter(pk__in=claims.order_by().values("pk")).order_by()
    return claims.order_by()


def _facets(rows, size: int) -> dict:
    facets = {name: _grouped(rows, name, size) for name in _COLUMNS}
    total, facets["has_counter_sources"] = _has_counter_sources(rows)
    return {"count": total, "facets": {name: facets[name] for name in FACETS}}


def _grouped(rows, name: str, size: int) -> dict:
    column, labels = _COLUMNS[name]
    columns = [column, labels] if isinstance(labels, str) else [column]
    # Each (claim, topic) pair is one row of the join, so no DISTINCT is needed there either.
    # COUNT(*): the index of the faceted columns (claims_claim_facets) then answers
    # without reading the table.
    grouped = rows.values(*columns).annotate(count=Count("*")).order_by("-count", column)
    values = list(grouped[: size + 1]) if name in _OPEN_ENDED else list(grouped)
    truncated = len(values) > size if name in _OPEN_ENDED else False
    result = []
    for row in values[:size] if name in _OPEN_ENDED else values:
        value = row[column]
        if isinstance(labels, dict):
            label = labels.get(value, value)
        elif isinstance(labels, str):
            label = row[labels]
        else:
            label = value
        if name == "attributed_to" and value == "":
            value = label = None  # stored as "", shown as null like a claim without a topic
        result.append({"value": value, "label": label, "count": row["count"]})
    return {"values": result, "truncated": truncated}


def _has_counter_sources(rows) -> tuple[int, dict]:
    """The total and the has_counter_sources facet: two counts, the second a semi-join
    (EXISTS in WHERE), which both engines plan as a join at any size. (One aggregate with
    `COUNT(...) FILTER (WHERE id IN (the countered ids))` was quicker at 100k claims, but
    at a million PostgreSQL's hash of those ids outgrew work_mem and it fell back to
    scanning the list once per claim: over six minutes.)"""
    counts = {"total": rows.count(), "yes": rows.filter(has_counter_sources()).count()}
    return counts["total"], {
        "values": [
            {"value": True, "label": "Has counter-sources", "count": counts["yes"]},
            {
                "value": False,
                "label": "No counter-sources",
                "count": counts["total"] - counts["yes"],
            },
        ],
        "truncated": False,
    }
