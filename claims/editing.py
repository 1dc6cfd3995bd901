"""Published means reviewed: who may change what readers see of a claim, in one place.

A published or retracted claim is on the public record. Its substance (the fields
below and its evidence rows) changes only through a reviewer (the publish permission),
and every such change is recorded as a public correction. Everyone else proposes a
correction instead: a note on the claim, or asking a reviewer to send it back to review.

The API, the admin and the services make their writes inside `substance_edit` (or a
`SubstanceEdit` begun and finished around a multi-step save, as the admin's): it takes
the claims' substance before, compares it after, refuses the change for a user who may
not make it and, for a reviewer, records it (the reason is required) and re-stamps the
review when the verdict changed. Comparing before and after, instead of trusting each
caller to list what it touched, catches every path that goes through it alike.
"""

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from .choices import ClaimStatus, CorrectionKind
from .models import Claim, Correction, Document, Evidence, Section, Topic
from .workflow import person_of, publication_problems

# Statuses in which a claim is on the public record (core.visibility shows these too).
ON_RECORD = (ClaimStatus.PUBLISHED, ClaimStatus.RETRACTED)

# Holders of this permission (reviewers) correct published claims; see claims/roles.py.
CORRECTION_PERMISSION = "claims.publish_claim"
VERDICT_PERMISSION = "claims.set_verdict_claim"

# What a reader sees of a claim and a reviewer approved. Topics (a classification) and the
# internal review note stay editable by curators.
CLAIM_SUBSTANCE_FIELDS = (
    "document", "section", "key", "quote", "start", "end", "paraphrase", "claim_type",
    "checkable", "attributed_to", "verdict", "verdict_summary", "same_as",
)  # fmt: skip
VERDICT_FIELDS = ("verdict", "verdict_summary")
# Every field of an evidence row is substance but its links, timestamps and the curator's
# note (a comment for the desk, not what the source says).
EVIDENCE_IGNORED_FIELDS = ("id", "claim", "created_at", "updated_at", "note")


def is_on_record(claim: Claim) -> bool:
    return claim.status in ON_RECORD


def may_change_substance(user, claim: Claim) -> bool:
    """Whether this user may change what readers see of this claim."""
    return not is_on_record(claim) or bool(user and user.has_perm(CORRECTION_PERMISSION))


def refusal_message(claim: Claim) -> str:
    return (
        f"Claim {claim.key} is {claim.status}: its quote, paraphrase, type, verdict, evidence "
        "and same-as link change only through a reviewer, and every change is published as "
        "a correction. Propose the correction in a note on the claim, or ask a reviewer to "
        "send it back to review."
    )


def check_may_change(user, claim: Claim) -> None:
    if not may_change_substance(user, claim):
        raise PermissionDenied(refusal_message(claim))


def evidence_substance(row: Evidence) -> dict:
    values = {"source": row.source.key}
    for field in Evidence._meta.concrete_fields:
        if field.name not in EVIDENCE_IGNORED_FIELDS and field.name != "source":
            values[field.name] = field.value_from_object(row)
    return values


def substance(claim: Claim) -> dict:
    """What readers see of a claim, as plain values that compare and serialise."""
    values = {}
    for name in CLAIM_SUBSTANCE_FIELDS:
        field = Claim._meta.get_field(name)
        values[name] = field.value_from_object(claim)
    values["section"] = claim.section.label if claim.section_id else None
    values["document"] = claim.document.slug
    values["evidence"] = {
        row.pk: evidence_substance(row)
        for row in Evidence.objects.filter(claim=claim).select_related("source")
    }
    return values


