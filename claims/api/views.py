"""API views: thin viewsets over querysets built once in claims.querysets."""

from rest_framework import viewsets

from ..filtersets import ClaimFilterSet, DocumentFilterSet, EvidenceFilterSet
from ..models import Claim, Document, Evidence, Section, Topic
from .serializers import (
    ClaimDetailSerializer,
    ClaimSerializer,
    DocumentDetailSerializer,
    DocumentSerializer,
    EvidenceSerializer,
    SectionSerializer,
    TopicSerializer,
)


class DocumentViewSet(viewsets.ModelViewSet):
    """Analysed documents; the detail view carries the full text and its sections."""

    queryset = Document.objects.all()
    filterset_class = DocumentFilterSet
    lookup_field = "slug"
    search_fields = ["title", "author", "publisher"]
    ordering_fields = ["title", "published_on", "created_at"]
    ordering = ["-published_on", "title"]

    def get_queryset(self):
        queryset = super().get_queryset().with_claim_counts(self.request.user)
        if self.action == "list":
            return queryset.defer("body", "notes")
        return queryset.prefetch_related("sections")

    def get_serializer_class(self):
        return DocumentSerializer if self.action == "list" else DocumentDetailSerializer


class SectionViewSet(viewsets.ModelViewSet):
    queryset = Section.objects.select_related("document").only(
        "id", "label", "title", "order", "start", "end", "document__slug"
    )
    serializer_class = SectionSerializer
    filterset_fields = ["document__slug", "label"]
    ordering_fields = ["order", "start"]
    ordering = ["document_id", "order"]


class ClaimViewSet(viewsets.ModelViewSet):
    """Claims with their sources and counter-sources. Anonymous readers see public claims only."""

    queryset = Claim.objects.with_related()
    filterset_class = ClaimFilterSet
    search_fields = ["key", "quote", "paraphrase", "attributed_to", "verdict_summary"]
    ordering_fields = [
        "start",
        "key",
        "claim_type",
        "status",
        "verdict",
        "created_at",
        "updated_at",
    ]
    ordering = ["document_id", "start", "id"]

    def get_queryset(self):
        queryset = super().get_queryset().visible_to(self.request.user)
        if self.action == "list":
            # The document body is large and the list does not show it.
            queryset = queryset.defer("document__body", "document__notes")
        return queryset

    def get_serializer_class(self):
        return ClaimSerializer if self.action == "list" else ClaimDetailSerializer


class EvidenceViewSet(viewsets.ModelViewSet):
    """Links between claims and sources, with their stance."""

    queryset = Evidence.objects.select_related("claim", "source").only(
        *[f.name for f in Evidence._meta.concrete_fields if f.name not in ("claim", "source")],
        "claim__id",
        "claim__status",
        "source__key",
    )
    serializer_class = EvidenceSerializer
    filterset_class = EvidenceFilterSet
    search_fields = ["excerpt", "note", "locator", "source__title"]
    ordering_fields = ["created_at", "stance", "verified"]
    ordering = ["claim_id", "stance", "id"]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class TopicViewSet(viewsets.ModelViewSet):
    queryset = Topic.objects.all()
    serializer_class = TopicSerializer
    lookup_field = "slug"
    search_fields = ["name", "slug"]
    ordering_fields = ["name", "slug"]
    ordering = ["name"]
