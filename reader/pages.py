"""What the reader pages show: documents with their verdict spread, a document cut into claim spans."""

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import accumulate
from urllib.parse import urlencode

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Greatest, Substr

from claims.choices import (
    COUNTER_STANCES,
    VERDICT_MEANINGS,
    ClaimStatus,
    ClaimType,
    Stance,
    Verdict,
)
from claims.documents import OPENING_LABEL
from claims.filtersets import ClaimFilterSet
from claims.models import Claim, Correction, Document, Evidence, Section, Topic
from claims.querysets import has_counter_sources
from claims.research.facets import claim_facets
from claims.research.similarity import similar_claims
from core.pagination import CachedCountPaginator
from core.querysets import count_of
from core.search import search_snippet
from core.visibility import PUBLIC_CLAIM_STATUSES, can_see_unpublished, is_public, visible_q
from sources.choices import DatePrecision
from sources.models import Source

from .parts import Part, cut_parts, part_holding

# A claim awaiting its verdict (drafts) is drawn and listed under this key.
UNRATED = "unrated"
UNRATED_LABEL = "Not yet rated"

# Legend order: from best supported to not checkable, then claims still without a verdict.
VERDICT_ORDER: list[tuple[str, str]] = [*Verdict.choices, (UNRATED, UNRATED_LABEL)]
VERDICT_LABELS: dict[str, str] = dict(VERDICT_ORDER)


def verdict_key(verdict: str) -> str:
    """The CSS and filter name of a verdict ("" — no verdict yet — becomes "unrated")."""
    return verdict or UNRATED


def safe_link(url: str) -> str:
    """Only web addresses become links; anything else (javascript:, data:) is dropped."""
    return url if url.lower().startswith(("http://", "https://")) else ""


def source_date(source: Source) -> str:
    """A source's publication date as precisely as it is known: "2019", "May 2019", "7 May 2019"."""
    day = source.published_on
    if day is None:
        return ""
    if source.date_precision == DatePrecision.YEAR:
        return str(day.year)
    if source.date_precision == DatePrecision.MONTH:
        return f"{day:%B} {day.year}"
    return f"{day.day} {day:%B} {day.year}"


# --- The list of documents -------------------------------------------------------------------


@dataclass(frozen=True)
class VerdictShare:
    verdict: str
    label: str
    count: int
    percent: float  # of the document's visible claims, for the bar
    offset: float  # where its part of the bar starts (sum of the shares before it)


def documents_for_reader(user) -> QuerySet[Document]:
    """Every document with the number of claims the user may see, in total and per verdict."""
    visible = visible_q(user, Claim, via="claims")
    per_verdict = {
        f"verdict_{verdict_key(value)}": Count(
            "claims", filter=visible & Q(claims__verdict=value), distinct=True
        )
        for value in [*Verdict.values, ""]
    }
    return (
        Document.objects.visible_to(user)
        .defer("body", "notes")
        .annotate(claim_count=Count("claims", filter=visible, distinct=True), **per_verdict)
    )


def verdict_spread(document: Document) -> list[VerdictShare]:
    """The verdict counts annotated by documents_for_reader, in legend order, zeros left out."""
    total = document.claim_count or 1
    shares = []
    offset = 0.0
    for verdict, label in VERDICT_ORDER:
        count = getattr(document, f"verdict_{verdict}")
        if count:
            percent = round(100 * count / total, 2)
            shares.append(VerdictShare(verdict, label, count, percent, round(offset, 2)))
            offset += percent
    return shares


# --- One document ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReaderFilters:
    """What the reader asked to see; values not offered by the page are ignored, never an error."""

    claim_type: str = ""
    verdict: str = ""
    topic: str = ""
    has_counter_sources: bool = False
    text: str = ""  # words the claim's own text must contain (search in the document)

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> "ReaderFilters":
        claim_type = query.get("type", "")
        verdict = query.get("verdict", "")
        return cls(
            claim_type=claim_type if claim_type in ClaimType.values else "",
            verdict=verdict if verdict in VERDICT_LABELS else "",
            topic=query.get("topic", "")[:100],
            has_counter_sources=query.get("counter", "") in {"1", "on", "true"},
            text=" ".join(query.get("find", "").split())[:200],
        )

    @property
    def active(self) -> bool:
        return bool(
            self.claim_type or self.verdict or self.topic or self.has_counter_sources or self.text
        )

    @property
    def words(self) -> list[str]:
        """The search words, lower-cased; reader.js splits and compares them the same way."""
        return self.text.lower().split()


