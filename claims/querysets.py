"""Reusable reads of documents, claims and evidence, built once with their joins."""

from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from .choices import COUNTER_STANCES, PUBLIC_STATUSES, Stance


def can_see_unpublished(user) -> bool:
    """Curators and reviewers (anyone who may change claims) see drafts; everyone else does not."""
    return bool(user and user.is_authenticated and user.has_perm("claims.view_claim"))


class DocumentQuerySet(models.QuerySet):
    def with_claim_counts(self, user=None):
        visible = Q() if can_see_unpublished(user) else Q(claims__status__in=PUBLIC_STATUSES)
        return self.annotate(claim_count=Count("claims", filter=visible, distinct=True))


class ClaimQuerySet(models.QuerySet):
    def public(self):
        return self.filter(status__in=PUBLIC_STATUSES)

    def visible_to(self, user):
        return self if can_see_unpublished(user) else self.public()

    def with_evidence_counts(self):
        return self.annotate(
            source_count=Count(
                "evidence", filter=Q(evidence__stance=Stance.SUPPORTS), distinct=True
            ),
            counter_source_count=Count(
                "evidence", filter=Q(evidence__stance__in=COUNTER_STANCES), distinct=True
            ),
        )

    def with_counter_source_flag(self):
        from .models import Evidence

        return self.annotate(
            has_counter_sources=Exists(
                Evidence.objects.filter(claim=OuterRef("pk"), stance__in=COUNTER_STANCES)
            )
        )

    def with_related(self):
        """Everything a claim list or detail shows, in a fixed number of queries."""
        from .models import Evidence

        return self.select_related("document", "section").prefetch_related(
            "topics",
            Prefetch(
                "evidence",
                queryset=Evidence.objects.select_related("source").order_by(
                    "stance", "source__key"
                ),
            ),
        )


class EvidenceQuerySet(models.QuerySet):
    def visible_to(self, user):
        if can_see_unpublished(user):
            return self
        return self.filter(claim__status__in=PUBLIC_STATUSES)
