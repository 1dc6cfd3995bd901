"""Routes of the reader pages."""

from django.urls import path

from . import views

app_name = "reader"

urlpatterns = [
    path("", views.document_list, name="document-list"),
    path("about/", views.about, name="about"),
    path("claims/", views.claim_list, name="claim-list"),
    path("documents/<slug:slug>/claims/", views.claim_list, name="document-claims"),
    path("documents/<slug:slug>/", views.document_detail, name="document-detail"),
    path(
        "documents/<slug:slug>/parts/<int:number>/",
        views.document_part,
        name="document-part",
    ),
    path("documents/<slug:slug>/index/", views.document_index, name="document-index"),
    path("snapshots/<int:pk>/", views.snapshot_text, name="snapshot-text"),
    path(
        "documents/<slug:slug>/versions/<int:number>/",
        views.document_version,
        name="document-version",
    ),
    path("snapshots/<int:pk>/file/", views.snapshot_file, name="snapshot-file"),
    path(
        "documents/<slug:slug>/claims/<str:key>/",
        views.claim_detail,
        name="claim-detail",
    ),
    path(
        "documents/<slug:slug>/claims/<str:key>/panel/",
        views.claim_panel,
        name="claim-panel",
    ),
]
