"""Reusable reads of documents, claims and evidence, built once with their joins."""

from collections import defaultdict

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.db import connections
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat, Greatest, Substr

from core.querysets import cached_counts, count_of
from core.search import HEADLINE_OPTIONS, SEARCH_CONFIG, fallback_filter, fts5_query
from core.visibility import VisibleQuerySet, visible_q
from sources.choices import Reliability

from . import search_index
from .anchoring import CONTEXT_LENGTH
from .choices import COUNTER_STANCES, ClaimStatus, CopyKind, Stance, Verdict

# What a claim search reads, most telling first (the weights of the PostgreSQL vector).
CLAIM_SEARCH_FIELDS = ["quote", "paraphrase", "attributed_to", "verdict_summary"]


# A search matching more claims than this is not ranked on PostgreSQL (see search()).
SEARCH_RANK_CAP = 1000


class StoredSearchVector(Expression):
    """The claim's stored tsvector column (PostgreSQL only, not a model field: see
    claims/search_index.py), named through the query's alias of the claim table so it
    stays right inside subqueries."""

    output_field = SearchVectorField()

    def __init__(self, pk=None):
        super().__init__()
        self.pk = pk if pk is not None else F("pk")

    def get_source_expressions(self):
        return [self.pk]

    def set_source_expressions(self, exprs):
        (self.pk,) = exprs

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.pk)  # "<alias>"."id"
        table = sql.rsplit(".", 1)[0]
        return f"{table}.{connection.ops.quote_name(search_index.SEARCH_VECTOR_COLUMN)}", params


def topic_slugs_by_claim(ids: list[int]) -> dict[int, list[str]]:
    """{claim id: its topics' slugs, by topic name} for the claims `ids`, in one query:
    what a list or an export of claims shows of their topics, without model instances."""
    from .models import Claim

    slugs: dict[int, list[str]] = defaultdict(list)
    for claim_id, slug in (
        Claim.topics.through.objects.filter(claim_id__in=ids)
        .order_by("topic__name")
        .values_list("claim_id", "topic__slug")
    ):
        slugs[claim_id].append(slug)
    return slugs


def has_counter_sources() -> Exists:
    """For a claim queryset: does the claim have a contradicting or qualifying source?

    Used to filter (`filter(has_counter_sources())`, `~...`), annotate and count facets.
    """
    from .models import Evidence

    return Exists(Evidence.objects.filter(claim=OuterRef("pk"), stance__in=COUNTER_STANCES))


class DocumentQuerySet(VisibleQuerySet):
    def with_claim_counts(self, user=None):
        """Annotate `claim_count`: the document's claims this user may see."""
        from .models import Claim

        claims = Claim.objects.visible_to(user).filter(document=OuterRef("pk"))
        return self.annotate(claim_count=count_of(claims, per="document"))

    def claim_counts(self, ids: list[int], user=None) -> dict[int, int]:
        """{document id: its claims this user may see}, for a page of documents (cached)."""
        from .models import Claim

        return cached_counts(Claim.objects.visible_to(user), per="document", ids=ids)


class TopicQuerySet(VisibleQuerySet):
    def with_claim_counts(self, user=None):
        """Annotate `claim_count`: the claims tagged with the topic that this user may see
        (a topic's count never tells a reader how many drafts are about it)."""
        from .models import Claim

        claims = Claim.objects.visible_to(user).filter(topics=OuterRef("pk"))
        return self.annotate(claim_count=count_of(claims, per="topics"))

    def claim_counts(self, ids: list[int], user=None) -> dict[int, int]:
        """{topic id: the claims tagged with it this user may see}, for a page (cached)."""
        from .models import Claim

        return cached_counts(Claim.objects.visible_to(user), per="topics", ids=ids)


