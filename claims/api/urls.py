"""The /api/ routes of both apps."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from sources.api.csl import SourceCSLViewSet
from sources.api.views import SourceViewSet

from .research import ClaimExportAlias, ClaimResearchViewSet, DocumentResearchViewSet
from .views import ClaimViewSet, DocumentViewSet, EvidenceViewSet, SectionViewSet, TopicViewSet

router = DefaultRouter()
# Research features (facets, exports, similar claims, ClaimReview, CSL-JSON) share the
# resources' prefixes; registered first so claims/facets/ or sources/csl/ is not read as
# the detail URL of a claim "facets" or a source "csl".
router.register("claims", ClaimResearchViewSet, basename="claim-research")
router.register("documents", DocumentResearchViewSet, basename="document-research")
router.register("sources", SourceCSLViewSet, basename="source-csl")
router.register("documents", DocumentViewSet)
router.register("sections", SectionViewSet)
router.register("claims", ClaimViewSet)
router.register("evidence", EvidenceViewSet)
router.register("sources", SourceViewSet)
router.register("topics", TopicViewSet)

urlpatterns = [
    # The CSV export also answers without the trailing slash, as a file name reads.
    path(
        "claims/export.csv",
        ClaimExportAlias.as_view({"get": "export_csv"}, detail=False),
        name="claim-export-csv",
    ),
    *router.urls,
]
