"""Placing a document's claims in a revised text of it (a correction, another release).

Each claim is looked for in the new text the way the W3C TextQuoteSelector is meant to be
re-anchored (and as Hypothesis does for annotations):

1. its exact words with the text just before and after them (prefix, suffix) as they were;
   failing that, with one of the two;
2. its exact words alone, if they occur once in the new text;
3. the closest passage (rapidfuzz's partial alignment), widened to whole words, if it
   scores at least APPROXIMATE_MIN_SCORE out of 100.

Outcomes: **unchanged** (same words, same place), **moved** (same words, new place),
**changed** (other words: the new words are taken, the claim goes back to review with a
note of old and new words), **lost** (nothing close enough: the claim stays anchored in the
old version's text and is flagged). `plan()` decides and writes nothing; `apply()` writes
the plan in one transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction
from rapidfuzz import fuzz

from .choices import ClaimStatus
from .documents import detect_sections
from .models import Claim, ClaimNote, Document, DocumentVersion, Section
from .services import section_at

CONTEXT = 32
APPROXIMATE_MIN_SCORE = 80.0
UNCHANGED, MOVED, CHANGED, LOST = "unchanged", "moved", "changed", "lost"


@dataclass
class Placement:
    claim: Claim
    outcome: str
    start: int | None = None
    end: int | None = None
    quote: str = ""
    method: str = ""
    score: float = 100.0

    def line(self) -> str:
        old = f"{self.claim.start}-{self.claim.end}"
        if self.outcome == UNCHANGED:
            return f"{self.claim.key}: unchanged ({old})"
        if self.outcome == MOVED:
            return f"{self.claim.key}: moved {old} -> {self.start}-{self.end} ({self.method})"
        if self.outcome == CHANGED:
            return (
                f"{self.claim.key}: changed at {self.start}-{self.end} (score {self.score:.0f}): "
                f"{self.claim.quote!r} -> {self.quote!r}"
            )
        return f"{self.claim.key}: lost (best score {self.score:.0f}): {self.claim.quote!r}"


def plan(document: Document, new_body: str) -> list[Placement]:
    """Where each claim of `document` stands in `new_body`. Writes nothing."""
    claims = Claim.objects.filter(document=document, anchored_version__isnull=True).order_by(
        "start", "key"
    )
    return [place(claim, document.body, new_body) for claim in claims]


def place(claim: Claim, old_body: str, new_body: str) -> Placement:
    quote = claim.quote
    prefix = old_body[max(0, claim.start - CONTEXT) : claim.start]
    suffix = old_body[claim.end : claim.end + CONTEXT]
    for method, before, after in (
        ("quote with its context", prefix, suffix),
        ("quote with the text before it", prefix, ""),
        ("quote with the text after it", "", suffix),
    ):
        if not (before or after):
            continue
        found = new_body.find(before + quote + after)
        if found != -1:
            return _exact(claim, found + len(before), method)
    if new_body.count(quote) == 1:
        return _exact(claim, new_body.find(quote), "the quote alone, unique")
    return _approximate(claim, new_body)


def _exact(claim: Claim, start: int, method: str) -> Placement:
    end = start + len(claim.quote)
    outcome = UNCHANGED if (start, end) == (claim.start, claim.end) else MOVED
    return Placement(claim, outcome, start, end, claim.quote, method)


def _approximate(claim: Claim, new_body: str) -> Placement:
    alignment = fuzz.partial_ratio_alignment(claim.quote, new_body)
    if alignment is None or alignment.score < APPROXIMATE_MIN_SCORE:
        return Placement(claim, LOST, score=alignment.score if alignment else 0.0)
    start, end = _whole_words(new_body, alignment.dest_start, alignment.dest_end)
    words = new_body[start:end]
    outcome = MOVED if words == claim.quote else CHANGED
    return Placement(claim, outcome, start, end, words, "closest passage", alignment.score)


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) to word boundaries and trim white space at either end."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def report(placements: list[Placement]) -> str:
    counts = dict.fromkeys((UNCHANGED, MOVED, CHANGED, LOST), 0)
    for placement in placements:
        counts[placement.outcome] += 1
    lines = [placement.line() for placement in placements if placement.outcome != UNCHANGED]
    summary = ", ".join(f"{count} {kind}" for kind, count in counts.items())
    return "\n".join([*lines, f"{len(placements)} claims: {summary}."])


def apply(
    *, document: Document, new_body: str, placements: list[Placement], user, person,
    published_on=None, url: str = "", publisher: str = "", note: str = "",
) -> DocumentVersion:  # fmt: skip
    """Keep the current text as a version, take the new one, and re-anchor every claim."""
    from .workflow import claim_transition

    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        old_version = _keep_current_text(document)
        for placement in placements:
            if placement.outcome in (UNCHANGED,):
                continue
            claim = placement.claim
            claim._change_reason = (
                f"Re-anchored in revision {old_version.number + 1}: {placement.outcome}"
            )
            if placement.outcome == LOST:
                Claim.objects.filter(pk=claim.pk).update(anchored_version=old_version, section=None)
                continue
            if placement.outcome == CHANGED:
                if claim.status in (ClaimStatus.PUBLISHED, ClaimStatus.RETRACTED):
                    claim = claim_transition(claim=claim, target=ClaimStatus.IN_REVIEW, user=user)
                ClaimNote.objects.create(
                    claim=claim,
                    author=person,
                    text=(
                        f"The document's text was revised: this claim's words changed from "
                        f"“{claim.quote}” to “{placement.quote}”. Check the claim, its "
                        "paraphrase, evidence and verdict against the new words."
                    ),
                )
        document.body = new_body
        document.published_on = published_on or document.published_on
        document.url = url or document.url
        document.publisher = publisher or document.publisher
        document.save()
        _replace_sections(document)
        for placement in placements:
            if placement.outcome in (MOVED, CHANGED):
                claim = Claim.objects.get(pk=placement.claim.pk)
                claim.start, claim.end, claim.quote = (
                    placement.start,
                    placement.end,
                    placement.quote,
                )
                claim.section = section_at(document, placement.start, placement.end)
                claim._change_reason = f"Re-anchored in the revised text: {placement.outcome}"
                claim.save()
        return DocumentVersion.objects.create(
            document=document,
            number=old_version.number + 1,
            body=new_body,
            body_sha256=hashlib.sha256(new_body.encode("utf-8")).hexdigest(),
            published_on=published_on,
            url=url,
            publisher=publisher,
            note=note,
        )


def _keep_current_text(document: Document) -> DocumentVersion:
    """The current text as a version (number 1 if the document had none yet), with where
    each claim was anchored in it."""
    latest = document.versions.order_by("-number").first()
    anchors = {
        key: [start, end]
        for key, start, end in document.claims.filter(anchored_version__isnull=True).values_list(
            "key", "start", "end"
        )
    }
    if latest and latest.body_sha256 == document.body_sha256:
        latest.anchors = anchors
        latest.save(update_fields=["anchors"])
        return latest
    return DocumentVersion.objects.create(
        document=document,
        number=(latest.number + 1) if latest else 1,
        body=document.body,
        body_sha256=document.body_sha256,
        published_on=document.published_on,
        url=document.url,
        publisher=document.publisher,
        note="The text before a revision.",
        anchors=anchors,
    )


def _replace_sections(document: Document) -> None:
    """The sections found in the new text, matched to the old ones by label."""
    spans = detect_sections(document.body)
    labels = [span["label"] for span in spans]
    stale = document.sections.exclude(label__in=labels)
    document.claims.filter(section__in=stale).update(section=None)
    stale.delete()
    for span in spans:
        Section.objects.update_or_create(
            document=document,
            label=span["label"],
            defaults={name: span[name] for name in ("order", "start", "end")},
        )
