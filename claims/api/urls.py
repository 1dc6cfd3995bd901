"""The /api/ routes of both apps."""

from rest_framework.routers import DefaultRouter

from sources.api.views import SourceViewSet

from .views import ClaimViewSet, DocumentViewSet, EvidenceViewSet, SectionViewSet, TopicViewSet

router = DefaultRouter()
router.register("documents", DocumentViewSet)
router.register("sections", SectionViewSet)
router.register("claims", ClaimViewSet)
router.register("evidence", EvidenceViewSet)
router.register("sources", SourceViewSet)
router.register("topics", TopicViewSet)

urlpatterns = router.urls
