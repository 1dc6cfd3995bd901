"""Text-search plumbing shared by the apps: web-search syntax, the SQLite fallback, snippets.

PostgreSQL does the real work (tsvector, websearch_to_tsquery, ts_rank, ts_headline;
see ClaimQuerySet.search and SourceQuerySet.search). On SQLite the same `q`
parameter is read with the same syntax here and turned into plain case-insensitive
substring matches, so both engines accept the same queries and answer in the same
shape; only the ranking (PostgreSQL only) and the quality of the snippet differ.
"""

import html
import re
from dataclasses import dataclass

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from rest_framework import serializers
from rest_framework.filters import OrderingFilter, SearchFilter

SEARCH_CONFIG = "english"
MAX_QUERY_LENGTH = 300

# ts_headline marks hits with these (private-use characters that text does not carry);
# the snippet is HTML-escaped first and they become <mark> afterwards, so a snippet
# is safe to insert as HTML whatever the claim or source text contains.
MARK_START = "\ue000"
MARK_END = "\ue001"
HEADLINE_OPTIONS = {
    "start_sel": MARK_START,
    "stop_sel": MARK_END,
    "max_words": 30,
    "min_words": 10,
    "max_fragments": 2,
    "fragment_delimiter": " … ",
}
SNIPPET_CONTEXT = 60  # characters either side of the first hit, on SQLite

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def validate_query(text: str) -> None:
    """Bad search text is a 400 on the `q` field, never a database error."""
    if "\x00" in text:
        raise ValidationError("The search text contains a NUL character.")
    if len(text) > MAX_QUERY_LENGTH:
        raise ValidationError(f"The search text is longer than {MAX_QUERY_LENGTH} characters.")


@dataclass(frozen=True)
class Term:
    text: str
    negated: bool = False


def parse_websearch(text: str) -> list[list[Term]]:
    """Read web-search syntax as PostgreSQL's websearch_to_tsquery does, for the fallback.

    Words are ANDed, `"a phrase"` stays together, `-word` (or `-"a phrase"`) excludes,
    and `or` between terms separates alternatives: `a b or c` is (a AND b) OR c.
    """
    groups: list[list[Term]] = [[]]
    for match in _TOKEN.finditer(text):
        negation, phrase, word = match.groups()
        if phrase is not None:
            phrase = " ".join(phrase.split())
            if phrase:
                groups[-1].append(Term(phrase, negated=bool(negation)))
            continue
        if word.lower() == "or":
            if groups[-1]:
                groups.append([])
            continue
        negated = word.startswith("-") and len(word) > 1
        word = word[1:] if negated else word
        word = word.strip("-")
        if word:
            groups[-1].append(Term(word, negated=negated))
    return [group for group in groups if group]


def fallback_filter(text: str, fields: list[str], extra=None) -> Q:
    """A Q matching rows whose `fields` contain the query's terms (the SQLite search).

    `extra(term)` may add a further condition per term, e.g. an Exists() over related rows.
    A query with no usable term matches nothing, as websearch_to_tsquery('') does.
    """
    groups = parse_websearch(text)
    if not groups:
        return Q(pk__in=[])
    any_group = Q(pk__in=[])
    for group in groups:
        every_term = Q()
        for term in group:
            found = Q()
            for field in fields:
                found |= Q(**{f"{field}__icontains": term.text})
            if extra is not None:
                found |= extra(term.text)
            every_term &= ~found if term.negated else found
        any_group |= every_term
    return any_group


def fts5_query(text: str) -> str | None:
    """The web-search syntax as an SQLite FTS5 query, or None when FTS5 cannot say it.

    Each word or phrase becomes an FTS5 string ("..."; quotes doubled), so no input is
    FTS5 syntax; terms are ANDed, `-term`s subtracted (NOT), `or` alternatives ORed. A
    group of only excluded terms ("-foo": everything without foo) has no FTS5 form.
    """
    groups = parse_websearch(text)
    if not groups:
        return None
    alternatives = []
    for group in groups:
        # A term without a letter or digit has no token (PostgreSQL ignores it too).
        usable = [term for term in group if re.search(r"\w", term.text)]
        wanted = [_fts5_string(term.text) for term in usable if not term.negated]
        unwanted = [_fts5_string(term.text) for term in usable if term.negated]
        if not wanted:
            return None
        expression = "(" + " AND ".join(wanted) + ")"
        if unwanted:
            expression += " NOT (" + " OR ".join(unwanted) + ")"
        alternatives.append("(" + expression + ")")
    return " OR ".join(alternatives)


def _fts5_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def positive_terms(text: str) -> list[str]:
    return [term.text for group in parse_websearch(text) for term in group if not term.negated]


def marked_html(headline: str) -> str:
    """A ts_headline result as safe HTML: text escaped, hits in <mark>, white space collapsed."""
    escaped = html.escape(" ".join(headline.split()), quote=False)
    return escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


