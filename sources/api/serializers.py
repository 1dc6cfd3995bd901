"""Serializers for sources: a brief form for embedding and the full record."""

from rest_framework import serializers

from core.search import SearchHitSerializer
from core.serializers import ModelCleanMixin

from ..models import Source


class SourceBriefSerializer(serializers.ModelSerializer):
    """What a claim embeds about each of its sources."""

    class Meta:
        model = Source
        fields = [
            "id", "key", "kind", "title", "publisher", "published_on", "url", "archived_url",
            "reliability",
        ]  # fmt: skip
        read_only_fields = fields


class SourceSerializer(ModelCleanMixin, SearchHitSerializer, serializers.ModelSerializer):
    # Annotated by the viewset's queryset; a source just created (not re-read) is cited by none.
    supports_count = serializers.IntegerField(read_only=True, default=0)
    counters_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Source
        fields = [
            "id", "key", "kind", "title", "authors", "container_title", "publisher",
            "published_on", "date_precision", "url", "archived_url", "archived_on", "doi",
            "language", "accessed_on", "reliability", "notes", "supports_count",
            "counters_count", "created_at", "updated_at", "search_rank", "snippet",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]

    def snippet_texts(self, source) -> list[str]:
        names = " ".join(" ".join(name.values()) for name in source.authors or [])
        texts = [source.title, source.container_title, source.publisher, names]
        return [*texts, getattr(source, "search_excerpt", None) or ""]
