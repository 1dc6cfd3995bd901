"""CSV export of a claim query: one row per claim with its sources and counter-sources.

Cells are guarded against spreadsheet formula injection (OWASP's advice): a text
cell that begins with =, +, -, @, a tab or a carriage return gets a leading
apostrophe, so a spreadsheet shows it as text instead of running it. Rows are
written as they are read (streamed), in chunks, with a fixed number of queries per
chunk, from values() rows: no model instance is built.
"""

import csv
from collections import defaultdict
from collections.abc import Iterator

from ..choices import COUNTER_STANCES, Stance
from ..datasets.exporting import chunks
from ..models import Evidence
from ..querysets import topic_slugs_by_claim
from .claimreview import Absolute, ClaimPageUrls

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


# What a row reads of a claim (values(): no model instance is built for an export).
CLAIM_VALUES = (
    "id", "document__slug", "key", "section__label", "claim_type", "status", "verdict",
    "quote", "paraphrase", "attributed_to", "checkable", "verdict_summary", "same_as_visible",
    "start", "end",
)  # fmt: skip
EVIDENCE_VALUES = ("claim_id", "stance", "source__key", "source__title", "excerpt", "summary")


def claim_row(claim: dict, topics: list[str], evidence: list[dict], urls: ClaimPageUrls) -> list:
    """One claim (a row of CLAIM_VALUES, its same-as link already hidden from a user who
    may not see that claim) as CSV cells; `url` is its reader page (`urls`)."""
    supporting = [row for row in evidence if row["stance"] == Stance.SUPPORTS]
    counter = [row for row in evidence if row["stance"] in COUNTER_STANCES]
    values = {
        **{name: claim[name] for name in COLUMNS if name in claim},
        "document": claim["document__slug"],
        "section": claim["section__label"] or "",
        "topics": "; ".join(topics),
        "source_count": len(supporting),
        "sources": "\n".join(f"{row['source__key']}: {row['source__title']}" for row in supporting),
        "counter_source_count": len(counter),
        "counter_sources": "\n".join(
            f"{row['source__key']} ({row['stance']}): {row['source__title']}{what_it_says(row)}"
            for row in counter
        ),
        "same_as": claim["same_as_visible"],
        "url": urls(claim["document__slug"], claim["key"], claim["id"]),
    }
    return [safe_cell(values[name]) for name in COLUMNS]


def what_it_says(evidence) -> str:
    """The source's words in quotation marks, the curator's summary said to be one."""
    parts = []
    if evidence["excerpt"]:
        parts.append(f"“{evidence['excerpt']}”")
    if evidence["summary"]:
        parts.append(f"summary: {evidence['summary']}")
    return "".join(f" — {part}" for part in parts)


class _Line:
    """A file-like target for csv.writer that hands each written line back."""

    def write(self, text: str) -> str:
        return text


def csv_lines(queryset, *, user=None, absolute: Absolute | None = None) -> Iterator[str]:
    """The CSV text, line by line: the header, then one line per claim, read in chunks of
    CHUNK_SIZE claims with their topics and evidence (three queries a chunk)."""
    writer, urls = csv.writer(_Line()), ClaimPageUrls(absolute)
    yield writer.writerow(COLUMNS)
    rows = queryset.with_visible_same_as(user).prefetch_related(None).values(*CLAIM_VALUES)
    for chunk in chunks(rows.iterator(chunk_size=CHUNK_SIZE), CHUNK_SIZE):
        ids = [claim["id"] for claim in chunk]
        topics, evidence = topic_slugs_by_claim(ids), defaultdict(list)
        for row in (
            Evidence.objects.filter(claim_id__in=ids)
            .order_by("stance", "source__key")
            .values(*EVIDENCE_VALUES)
        ):
            evidence[row["claim_id"]].append(row)
        for claim in chunk:
            cells = claim_row(claim, topics[claim["id"]], evidence[claim["id"]], urls)
            yield writer.writerow(cells)


def claims_csv(queryset, *, user=None, absolute: Absolute | None = None) -> Iterator[str]:
    """Stream a claim queryset (filtered, visible to `user`) as CSV."""
    return csv_lines(queryset, user=user, absolute=absolute)
