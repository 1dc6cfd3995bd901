"""API views for sources: the resource, with its CSL-JSON actions."""

from core.api import ClaimbaseModelViewSet

from ..filtersets import SourceFilterSet
from ..models import Source
from .csl import SourceCSLActions
from .serializers import SourceSerializer


class SourceViewSet(SourceCSLActions, ClaimbaseModelViewSet):
    """Citable works. Anonymous readers see the sources that published claims cite."""

    queryset = Source.objects.all()
    serializer_class = SourceSerializer
    filterset_class = SourceFilterSet
    lookup_field = "key"
    search_fields = ["key", "title", "publisher", "container_title", "notes"]
    ordering_fields = ["key", "title", "published_on", "kind", "reliability", "created_at"]
    ordering = ["key"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action in ("csl", "csl_list", "list"):
            return queryset  # a bibliography shows no counts; a list counts its page only
        return queryset.with_evidence_counts(self.request.user)

    def paginate_queryset(self, queryset):
        """The page's sources with their evidence counts, counted for the page alone (and
        cached per data version) instead of a subquery per source in the list's SQL."""
        page = super().paginate_queryset(queryset)
        if page is not None and self.action == "list":
            counts = Source.objects.evidence_counts([s.pk for s in page], self.request.user)
            for source in page:
                source.supports_count, source.counters_count = counts[source.pk]
        return page
