"""FilterSets for documents, claims, evidence and topics, shared by the API and the reader."""

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_filters.fields import IsoDateTimeField, RangeField
from django_filters.widgets import DateRangeWidget

from core.search import search_filter

from .choices import ClaimStatus, ClaimType, CopyKind, Stance, Verdict
from .models import Claim, Document, Evidence
from .querysets import has_counter_sources


class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number a key column can hold (10**30 is a 400, not a database error)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, turned into UTC before it reaches the database.

    ISO 8601 allows offsets up to ±23:59; PostgreSQL refuses any beyond ±15:59 (a
    500), and one that pushes the time past year 1 or 9999 cannot be a datetime.
    """

    def to_python(self, value):
        value = super().to_python(value)
        if value is None or timezone.is_naive(value):
            return value
        try:
            return value.astimezone(datetime.UTC)
        except OverflowError as error:
            raise forms.ValidationError(
                "This date-time is out of range once its offset is applied.", code="invalid"
            ) from error


class UtcIsoDateTimeRangeField(RangeField):
    widget = DateRangeWidget

    def __init__(self, *args, **kwargs):
        super().__init__((UtcIsoDateTimeField(), UtcIsoDateTimeField()), *args, **kwargs)


class UtcIsoDateTimeFromToRangeFilter(django_filters.IsoDateTimeFromToRangeFilter):
    field_class = UtcIsoDateTimeRangeField


class DocumentFilterSet(django_filters.FilterSet):
    published = django_filters.DateFromToRangeFilter(field_name="published_on")

    class Meta:
        model = Document
        fields = ["slug", "language", "author", "publisher"]


class ClaimFilterSet(django_filters.FilterSet):
    document = django_filters.CharFilter(field_name="document__slug")
    section = django_filters.CharFilter(field_name="section__label")
    key = django_filters.CharFilter()
    # A claim's own columns: no join, so no duplicate rows and no DISTINCT (django-filter's
    # default for a multiple choice; DISTINCT made the filtered list sort every match).
    claim_type = django_filters.MultipleChoiceFilter(choices=ClaimType.choices, distinct=False)
    status = django_filters.MultipleChoiceFilter(choices=ClaimStatus.choices, distinct=False)
    verdict = django_filters.MultipleChoiceFilter(choices=Verdict.choices, distinct=False)
    # EXISTS rather than a join: a join repeats a claim per topic and needs DISTINCT, which
    # made every filtered list sort and de-duplicate the whole result.
    topic = django_filters.CharFilter(method="filter_topic", help_text="Topic slug.")
    attributed_to = django_filters.CharFilter(lookup_expr="icontains")
    checkable = django_filters.BooleanFilter()
    has_counter_sources = django_filters.BooleanFilter(method="filter_has_counter_sources")
    source = django_filters.CharFilter(method="filter_source", help_text="Source key.")
    created = UtcIsoDateTimeFromToRangeFilter(field_name="created_at")
    updated = UtcIsoDateTimeFromToRangeFilter(field_name="updated_at")
    q = search_filter(
        'Full-text search of quote, paraphrase, attribution and verdict summary: words, "a '
        'phrase", -excluded, or. Ranked, with a highlighted snippet, on PostgreSQL.'
    )

    class Meta:
        model = Claim
        fields = ["document", "section", "key", "claim_type", "status", "verdict", "topic"]

    def filter_has_counter_sources(self, queryset, name, value):
        return queryset.filter(has_counter_sources() if value else ~has_counter_sources())

    def filter_q(self, queryset, name, value):
        return queryset.search(value)

    def filter_topic(self, queryset, name, value):
        through = Claim.topics.through
        return queryset.filter(
            Exists(through.objects.filter(claim=OuterRef("pk"), topic__slug=value))
        )

    def filter_source(self, queryset, name, value):
        return queryset.filter(
            Exists(Evidence.objects.filter(claim=OuterRef("pk"), source__key=value))
        )


class EvidenceFilterSet(django_filters.FilterSet):
    stance = django_filters.MultipleChoiceFilter(choices=Stance.choices, distinct=False)
    verified = django_filters.BooleanFilter()
    document = django_filters.CharFilter(field_name="claim__document__slug")
    claim = IdFilter(field_name="claim_id")
    source = django_filters.CharFilter(field_name="source__key")
    copy_kind = django_filters.MultipleChoiceFilter(
        choices=CopyKind.choices, help_text="Where the text was read.", distinct=False
    )

    class Meta:
        model = Evidence
        fields = ["stance", "verified", "document", "claim", "source", "copy_kind"]
