"""API views for sources: the resource, with its CSL-JSON actions."""

from core.api import ClaimbaseModelViewSet

from ..filtersets import SourceFilterSet
from ..models import Source
from .csl import SourceCSLActions
from .serializers import SourceSerializer


class SourceViewSet(SourceCSLActions, ClaimbaseModelViewSet):
    """Citable works. Anonymous readers see the sources that published claims cite."""

    queryset = Source.objects.with_evidence_counts()
    serializer_class = SourceSerializer
    filterset_class = SourceFilterSet
    lookup_field = "key"
    search_fields = ["key", "title", "publisher", "container_title", "notes"]
    ordering_fields = ["key", "title", "published_on", "kind", "reliability", "created_at"]
    ordering = ["key"]
