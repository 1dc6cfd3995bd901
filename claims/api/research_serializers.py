"""Serializers of the research features: search hits, same-as links, similar claims, facets."""

from rest_framework import serializers

from core.search import SearchHitSerializer
from core.visibility import can_see

from ..research.claimreview import review_url
from ..research.facets import MAX_FACET_SIZE
from ..research.similarity import MAX_LIMIT
from .corrections import CorrectionFieldsMixin


class ClaimResearchFields(SearchHitSerializer):
    """What a claim shows of the research features, in lists and details alike."""

    same_as = serializers.SerializerMethodField(
        help_text="The claim a curator confirmed this one restates (id), if you may see it."
    )

    def get_same_as(self, claim) -> int | None:
        if claim.same_as_id is None:
            return None
        if hasattr(claim, "same_as_visible"):  # decided in SQL (with_visible_same_as)
            return claim.same_as_visible
        user = getattr(self.context.get("request"), "user", None)
        return claim.same_as_id if can_see(user, claim.same_as) else None

    url = serializers.SerializerMethodField(
        help_text="The claim's page in the reader (with its ClaimReview and citation)."
    )

    def get_url(self, claim) -> str:
        request = self.context.get("request")
        absolute = request.build_absolute_uri if request is not None else (lambda path: path)
        return review_url(claim, absolute)

    def snippet_texts(self, claim) -> list[str]:
        return [claim.quote, claim.paraphrase, claim.attributed_to, claim.verdict_summary]


class FacetValueSerializer(serializers.Serializer):
    value = serializers.JSONField(help_text="The filter value selecting these claims (or null).")
    label = serializers.CharField(allow_null=True)
    count = serializers.IntegerField()


class FacetSerializer(serializers.Serializer):
    values = FacetValueSerializer(many=True)
    truncated = serializers.BooleanField(help_text="More values exist than `facet_size`.")


class FacetsSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Claims matching the query.")
    facets = serializers.DictField(child=FacetSerializer())


class FacetParamsSerializer(serializers.Serializer):
    facet_size = serializers.IntegerField(required=False, min_value=1, max_value=MAX_FACET_SIZE)


class SimilarParamsSerializer(serializers.Serializer):
    threshold = serializers.FloatField(required=False, min_value=0.01, max_value=1.0)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT)


class SimilarClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    document = serializers.CharField(source="document.slug")
    key = serializers.CharField()
    quote = serializers.CharField()
    paraphrase = serializers.CharField()
    status = serializers.CharField()
    verdict = serializers.CharField()
    score = serializers.FloatField(help_text="Trigram similarity, 0 to 1.")
    same_document = serializers.BooleanField()
    confirmed_same = serializers.BooleanField(
        help_text="A curator already recorded the two as the same claim."
    )


class SimilarClaimsSerializer(serializers.Serializer):
    claim = serializers.IntegerField()
    method = serializers.CharField(help_text="pg_trgm, or the Python fallback on SQLite.")
    threshold = serializers.FloatField()
    candidates_examined = serializers.IntegerField(
        allow_null=True, help_text="On the SQLite fallback: how many claims were compared."
    )
    note = serializers.CharField()
    results = SimilarClaimSerializer(many=True)


class SameAsRequestSerializer(CorrectionFieldsMixin, serializers.Serializer):
    same_as = serializers.IntegerField(
        allow_null=True,
        min_value=1,
        help_text="Id of the claim this one restates; null removes the link.",
    )


class SameAsSerializer(serializers.Serializer):
    claim = serializers.IntegerField()
    same_as = serializers.IntegerField(allow_null=True)
    restatements = serializers.ListField(
        child=serializers.IntegerField(), help_text="Claims recorded as the same as this one."
    )
