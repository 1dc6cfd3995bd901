"""API views: thin viewsets over querysets built once in claims.querysets.

Every viewset derives from core.api.ClaimbaseModelViewSet, which restricts its queryset
with core.visibility; the research features are actions mixed in from .research.
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core import visibility
from core.api import ClaimbaseModelViewSet, etag_of

from .. import editing, services, workflow
from ..anchoring import position_selector
from ..filtersets import ClaimFilterSet, DocumentFilterSet, EvidenceFilterSet
from ..models import Claim, Correction, Document, Evidence, Section, Topic
from . import lean
from .corrections import CorrectionSerializer
from .research import ClaimResearchActions, DocumentClaimReviewAction
from .serializers import (
    ClaimDetailSerializer,
    ClaimNoteSerializer,
    ClaimSerializer,
    DocumentDetailSerializer,
    DocumentSerializer,
    EvidenceSerializer,
    SectionSerializer,
    TopicSerializer,
    TransitionSerializer,
)


class PageClaimCountsMixin:
    """A list's `claim_count` counted for the rows of its page in one grouped query cached
    per data version (the queryset's `claim_counts`), instead of a subquery per row on
    every request; in SQL only when the list is ordered by it."""

    def counts_in_sql(self) -> bool:
        return self.action != "list" or "claim_count" in self.request.query_params.get(
            "ordering", ""
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None and not self.counts_in_sql():
            counts = queryset.model.objects.claim_counts(
                [row.pk for row in page], self.request.user
            )
            for row in page:
                row.claim_count = counts[row.pk]
        return page


class DocumentViewSet(PageClaimCountsMixin, DocumentClaimReviewAction, ClaimbaseModelViewSet):
    """Analysed documents; the detail view carries the full text and its sections."""

    queryset = Document.objects.all()
    filterset_class = DocumentFilterSet
    lookup_field = "slug"
    search_fields = ["title", "author", "publisher"]
    ordering_fields = ["title", "published_on", "created_at"]
    ordering = ["-published_on", "title"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "claimreview":
            return queryset.defer("body", "notes")  # the feed shows the claims, not the text
        if self.counts_in_sql():
            queryset = queryset.with_claim_counts(self.request.user)
        if self.action == "list":
            return queryset.defer("body", "notes")
        return queryset.prefetch_related("sections")

    def get_serializer_class(self):
        return DocumentSerializer if self.action == "list" else DocumentDetailSerializer


class SectionViewSet(ClaimbaseModelViewSet):
    """Labelled spans of a document's text (the opening, I, II, ...)."""

    queryset = Section.objects.select_related("document").only(
        "id", "label", "title", "order", "start", "end", "document__slug"
    )
    serializer_class = SectionSerializer
    filterset_fields = ["document__slug", "label"]
    ordering_fields = ["order", "start"]
    ordering = ["document_id", "order"]


class ClaimViewSet(ClaimResearchActions, ClaimbaseModelViewSet):
    """Claims with their sources and counter-sources. Anonymous readers see public claims only."""

    queryset = Claim.objects.all()
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
    keyset_ordering = ("document_id", "start", "id")  # ?cursor= (core/pagination.py)

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action in ("list", "facets"):
            return queryset  # the list reads lean rows (list()); facets only count
        # The document body is large and nothing here shows it: a detail's selectors are
        # cut from it by the database (with_quote_context).
        queryset = queryset.with_related().defer(*Document.without_text("document"))
        if self.detail:
            queryset = queryset.with_visible_same_as(self.request.user).with_quote_context()
        return queryset

    def list(self, request, *args, **kwargs):
        """The list through the lean read path (claims/api/lean.py): the serializer's JSON
        without building model instances."""
        plan = lean.lean_fields(self.get_serializer(), request.user)
        if plan is None:
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        rows = lean.row_queryset(queryset, plan, request.user, extra=self.keyset_ordering)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(
            lean.represent(page, plan, absolute=request.build_absolute_uri)
        )

    def retrieve(self, request, *args, **kwargs):
        """The detail through the lean read path too: the list's record of the claim, its
        quote selectors cut by the database, and its corrections (four queries)."""
        plan = lean.lean_fields(
            ClaimSerializer(context=self.get_serializer_context()), request.user
        )
        if plan is None or type(self.get_serializer()) is not ClaimDetailSerializer:
            return super().retrieve(request, *args, **kwargs)
        queryset = self.filter_queryset(super().get_queryset())
        row = lean.detail_row(queryset, plan, request.user, self.kwargs[self.lookup_field])
        if row is None:
            raise Http404("No claim matches the given query.")
        data = lean.represent([row], plan, absolute=request.build_absolute_uri)[0]
        data["selectors"] = [
            {
                "type": "TextQuoteSelector",
                "exact": row["quote_exact"],
                "prefix": row["quote_prefix"],
                "suffix": row["quote_suffix"],
            },
            position_selector(row["start"], row["end"]),
        ]
        corrections = Correction.objects.filter(claim_id=row["id"]).select_related("made_by")
        data["corrections"] = CorrectionSerializer(corrections, many=True).data
        return self.with_etag(request, data)

    def get_serializer_class(self):
        if self.action == "transition":
            return TransitionSerializer
        return ClaimSerializer if self.action == "list" else ClaimDetailSerializer

    @extend_schema(methods=["GET"], responses=ClaimNoteSerializer(many=True), filters=False)
    @extend_schema(
        methods=["POST"], request=ClaimNoteSerializer, responses={201: ClaimNoteSerializer}
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def notes(self, request, *args, **kwargs):
        """The claim's notes thread, oldest first (GET), or a new note {"text": ...} (POST).

        Curators and reviewers only; a new note is a creation, so it needs no If-Match.
        """
        claim = self.get_object()
        if request.method == "POST":
            if not request.user.has_perm("claims.add_claimnote"):
                raise PermissionDenied("Adding a note needs the permission to add claim notes.")
            serializer = ClaimNoteSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            note = services.claim_note_add(
                claim=claim, user=request.user, text=serializer.validated_data["text"]
            )
            return Response(ClaimNoteSerializer(note).data, status=status.HTTP_201_CREATED)
        if not request.user.has_perm("claims.view_claimnote"):
            raise PermissionDenied("Reading the notes needs the permission to view claim notes.")
        notes = visibility.restrict(claim.notes.select_related("author"), request.user)
        data = ClaimNoteSerializer(notes, many=True).data
        return Response(data, headers={"ETag": etag_of(data)})

    def current_etag(self, instance) -> str:
        return etag_of(ClaimDetailSerializer(instance, context=self.get_serializer_context()).data)

    def perform_update(self, serializer):
        # Published means reviewed: claims.editing refuses or records the change.
        with editing.substance_edit(
            [serializer.instance], user=self.request.user, **serializer.correction
        ):
            serializer.save()

    def perform_destroy(self, instance):
        workflow.claim_delete(claim=instance, user=self.request.user)

    @extend_schema(request=TransitionSerializer, responses=ClaimDetailSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, *args, **kwargs):
        """Move the claim through the workflow: {"to": "in_review" | "draft" | "published" |
        "retracted"}, optionally with the verdict, verdict_summary or review_note the move
        needs, saved with it or not at all (such a request needs If-Match, as every edit)."""
        claim = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = serializer.changes()
        if changes:
            self.check_if_match(claim)
        claim = workflow.claim_transition(
            claim=claim,
            target=serializer.validated_data["to"],
            user=request.user,
            changes=changes,
            **serializer.correction,
        )
        claim = self.get_queryset().get(pk=claim.pk)
        data = ClaimDetailSerializer(claim, context=self.get_serializer_context()).data
        return Response(data, headers={"ETag": etag_of(data)})


class EvidenceViewSet(ClaimbaseModelViewSet):
    """Links between claims and sources, with their stance."""

    queryset = Evidence.objects.select_related("claim", "source").only(
        *[f.name for f in Evidence._meta.concrete_fields if f.name not in ("claim", "source")],
        "claim__id",
        "claim__status",
        "source__key",
    )
    serializer_class = EvidenceSerializer
    filterset_class = EvidenceFilterSet
    search_fields = ["excerpt", "summary", "note", "locator", "source__title"]
    ordering_fields = ["created_at", "stance", "verified"]
    ordering = ["claim_id", "stance", "id"]

    # Evidence is part of its claim's substance: each write is a claims.editing edit of the
    # claims it touches (both, when a row moves from one claim to another).

    def perform_create(self, serializer):
        claim = serializer.validated_data["claim"]
        with editing.substance_edit([claim], user=self.request.user, **serializer.correction):
            serializer.save()

    def perform_update(self, serializer):
        claims = [serializer.instance.claim_id, serializer.validated_data.get("claim")]
        with editing.substance_edit(claims, user=self.request.user, **serializer.correction):
            serializer.save()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "correction_reason",
                str,
                description="Required when a reviewer deletes a published claim's evidence.",
            )
        ]
    )
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance):
        reason = self.request.query_params.get("correction_reason", "")
        with editing.substance_edit([instance.claim_id], user=self.request.user, reason=reason):
            instance.delete()


class TopicViewSet(PageClaimCountsMixin, ClaimbaseModelViewSet):
    """Subjects that claims are tagged with."""

    queryset = Topic.objects.all()
    serializer_class = TopicSerializer
    lookup_field = "slug"
    search_fields = ["name", "slug"]
    ordering_fields = ["name", "slug", "claim_count"]
    ordering = ["name"]

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset.with_claim_counts(self.request.user) if self.counts_in_sql() else queryset
