"""Writes that touch several rows: anchoring a claim, creating it with its evidence, same-as links.

Every service validates through the model (full_clean) inside one transaction, so
a failure leaves nothing half-written. The API and the admin both call these.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from sources.models import Source

from . import editing
from .anchoring import AnchoringError, find_quote
from .models import Claim, ClaimNote, Document, Evidence, Section, Topic
from .workflow import person_of


def section_at(document: Document, start: int, end: int) -> Section | None:
    """The section that contains the span start–end, if any."""
    return document.sections.filter(start__lte=start, end__gte=end).first()


def anchor_claim(claim: Claim, *, occurrence: int | None = None) -> None:
    """Place a claim's quote in its document's text: offsets and, when unset, section.

    Offsets that already hold the quote are kept (unless `occurrence`, 1-based, asks for
    a particular one); missing offsets, or offsets where the text reads otherwise, are
    found from the quote. The quote may differ from the text in quote marks, dashes and
    white space (anchoring.fold); the document's exact words are then stored as the quote.
    An absent or ambiguous quote is a ValidationError on `quote`; when absent, the error's
    `candidates` are the closest passages (dicts, as the API shows them).
    """
    body = claim.document.body
    holds_quote = (
        claim.start is not None
        and claim.end is not None
        and body[claim.start : claim.end] == claim.quote
    )
    if occurrence is not None or not holds_quote:
        try:
            anchor = find_quote(body, claim.quote, occurrence=occurrence)
        except AnchoringError as error:
            refusal = ValidationError({"quote": str(error)})
            refusal.candidates = [passage.as_dict() for passage in error.candidates]
            raise refusal from error
        claim.start, claim.end = anchor.start, anchor.end
        claim.quote = body[anchor.start : anchor.end]
    if claim.section_id is None:
        claim.section = section_at(claim.document, claim.start, claim.end)


def claim_create(
    *,
    document: Document,
    key: str,
    quote: str,
    claim_type: str,
    occurrence: int | None = None,
    start: int | None = None,
    end: int | None = None,
    topics: Iterable[Topic] = (),
    evidence: Iterable[dict] = (),
    user=None,
    **fields,
) -> Claim:
    """Create a claim, anchored by its quote unless offsets are given, with its evidence rows.

    `evidence` items are dicts of Evidence fields with `source` a Source.
    """
    with transaction.atomic():
        claim = Claim(document=document, key=key, quote=quote, claim_type=claim_type, **fields)
        if user is not None:
            claim._history_user = user  # who to name in the history outside a request
        claim.start, claim.end = start, end
        if start is None or end is None:
            anchor_claim(claim, occurrence=occurrence)
        elif claim.section_id is None:
            # Offsets given are checked by full_clean(), not corrected: only the section is filled.
            claim.section = section_at(document, start, end)
        claim.full_clean()
        claim.save()
        claim.topics.set(topics)
        for index, item in enumerate(evidence):
            evidence_create(claim=claim, position=index, **item)
    return claim


def evidence_create(
    *, claim: Claim, source: Source, position: int | None = None, **fields
) -> Evidence:
    """Link a claim to a source; errors name the evidence item when it came in a list."""
    row = Evidence(claim=claim, source=source, **fields)
    try:
        row.full_clean()
    except ValidationError as error:
        if position is None:
            raise
        raise ValidationError(
            {
                f"evidence[{position}].{field}": messages
                for field, messages in error.message_dict.items()
            }
        ) from error
    row.save()
    return row


def claim_set_same_as(
    *, claim: Claim, same_as: Claim | None, user=None, reason: str = "", kind: str = ""
) -> Claim:
    """Record that `claim` states the same thing as `same_as` (or, with None, undo it).

    Links stay one step deep, so a statement repeated across documents is tracked under
    one claim: the link goes to `same_as`'s own claim when `same_as` is itself a
    restatement, and the claims that restated `claim` move to that claim too. A claim on
    the public record changes its link only through a reviewer (claims.editing), who
    gives the `reason` recorded as its correction.
    """
    moved = [claim.pk, *claim.restatements.values_list("pk", flat=True)]
    with editing.substance_edit(moved, user=user, reason=reason, kind=kind):
        claim = Claim.objects.select_for_update().get(pk=claim.pk)
        if same_as is None:
            claim.same_as = None
        else:
            target = same_as.same_as if same_as.same_as_id else same_as
            if target.pk == claim.pk:
                raise ValidationError(
                    {"same_as": f"Claim {same_as.pk} is already recorded as the same as this one."}
                )
            for restatement in claim.restatements.all():
                restatement.same_as = target
                restatement.full_clean()
                restatement.save()
            claim.same_as = target
        claim.full_clean()
        claim.save()
    return claim


def claim_note_add(*, claim: Claim, user, text: str) -> ClaimNote:
    """Add a message to a claim's notes thread by `user` (its author is their Person),
    recorded in history under the user."""
    note = ClaimNote(claim=claim, author=person_of(user), text=text.strip())
    note.full_clean()
    note._history_user = user
    note.save()
    return note
