"""Claims that state nearly the same thing, in other documents or the same one.

Candidates, on both engines, are the claims sharing the most of this claim's rarest
words, found through the full-text index over every claim the user may see
(claims/search_index.py; at most FALLBACK_CANDIDATES, best ranked first): a claim that
states nearly the same thing shares its rare words. PostgreSQL scores them with pg_trgm's
similarity() (the share of distinct trigrams two texts have in common); SQLite has no
pg_trgm, so the same measure is computed in Python, and the same threshold means the
same on both engines. (pg_trgm's `%` through trigram GIN indexes was tried first: on a
corpus whose words share syllables the index let 72% of the rows through to a recheck,
14 s at 100k claims.)

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
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest

from core import data_version

from .. import search_index
from ..models import Claim

DEFAULT_THRESHOLD = 0.4
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
FALLBACK_CANDIDATES = 300  # per engine, best ranked first
# Words a SQLite candidate search looks for: the claim's rarest ones, at most this many.
FALLBACK_WORDS = 8
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
    against `claim` is at least `threshold`, best first, at most `limit` of them.

    Cached per data version (core/data_version.py) under the candidates' SQL, which holds
    the visibility rule's condition: a claim page or a similar request costs a cache read
    until the next write (the full-text candidates and their re-ranking took 50-120 ms on
    100,000 claims)."""
    candidates = candidates.exclude(pk=claim.pk)
    parts = ("similar", candidates.db, str(candidates.query), claim.pk, threshold, limit)
    return data_version.cached(
        parts, lambda: _similar_claims(claim, candidates, threshold=threshold, limit=limit)
    )


def _similar_claims(claim: Claim, candidates, *, threshold: float, limit: int) -> SimilarClaims:
    texts = compared_texts(claim)
    if not texts:
        return SimilarClaims(method=_method(candidates), threshold=threshold, note=_NOTE)
    if connections[candidates.db].vendor == "postgresql":
        return _similar_postgresql(texts, candidates, threshold, limit)
    return _similar_sqlite(texts, candidates, threshold, limit)


_NOTE = (
    "Trigram similarity (pg_trgm) over the claims you may see that share the most of this "
    "claim's rarest words (found by the full-text index over every claim)."
)


def _method(candidates) -> str:
    if connections[candidates.db].vendor == "postgresql":
        return "pg_trgm"
    return "trigram (Python, SQLite fallback)"


def _similar_postgresql(texts, candidates, threshold, limit) -> SimilarClaims:
    columns = {name: _compared_column(name) for name in COMPARED_FIELDS}
    pairs = [TrigramSimilarity(column, text) for column in columns.values() for text in texts]
    score = Greatest(*pairs) if len(pairs) > 1 else pairs[0]
    ids = _pg_candidate_ids(texts, candidates.db)
    if ids is None:
        return SimilarClaims(method="pg_trgm", threshold=threshold, note=_NOTE)
    rows = list(
        candidates.filter(pk__in=ids)
        .annotate(similarity=score)
        .filter(similarity__gte=Value(threshold))
        .order_by("-similarity", "pk")[:limit]
    )
    return SimilarClaims(
        method="pg_trgm",
        threshold=threshold,
        matches=[(row, row.similarity) for row in rows],
        note=_NOTE,
    )


def _pg_candidate_ids(texts: list[str], using: str) -> RawSQL | None:
    """The ids of the claims sharing the most of this claim's rarest lexemes: the stored
    tsvector's GIN index finds them (claims/search_index.py), ts_rank keeps the best
    FALLBACK_CANDIDATES. Rarity comes from the column's statistics (pg_stats: a lexeme
    not among the most common is rarer than those)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT unnest(tsvector_to_array(to_tsvector(%s::regconfig, %s)))",
            [search_index.SEARCH_CONFIG, "\n".join(texts)],
        )
        lexemes = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = 'claims_claim' AND attname = %s",
            [search_index.SEARCH_VECTOR_COLUMN],
        )
        stats = cursor.fetchone()
    frequency = dict(zip(*stats, strict=False)) if stats and stats[0] else {}
    rarest = sorted(lexemes, key=lambda lexeme: (frequency.get(lexeme, 0.0), lexeme))
    rarest = rarest[:FALLBACK_WORDS]
    if not rarest:
        return None
    query = " | ".join(
        "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'" for lexeme in rarest
    )
    column = search_index.SEARCH_VECTOR_COLUMN
    return RawSQL(
        f"SELECT id FROM claims_claim WHERE {column} @@ to_tsquery('simple', %s) "
        f"ORDER BY ts_rank({column}, to_tsquery('simple', %s)) DESC LIMIT %s",
        [query, query, FALLBACK_CANDIDATES + 1],  # the claim itself matches too
    )


def _similar_sqlite(texts, candidates, threshold, limit) -> SimilarClaims:
    pool = _fts_candidates(texts, candidates)
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
            f"claims you may see that share the most of this claim's rarer words (at most "
            f"{FALLBACK_CANDIDATES}, found by the full-text index over every claim)."
        ),
    )


def _fts_candidates(texts: list[str], candidates) -> list[tuple]:
    """(pk, quote, paraphrase) of the visible claims sharing this claim's rarer words."""
    words = _rare_words(texts, candidates.db)
    if not words:
        return []
    expression = " OR ".join('"' + word + '"' for word in words)
    table = search_index.FTS_TABLE
    ranked = RawSQL(
        f"SELECT rowid FROM {table} WHERE {table} MATCH %s ORDER BY rank LIMIT %s",
        [expression, FALLBACK_CANDIDATES * 2],
    )
    return list(
        candidates.filter(pk__in=ranked)
        .order_by()
        .values_list("pk", *COMPARED_FIELDS)[:FALLBACK_CANDIDATES]
    )


def _rare_words(texts: list[str], using: str) -> list[str]:
    """The claim's words, rarest first (fewest claims holding them in the FTS5 index's
    vocabulary), at most FALLBACK_WORDS; words the vocabulary spells otherwise (stemmed)
    count as rare, so they are kept."""
    words = sorted(
        {word for text in texts for word in re.findall(r"\w+", text.lower()) if len(word) > 2}
    )
    if not words:
        return []
    frequency = {}
    with connections[using].cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(words))
        cursor.execute(
            f"SELECT term, doc FROM {search_index.FTS_VOCABULARY} WHERE term IN ({placeholders})",
            words,
        )
        frequency = dict(cursor.fetchall())
    # Words the vocabulary knows, rarest first; then the ones it spells otherwise (its
    # stemmer turns "has" into "ha": unknown is not rare, and a common word in the query
    # made the candidate search read a fifth of the index).
    known = sorted((word for word in words if word in frequency), key=lambda w: (frequency[w], w))
    unknown = [word for word in words if word not in frequency]
    return (known + unknown)[:FALLBACK_WORDS]


def _jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)
