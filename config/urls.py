"""Top-level routes: admin, the API (each app's routes, one root, schema and docs), the reader."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from claims.api.urls import router as claims_router
from core.api import api_root_view
from sources.api.urls import router as sources_router

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api_root_view(claims_router, sources_router), name="api-root"),
    path("api/", include("claims.api.urls")),
    path("api/", include("sources.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Both without inline script, so they run under the API's Content-Security-Policy: the
    # split view serves Swagger UI's start-up script from its own URL (?script=).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="schema", template_name="core/redoc.html"),
        name="api-redoc",
    ),
    path("", include("reader.urls")),
]
