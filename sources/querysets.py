"""Reusable reads of sources.

Sources never import the claims app; the reverse relation `evidence` (declared by
claims.Evidence) is reached through lookups only.
"""

import re

from django.contrib.postgres.search import (
    SearchConfig,
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorCombinable,
    SearchVectorField,
)
from django.db import connections
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat

from core import data_version
from core.querysets import count_of
from core.search import HEADLINE_OPTIONS, SEARCH_CONFIG, fallback_filter, positive_terms
from core.visibility import VisibleQuerySet, can_see_unpublished

# Mirrors claims.choices; kept as plain strings so this app does not import claims.
COUNTER_STANCES = ("contradicts", "qualifies")


# What a source search reads besides author names and the excerpts of the evidence citing it.
SOURCE_TEXT_FIELDS = ["title", "container_title", "publisher"]
# How much an excerpt's match counts next to a match in the source's own fields.
EXCERPT_RANK_WEIGHT = 0.5


class WeightedJSONVector(SearchVectorCombinable, Func):
    """setweight(to_tsvector(config, <jsonb>), weight): the string values of a jsonb column
    (author names), not its keys ("family", "given") as a cast to text would give."""

    function = "setweight"
    output_field = SearchVectorField()
    config = None

    def __init__(self, field: str, *, config: str, weight: str):
        vector = Func(
            SearchConfig(config), F(field), function="to_tsvector", output_field=SearchVectorField()
        )
        super().__init__(vector, Value(weight))


def source_search_vector():
    """The source's tsvector. Migration sources 0002 indexes exactly this expression (GIN)."""
    return (
        SearchVector("title", config=SEARCH_CONFIG, weight="A")
        + WeightedJSONVector("authors", config=SEARCH_CONFIG, weight="B")
        + SearchVector("container_title", config=SEARCH_CONFIG, weight="C")
        + SearchVector("publisher", config=SEARCH_CONFIG, weight="C")
    )


class SourceQuerySet(VisibleQuerySet):
    def with_evidence_counts(self, user=None):
        """Annotate how many of the claims `user` may see each source supports
        (`supports_count`) and contradicts or qualifies (`counters_count`).

        Subqueries (core.querysets.count_of), so a write can still lock the row.
        """
        evidence_model = self.model._meta.get_field("evidence").related_model
        citing = evidence_model.objects.visible_to(user).filter(source=OuterRef("pk"))
        return self.annotate(
            supports_count=count_of(citing.filter(stance="supports"), per="source"),
            counters_count=count_of(citing.filter(stance__in=COUNTER_STANCES), per="source"),
        )

    def evidence_counts(self, ids: list[int], user=None) -> dict[int, tuple[int, int]]:
        """{source id: (supports, contradicts or qualifies)} over the claims `user` may see,
        for the sources `ids` only (a page of a list): one grouped query, cached per data
        version — the most cited synthetic source backs 54,000 of 200,000 evidence rows,
        and counting them on every request cost a sources page 0.3 s on SQLite."""
        evidence_model = self.model._meta.get_field("evidence").related_model

        def count() -> dict[int, tuple[int, int]]:
            counts = {pk: [0, 0] for pk in ids}
            rows = (
                evidence_model.objects.visible_to(user)
                .filter(source_id__in=ids)
                .order_by()
                .values_list("source_id", "stance")
                .annotate(count=Count("pk"))
            )
            for source_id, stance, number in rows:
                if stance == "supports":
                    counts[source_id][0] += number
                elif stance in COUNTER_STANCES:
                    counts[source_id][1] += number
            return {pk: (supports, counters) for pk, (supports, counters) in counts.items()}

        scope = "all" if can_see_unpublished(user) else "public"
        return data_version.cached(("source-counts", self.db, scope, tuple(ids)), count)

    def search(self, text: str, *, user=None):
        """Sources matching `text` (web-search syntax) in their own fields or in the excerpts
        of the evidence citing them that `user` may see (anonymous: the evidence of public
        claims), so a search never reveals what an unpublished claim's evidence says.

        Annotations as ClaimQuerySet.search: `search_rank` and `search_headline` on
        PostgreSQL, `search_query` (and `search_excerpt`, an excerpt holding a term) on SQLite.
        """
        text = text.strip()
        if not text:
            return self
        evidence = self.model._meta.get_field("evidence").related_model.objects.visible_to(user)
        if connections[self.db].vendor == "postgresql":
            return self._search_postgresql(text, evidence)
        citing = evidence.filter(source=OuterRef("pk"))
        holds_a_term = Q(pk__in=[])
        for term in positive_terms(text):
            holds_a_term |= Q(excerpt__icontains=term)

        def names_or_excerpt_hold(term):
            # Author names only: the JSON text also holds the keys ("family", "given").
            in_names = Q(authors__iregex=r'":\s*"[^"]*' + re.escape(term))
            return in_names | Exists(citing.filter(excerpt__icontains=term))

        return self.filter(
            fallback_filter(text, SOURCE_TEXT_FIELDS, extra=names_or_excerpt_hold)
        ).annotate(
            search_query=Value(text, output_field=CharField()),
            search_excerpt=Subquery(
                citing.filter(holds_a_term).order_by("pk").values("excerpt")[:1]
            ),
        )

    def _search_postgresql(self, text: str, evidence):
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        matching_evidence = evidence.alias(
            excerpt_document=SearchVector("excerpt", config=SEARCH_CONFIG)
        ).filter(excerpt_document=query)
        # Two uncorrelated id lists, each served by its GIN index, rather than an OR with a
        # correlated EXISTS, which the planner can only answer by scanning every source.
        own_matches = (
            self.model.objects.alias(search_document=source_search_vector())
            .filter(search_document=query)
            .values("pk")
        )
        best_excerpts = (
            matching_evidence.filter(source=OuterRef("pk"))
            .annotate(excerpt_rank=SearchRank(F("excerpt_document"), query, cover_density=True))
            .order_by("-excerpt_rank", "pk")
        )
        separator = Value("\n")
        own_text = Concat(
            "title", separator, "container_title", separator, "publisher", output_field=CharField()
        )
        return (
            self.filter(Q(pk__in=own_matches) | Q(pk__in=matching_evidence.values("source_id")))
            .alias(search_document=source_search_vector())
            .annotate(
                search_rank=SearchRank(F("search_document"), query, cover_density=True)
                + Coalesce(
                    Subquery(best_excerpts.values("excerpt_rank")[:1], output_field=FloatField()),
                    Value(0.0),
                )
                * Value(EXCERPT_RANK_WEIGHT),
                search_headline=Case(
                    When(
                        search_document=query,
                        then=SearchHeadline(
                            own_text, query, config=SEARCH_CONFIG, **HEADLINE_OPTIONS
                        ),
                    ),
                    default=Subquery(
                        best_excerpts.annotate(
                            excerpt_headline=SearchHeadline(
                                "excerpt", query, config=SEARCH_CONFIG, **HEADLINE_OPTIONS
                            )
                        ).values("excerpt_headline")[:1]
                    ),
                    output_field=CharField(),
                ),
            )
        )