@dataclass(frozen=True)
class ReaderEvidence:
    """One source or counter-source of a claim, with what the panel needs ready to show."""

    evidence: Evidence
    source: Source
    date: str
    link: str
    archived_link: str
    archived_on: str
    doi_link: str
    consulted_link: str = ""  # the address the curator read, when not the source's own

    @classmethod
    def of(cls, evidence: Evidence) -> "ReaderEvidence":
        source = evidence.source
        consulted = safe_link(evidence.consulted_url)
        return cls(
            evidence=evidence,
            source=source,
            date=source_date(source),
            link=safe_link(source.url),
            archived_link=safe_link(source.archived_url),
            archived_on=f"{source.archived_on.day} {source.archived_on:%B %Y}"
            if source.archived_on
            else "",
            doi_link=f"https://doi.org/{source.doi}" if source.doi else "",
            consulted_link=consulted if consulted and consulted != source.url else "",
        )


class ShowsVerdict:
    """The verdict of the row's `claim` as the reader names it: its CSS and filter key, and
    its label (for the reader's claims and the table's rows alike)."""

    @property
    def verdict(self) -> str:
        return verdict_key(self.claim.verdict)

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS[self.verdict]


@dataclass
class ReaderClaim(ShowsVerdict):
    """A claim as the reader shows it, with its evidence split into sources and counter-sources."""

    claim: Claim
    position: int  # 1-based, in document order
    sources: list[ReaderEvidence]
    counter_sources: list[ReaderEvidence]
    topics: list[Topic]
    inline: bool = True  # False when it shares text with an earlier claim and is drawn inside it
    host_key: str = ""  # the claim whose span carries this one's text when not inline
    overlaps: list[str] = field(default_factory=list)  # keys of claims sharing text with it
    matching: bool = True  # matches the reader's filters (the others are dimmed)
    counter_flag: bool = False  # has counter-sources (known without loading the evidence)
    corrections: list[Correction] = field(default_factory=list)  # newest first

    @property
    def key(self) -> str:
        return self.claim.key

    @property
    def is_public(self) -> bool:
        return is_public(self.claim)

    @property
    def is_retracted(self) -> bool:
        return self.claim.status == ClaimStatus.RETRACTED

    @property
    def has_counter_sources(self) -> bool:
        return self.counter_flag or bool(self.counter_sources)

    @property
    def topic_slugs(self) -> str:
        return " ".join(topic.slug for topic in self.topics)

    def matches(self, filters: ReaderFilters) -> bool:
        return (
            (not filters.claim_type or self.claim.claim_type == filters.claim_type)
            and (not filters.verdict or self.verdict == filters.verdict)
            and (not filters.topic or any(t.slug == filters.topic for t in self.topics))
            and (not filters.has_counter_sources or self.has_counter_sources)
            and all(word in self.claim.quote.lower() for word in filters.words)
        )


@dataclass(frozen=True)
class Piece:
    """A run of the document text: plain, or (part of) one claim's span."""

    start: int
    end: int
    text: str
    claim: ReaderClaim | None = None
    is_first: bool = False  # the claim's first piece carries its id, the target of #Cnnn
    anchors: tuple[str, ...] = ()  # keys of claims drawn inside this one: their #Cnnn targets


@dataclass
class Block:
    """A section of the text (or text outside every section) with its heading."""

    start: int
    end: int
    section: Section | None
    heading: str = ""  # the heading line as written in the text ("II"), drawn as a heading
    added_heading: str = ""  # a heading the text does not contain, shown beside it
    pieces: list[Piece] = field(default_factory=list)
    part: int = 1  # the part of the text it starts in
    continued: bool = False  # the rest of a section whose start is in an earlier part

    @property
    def heading_id(self) -> str:
        return f"section-{self.section.order}" if self.section else ""

    @property
    def menu_label(self) -> str:
        """The section as the section menu names it: "I — Title", or the heading itself."""
        section = self.section
        if section is None:
            return ""
        if section.label == OPENING_LABEL:
            return section.title or "Opening"
        return " — ".join(part for part in (section.label, section.title) if part)


@dataclass
class TextClaim:
    """What the document page needs of every claim the reader may see (its index, counts and
    filters), read as plain values: a 10,000-claim page builds no model object per claim."""

    pk: int
    key: str
    start: int
    end: int
    claim_type: str
    status: str
    verdict: str  # the reader's verdict key: "unrated" while there is none
    has_counter: bool
    topics: list[Topic] = field(default_factory=list)
    host_key: str = ""  # the claim whose span carries this one's text, when it shares it
    part: int = 1  # the part of the text holding it
    matching: bool = True

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_CLAIM_STATUSES

    @property
    def topic_slugs(self) -> str:
        return " ".join(topic.slug for topic in self.topics)

    def matches(self, filters: ReaderFilters, body: str) -> bool:
        """As ReaderClaim.matches; words are looked for in the text at the claim's offsets
        (what the reader sees highlighted, which is what reader.js searches too)."""
        if (
            (filters.claim_type and self.claim_type != filters.claim_type)
            or (filters.verdict and self.verdict != filters.verdict)
            or (filters.topic and not any(t.slug == filters.topic for t in self.topics))
            or (filters.has_counter_sources and not self.has_counter)
        ):
            return False
        if not filters.words:
            return True
        text = body[self.start : self.end].lower()
        return all(word in text for word in filters.words)


