"""Serializers for documents, sections, claims, evidence and topics."""

from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.functional import cached_property
from rest_framework import exceptions, serializers
from rest_framework.exceptions import PermissionDenied

from core.serializers import (
    InternalFieldsMixin,
    ModelCleanMixin,
    NaturalKeyRelatedField,
    UniqueRaceMixin,
    api_errors,
)
from sources.api.serializers import SourceBriefSerializer
from sources.models import Source

from .. import services, workflow
from ..anchoring import position_selector, quote_selector
from ..choices import COUNTER_STANCES, ClaimStatus, CopyKind, Finding, Stance, Verdict
from ..models import Claim, ClaimNote, Document, Evidence, Section, Topic
from .corrections import CorrectionFieldsMixin, CorrectionSerializer
from .research_serializers import ClaimResearchFields

# Text that must reach the database exactly as sent: DRF trims the white space around
# every CharField by default, which would change a body's hash and shift every offset
# into it, and make a quote or excerpt other than the source's own words.
VERBATIM = {"trim_whitespace": False}


def read_only_choice(choices, help_text: str) -> serializers.ChoiceField:
    """A derived choice that may be empty: its schema says so (an enum with the blank value)."""
    return serializers.ChoiceField(
        choices=choices, allow_blank=True, read_only=True, help_text=help_text
    )


COPY_KIND_HELP = (
    "Where the text was read: publisher, archive, third_party, or empty (no address read)."
)
FOUND_HELP = "The machine's finding in the stored copies: found, not_found, no_snapshot, or empty (not checked)."


class TopicSerializer(ModelCleanMixin, serializers.ModelSerializer):
    # The claims the reader may see (TopicQuerySet.with_claim_counts); 0 for one just made.
    claim_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Topic
        fields = ["id", "name", "slug", "claim_count"]


class SectionSerializer(ModelCleanMixin, serializers.ModelSerializer):
    document = NaturalKeyRelatedField(slug_field="slug", queryset=Document.objects.all())

    class Meta:
        model = Section
        fields = ["id", "document", "label", "title", "order", "start", "end"]


class DocumentSerializer(ModelCleanMixin, serializers.ModelSerializer):
    # Annotated by the viewset's queryset; a document just created (not re-read) has none yet.
    claim_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Document
        fields = [
            "id", "slug", "title", "author", "publisher", "published_on", "url", "language",
            "body_sha256", "claim_count", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["body_sha256", "created_at", "updated_at"]


class DocumentDetailSerializer(DocumentSerializer):
    sections = SectionSerializer(many=True, read_only=True)

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "notes", "body", "sections"]
        extra_kwargs = {"body": VERBATIM}


class EmbeddedEvidenceSerializer(serializers.ModelSerializer):
    """One source or counter-source as a claim shows it: the work, and what it says."""

    source = SourceBriefSerializer(read_only=True)
    copy_kind = read_only_choice(CopyKind.choices, COPY_KIND_HELP)
    found = read_only_choice(Finding.choices, FOUND_HELP)
    # The machine's finding (found / not_found / no_snapshot, empty when not checked): the
    # stored copy the excerpt was found in (its id, address, retrieval date) and where in
    # its text; the copy's text is at /snapshots/<found_in>/?at=<found_at>.
    found_in = serializers.IntegerField(
        source="found_in.id", read_only=True, allow_null=True, default=None
    )
    found_in_url = serializers.CharField(
        source="found_in.url", read_only=True, allow_null=True, default=None
    )
    found_in_retrieved_on = serializers.DateField(
        source="found_in.retrieved_on", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Evidence
        fields = [
            "id",
            "stance",
            "source",
            "excerpt",
            "summary",
            "locator",
            "note",
            "verified",
            "consulted_url",
            "copy_kind",
            "found",
            "found_in",
            "found_in_url",
            "found_in_retrieved_on",
            "found_at",
        ]
        read_only_fields = fields


class EvidenceSerializer(CorrectionFieldsMixin, ModelCleanMixin, serializers.ModelSerializer):
    claim = serializers.PrimaryKeyRelatedField(queryset=Claim.objects.all())
    source = NaturalKeyRelatedField(slug_field="key", queryset=Source.objects.all())

    copy_kind = read_only_choice(CopyKind.choices, COPY_KIND_HELP)

    found = read_only_choice(Finding.choices, FOUND_HELP)
    found_in = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text="The stored copy the excerpt was found in (/snapshots/<id>/); null if none.",
    )

    class Meta:
        model = Evidence
        fields = [
            "id", "claim", "source", "stance", "excerpt", "summary", "locator", "note",
            "verified", "consulted_url", "copy_kind", "found", "found_in", "found_at", "created_at", "updated_at",
            "correction_reason", "correction_kind",
        ]  # fmt: skip
        read_only_fields = ["copy_kind", "created_at", "updated_at"]
        extra_kwargs = {"excerpt": VERBATIM}


