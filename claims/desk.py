"""The desk's views of the work: a curator's queue, what waits for review, a document's progress.

Selectors only (reads); the admin shows them (claims/admin.py). Assignment and notes are
internal working state: nothing here is public.
"""

from django.db.models import Count, Q, QuerySet

from .choices import ClaimStatus, Finding, Stance, Verdict
from .models import Claim, Document, Evidence

STATUS_ORDER = [
    ClaimStatus.DRAFT,
    ClaimStatus.IN_REVIEW,
    ClaimStatus.PUBLISHED,
    ClaimStatus.RETRACTED,
]


def next_claim_key(document: Document) -> str:
    """The document's next free key: one past the highest C-number (C001 when none)."""
    numbers = [
        int(key[1:])
        for key in Claim.objects.filter(document=document, key__regex=r"^C[0-9]+$").values_list(
            "key", flat=True
        )
    ]
    return f"C{max(numbers, default=0) + 1:03d}"


def queue_rows(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    return claims.select_related("document", "assignee").defer(*Document.without_text("document"))


def my_queue(user) -> list[tuple[str, list[Claim]]]:
    """The claims assigned to `user`, by status (workflow order), oldest first in each."""
    claims = list(queue_rows(Claim.objects.filter(assignee=user)).order_by("created_at", "id"))
    return [
        (status.label, [claim for claim in claims if claim.status == status])
        for status in STATUS_ORDER
        if any(claim.status == status for claim in claims)
    ]


def waiting_for_review() -> list[Claim]:
    """Claims in review, the longest waiting first."""
    claims = Claim.objects.filter(status=ClaimStatus.IN_REVIEW)
    return list(queue_rows(claims).order_by("status_changed_at", "created_at", "id"))


def counts(rows: QuerySet, field: str):
    """(value, count) pairs of `field` (order_by() so the model's ordering does not split groups)."""
    return rows.order_by().values(field).annotate(n=Count("id")).values_list(field, "n")


def document_progress(document: Document) -> dict:
    """How far a document's checking has come, in a fixed number of queries."""
    claims = Claim.objects.filter(document=document)
    by_status = dict(
        claims.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    by_verdict = dict(
        claims.values_list("verdict").annotate(n=Count("id")).values_list("verdict", "n")
    )
    evidence = Evidence.objects.filter(claim__document=document)
    verified = evidence.aggregate(
        n_verified=Count("id", filter=Q(verified=True)),
        n_unverified=Count("id", filter=Q(verified=False)),
        n_counter=Count("id", filter=~Q(stance=Stance.SUPPORTS)),
        # The machine's finding in the stored copies (claims/excerpt_finding.py).
        n_found=Count("id", filter=Q(found=Finding.FOUND)),
        n_not_found=Count("id", filter=Q(found=Finding.NOT_FOUND)),
        n_no_snapshot=Count("id", filter=Q(found=Finding.NO_SNAPSHOT)),
        n_unchecked=Count("id", filter=Q(found="") & ~Q(excerpt="")),
    )
    unsourced = list(
        claims.filter(checkable=True)
        .exclude(evidence__stance=Stance.SUPPORTS)
        .only("pk", "key", "status")
        .order_by("start")
    )
    progress = {
        "total": sum(by_status.values()),
        "by_status": [(s.label, by_status.get(s, 0)) for s in STATUS_ORDER],
        "by_verdict": [("(none yet)", by_verdict.get("", 0))]
        + [(v.label, by_verdict.get(v, 0)) for v in Verdict],
        "evidence": {name.removeprefix("n_"): n for name, n in verified.items()},
        "unsourced": unsourced,
    }
    # The datasets helper's count of reliable sources read through a third party's copy.
    third_party = getattr(Evidence.objects, "high_reliability_third_party", None)
    if third_party is not None:
        progress["high_reliability_third_party"] = (
            third_party().filter(claim__document=document).count()
        )
    return progress
