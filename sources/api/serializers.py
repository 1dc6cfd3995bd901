"""Serializers for sources: a brief form for embedding and the full record."""

from rest_framework import serializers

from config.search import search_snippet
from config.serializers import ModelCleanMixin

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


class SourceSerializer(ModelCleanMixin, serializers.ModelSerializer):
    supports_count = serializers.IntegerField(read_only=True, default=None)
    counters_count = serializers.IntegerField(read_only=True, default=None)
    search_rank = serializers.FloatField(
        read_only=True,
        default=None,
        allow_null=True,
        help_text="Relevance to `q` (PostgreSQL ts_rank_cd; higher is better); null on SQLite.",
    )
    snippet = serializers.SerializerMethodField(
        help_text="HTML: where `q` matched, text escaped and hits in <mark>; null without `q`."
    )

    class Meta:
        model = Source
        fields = [
            "id", "key", "kind", "title", "authors", "container_title", "publisher",
            "published_on", "date_precision", "url", "archived_url", "archived_on", "doi",
            "language", "accessed_on", "reliability", "notes", "supports_count",
            "counters_count", "created_at", "updated_at", "search_rank", "snippet",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]

    def get_snippet(self, source) -> str | None:
        names = " ".join(" ".join(name.values()) for name in source.authors or [])
        texts = [source.title, source.container_title, source.publisher, names]
        return search_snippet(source, [*texts, getattr(source, "search_excerpt", None) or ""])
