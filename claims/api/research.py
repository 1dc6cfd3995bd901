"""The research features as actions of the resources they extend (claims and documents).

ClaimViewSet gains facets/, export.csv, {id}/similar/, {id}/same-as/ and
{id}/claimreview/; DocumentViewSet gains {slug}/claimreview/. Being actions of the same
viewsets, they read through the same queryset (restricted by core.visibility), FilterSet,
search and ordering as the lists, so every list filter applies to them too. The work
itself is done in claims/research/.
"""

import json
from collections.abc import Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from .. import services
from ..models import Claim, Document
from ..research.claimreview import (
    CONTEXT,
    claim_review,
    claim_review_document,
    claim_review_feed,
    is_reviewed,
)
from ..research.csv_export import claims_csv
from ..research.facets import DEFAULT_FACET_SIZE, claim_facets
from ..research.same_as import confirmed_same, same_as_links
from ..research.similarity import DEFAULT_LIMIT, DEFAULT_THRESHOLD, similar_claims
from .research_serializers import (
    FacetParamsSerializer,
    FacetsSerializer,
    SameAsRequestSerializer,
    SameAsSerializer,
    SimilarClaimsSerializer,
    SimilarParamsSerializer,
)
from .serializers import ClaimSerializer

JSON_LD_RESPONSE = OpenApiResponse(
    OpenApiTypes.OBJECT, description="schema.org ClaimReview, JSON-LD"
)


def json_array(items) -> Iterator[str]:
    """A JSON array written item by item, so a large export is never held in memory."""
    yield "["
    for index, item in enumerate(items):
        yield (
            ("," if index else "")
            + "\n"
            + json.dumps(item, ensure_ascii=False, cls=DjangoJSONEncoder)
        )
    yield "\n]\n"