class ClaimQuerySet(VisibleQuerySet):
    # Set by for_counting(): a search then only filters (no rank, no headline).
    counting_only = False

    def _clone(self):
        clone = super()._clone()
        clone.counting_only = self.counting_only
        return clone

    def for_counting(self):
        """The same claims, for counts (facets): a later search() adds no rank or snippet."""
        clone = self._chain()
        clone.counting_only = True
        return clone

    def with_evidence_counts(self):
        return self.annotate(
            source_count=Count(
                "evidence", filter=Q(evidence__stance=Stance.SUPPORTS), distinct=True
            ),
            counter_source_count=Count(
                "evidence", filter=Q(evidence__stance__in=COUNTER_STANCES), distinct=True
            ),
        )

    def reviewed(self):
        """Published claims with a verdict that rates them: what ClaimReview exports describe.

        Opinions ("not checkable") are not fact-checks and retracted claims are no longer
        Claimbase's rating, so neither is exported as a ClaimReview.
        """
        return self.filter(status=ClaimStatus.PUBLISHED).exclude(
            verdict__in=["", Verdict.NOT_CHECKABLE]
        )

    def search(self, text: str):
        """Claims matching `text` in web-search syntax, best first where the engine ranks.

        PostgreSQL: the stored weighted tsvector (`search_vector`, GIN index; see
        claims/search_index.py) against websearch_to_tsquery, with `search_rank`
        (ts_rank_cd) and `search_headline` (ts_headline, hits between
        core.search.MARK_START/MARK_END) annotated. A broad query, matching more than
        SEARCH_RANK_CAP claims, is not ranked (`search_rank` null; the list's own order):
        ranking every match of a common word cost a second at 100k claims.
        SQLite: the FTS5 index, with `search_query` annotated so a snippet can be cut in
        Python; no ranking. A query FTS5 cannot express (only excluded words) falls back
        to substring matching.
        """
        text = text.strip()
        if not text:
            return self
        if connections[self.db].vendor == "postgresql":
            return self._search_postgresql(text)
        expression = fts5_query(text)
        if expression is None:
            matched = self.filter(fallback_filter(text, CLAIM_SEARCH_FIELDS))
        else:
            matched = self.filter(
                pk__in=RawSQL(
                    f"SELECT rowid FROM {search_index.FTS_TABLE} "
                    f"WHERE {search_index.FTS_TABLE} MATCH %s",
                    [expression],
                )
            )
        if self.counting_only:
            return matched
        return matched.annotate(search_query=Value(text, output_field=CharField()))

    def _search_postgresql(self, text: str):
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        matched = self.alias(search_document=StoredSearchVector()).filter(search_document=query)
        if self.counting_only:
            return matched
        separator = Value("\n")
        document = Concat(
            "quote", separator, "paraphrase", separator, "attributed_to", separator,
            "verdict_summary", output_field=CharField(),
        )  # fmt: skip
        headline = SearchHeadline(document, query, config=SEARCH_CONFIG, **HEADLINE_OPTIONS)
        if matched.order_by().values("pk")[SEARCH_RANK_CAP : SEARCH_RANK_CAP + 1].exists():
            # Broad: in the list's own order, which an index serves without sorting the matches.
            return matched.annotate(search_headline=headline)
        return matched.annotate(
            search_rank=SearchRank(F("search_document"), query, cover_density=True),
            search_headline=headline,
        )

    def with_related(self):
        """Everything a claim list or detail shows, in a fixed number of queries."""
        return self.select_related("document", "section", "same_as", "assignee").with_evidence()

    def with_evidence(self):
        """Topics, evidence (with sources and the stored copy an excerpt was found in, without
        its long text) and corrections (newest first), one query each: what a claim shows."""
        from .models import Correction, Evidence

        return self.prefetch_related(
            "topics",
            Prefetch(
                "evidence",
                queryset=Evidence.objects.select_related("source", "found_in")
                .defer("found_in__text")
                .order_by("stance", "source__key"),
            ),
            Prefetch(
                "corrections",
                queryset=Correction.objects.select_related("made_by").order_by("-made_at", "-id"),
            ),
        )

    def with_visible_same_as(self, user):
        """Annotate `same_as_visible`: the same-as claim's id if `user` may see that claim,
        else null, decided in SQL by the visibility rule (no claim row is loaded)."""
        from .models import Claim

        condition = visible_q(user, Claim, via="same_as")
        value = (
            Case(When(condition, then=F("same_as_id")), default=None)
            if condition
            else F("same_as_id")
        )
        return self.annotate(same_as_visible=value)

    def with_quote_context(self, context: int = CONTEXT_LENGTH):
        """Annotate the quote's TextQuoteSelector parts cut by the database from the document
        text (`quote_exact`, `quote_prefix`, `quote_suffix`), so the text itself is never
        read into Python. SUBSTR counts characters on both engines, as Python offsets do."""
        first = Greatest(F("start") - context, Value(0), output_field=IntegerField())
        body = "document__body"
        return self.annotate(
            quote_exact=Substr(body, F("start") + 1, F("end") - F("start")),
            quote_prefix=Substr(body, first + 1, F("start") - first),
            quote_suffix=Substr(body, F("end") + 1, Value(context)),
        )


class EvidenceQuerySet(VisibleQuerySet):
    def high_reliability_third_party(self) -> "EvidenceQuerySet":
        """Evidence from a high-reliability source whose text was read on a third-party copy
        (a mirror, a reproduction), not at the publisher or in an archive: what a curator
        should re-read at the source (the admin flags these rows)."""
        return self.filter(source__reliability=Reliability.HIGH, copy_kind=CopyKind.THIRD_PARTY)


class ClaimNoteQuerySet(VisibleQuerySet):
    def get_by_natural_key(self, document_slug, claim_key, created_at):
        """A note by its claim and the moment it was written (datasets refer to notes so)."""
        return self.get(
            claim__document__slug=document_slug, claim__key=claim_key, created_at=created_at
        )