@dataclass
class ReaderDocument:
    """One document's page: every claim's row, the sections, and the part of the text shown."""

    document: Document
    blocks: list[Block]  # the part shown, cut into blocks of pieces
    claims: list[ReaderClaim]  # the claims drawn in the part shown, in text order
    can_see_unpublished: bool
    rows: list[TextClaim] = field(default_factory=list)  # every visible claim, in text order
    outline: list[Block] = field(default_factory=list)  # every block of the text, no pieces
    parts: list[Part] = field(default_factory=list)
    part: Part | None = None

    def apply_filters(self, filters: ReaderFilters) -> tuple[int, int]:
        """Mark the claims matching the filters; returns how many match, of how many."""
        body = self.document.body
        for row in self.rows:
            row.matching = row.matches(filters, body)
        matching = {row.key for row in self.rows if row.matching}
        for claim in self.claims:
            claim.matching = claim.key in matching
        return len(matching), len(self.rows)

    def type_options(self) -> list[tuple[str, str, int]]:
        present = Counter(row.claim_type for row in self.rows)
        return [(v, label, present[v]) for v, label in ClaimType.choices if v in present]

    def verdict_options(self) -> list[tuple[str, str, int]]:
        present = Counter(row.verdict for row in self.rows)
        return [(v, label, present[v]) for v, label in VERDICT_ORDER if v in present]

    def topic_options(self) -> list[tuple[str, str, int]]:
        counts: Counter[str] = Counter()
        names: dict[str, str] = {}
        for row in self.rows:
            for topic in row.topics:
                counts[topic.slug] += 1
                names[topic.slug] = topic.name
        return sorted(
            ((slug, names[slug], count) for slug, count in counts.items()),
            key=lambda option: option[1].lower(),
        )

    @property
    def section_menu(self) -> list[Block]:
        """The sections with a heading (their ids are the menu's targets), in every part."""
        return [b for b in self.outline if b.section and (b.heading or b.added_heading)]

    @property
    def is_in_parts(self) -> bool:
        return len(self.parts) > 1

    @property
    def has_unpublished(self) -> bool:
        return any(not row.is_public for row in self.rows)

    @property
    def has_retracted(self) -> bool:
        return any(row.status == ClaimStatus.RETRACTED for row in self.rows)


def text_claims(document: Document, user) -> list[TextClaim]:
    """Every claim of the document the user may see, in text order, with its topics and
    the claim it is drawn inside (if any).

    Two queries whatever the number of claims: claims as values (whether each has
    counter-sources is a subquery), topics. Neither the evidence nor the quotes are read:
    a claim's details are fetched when it is selected (claim_panel).
    """
    claims = (
        Claim.objects.visible_to(user)
        .filter(document=document, anchored_version__isnull=True)
        .annotate(has_counter=has_counter_sources())
        .order_by("start", "-end", "key")
    )
    # Topics through the link table in one query: prefetch_related built a related
    # manager per claim and took most of the time of a 10,000-claim page.
    topics: dict[int, list[Topic]] = {}
    links = Claim.topics.through.objects.filter(claim__in=claims.values("pk")).order_by(
        "topic__name"
    )
    for claim_id, topic_id, slug, name in links.values_list(
        "claim_id", "topic_id", "topic__slug", "topic__name"
    ):
        topics.setdefault(claim_id, []).append(Topic(id=topic_id, slug=slug, name=name))
    rows = [
        TextClaim(
            pk=pk,
            key=key,
            start=start,
            end=end,
            claim_type=claim_type,
            status=status,
            verdict=verdict_key(verdict),
            has_counter=bool(has_counter),
            topics=topics.get(pk, []),
        )
        for pk, key, start, end, claim_type, status, verdict, has_counter in claims.values_list(
            "pk", "key", "start", "end", "claim_type", "status", "verdict", "has_counter"
        )
    ]
    hosts = overlap_hosts([(row.start, row.end, row.key) for row in rows])
    for row in rows:
        row.host_key = hosts.get(row.key, "")
    return rows


def reader_claims(document: Document, rows: list[tuple[int, TextClaim]]) -> list[ReaderClaim]:
    """(position, row) pairs as the claims the text draws, each with a Claim holding what a
    span shows.

    The Claim is built from the row, not read: its quote is the text at its offsets.
    """
    body = document.body
    return [
        ReaderClaim(
            claim=Claim(
                id=row.pk,
                document=document,  # no query if anything reads it
                key=row.key,
                quote=body[row.start : row.end],
                start=row.start,
                end=row.end,
                claim_type=row.claim_type,
                status=row.status,
                verdict="" if row.verdict == UNRATED else row.verdict,
            ),
            position=position,
            sources=[],
            counter_sources=[],
            topics=row.topics,
            counter_flag=row.has_counter,
        )
        for position, row in rows
    ]


