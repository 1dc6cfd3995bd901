"""Reusable reads of sources.

Sources never import the claims app; the reverse relation `evidence` (declared by
claims.Evidence) is reached through lookups only.
"""

from django.db import models
from django.db.models import Count, Q

# Mirrors claims.choices; kept as plain strings so this app does not import claims.
COUNTER_STANCES = ("contradicts", "qualifies")
PUBLIC_CLAIM_STATUSES = ("published", "retracted")


class SourceQuerySet(models.QuerySet):
    def with_evidence_counts(self):
        """Annotate how many claims each source supports and contradicts or qualifies."""
        return self.annotate(
            supports_count=Count("evidence", filter=Q(evidence__stance="supports"), distinct=True),
            counters_count=Count(
                "evidence", filter=Q(evidence__stance__in=COUNTER_STANCES), distinct=True
            ),
        )

    def visible_to(self, user):
        """Anonymous readers see the sources that published claims cite, nothing else."""
        if user and user.is_authenticated and user.has_perm("sources.view_source"):
            return self
        return self.filter(
            pk__in=models.Subquery(
                self.model.objects.filter(evidence__claim__status__in=PUBLIC_CLAIM_STATUSES).values(
                    "pk"
                )
            )
        )
