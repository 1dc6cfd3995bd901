"""The /api/ routes of sources (config/urls.py includes them beside the claims' routes)."""

from core.api import ResourceRouter

from .views import SourceViewSet

router = ResourceRouter()
router.register("sources", SourceViewSet)

urlpatterns = router.urls
