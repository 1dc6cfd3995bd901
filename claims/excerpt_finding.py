"""Finding an evidence excerpt in the stored copies of its source, by the machine.

An excerpt is found when its words occur in a snapshot's text after both are normalised
the same way, case kept: white space of any kind (line breaks, non-breaking spaces) made
one space, curly and straight quotation marks made one, every dash and hyphen made "-",
soft hyphens dropped. An ellipsis (… or ...) or a bracketed insertion ([the US]) in the
excerpt marks words the curator left out or added: the parts between them must each occur,
in order. Nothing else is forgiven: a changed word is not found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from sources.models import Snapshot
from sources.snapshots import stored_file_problem

from .choices import Finding
from .models import Evidence

SINGLE_QUOTES = dict.fromkeys(map(ord, "‘’‚‛′`"), "'")
DOUBLE_QUOTES = dict.fromkeys(map(ord, "“”„‟″«»"), '"')
DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−"), "-")
SOFT_HYPHEN = {0xAD: None}
TRANSLATION = {**SINGLE_QUOTES, **DOUBLE_QUOTES, **DASHES, **SOFT_HYPHEN}
WHITE_SPACE = re.compile(r"\s+")
# Where the curator left words out or put their own in.
GAPS = re.compile(r"\s*(?:…|\.\s?\.\s?\.|\[[^\]]*\])\s*")


def normalise(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the offset it came from."""
    out: list[str] = []
    origin: list[int] = []
    previous_space = False
    for offset, char in enumerate(text):
        mapped = char.translate(TRANSLATION)
        if not mapped:
            continue
        if mapped.isspace():
            if previous_space or not out:
                continue
            mapped, previous_space = " ", True
        else:
            previous_space = False
        out.append(mapped)
        origin.append(offset)
    return "".join(out).rstrip(), origin


def parts_of(excerpt: str) -> list[str]:
    """The runs of the source's own words in an excerpt, normalised."""
    parts = (normalise(part)[0] for part in GAPS.split(excerpt))
    return [part for part in parts if part.strip()]


def find(excerpt: str, text: str) -> int | None:
    """The offset in `text` where the excerpt's words begin, or None."""
    return find_in(excerpt, *normalise(text))


def find_in(excerpt: str, haystack: str, origin: list[int]) -> int | None:
    """`find` in a text already normalised (`normalise(text)`), so that a copy searched
    for many excerpts is normalised once."""
    parts = parts_of(excerpt)
    if not parts:
        return None
    position = haystack.find(parts[0])
    while position != -1:
        if _rest_follows(haystack, parts[1:], position + len(parts[0])):
            return origin[position]
        position = haystack.find(parts[0], position + 1)
    return None


def _rest_follows(haystack: str, parts: list[str], cursor: int) -> bool:
    for part in parts:
        cursor = haystack.find(part, cursor)
        if cursor == -1:
            return False
        cursor += len(part)
    return True


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def count(self, finding: str) -> None:
        self.counts[finding] = self.counts.get(finding, 0) + 1


def verify_excerpts(*, source_key: str | None = None) -> Report:
    """Look for every excerpt in its source's intact snapshots; record the finding."""
    report = Report()
    snapshots = Snapshot.objects.select_related("source").order_by("-retrieved_on", "id")
    evidence = Evidence.objects.exclude(excerpt="").select_related("source")
    if source_key:
        snapshots = snapshots.filter(source__key=source_key)
        evidence = evidence.filter(source__key=source_key)
    intact: dict[int, list[Snapshot]] = {}
    for snapshot in snapshots:
        problem = stored_file_problem(snapshot)
        if problem:
            report.problems.append(f"{snapshot.source.key}: {problem}")
            continue
        intact.setdefault(snapshot.source_id, []).append(snapshot)
    now = timezone.now()
    changed = []
    normalised: dict[int, tuple[str, list[int]]] = {}  # snapshot id -> its text, normalised
    for row in evidence:
        row.found, row.found_in, row.found_at = Finding.NO_SNAPSHOT, None, None
        copies = intact.get(row.source_id, [])
        if copies:
            row.found = Finding.NOT_FOUND
        for snapshot in copies:
            if snapshot.pk not in normalised:
                normalised[snapshot.pk] = normalise(snapshot.text)
            offset = find_in(row.excerpt, *normalised[snapshot.pk])
            if offset is not None:
                row.found, row.found_in, row.found_at = Finding.FOUND, snapshot, offset
                break
        row.checked_at = now
        report.count(row.found)
        changed.append(row)
    with transaction.atomic():
        Evidence.objects.bulk_update(
            changed, ["found", "found_in", "found_at", "checked_at"], batch_size=500
        )
    return report