def substance_changes(before: dict, after: dict) -> list[dict]:
    """Field by field: {"field", "old", "new"}; an evidence row added, removed or changed
    is one change of "evidence" (old or new is None when the row was added or removed)."""
    changes = [
        {"field": name, "old": before[name], "new": after[name]}
        for name in CLAIM_SUBSTANCE_FIELDS
        if before[name] != after[name]
    ]
    old_rows, new_rows = before["evidence"], after["evidence"]
    for pk in sorted(old_rows.keys() | new_rows.keys()):
        if old_rows.get(pk) != new_rows.get(pk):
            changes.append({"field": "evidence", "old": old_rows.get(pk), "new": new_rows.get(pk)})
    return changes


class SubstanceEdit:
    """A write that may change the substance of some claims; see the module's docstring.

    `begin()` locks the claims and takes their substance; `finish()` compares, refuses or
    records. Both run inside the caller's transaction (a request's, the admin's): a
    refusal in `finish()` rolls the whole write back.
    """

    def __init__(self, claims: Iterable[Claim | int | None], *, user, reason: str = "", kind=""):
        self.claim_ids = sorted({getattr(c, "pk", c) for c in claims if c is not None})
        self.user = user
        self.reason = (reason or "").strip()
        self.kind = kind
        self.before: dict[int, dict] = {}
        self.statuses: dict[int, str] = {}

    def begin(self) -> "SubstanceEdit":
        for claim in Claim.objects.select_for_update().filter(pk__in=self.claim_ids):
            self.before[claim.pk] = substance(claim)
            self.statuses[claim.pk] = claim.status
        return self

    def finish(self) -> dict[int, list[dict]]:
        """The changes made to each claim (those with none are left out)."""
        changed = {}
        for claim in Claim.objects.filter(pk__in=self.before).select_related("document"):
            changes = substance_changes(self.before[claim.pk], substance(claim))
            if not changes:
                continue
            changed[claim.pk] = changes
            if self.statuses[claim.pk] in ON_RECORD:
                check_may_change(self.user, claim)
                check_still_publishable(claim)
                self.record(claim, changes)
            if any(change["field"] in VERDICT_FIELDS for change in changes):
                restamp_review(claim, self.user)
        return changed

    def record(self, claim: Claim, changes: list[dict]) -> Correction:
        """A reviewer's change to a claim on the record: a public correction, with a reason."""
        if not self.reason:
            raise ValidationError(
                {
                    "correction_reason": [
                        f"Claim {claim.key} is {claim.status}: say why it changes; the reason "
                        "is published with the correction."
                    ]
                }
            )
        correction = Correction(
            claim=claim,
            kind=self.kind or CorrectionKind.CORRECTION,
            reason=self.reason,
            changes=json.loads(json.dumps(changes, cls=DjangoJSONEncoder)),
            made_by=person_of(self.user),
        )
        correction.full_clean()
        correction._history_user = self.user
        correction.save()
        return correction


def substance_when_last_public(claim: Claim) -> dict | None:
    """The claim's substance as readers last saw it, from the history (None if it never
    was public): its last version on the record, and its evidence as of leaving it."""
    records = list(claim.history.order_by("history_date", "history_id"))
    last_public = max(
        (i for i, record in enumerate(records) if record.status in ON_RECORD), default=None
    )
    if last_public is None:
        return None
    was = records[last_public].instance
    left = records[last_public + 1].history_date if last_public + 1 < len(records) else None
    values = {
        name: Claim._meta.get_field(name).value_from_object(was) for name in CLAIM_SUBSTANCE_FIELDS
    }
    values["section"] = (
        Section.objects.filter(pk=was.section_id).values_list("label", flat=True).first()
    )
    values["document"] = (
        Document.objects.filter(pk=was.document_id).values_list("slug", flat=True).first()
    )
    rows = Evidence.history.as_of(left) if left else Evidence.objects.all()
    # Keyed by the row's id: a historical record's pk is its history_id.
    values["evidence"] = {row.id: evidence_substance(row) for row in rows.filter(claim_id=claim.pk)}
    return values