def claims_for_reader(document: Document, user) -> list[ReaderClaim]:
    """Every claim of the document the user may see, as the text draws them (2 queries)."""
    return reader_claims(document, list(enumerate(text_claims(document, user), start=1)))


def claim_index(rows: list[TextClaim], *, with_parts: bool = False) -> list[list]:
    """What reader.js needs of every claim, in text order, to filter and step through them:
    [key, type, verdict, topic slugs, has counter-sources (0/1), host key, public (0/1)],
    and the number of the part holding it when the text comes in parts."""
    index = [
        [
            row.key,
            row.claim_type,
            row.verdict,
            row.topic_slugs,
            int(row.has_counter),
            row.host_key,
            int(row.is_public),
        ]
        for row in rows
    ]
    if with_parts:
        for entry, row in zip(index, rows, strict=True):
            entry.append(row.part)
    return index


def overlap_hosts(spans: list[tuple[int, int, str]]) -> dict[str, str]:
    """For each claim (start, end, key) sharing text with an earlier one, the key of the
    claim whose span is drawn and carries it (see resolve_overlaps)."""
    hosts: dict[str, str] = {}
    drawn_end, drawn_key = -1, ""
    for start, end, key in sorted(spans, key=lambda span: (span[0], -span[1], span[2])):
        if drawn_key and start < drawn_end:
            hosts[key] = drawn_key
        else:
            drawn_end, drawn_key = end, key
    return hosts


def resolve_overlaps(claims: list[ReaderClaim]) -> list[ReaderClaim]:
    """Decide which claims get their own span; returns those, in text order.

    Spans cannot cross in HTML, so when claims share text the earliest (longest when two
    start together, then lowest key) is drawn and any claim starting inside it is drawn
    within it: it keeps its #Cnnn anchor there and both list each other as overlapping.
    The result depends only on the claims' offsets and keys.
    """
    ordered = sorted(claims, key=lambda c: (c.claim.start, -c.claim.end, c.key))
    hosts = overlap_hosts([(c.claim.start, c.claim.end, c.key) for c in ordered])
    by_key = {claim.key: claim for claim in ordered}
    for claim in ordered:
        claim.inline, claim.host_key, claim.overlaps = True, "", []
    for claim in ordered:
        host_key = hosts.get(claim.key)
        if host_key:
            claim.inline, claim.host_key = False, host_key
            claim.overlaps.append(host_key)
            by_key[host_key].overlaps.append(claim.key)
    return [claim for claim in ordered if claim.inline]


def build_pieces(
    body: str, claims: list[ReaderClaim], start: int = 0, end: int | None = None
) -> list[Piece]:
    """Cut body[start:end] (the whole text by default) into plain runs and the spans of the
    claims in it; joined, the pieces are that text. No claim may cross start or end."""
    text_end = len(body) if end is None else end
    drawn = resolve_overlaps(claims)
    hosted: dict[str, list[str]] = {}
    for claim in claims:
        if not claim.inline:
            hosted.setdefault(claim.host_key, []).append(claim.key)
    pieces = []
    cursor = start
    for claim in drawn:
        claim_start, claim_end = claim.claim.start, min(claim.claim.end, text_end)
        if claim_start > cursor:
            pieces.append(Piece(cursor, claim_start, body[cursor:claim_start]))
        pieces.append(
            Piece(
                claim_start,
                claim_end,
                body[claim_start:claim_end],
                claim=claim,
                is_first=True,
                anchors=tuple(hosted.get(claim.key, ())),
            )
        )
        cursor = claim_end
    if cursor < text_end:
        pieces.append(Piece(cursor, text_end, body[cursor:text_end]))
    return pieces


def split_pieces(pieces: Iterable[Piece], cuts: Iterable[int]) -> list[Piece]:
    """Cut pieces at the given offsets; only the first part of a claim keeps its id and anchors."""
    cuts = sorted(set(cuts))
    result = []
    for piece in pieces:
        start = piece.start
        for cut in (c for c in cuts if piece.start < c < piece.end):
            result.append(_part(piece, start, cut))
            start = cut
        result.append(_part(piece, start, piece.end))
    return result


def _part(piece: Piece, start: int, end: int) -> Piece:
    first = piece.is_first and start == piece.start
    offset = start - piece.start
    return Piece(
        start,
        end,
        piece.text[offset : offset + end - start],
        claim=piece.claim,
        is_first=first,
        anchors=piece.anchors if first else (),
    )


def heading_line(body: str, section: Section) -> tuple[int, str]:
    """The end offset and text of the section's heading line, if its first line is its label."""
    line_end = body.find("\n", section.start, section.end)
    if line_end == -1:
        line_end = section.end
    line = body[section.start : line_end]
    if line.strip() and line.strip() == section.label:
        return line_end, line
    return section.start, ""


