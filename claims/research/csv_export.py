"""CSV export of a claim query: one row per claim with its sources and counter-sources.

Cells are guarded against spreadsheet formula injection (OWASP's advice): a text
cell that begins with =, +, -, @, a tab or a carriage return gets a leading
apostrophe, so a spreadsheet shows it as text instead of running it. Rows are
written as they are read (streamed), in chunks, with a fixed number of queries per
chunk.
"""

import csv
from collections.abc import Iterable, Iterator

from core.visibility import can_see

from ..choices import COUNTER_STANCES, Stance
from ..models import Claim
from .claimreview import Absolute, review_url

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_SIZE = 500
COLUMNS = [
    "id", "document", "key", "section", "claim_type", "status", "verdict", "quote",
    "paraphrase", "attributed_to", "topics", "checkable", "verdict_summary", "source_count",
    "sources", "counter_source_count", "counter_sources", "same_as", "start", "end",
    "url",
]  # fmt: skip


def safe_cell(value) -> str | int | bool:
    """A value ready for a spreadsheet: text that would start a formula is made plain text."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def claim_row(claim: Claim, *, user=None, absolute: Absolute | None = None) -> list:
    """One claim as CSV cells, for `user` (a same-as link to a claim they may not see is
    left out, as the API leaves it out); `url` is its reader page, made absolute by
    `absolute` (a request's build_absolute_uri) when given."""
    evidence = list(claim.evidence.all())
    supporting = [row for row in evidence if row.stance == Stance.SUPPORTS]
    counter = [row for row in evidence if row.stance in COUNTER_STANCES]
    values = {
        "id": claim.pk,
        "document": claim.document.slug,
        "key": claim.key,
        "section": claim.section.label if claim.section_id else "",
        "claim_type": claim.claim_type,
        "status": claim.status,
        "verdict": claim.verdict,
        "quote": claim.quote,
        "paraphrase": claim.paraphrase,
        "attributed_to": claim.attributed_to,
        "topics": "; ".join(topic.slug for topic in claim.topics.all()),
        "checkable": claim.checkable,
        "verdict_summary": claim.verdict_summary,
        "source_count": len(supporting),
        "sources": "\n".join(f"{row.source.key}: {row.source.title}" for row in supporting),
        "counter_source_count": len(counter),
        "counter_sources": "\n".join(
            f"{row.source.key} ({row.stance}): {row.source.title}{what_it_says(row)}"
            for row in counter
        ),
        "same_as": claim.same_as_id if claim.same_as_id and can_see(user, claim.same_as) else None,
        "start": claim.start,
        "end": claim.end,
        "url": review_url(claim, absolute or (lambda path: path)),
    }
    return [safe_cell(values[name]) for name in COLUMNS]


def what_it_says(evidence) -> str:
    """The source's words in quotation marks, the curator's summary said to be one."""
    parts = []
    if evidence.excerpt:
        parts.append(f"“{evidence.excerpt}”")
    if evidence.summary:
        parts.append(f"summary: {evidence.summary}")
    return "".join(f" — {part}" for part in parts)


class _Line:
    """A file-like target for csv.writer that hands each written line back."""

    def write(self, text: str) -> str:
        return text


def csv_lines(
    claims: Iterable[Claim], *, user=None, absolute: Absolute | None = None
) -> Iterator[str]:
    """The CSV text, line by line: the header, then one line per claim."""
    writer = csv.writer(_Line())
    yield writer.writerow(COLUMNS)
    for claim in claims:
        yield writer.writerow(claim_row(claim, user=user, absolute=absolute))


def claims_csv(queryset, *, user=None, absolute: Absolute | None = None) -> Iterator[str]:
    """Stream a claim queryset (with_related(), filtered, visible to `user`) as CSV."""
    return csv_lines(queryset.iterator(chunk_size=CHUNK_SIZE), user=user, absolute=absolute)