def fallback_snippet(texts: list[str], query: str) -> str | None:
    """The SQLite snippet: the first text holding a search term, around that term, marked."""
    terms = [term for term in positive_terms(query) if term]
    if not terms:
        return None
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    for text in texts:
        text = " ".join((text or "").split())
        hit = pattern.search(text)
        if hit is None:
            continue
        start = max(0, hit.start() - SNIPPET_CONTEXT)
        end = min(len(text), hit.end() + SNIPPET_CONTEXT)
        window = text[start:end]
        parts, last = [], 0
        for found in pattern.finditer(window):
            parts.append(html.escape(window[last : found.start()], quote=False))
            parts.append(f"<mark>{html.escape(found.group(), quote=False)}</mark>")
            last = found.end()
        parts.append(html.escape(window[last:], quote=False))
        return ("… " if start else "") + "".join(parts) + (" …" if end < len(text) else "")
    return None


def search_snippet(row, texts: list[str]) -> str | None:
    """The snippet for one search hit, whichever engine found it (None outside a search)."""
    return snippet_of(
        getattr(row, "search_headline", None), getattr(row, "search_query", None), texts
    )


def snippet_of(headline: str | None, query: str | None, texts: list[str]) -> str | None:
    """A snippet from PostgreSQL's headline, or else cut from `texts` around the query."""
    if headline:
        return marked_html(headline)
    return fallback_snippet(texts, query) if query else None


class PlainSearchFilter(SearchFilter):
    """DRF's `search`, kept for existing clients, documented as what it is: not `q`."""

    search_description = (
        "Plain search, kept for existing clients: every word must appear, case-insensitively, "
        "in one of the resource's text fields (for claims: key, quote, paraphrase, attribution, "
        "verdict summary). Unranked and with no snippet. Prefer `q`: the "
        "full-text search (web-search syntax, ranked best first with a highlighted snippet on "
        "PostgreSQL) that the reader's search box uses. Both may be combined; rows must match both."
    )


class RankedOrderingFilter(OrderingFilter):
    """OrderingFilter that puts the best search hits first when a ranked search ran.

    An explicit `ordering=` still wins; without one, results ranked by a search
    (a `search_rank` annotation, PostgreSQL) come best first, then in the view's
    usual order.
    """

    def filter_queryset(self, request, queryset, view):
        explicit = request.query_params.get(self.ordering_param)
        if "search_rank" in queryset.query.annotations and not (
            explicit
            and self.remove_invalid_fields(
                queryset, [field.strip() for field in explicit.split(",")], view, request
            )
        ):
            return queryset.order_by("-search_rank", *(self.get_default_ordering(view) or ()))
        return super().filter_queryset(request, queryset, view)


SEARCH_HIT_FIELDS = ("search_rank", "snippet")


class SearchHitSerializer(serializers.Serializer):
    """`search_rank` and `snippet` for any searchable resource, present only when the
    request searched (`q`): outside a search they would mean nothing.

    Subclasses say which texts the snippet is cut from (`snippet_texts`).
    """

    search_rank = serializers.FloatField(
        read_only=True,
        default=None,
        allow_null=True,
        help_text=(
            "Only when searching (`q`): relevance (PostgreSQL ts_rank_cd; higher is better); "
            "null on SQLite and for a search too broad to rank."
        ),
    )
    snippet = serializers.SerializerMethodField(
        help_text="Only when searching (`q`): where it matched, HTML, text escaped and hits in <mark>."
    )

    def snippet_texts(self, row) -> list[str]:
        raise NotImplementedError

    def get_snippet(self, row) -> str | None:
        return search_snippet(row, self.snippet_texts(row))

    @property
    def searching(self) -> bool:
        request = self.context.get("request")
        params = getattr(request, "query_params", None) or getattr(request, "GET", {})
        return bool(str(params.get("q", "")).strip())

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.searching:
            for name in SEARCH_HIT_FIELDS:
                data.pop(name, None)
        return data


def search_hit_fields_optional(result, generator, request, public):
    """drf-spectacular post-processing: `search_rank` and `snippet` are not required (they
    are left out unless the request searched), whatever component carries them."""
    for component in result.get("components", {}).get("schemas", {}).values():
        required = component.get("required")
        if required and set(SEARCH_HIT_FIELDS) & set(component.get("properties", {})):
            component["required"] = [n for n in required if n not in SEARCH_HIT_FIELDS]
            if not component["required"]:
                del component["required"]
    return result


def search_filter(help_text: str):
    """The `q` filter of a FilterSet: bounded, validated web-search text, applied by `filter_q`."""
    return django_filters.CharFilter(
        method="filter_q",
        max_length=MAX_QUERY_LENGTH,
        validators=[validate_query],
        help_text=help_text,
    )
