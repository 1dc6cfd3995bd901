"""Admin for sources: counts of the claims each one supports and contradicts."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import VersionedModelForm

from .models import Source


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    form = VersionedModelForm
    list_display = [
        "key",
        "title",
        "kind",
        "publisher",
        "published_on",
        "reliability",
        "supports",
        "counters",
    ]
    list_filter = ["kind", "reliability", "language"]
    search_fields = ["key", "title", "publisher", "container_title", "notes"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "key",
                    "kind",
                    "title",
                    "authors",
                    "container_title",
                    "publisher",
                    "loaded_version",
                ]
            },
        ),
        ("Date", {"fields": [("published_on", "date_precision"), "accessed_on"]}),
        ("Where", {"fields": ["url", ("archived_url", "archived_on"), "doi", "language"]}),
        ("Assessment", {"fields": ["reliability", "notes", ("created_at", "updated_at")]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_evidence_counts(request.user)

    @admin.display(description="claims supported", ordering="supports_count")
    def supports(self, source):
        return source.supports_count

    @admin.display(description="claims contradicted/qualified", ordering="counters_count")
    def counters(self, source):
        return source.counters_count
