"""CSL-JSON actions of the sources resource: one source (sources/{key}/csl/) or any
filtered list (sources/csl/), for Zotero, Pandoc and citation processors."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from ..csl import MEDIA_TYPE, source_to_csl, sources_to_csl

# A bibliography is one JSON array, so the list export is not paginated; past this many
# items the request is refused and the filters must narrow it.
MAX_ITEMS = 5000

CSL_ITEMS = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"id": {"type": "string"}, "type": {"type": "string"}},
        "required": ["id", "type"],
        "additionalProperties": True,
    },
}
CSL_RESPONSE = {
    (200, MEDIA_TYPE): OpenApiResponse(CSL_ITEMS, description="CSL-JSON: a list of CSL items"),
    (200, "application/json"): OpenApiResponse(CSL_ITEMS, description="The same, as JSON"),
}


class CSLJSONRenderer(JSONRenderer):
    media_type = MEDIA_TYPE
    format = "csl"


class SourceCSLActions:
    """Sources as CSL-JSON, for SourceViewSet: the same sources (anonymous readers: those
    public claims cite), filters and `q` as the source list."""

    @extend_schema(operation_id="sources_csl_list", filters=True, responses=CSL_RESPONSE)
    @action(
        detail=False,
        methods=["get"],
        url_path="csl",
        pagination_class=None,
        renderer_classes=[CSLJSONRenderer, JSONRenderer],
    )
    def csl_list(self, request):
        """The sources the list's filters and `q` select, as one CSL-JSON array."""
        sources = self.filter_queryset(self.get_queryset())
        items = list(sources[: MAX_ITEMS + 1])
        if len(items) > MAX_ITEMS:
            raise exceptions.ValidationError(
                {"non_field_errors": [f"More than {MAX_ITEMS} sources: narrow the filters."]}
            )
        return Response(sources_to_csl(items))

    @extend_schema(operation_id="sources_csl_retrieve", responses=CSL_RESPONSE)
    @action(
        detail=True,
        methods=["get"],
        url_path="csl",
        renderer_classes=[CSLJSONRenderer, JSONRenderer],
    )
    def csl(self, request, key=None):
        """One source as CSL-JSON (an array of one item, as CSL-JSON files are)."""
        return Response([source_to_csl(self.get_object())])