def outline_blocks(body: str, sections: list[Section], spans: list[tuple[int, int]]) -> list[Block]:
    """The text as consecutive blocks (each section, and any text outside them) with their
    headings, without pieces: cheap for the whole of a long text (the section menu).

    A section's first line is drawn as its heading when it is its label and no claim's
    span (start, end) crosses it; otherwise the heading is added beside the text.
    """
    blocks: list[Block] = []
    cursor = 0
    for section in sorted(sections, key=lambda s: s.start):
        if section.start < cursor or section.end > len(body):
            continue  # an inconsistent section is skipped rather than breaking the page
        if section.start > cursor:
            blocks.append(Block(cursor, section.start, None))
        blocks.append(Block(section.start, section.end, section))
        cursor = section.end
    if cursor < len(body) or not blocks:
        blocks.append(Block(cursor, len(body), None))

    spans = sorted(spans)
    starts = [start for start, _end in spans]
    reach = list(accumulate((end for _start, end in spans), max, initial=-1))
    for block in blocks:
        if block.section is None:
            continue
        line_end, line = heading_line(body, block.section)
        # A claim crosses the heading line if it starts before the line ends and ends
        # after the section starts: the furthest end among claims starting before line_end.
        crosses_claim = reach[bisect_left(starts, line_end)] > block.start
        if line and not crosses_claim:
            block.heading = line
        elif block.section.label == OPENING_LABEL:
            block.added_heading = block.section.title  # the untitled opening needs no heading
        else:
            block.added_heading = " — ".join(
                part for part in (block.section.label, block.section.title) if part
            )
    return blocks


def fill_blocks(
    body: str,
    outline: list[Block],
    claims: list[ReaderClaim],
    start: int = 0,
    end: int | None = None,
) -> list[Block]:
    """The blocks of body[start:end] (the whole text by default) with their pieces: the
    claims' spans cut at block starts and heading lines. A block the stretch starts inside
    continues one shown before it, without its heading."""
    end = len(body) if end is None else end
    blocks = []
    for whole in outline:
        starts_here = start <= whole.start < end
        continues_here = whole.start < start < whole.end
        at_the_very_end = whole.start == end == len(body)  # an empty section, or text
        if not (starts_here or continues_here or at_the_very_end):
            continue
        block = Block(max(whole.start, start), min(whole.end, end), whole.section)
        if whole.start >= start:
            block.heading, block.added_heading = whole.heading, whole.added_heading
        else:
            block.continued = True
        blocks.append(block)
    cuts = [block.start for block in blocks] + [b.start + len(b.heading) for b in blocks]
    pieces = split_pieces(build_pieces(body, claims, start, end), cuts)
    index = 0
    for block in blocks:
        text_start = block.start + len(block.heading)
        while index < len(pieces) and pieces[index].start < block.end:
            if pieces[index].start >= text_start:
                block.pieces.append(pieces[index])
            index += 1
    return blocks


def build_blocks(body: str, sections: list[Section], claims: list[ReaderClaim]) -> list[Block]:
    """The whole text as consecutive blocks (each section, and any text outside them) of pieces."""
    spans = [(claim.claim.start, claim.claim.end) for claim in claims]
    return fill_blocks(body, outline_blocks(body, sections, spans), claims)


def reader_document(
    document: Document, user, *, part: int = 1, claim_key: str = ""
) -> ReaderDocument:
    """Everything the reader page of one document shows, for this user: every claim's row,
    and the text of one part (`part`, or the part holding the claim `claim_key`).

    Three queries whatever the length of the text: claims, topics, sections. Only the
    part shown is cut into pieces; the rest of the text is never rendered.
    """
    rows = text_claims(document, user)
    sections = list(document.sections.all())
    body = document.body
    spans = [(row.start, row.end) for row in rows]
    parts = cut_parts(body, (section.start for section in sections), spans)
    for row in rows:
        row.part = part_holding(parts, row.start).number
    outline = outline_blocks(body, sections, spans)
    for block in outline:
        block.part = part_holding(parts, block.start).number
    by_key = {row.key: row for row in rows}
    if claim_key in by_key:
        part = by_key[claim_key].part
    shown = parts[min(max(part, 1), len(parts)) - 1]
    numbered = [(n, row) for n, row in enumerate(rows, start=1) if row.part == shown.number]
    claims = reader_claims(document, numbered)
    return ReaderDocument(
        document=document,
        blocks=fill_blocks(body, outline, claims, shown.start, shown.end),
        claims=claims,
        can_see_unpublished=can_see_unpublished(user),
        rows=rows,
        outline=outline,
        parts=parts,
        part=shown,
    )


# --- One claim ---------------------------------------------------------------------------------

CONTEXT_CHARACTERS = 400  # at most this much text either side of the claim, cut at sentences
SIMILAR_ON_CLAIM_PAGE = 5
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]*\s+|\n\s*\n")


