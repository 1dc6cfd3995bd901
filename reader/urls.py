"""Routes of the reader pages."""

from django.urls import path

from . import views

app_name = "reader"

urlpatterns = [
    path("", views.document_list, name="document-list"),
    path("documents/<slug:slug>/", views.document_detail, name="document-detail"),
]