def record_republication(claim: Claim, *, user, reason: str = "", kind: str = "") -> None:
    """A claim published again after being sent back: what changed since readers last saw
    it is a correction like any other, with the reviewer's reason (workflow.claim_transition)."""
    before = substance_when_last_public(claim)
    if before is None:
        return
    changes = substance_changes(before, substance(claim))
    if changes:
        SubstanceEdit([], user=user, reason=reason, kind=kind).record(claim, changes)


def check_still_publishable(claim: Claim) -> None:
    """A correction keeps what publishing needed (a verdict, a summary, a source): a
    published claim never ends up without the source its verdict rests on."""
    if claim.status != ClaimStatus.PUBLISHED:
        return
    problems = publication_problems(claim)
    if problems:
        raise ValidationError(
            {
                field: [f"Claim {claim.key} is published: {message}"]
                for field, messages in problems.items()
                for message in messages
            }
        )


@contextmanager
def substance_edit(
    claims: Iterable[Claim | int | None], *, user, reason: str = "", kind: str = ""
) -> Iterator[SubstanceEdit]:
    """Run a write as a SubstanceEdit, in one transaction."""
    with transaction.atomic():
        edit = SubstanceEdit(claims, user=user, reason=reason, kind=kind)
        edit.begin()
        yield edit
        edit.finish()


def restamp_review(claim: Claim, user) -> None:
    """A reviewer changed the verdict: the review is theirs, now.

    The stamps join the version the edit just recorded (the claim's save wrote a history
    record) instead of adding a version of their own.
    """
    if not (user and user.has_perm(VERDICT_PERMISSION)):
        return
    stamps = {"reviewed_by": person_of(user), "reviewed_at": timezone.now()}
    Claim.objects.filter(pk=claim.pk).update(**stamps)
    latest = claim.history.order_by("-history_date", "-history_id").first()
    if latest is not None:
        claim.history.filter(history_id=latest.history_id).update(**stamps)


# Deleting what claims on the record depend on --------------------------------------------


class OnRecordDeletion(ProtectedError):
    """A deletion refused because claims on the record depend on the row (the API's 409).

    `detail` says why and what to do; `counts` says what depends on it, without the rows.
    """

    def __init__(self, detail: str, counts: dict[str, int]):
        super().__init__(detail, set())
        self.detail, self.counts = detail, counts


def was_published(claim: Claim) -> bool:
    """A claim sent back to review (or on to draft) was public once: it is not deleted."""
    return claim.pk is not None and (
        claim.corrections.exists() or claim.history.filter(status__in=ON_RECORD).exists()
    )


def deletion_refusal(instance) -> OnRecordDeletion | None:
    """Why this row may not be deleted, if claims on the record depend on it.

    Sections (a claim's section is RESTRICT) and sources (evidence's source is PROTECT)
    are kept by their foreign keys; documents, topics and claims by their delete()
    (claims.models.KeptOnRecord), which the API and the admin call, and the admin's bulk
    deletes by their delete page (claims.admin.OnRecordDeletionMixin). A queryset's
    delete() (tests, an operator's shell) is not stopped.
    """
    if isinstance(instance, Claim):
        if is_on_record(instance):
            state = instance.status
        elif was_published(instance):
            state = f"{instance.status} but was published"
        else:
            return None
        return OnRecordDeletion(
            f"Claim {instance.key} is {state}: it stays on the public record. Retract it (a "
            "reviewer) instead of deleting it.",
            {"claims": 1},
        )
    if isinstance(instance, Document | Topic):
        count = instance.claims.filter(status__in=ON_RECORD).count()
        if not count:
            return None
        kind = type(instance)._meta.verbose_name
        what = "make" if isinstance(instance, Document) else "are tagged with"
        return OnRecordDeletion(
            f"This {kind} cannot be deleted: {count} published or retracted claim(s) {what} "
            "it, and they stay on the public record. Retract a claim instead of deleting it; "
            + (
                "a wrong topic can be renamed or taken off those claims first."
                if isinstance(instance, Topic)
                else "a wrong text can be corrected by a reviewer."
            ),
            {"claims": count},
        )
    return None