@dataclass(frozen=True)
class ClaimContext:
    """The claim in its surrounding text: whole sentences before and after it."""

    before: str
    quote: str
    after: str
    starts_mid_text: bool  # text precedes `before` in the document (shown as …)
    ends_mid_text: bool


def claim_context(
    window: str, offset: int, start: int, end: int, size: int = CONTEXT_CHARACTERS
) -> ClaimContext:
    """A few sentences either side of the claim body[start:end], cut at sentence boundaries.

    `window` is the text from `offset` = max(0, start - size) to end + size, plus one more
    character when the document goes on (claim_for_page cuts it in the database, so a page
    never reads the whole text). Text outside the window counts as text: "…" is shown.
    """
    quote_start, quote_end = start - offset, end - offset
    before = window[:quote_start]
    if offset > 0:
        boundaries = list(_SENTENCE_END.finditer(before))
        if boundaries:
            before = before[boundaries[0].end() :]
    after = window[quote_end : quote_end + size]
    goes_on = len(window) > quote_end + size
    if goes_on:
        boundaries = list(_SENTENCE_END.finditer(after))
        if boundaries:
            after = after[: boundaries[-1].start()]
    return ClaimContext(
        before=before.lstrip(),
        quote=window[quote_start:quote_end],
        after=after.rstrip(),
        starts_mid_text=offset > 0 or bool(window[: quote_start - len(before)].strip()),
        ends_mid_text=goes_on or bool(window[quote_end + len(after) :].strip()),
    )


@dataclass
class ClaimPage:
    """Everything the page of one claim shows, for one reader."""

    claim: Claim
    reader_claim: ReaderClaim
    context: ClaimContext
    same_as: Claim | None
    restatements: list[Claim]
    similar: list[tuple[Claim, float]]
    similar_method: str
    can_see_unpublished: bool

    citation_formats = (("apa", "APA"), ("chicago", "Chicago"), ("bibtex", "BibTeX"))

    @property
    def verdict_meaning(self) -> str:
        return VERDICT_MEANINGS.get(self.claim.verdict, "A curator has not yet rated it.")

    @property
    def description(self) -> str:
        """The page's meta description: the verdict and the claim, in under 300 characters."""
        label = self.reader_claim.verdict_label
        text = self.claim.paraphrase or self.claim.quote
        return f"{label}: {' '.join(text.split())}"[:297].rstrip() + (
            "…" if len(text) > 280 else ""
        )

    @property
    def review_date(self):
        moment = self.claim.reviewed_at or self.claim.status_changed_at
        return moment.date() if moment else None

    @property
    def reviewer(self) -> str:
        person = self.claim.reviewed_by
        if person is None:
            return ""
        # A Person (datasets) has display_name; a user account its full name or username.
        name = getattr(person, "display_name", "") or ""
        if not name and hasattr(person, "get_full_name"):
            name = person.get_full_name() or person.get_username()
        return name or str(person)


def claim_for_page(document: Document, key: str, user) -> Claim | None:
    """The claim `key` of `document` if the user may see it, with what its page shows."""
    offset = Greatest(F("start") - CONTEXT_CHARACTERS, Value(0), output_field=IntegerField())
    return (
        Claim.objects.visible_to(user)
        .filter(document=document, key=key)
        .select_related("section", "reviewed_by")
        .with_evidence()
        .annotate(  # the text around the claim (claim_context), cut by the database
            context_offset=offset,
            context_window=Substr(
                "document__body", offset + 1, F("end") + CONTEXT_CHARACTERS + 1 - offset
            ),
        )
        .first()
    )


def reader_claim_with_evidence(document: Document, claim: Claim) -> ReaderClaim:
    """A claim from claim_for_page with its sources and counter-sources ready to show."""
    claim.document = document
    evidence = list(claim.evidence.all())
    return ReaderClaim(
        claim=claim,
        position=0,
        sources=[ReaderEvidence.of(item) for item in evidence if item.stance == Stance.SUPPORTS],
        counter_sources=[
            ReaderEvidence.of(item) for item in evidence if item.stance in COUNTER_STANCES
        ],
        topics=list(claim.topics.all()),
        corrections=list(claim.corrections.all()),
    )


def claim_panel(document: Document, claim: Claim, user) -> ReaderClaim:
    """The details the document page shows when a claim is selected (fetched on demand):
    the claim with its evidence and corrections, and the visible claims sharing text with
    it. Six queries."""
    reader_claim = reader_claim_with_evidence(document, claim)
    sharing = (
        Claim.objects.visible_to(user)
        .filter(document=document, start__lt=claim.end, end__gt=claim.start)
        .exclude(pk=claim.pk)
        .order_by("start", "key")
        .values_list("key", flat=True)
    )
    reader_claim.overlaps = list(sharing)
    return reader_claim


def missing_claim_message(document: Document, key: str) -> str:
    """Why a #key of this document shows no claim: none by that key, or not published yet.

    Says only whether the key exists, never anything of an unpublished claim's content.
    """
    if Claim.objects.filter(document=document, key=key).exists():
        return f"Claim {key} is not published yet."
    return f"There is no claim {key} in this document."


