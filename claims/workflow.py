"""The claim workflow: draft → in_review → published → retracted, and who may move a claim.

Status never changes by editing the field; it changes here, through a transition that
checks the rules and records who made it and when.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .choices import ClaimStatus, Verdict
from .models import Claim


@dataclass(frozen=True)
class Transition:
    """One move of the workflow: from `source` to `target`, for holders of `permission`.

    `name` identifies the move in code (the admin's list action), `label` says it to people.
    """

    name: str
    source: str
    target: str
    permission: str
    label: str


TRANSITIONS = [
    Transition(
        "submit_for_review",
        ClaimStatus.DRAFT,
        ClaimStatus.IN_REVIEW,
        "claims.change_claim",
        "Submit for review",
    ),
    Transition(
        "send_back_to_draft",
        ClaimStatus.IN_REVIEW,
        ClaimStatus.DRAFT,
        "claims.change_claim",
        "Send back to draft",
    ),
    Transition(
        "publish", ClaimStatus.IN_REVIEW, ClaimStatus.PUBLISHED, "claims.publish_claim", "Publish"
    ),
    Transition(
        "retract", ClaimStatus.PUBLISHED, ClaimStatus.RETRACTED, "claims.retract_claim", "Retract"
    ),
    # A published claim found wrong goes back to review only by a reviewer's decision (a
    # curator proposes it in a note): it leaves the public record until published again.
    Transition(
        "send_back_to_review",
        ClaimStatus.PUBLISHED,
        ClaimStatus.IN_REVIEW,
        "claims.publish_claim",
        "Send back to review",
    ),
]

# Once published, a claim stays on the record: it can be retracted, never deleted.
UNDELETABLE_STATUSES = (ClaimStatus.PUBLISHED, ClaimStatus.RETRACTED)


def transitions_from(status: str) -> list[Transition]:
    return [transition for transition in TRANSITIONS if transition.source == status]


def available_transitions(claim: Claim, user) -> list[Transition]:
    """The moves this user may make on this claim now (the rules may still refuse one)."""
    return [t for t in transitions_from(claim.status) if user.has_perm(t.permission)]


def publication_problems(claim: Claim) -> dict[str, list[str]]:
    """What stops a claim from being published: a checkable claim needs a verdict, a summary and a source."""
    problems: dict[str, list[str]] = {}
    if not claim.checkable:
        if claim.verdict != Verdict.NOT_CHECKABLE:
            problems["verdict"] = ["An opinion is published with the verdict 'not checkable'."]
        return problems
    if not claim.verdict:
        problems["verdict"] = ["Publishing a checkable claim needs a verdict."]
    if not claim.verdict_summary.strip():
        problems["verdict_summary"] = ["Publishing a checkable claim needs a verdict summary."]
    if not claim.evidence.exists():
        problems["evidence"] = ["Publishing a checkable claim needs at least one source."]
    return problems


def person_of(user):
    """The accounts.Person recording this user's acts (claims never imports accounts: the
    model is reached through the field that points at it)."""
    person_model = Claim._meta.get_field("status_changed_by").related_model
    return person_model.for_user(user)


# The fields a move may carry, so that typing a verdict and pressing Publish is one step.
TRANSITION_FIELDS = ("verdict", "verdict_summary", "review_note")


def claim_transition(
    *,
    claim: Claim,
    target: str,
    user,
    changes: dict | None = None,
    reason: str = "",
    kind: str = "",
) -> Claim:
    """Move a claim to `target`, checking the move, the user's permission and the rules.

    `changes` (fields of TRANSITION_FIELDS) are saved with the move, in the same
    transaction: if the move is refused, they are not saved either. Publishing a claim
    that was public before records what changed since as a correction, with `reason`.
    """
    with transaction.atomic():
        claim = Claim.objects.select_for_update().get(pk=claim.pk)
        apply_changes(claim, changes or {}, user)
        transition = next((t for t in transitions_from(claim.status) if t.target == target), None)
        if transition is None:
            allowed = ", ".join(t.target for t in transitions_from(claim.status)) or "none"
            raise ValidationError(
                {"to": [f"A {claim.status} claim cannot move to {target!r} (allowed: {allowed})."]}
            )
        if not user.has_perm(transition.permission):
            raise PermissionDenied(f"You may not {transition.label.lower()} claims.")
        if target == ClaimStatus.PUBLISHED:
            problems = publication_problems(claim)
            if problems:
                raise ValidationError(problems)
        if target == ClaimStatus.PUBLISHED:
            from .editing import record_republication  # editing builds on this module

            # Before this move's own version joins the history it compares with.
            record_republication(claim, user=user, reason=reason, kind=kind)
        now, person = timezone.now(), person_of(user)
        claim.status = target
        claim.status_changed_by, claim.status_changed_at = person, now
        if target == ClaimStatus.PUBLISHED:
            claim.reviewed_by, claim.reviewed_at = person, now
        claim._history_user = user
        claim.save()
    return claim


def apply_changes(claim: Claim, changes: dict, user) -> None:
    """Set the fields a move carries, refusing a verdict change from a non-reviewer."""
    unknown = set(changes) - set(TRANSITION_FIELDS)
    if unknown:
        raise ValidationError(
            {name: ["A workflow move cannot change this field."] for name in sorted(unknown)}
        )
    changed = {name for name, value in changes.items() if getattr(claim, name) != value}
    verdict_changed = bool(changed & {"verdict", "verdict_summary"})
    if verdict_changed and not verdict_change_allowed(user):
        raise PermissionDenied("Only reviewers may set the verdict or its summary.")
    if verdict_changed and claim.status in UNDELETABLE_STATUSES:
        # On the public record, a verdict changes as a correction with its reason
        # (claims.editing), never as a side effect of a move.
        raise ValidationError(
            {
                "verdict": [
                    f"The claim is {claim.status}: change its verdict by editing the claim, "
                    "with the reason for the correction, not with a workflow move."
                ]
            }
        )
    for name, value in changes.items():
        setattr(claim, name, value)
    if verdict_changed:
        claim.reviewed_by, claim.reviewed_at = person_of(user), timezone.now()
    if changed:
        claim.full_clean()


def refusal_sentences(error: ValidationError | PermissionDenied) -> str:
    """A refusal as plain sentences: 'Publishing needs a verdict. Publishing needs a source.'"""
    messages = getattr(error, "messages", None) or [str(error)]
    return " ".join(m if m.endswith((".", "?", "!")) else f"{m}." for m in messages)


def claim_delete(*, claim: Claim, user) -> None:
    """Delete a claim that was never published; published and retracted claims stay."""
    if claim.status in UNDELETABLE_STATUSES:
        raise ValidationError(
            {"status": [f"A {claim.status} claim cannot be deleted; retract it instead."]}
        )
    if not user.has_perm("claims.delete_claim"):
        raise PermissionDenied("You may not delete claims.")
    claim._history_user = user
    claim.delete()


def verdict_change_allowed(user) -> bool:
    return bool(user and user.has_perm("claims.set_verdict_claim"))
