"""FilterSets for sources, shared by the API (and usable by any list view)."""

import django_filters

from core.search import search_filter

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
    q = search_filter(
        "Full-text search of title, authors, container, publisher and the excerpts of the "
        'evidence citing the source: words, "a phrase", -excluded, or. Ranked, with a '
        "highlighted snippet, on PostgreSQL."
    )

    class Meta:
        model = Source
        fields = ["kind", "reliability", "publisher", "key", "language"]

    def filter_q(self, queryset, name, value):
        # Excerpts of unpublished claims' evidence are searched only for those who may read them.
        return queryset.search(value, user=getattr(self.request, "user", None))