class NewEvidenceSerializer(serializers.ModelSerializer):
    """Evidence written together with a new claim (the claim is implied)."""

    source = NaturalKeyRelatedField(slug_field="key", queryset=Source.objects.all())

    copy_kind = read_only_choice(CopyKind.choices, COPY_KIND_HELP)

    class Meta:
        model = Evidence
        fields = [
            "source", "stance", "excerpt", "summary", "locator", "note", "verified",
            "consulted_url", "copy_kind",
        ]  # fmt: skip
        read_only_fields = ["copy_kind"]
        extra_kwargs = {"excerpt": VERBATIM}


class QuoteNotFound(exceptions.APIException):
    """A 400 whose `candidates` keep their numbers (a ValidationError would make them text)."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, error: DjangoValidationError):
        super().__init__()
        self.detail = {**api_errors(error), "candidates": error.candidates}


@contextmanager
def quote_candidates():
    """A quote that was not found answers 400 with the closest passages as `candidates`."""
    try:
        yield
    except DjangoValidationError as error:
        if getattr(error, "candidates", None) is None:
            raise
        raise QuoteNotFound(error) from error


class ClaimSerializer(
    CorrectionFieldsMixin,
    InternalFieldsMixin,
    UniqueRaceMixin,
    ClaimResearchFields,
    serializers.ModelSerializer,
):
    """A claim with its sources and counter-sources embedded.

    On create, offsets may be left out: they are found from the quote (give
    `occurrence` when the quote appears more than once).
    """

    document = NaturalKeyRelatedField(slug_field="slug", queryset=Document.objects.all())
    section = serializers.CharField(
        source="section.label", required=False, allow_null=True, help_text="Section label."
    )
    topics = NaturalKeyRelatedField(
        slug_field="slug", many=True, queryset=Topic.objects.all(), required=False
    )
    start = serializers.IntegerField(required=False, min_value=0)
    end = serializers.IntegerField(required=False, min_value=0)
    occurrence = serializers.IntegerField(required=False, min_value=1, write_only=True)
    sources = serializers.SerializerMethodField()
    counter_sources = serializers.SerializerMethodField()
    evidence = NewEvidenceSerializer(many=True, required=False, write_only=True)
    assignee = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="Username of the curator checking the claim (null: unassigned).",
    )

    class Meta:
        model = Claim
        fields = [
            "id", "document", "section", "key", "quote", "start", "end", "occurrence",
            "paraphrase", "claim_type", "attributed_to", "topics", "checkable", "status",
            "verdict", "verdict_summary", "review_note", "reviewed_at", "sources",
            "counter_sources", "evidence", "created_at", "updated_at", "same_as",
            "url", "search_rank", "snippet", "assignee", "due_on", "correction_reason",
            "correction_kind",
        ]  # fmt: skip
        # Status moves only through the workflow (POST .../transition/).
        read_only_fields = ["status", "reviewed_at", "created_at", "updated_at"]
        # The reviewer's note to curators (what is missing) and the desk's assignment are
        # internal: core.serializers.
        internal_fields = ["review_note", "assignee", "due_on"]
        extra_kwargs = {"quote": VERBATIM}

    @cached_property
    def embedded_evidence(self) -> EmbeddedEvidenceSerializer:
        """One serializer for the evidence of every claim in a response.

        Building a ModelSerializer's fields costs more than using them: a new one per claim
        (twice) took about half the time of a claim list (bench/run.py).
        """
        return EmbeddedEvidenceSerializer()

    def get_sources(self, claim) -> list[dict]:
        return [
            self.embedded_evidence.to_representation(row)
            for row in claim.evidence.all()
            if row.stance == Stance.SUPPORTS
        ]

    def get_counter_sources(self, claim) -> list[dict]:
        return [
            self.embedded_evidence.to_representation(row)
            for row in claim.evidence.all()
            if row.stance in COUNTER_STANCES
        ]

    def validate_assignee(self, user):
        if user is not None and not user.has_perm("claims.change_claim"):
            raise serializers.ValidationError(
                f"{user.get_username()} cannot be assigned a claim: only curators and reviewers "
                "(who may change claims) can."
            )
        return user

    def validate(self, attrs):
        attrs = super().validate(attrs)
        self.check_verdict_permission(attrs)
        document = attrs.get("document") or getattr(self.instance, "document", None)
        label = attrs.pop("section", {}).get("label") if "section" in attrs else None
        if label:
            section = Section.objects.filter(document=document, label=label).first()
            if section is None:
                raise serializers.ValidationError(
                    {"section": f"No section {label!r} in this document."}
                )
            attrs["section"] = section
        return attrs

    def check_verdict_permission(self, attrs) -> None:
        """Only reviewers set verdicts; a curator's write may carry them unchanged."""
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if workflow.verdict_change_allowed(user):
            return
        for name in ("verdict", "verdict_summary"):
            current = getattr(self.instance, name, "") if self.instance else ""
            if name in attrs and attrs[name] != current:
                raise PermissionDenied(f"Only reviewers may set the {name.replace('_', ' ')}.")

    def create(self, validated_data):
        user = self.context["request"].user
        with quote_candidates():
            return services.claim_create(**validated_data, user=user)

    def update(self, instance, validated_data):
        validated_data.pop("evidence", None)
        occurrence = validated_data.pop("occurrence", None)
        topics = validated_data.pop("topics", None)
        with transaction.atomic():
            for name, value in validated_data.items():
                setattr(instance, name, value)
            quote_moved = "quote" in validated_data and not {"start", "end"} & set(validated_data)
            if quote_moved:
                with quote_candidates():
                    services.anchor_claim(instance, occurrence=occurrence)
            instance.full_clean()
            instance.save()
            if topics is not None:
                instance.topics.set(topics)
        return instance


