"""Claims that state nearly the same thing, in other documents or the same one.

PostgreSQL scores candidates with pg_trgm's similarity() (the share of distinct
trigrams two texts have in common). SQLite has no pg_trgm, so the same measure is
computed in Python over a bounded set of candidates (the most recent
FALLBACK_CANDIDATES claims the user may see): the same threshold means the same on
both engines, but on SQLite older claims beyond that bound are not examined, and the
response says how many were.

A claim's quote and paraphrase are both compared with each candidate's quote and
paraphrase; the best of the pairs is the score, so a reworded quote is still found
through its neutral paraphrase. A paraphrase's reporting clause ("The statement says
that ...") is left out of the comparison: nearly every paraphrase opens with one, and
on the seed it alone lifted unrelated claims to a score of 0.3.
"""

import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connections
from django.db.models import F, Func, TextField, Value
from django.db.models.functions import Greatest

from ..models import Claim

DEFAULT_THRESHOLD = 0.4
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
FALLBACK_CANDIDATES = 2000
COMPARED_FIELDS = ("quote", "paraphrase")
# The reporting clause a paraphrase opens with; written so that Python's re and
# PostgreSQL's regular expressions read it alike (case-insensitive). No two runs of white
# space may meet with only optional items between them ("\s*,?\s+" could split one run
# of n spaces in n ways and tried each: "The statement" and 12,000 spaces took 10 s);
# the comma takes its own spaces with it, so every run of spaces is read in one way.
REPORTING_CLAUSE = (
    r"^\s*the\s+(statement|speech|text|document|article|author|speaker|report)(\s*,)?\s+"
    r"(\w+\s+){0,2}(says|said|claims|states|quotes|asserts|argues|notes|adds|recalls|"
    r"describes|calls|holds|maintains|repeats|predicts|urges|refers)(\s+that)?\s+"
)
_REPORTING_CLAUSE = re.compile(REPORTING_CLAUSE, re.IGNORECASE)


@dataclass
class SimilarClaims:
    method: str
    threshold: float
    matches: list[tuple[Claim, float]] = field(default_factory=list)
    candidates_examined: int | None = None
    note: str = ""


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams: lower-cased words of letters and digits, each padded with two
    spaces before and one after, cut into every run of three characters."""
    words, word = [], []
    for char in text.lower():
        if char.isalnum():
            word.append(char)
        elif word:
            words.append("".join(word))
            word = []
    if word:
        words.append("".join(word))
    result = set()
    for item in words:
        padded = f"  {item} "
        result.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return result


def trigram_similarity(first: str, second: str) -> float:
    """pg_trgm's similarity(): shared trigrams over all distinct trigrams of the two texts."""
    return _jaccard(trigrams(first), trigrams(second))


def without_reporting_clause(paraphrase: str) -> str:
    return _REPORTING_CLAUSE.sub("", paraphrase or "", count=1)


def compared_texts(claim: Claim) -> list[str]:
    texts = [claim.quote, without_reporting_clause(claim.paraphrase)]
    return [text for text in texts if text and text.strip()]


def _compared_column(name: str):
    if name == "paraphrase":
        return Func(
            F(name),
            Value(REPORTING_CLAUSE),
            Value(""),
            Value("i"),
            function="regexp_replace",
            output_field=TextField(),
        )
    return F(name)


def similar_claims(
    claim: Claim,
    candidates,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = DEFAULT_LIMIT,
) -> SimilarClaims:
    """The claims in `candidates` (already limited to what the user may see) whose score
    against `claim` is at least `threshold`, best first, at most `limit` of them."""
    candidates = candidates.exclude(pk=claim.pk)
    texts = compared_texts(claim)
    if connections[candidates.db].vendor == "postgresql":
        pairs = [
            TrigramSimilarity(_compared_column(name), text)
            for name in COMPARED_FIELDS
            for text in texts
        ]
        score = Greatest(*pairs) if len(pairs) > 1 else pairs[0]
        rows = list(
            candidates.annotate(similarity=score)
            .filter(similarity__gte=Value(threshold))
            .order_by("-similarity", "pk")[:limit]
        )
        return SimilarClaims(
            method="pg_trgm",
            threshold=threshold,
            matches=[(row, row.similarity) for row in rows],
            note="Trigram similarity (pg_trgm) over every claim you may see.",
        )
    pool = list(
        candidates.order_by("-pk").values_list("pk", *COMPARED_FIELDS)[:FALLBACK_CANDIDATES]
    )
    own = [trigrams(text) for text in texts]
    scored = []
    for pk, quote, paraphrase in pool:
        other_texts = [quote, without_reporting_clause(paraphrase)]
        theirs = [trigrams(text) for text in other_texts if text and text.strip()]
        best = max(
            (_jaccard(mine, other) for mine in own for other in theirs),
            default=0.0,
        )
        if best >= threshold:
            scored.append((best, pk))
    scored.sort(key=lambda item: (-item[0], item[1]))
    scored = scored[:limit]
    by_pk = {row.pk: row for row in candidates.filter(pk__in=[pk for _, pk in scored])}
    return SimilarClaims(
        method="trigram (Python, SQLite fallback)",
        threshold=threshold,
        matches=[(by_pk[pk], score) for score, pk in scored if pk in by_pk],
        candidates_examined=len(pool),
        note=(
            "SQLite has no pg_trgm: pg_trgm's similarity measure computed in Python over the "
            f"{FALLBACK_CANDIDATES} most recent claims you may see."
        ),
    )


def _jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)