class JSONLDRenderer(JSONRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


class CSVRenderer(BaseRenderer):
    """Lets clients ask for text/csv; the export itself streams past the renderer.

    Only error responses (e.g. a 400 for a bad filter) are rendered here, as JSON text.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data).encode("utf-8")


class SameAsPermission(permissions.BasePermission):
    """Anyone who may see the claim reads its links; changing them needs claims.change_claim."""

    message = "Recording that two claims are the same needs the permission to change claims."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user.is_authenticated and request.user.has_perm("claims.change_claim"))


class ClaimResearchActions:
    """Facets, CSV export, similar claims, same-as links and ClaimReview, for ClaimViewSet."""

    @extend_schema(
        filters=True,
        parameters=[
            OpenApiParameter(
                "facet_size",
                int,
                description=f"Values per open-ended facet (section, topic, attributed_to); default {DEFAULT_FACET_SIZE}.",
            )
        ],
        responses=FacetsSerializer,
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def facets(self, request):
        """Counts by claim_type, verdict, status, section, topic, attributed_to and
        has_counter_sources for the claims the same filters and `q` select in the list."""
        params = FacetParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        claims = self.filter_queryset(self.get_queryset().for_counting())
        size = params.validated_data.get("facet_size", DEFAULT_FACET_SIZE)
        return Response(claim_facets(claims, size=size))

    @extend_schema(
        filters=True,
        operation_id="claims_export_csv",
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV")},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path=r"export\.csv",
        url_name="export-csv",
        pagination_class=None,
        renderer_classes=[JSONRenderer, CSVRenderer],
    )
    def export_csv(self, request):
        """The claims the list's filters and `q` select, as CSV: one row per claim with its
        sources and counter-sources, streamed. Also at /api/claims/export.csv."""
        claims = self.filter_queryset(self.get_queryset())
        # Rows are read after this view returns, outside the request's transaction; run the
        # query once here so that a database error is this request's error, not a cut stream.
        claims.exists()
        response = StreamingHttpResponse(
            claims_csv(claims, user=request.user, absolute=request.build_absolute_uri),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="claims.csv"'
        return response

    @extend_schema(
        filters=True,
        operation_id="claims_export_json",
        responses={200: ClaimSerializer(many=True)},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path=r"export\.json",
        url_name="export-json",
        pagination_class=None,
    )
    def export_json(self, request):
        """The claims the list's filters and `q` select, as one JSON array (the list's
        records, not paginated), streamed. Also at /api/claims/export.json."""
        claims = self.filter_queryset(self.get_queryset())
        claims.exists()  # a database error is this request's error, not a cut stream
        serializer = ClaimSerializer(context=self.get_serializer_context())
        response = StreamingHttpResponse(
            json_array(serializer.to_representation(claim) for claim in claims.iterator(500)),
            content_type="application/json",
        )
        response["Content-Disposition"] = 'attachment; filename="claims.json"'
        return response

    @extend_schema(
        filters=True,
        operation_id="claims_claimreview_list",
        responses={(200, "application/ld+json"): JSON_LD_RESPONSE},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="claimreview",
        url_name="claimreview-feed",
        pagination_class=None,
        renderer_classes=[JSONLDRenderer, JSONRenderer],
    )
    def claimreview_feed(self, request):
        """The published, rated claims among those the list's filters and `q` select, as
        one JSON-LD graph of schema.org ClaimReviews (opinions and drafts have none)."""
        claims = self.filter_queryset(self.get_queryset()).reviewed()
        return Response(
            {
                "@context": CONTEXT,
                "@graph": [claim_review(claim, request.build_absolute_uri) for claim in claims],
            }
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "threshold",
                float,
                description=f"Lowest similarity returned, 0.01 to 1 (default {DEFAULT_THRESHOLD}).",
            ),
            OpenApiParameter(
                "limit", int, description=f"Most results (default {DEFAULT_LIMIT}, at most 100)."
            ),
        ],
        responses=SimilarClaimsSerializer,
    )
    @action(detail=True, methods=["get"])
    def similar(self, request, pk=None):
        """Claims in any document (this one included) that state nearly the same thing."""
        claim = self.get_object()
        params = SimilarParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        candidates = Claim.objects.visible_to(request.user).select_related("document")
        found = similar_claims(
            claim,
            candidates.defer(*Document.without_text("document")),
            threshold=params.validated_data.get("threshold", DEFAULT_THRESHOLD),
            limit=params.validated_data.get("limit", DEFAULT_LIMIT),
        )
        results = [
            {
                "id": other.pk,
                "document": other.document,
                "key": other.key,
                "quote": other.quote,
                "paraphrase": other.paraphrase,
                "status": other.status,
                "verdict": other.verdict,
                "score": round(score, 4),
                "same_document": other.document_id == claim.document_id,
                "confirmed_same": confirmed_same(claim, other),
            }
            for other, score in found.matches
        ]
        data = {
            "claim": claim.pk,
            "method": found.method,
            "threshold": found.threshold,
            "candidates_examined": found.candidates_examined,
            "note": found.note,
            "results": results,
        }
        return Response(SimilarClaimsSerializer(data).data)

    @extend_schema(methods=["GET"], responses=SameAsSerializer)
    @extend_schema(methods=["POST"], request=SameAsRequestSerializer, responses=SameAsSerializer)
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="same-as",
        permission_classes=[SameAsPermission],
    )
    def same_as(self, request, pk=None):
        """Read, or (curators) record, that this claim states the same thing as another.

        POST {"same_as": <claim id>} links it (to that claim's own claim, when that one is
        a restatement too, so links stay one step deep); {"same_as": null} unlinks it.
        """
        claim = self.get_object()
        if request.method == "POST":
            body = SameAsRequestSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            target_id = body.validated_data["same_as"]
            target = None
            if target_id is not None:
                target = Claim.objects.visible_to(request.user).filter(pk=target_id).first()
                if target is None:
                    raise exceptions.ValidationError({"same_as": [f"No claim {target_id}."]})
            claim = services.claim_set_same_as(
                claim=claim,
                same_as=target,
                user=request.user,
                **body.correction,
            )
        return Response(SameAsSerializer(same_as_links(claim, user=request.user)).data)

    @extend_schema(responses={(200, "application/ld+json"): JSON_LD_RESPONSE})
    @action(detail=True, methods=["get"], renderer_classes=[JSONLDRenderer, JSONRenderer])
    def claimreview(self, request, pk=None):
        """schema.org ClaimReview (JSON-LD) of a published, rated claim, with its evidence."""
        claim = self.get_object()
        if not is_reviewed(claim):
            raise exceptions.NotFound(
                "This claim has no published review: ClaimReview covers published claims "
                "with a verdict that rates them (not opinions, not retracted claims)."
            )
        return Response(claim_review_document(claim, request.build_absolute_uri))


class DocumentClaimReviewAction:
    """A document's reviewed claims as one ClaimReview JSON-LD feed, for DocumentViewSet."""

    @extend_schema(
        responses={
            (200, "application/ld+json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="JSON-LD graph of schema.org ClaimReviews"
            )
        }
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        renderer_classes=[JSONLDRenderer, JSONRenderer],
    )
    def claimreview(self, request, slug=None):
        """Every published, rated claim of the document as ClaimReview, in document order."""
        document = self.get_object()
        claims = (
            Claim.objects.visible_to(request.user)
            .reviewed()
            .filter(document=document)
            .with_related()
            .defer(*Document.without_text("document"))
            .order_by("start", "key")
        )
        return Response(claim_review_feed(document, claims, request.build_absolute_uri))
