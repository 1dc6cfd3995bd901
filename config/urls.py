"""Top-level routes: admin, the API (each app's routes, one root, schema and docs), the reader."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from claims.api.urls import router as claims_router
from core.api import api_root_view
from sources.api.urls import router as sources_router

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api_root_view(claims_router, sources_router), name="api-root"),
    path("api/", include("claims.api.urls")),
    path("api/", include("sources.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("", include("reader.urls")),
]
