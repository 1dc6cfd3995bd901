"""The /api/ routes of claims (config/urls.py includes them beside the sources' routes)."""

from core.api import ResourceRouter

from .views import ClaimViewSet, DocumentViewSet, EvidenceViewSet, SectionViewSet, TopicViewSet

router = ResourceRouter()
router.register("documents", DocumentViewSet)
router.register("sections", SectionViewSet)
router.register("claims", ClaimViewSet)
router.register("evidence", EvidenceViewSet)
router.register("topics", TopicViewSet)

urlpatterns = router.urls
