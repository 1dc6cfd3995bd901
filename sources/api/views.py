"""API views for sources."""

from core.api import ClaimbaseModelViewSet

from ..filtersets import SourceFilterSet
from ..models import Source
from .serializers import SourceSerializer


class SourceViewSet(ClaimbaseModelViewSet):
    """Citable works. Anonymous readers see the sources that published claims cite."""

    queryset = Source.objects.with_evidence_counts()
    serializer_class = SourceSerializer
    filterset_class = SourceFilterSet
    lookup_field = "key"
    search_fields = ["key", "title", "publisher", "container_title", "notes"]
    ordering_fields = ["key", "title", "published_on", "kind", "reliability", "created_at"]
    ordering = ["key"]