class ClaimNoteSerializer(serializers.ModelSerializer):
    """One message of a claim's notes thread (curators and reviewers only)."""

    author = serializers.CharField(source="author.username", read_only=True)

    class Meta:
        model = ClaimNote
        fields = ["id", "author", "created_at", "text"]
        read_only_fields = ["created_at"]


class TransitionSerializer(CorrectionFieldsMixin, serializers.Serializer):
    """A workflow move, optionally with the fields it needs (saved with it, or not at all)."""

    to = serializers.ChoiceField(choices=ClaimStatus.choices)
    verdict = serializers.ChoiceField(choices=Verdict.choices, required=False, allow_blank=True)
    verdict_summary = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=Claim._meta.get_field("verdict_summary").max_length,
    )
    review_note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=Claim._meta.get_field("review_note").max_length,
    )

    def changes(self) -> dict:
        return {k: v for k, v in self.validated_data.items() if k in workflow.TRANSITION_FIELDS}


class ClaimDetailSerializer(ClaimSerializer):
    """The detail view adds the W3C selectors that anchor the quote in the text, and the
    claim's corrections since publication."""

    selectors = serializers.SerializerMethodField()
    corrections = CorrectionSerializer(
        many=True,
        read_only=True,
        help_text="Changes made since publication, newest first (open corrections policy).",
    )

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "selectors", "corrections"]

    def get_selectors(self, claim) -> list[dict]:
        if hasattr(claim, "quote_exact"):  # cut by the database (with_quote_context)
            quote = {
                "type": "TextQuoteSelector",
                "exact": claim.quote_exact,
                "prefix": claim.quote_prefix,
                "suffix": claim.quote_suffix,
            }
        else:
            quote = quote_selector(claim.document.body, claim.start, claim.end)
        return [quote, position_selector(claim.start, claim.end)]