def claim_page(document: Document, claim: Claim, user) -> ClaimPage:
    """The claim page: the claim in context, its evidence, and the claims related to it.

    A fixed number of queries: the claim (with section and reviewer), topics, evidence with
    sources, the claim it restates, its restatements, similar claims (two on SQLite).
    """
    reader_claim = reader_claim_with_evidence(document, claim)
    visible = (
        Claim.objects.visible_to(user)
        .select_related("document")
        .defer(*Document.without_text("document"))
    )
    same_as = visible.filter(pk=claim.same_as_id).first() if claim.same_as_id is not None else None
    restatements = list(visible.filter(same_as=claim).order_by("document__title", "start"))
    linked = {row.pk for row in restatements} | {claim.same_as_id}
    found = similar_claims(claim, visible, limit=SIMILAR_ON_CLAIM_PAGE + len(linked))
    similar = [(row, score) for row, score in found.matches if row.pk not in linked]
    return ClaimPage(
        claim=claim,
        reader_claim=reader_claim,
        context=claim_context(claim.context_window, claim.context_offset, claim.start, claim.end),
        same_as=same_as,
        restatements=restatements,
        similar=similar[:SIMILAR_ON_CLAIM_PAGE],
        similar_method=found.method,
        can_see_unpublished=can_see_unpublished(user),
    )


# --- The claims table ----------------------------------------------------------------------------

TABLE_PAGE_SIZE = 50
TABLE_FACET_SIZE = 12
# Sortable columns: the value of `ordering` (prefix "-" to reverse) -> the rows' order.
# The API's ordering names where it has them (key, claim_type, verdict, status, start).
TABLE_ORDERINGS: dict[str, tuple[str, ...]] = {
    # Position: by document, then place in it (the API's list order; no join, so a page is
    # read down the index of public claims in this order instead of sorting them all).
    "start": ("document_id", "start", "id"),
    "key": ("key", "document__title", "id"),
    "document": ("document__title", "document_id", "start", "id"),
    "section": ("section__label", "document_id", "start", "id"),
    "claim_type": ("claim_type", "document_id", "start", "id"),
    "verdict": ("verdict", "document_id", "start", "id"),
    "status": ("status", "document_id", "start", "id"),
    "source_count": ("source_count", "document_id", "start", "id"),
    "counter_source_count": ("counter_source_count", "document_id", "start", "id"),
}
# Parameters that are not filters: they never travel to the downloads' query.
NOT_FILTERS = {"page", "page_size", "ordering", "facet_size", "format"}
# The facets of the sidebar, in the order shown (the API's names; status for curators only).
TABLE_FACETS = [
    ("verdict", "Verdict"),
    ("claim_type", "Type"),
    ("topic", "Topic"),
    ("section", "Section"),
    ("has_counter_sources", "Counter-sources"),
    ("attributed_to", "Attributed to"),
    ("status", "Status"),
]


def query_string(params: Mapping[str, list[str]], **changes: str | None) -> str:
    """The query with `changes` applied (None removes a parameter), as "?a=1&b=2" or ""."""
    merged = {name: list(values) for name, values in params.items() if values}
    for name, value in changes.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = [value]
    pairs = [(name, value) for name, values in merged.items() for value in values]
    return "?" + urlencode(pairs) if pairs else ""


@dataclass(frozen=True)
class FacetValue:
    label: str
    count: int
    link: str  # the table's query with this value chosen (or, if chosen, without it)
    selected: bool


@dataclass(frozen=True)
class Facet:
    name: str
    title: str
    values: list[FacetValue]
    truncated: bool


@dataclass(frozen=True)
class SortLink:
    name: str
    link: str
    direction: str  # "ascending", "descending" or "" (not sorted by this column)


@dataclass
class ClaimRow(ShowsVerdict):
    claim: Claim
    snippet: str  # safe HTML (escaped, hits in <mark>) when searching, else ""


@dataclass
class ClaimTable:
    """One view of the claims table: its rows, page, facets, sort links and downloads."""

    rows: list[ClaimRow]
    page: object  # django.core.paginator.Page
    total: int
    facets: list[Facet]
    sort_links: dict[str, SortLink]
    errors: dict[str, list[str]]
    query: str  # the filters as a query string (no page or ordering), for the downloads
    search: str
    ordering: str
    ranked: bool  # rows come best match first (PostgreSQL search, no explicit ordering)
    params: dict[str, list[str]]

    def page_link(self, number: int) -> str:
        return query_string(self.params, page=str(number))

    @property
    def previous_link(self) -> str:
        return self.page_link(self.page.number - 1)

    @property
    def next_link(self) -> str:
        return self.page_link(self.page.number + 1)

    @property
    def first_link(self) -> str:
        return self.page_link(1)

    @property
    def last_link(self) -> str:
        return self.page_link(self.page.paginator.num_pages)

    @property
    def hidden_params(self) -> list[tuple[str, str]]:
        """What the search box keeps of the view when it searches again (not q, not page)."""
        skip = {"q", "page"}
        return [(n, v) for n, values in self.params.items() if n not in skip for v in values]

    @property
    def has_filters(self) -> bool:
        return any(name not in NOT_FILTERS for name in self.params)


