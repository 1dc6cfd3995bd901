"""Facet counts over any claim query, the way Datasette's `_facet` works: one grouped query each."""

from django.db.models import Count, Q

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
    # Grouping over a subquery of ids keeps the filters' joins (topics, evidence)
    # from multiplying rows or narrowing the grouped relation.
    rows = Claim.objects.filter(pk__in=claims.order_by().values("pk")).order_by()
    facets = {name: _grouped(rows, name, size) for name in _COLUMNS}
    facets["has_counter_sources"] = _has_counter_sources(rows)
    return {"count": rows.count(), "facets": {name: facets[name] for name in FACETS}}


def _grouped(rows, name: str, size: int) -> dict:
    column, labels = _COLUMNS[name]
    columns = [column, labels] if isinstance(labels, str) else [column]
    grouped = (
        rows.values(*columns).annotate(count=Count("pk", distinct=True)).order_by("-count", column)
    )
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


def _has_counter_sources(rows) -> dict:
    counter = has_counter_sources()
    counts = rows.aggregate(
        yes=Count("pk", filter=Q(counter)),
        no=Count("pk", filter=~Q(counter)),
    )
    return {
        "values": [
            {"value": True, "label": "Has counter-sources", "count": counts["yes"]},
            {"value": False, "label": "No counter-sources", "count": counts["no"]},
        ],
        "truncated": False,
    }
