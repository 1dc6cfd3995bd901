"""FilterSets for sources, shared by the API (and usable by any list view)."""

import django_filters

from .choices import Reliability, SourceKind
from .models import Source


class SourceFilterSet(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=SourceKind.choices)
    reliability = django_filters.MultipleChoiceFilter(choices=Reliability.choices)
    publisher = django_filters.CharFilter(lookup_expr="icontains")
    # Bounded to the years a date can hold: year 0 or 10**30 would fail in the database layer.
    year_min = django_filters.NumberFilter(
        field_name="published_on", lookup_expr="year__gte", min_value=1, max_value=9999
    )
    year_max = django_filters.NumberFilter(
        field_name="published_on", lookup_expr="year__lte", min_value=1, max_value=9999
    )
    key = django_filters.CharFilter()

    class Meta:
        model = Source
        fields = ["kind", "reliability", "publisher", "key", "language"]