def table_claims(user, document: Document | None = None) -> QuerySet[Claim]:
    """The claims the user may see (of one document), with what a table row shows."""
    evidence = Evidence.objects.filter(claim=OuterRef("pk"))
    claims = (
        Claim.objects.visible_to(user)
        .select_related("document", "section")
        .defer(*Document.without_text("document"), "review_note")
        .annotate(
            source_count=count_of(evidence.filter(stance=Stance.SUPPORTS), per="claim"),
            counter_source_count=count_of(evidence.filter(stance__in=COUNTER_STANCES), per="claim"),
        )
    )
    return claims.filter(document=document) if document is not None else claims


def claim_table(query, user, document: Document | None = None) -> ClaimTable:
    """The claims table for a request's query (QueryDict), read through the API's FilterSet.

    A fixed number of queries whatever the page size: the rows, their total, and the facets
    (one each, claims.research.facets).
    """
    params = {name: query.getlist(name) for name in query}
    data = query.copy()
    if document is not None:
        # The document's table is the list filtered by ?document=; its address says which.
        params.pop("document", None)
        data.setlist("document", [document.slug])
    filterset = ClaimFilterSet(data, queryset=table_claims(user, document))
    errors = {}
    if filterset.is_valid():
        claims = filterset.qs
    else:
        errors = {name: [str(e) for e in problems] for name, problems in filterset.errors.items()}
        claims = table_claims(user, document).none()

    ordering = (params.get("ordering") or [""])[0]
    descending = ordering.startswith("-")
    column = ordering.lstrip("-")
    ranked = False
    if column in TABLE_ORDERINGS:
        fields = TABLE_ORDERINGS[column]
        claims = claims.order_by(
            *[("-" + f if descending and f == fields[0] else f) for f in fields]
        )
    else:
        ordering = ""
        if "search_rank" in claims.query.annotations:
            claims = claims.order_by("-search_rank", *TABLE_ORDERINGS["start"])
            ranked = True
        else:
            claims = claims.order_by(*TABLE_ORDERINGS["start"])

    claims.ids_queryset = claims  # deep pages: ids first, then rows (core.pagination)
    paginator = CachedCountPaginator(claims, TABLE_PAGE_SIZE)
    page = paginator.get_page((params.get("page") or ["1"])[0])
    search = (params.get("q") or [""])[0]
    rows = [
        ClaimRow(
            claim=claim,
            snippet=search_snippet(
                claim, [claim.quote, claim.paraphrase, claim.attributed_to, claim.verdict_summary]
            )
            or "",
        )
        for claim in page.object_list
    ]
    for row in rows:
        if document is not None:
            row.claim.document = document

    filters = {name: values for name, values in params.items() if name not in NOT_FILTERS}
    if document is not None:
        filters = {"document": [document.slug], **filters}
    facets = []
    if not errors:
        counted = claim_facets(claims, size=TABLE_FACET_SIZE)
        for name, title in TABLE_FACETS:
            if name == "status" and not can_see_unpublished(user):
                continue
            if name == "section" and document is None:
                continue  # labels (I, II) mean nothing across documents
            facets.append(_facet(name, title, counted["facets"][name], params))
    sort_links = {}
    for name in TABLE_ORDERINGS:
        direction = ""
        if column == name and ordering:
            direction = "descending" if descending else "ascending"
        target = f"-{name}" if direction == "ascending" else name
        sort_links[name] = SortLink(
            name, query_string(params, ordering=target, page=None), direction
        )
    return ClaimTable(
        rows=rows,
        page=page,
        total=paginator.count,
        facets=facets,
        sort_links=sort_links,
        errors=errors,
        query=query_string(filters),
        search=search,
        ordering=ordering,
        ranked=ranked,
        params=params,
    )


def _facet(name: str, title: str, counted: dict, params: dict[str, list[str]]) -> Facet:
    chosen = params.get(name, [])
    values = []
    for item in counted["values"]:
        value = item["value"]
        if value is None or value == "":  # no topic, section, attribution or verdict:
            # no filter value selects these, so they are counted but not links
            values.append(FacetValue(item["label"] or "(none)", item["count"], "", False))
            continue
        text = str(value).lower() if isinstance(value, bool) else str(value)
        selected = text in chosen
        link = query_string(params, **{name: None if selected else text, "page": None}) or "?"
        values.append(FacetValue(str(item["label"]), item["count"], link, selected))
    return Facet(name, title, values, counted["truncated"])
