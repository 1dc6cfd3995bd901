"""Admin for sources: counts of the claims each one supports and contradicts."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.text import Truncator, slugify
from simple_history.admin import SimpleHistoryAdmin

from core.admin import VersionedModelForm

from .authors import format_authors, parse_authors
from .models import Snapshot, Source
from .snapshots import SnapshotRefused, extract_text, media_type_of, snapshot_create


class AuthorsField(forms.CharField):
    """Authors typed as "Snow, Edgar; U.S. Census Bureau", stored as CSL-JSON names."""

    widget = forms.Textarea(attrs={"rows": 2, "cols": 80})

    def prepare_value(self, value):
        return format_authors(value) if isinstance(value, list) else value

    def to_python(self, value):
        return parse_authors(super().to_python(value) or "")


def suggested_key(title: str, published_on) -> str:
    """A source key from the title's first words and the year: "trade-in-goods-china-2019"."""
    words = slugify(title).split("-")
    stem = "-".join(word for word in words if word not in {"the", "a", "an", "of", "in", "and"})
    stem = stem[:60].strip("-") or "source"
    return f"{stem}-{published_on.year}" if published_on else stem


class SourceAdminForm(VersionedModelForm):
    authors = AuthorsField(
        required=False,
        help_text="People as “Family, Given”, organisations by name, separated by “;”: "
        "Snow, Edgar; U.S. Census Bureau.",
    )

    class Meta:
        model = Source
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].required = False
        self.fields[
            "key"
        ].help_text = (
            "Left empty, it is made from the title and year (e.g. trade-goods-with-china-2019)."
        )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("key") and cleaned.get("title"):
            key = suggested_key(cleaned["title"], cleaned.get("published_on"))
            taken = Source.objects.filter(key__startswith=key).values_list("key", flat=True)
            number = 2
            candidate = key
            while candidate in set(taken):
                candidate, number = f"{key}-{number}", number + 1
            cleaned["key"] = candidate
            self.instance.key = candidate
        elif not cleaned.get("key") and "key" not in self.errors:
            raise ValidationError({"key": "Give a key, or a title to make one from."})
        return cleaned


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    object_history_list_template = "admin/history_list.html"  # "(none)", not "None"
    form = SourceAdminForm
    # Fits 1280 px with the seed's longest titles and labels: titles cut, reliability its level.
    list_display = [
        "key",
        "short_title",
        "kind",
        "publisher",
        "published_on",
        "reliability_level",
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

    def get_search_results(self, request, queryset, search_term):
        """A year in the search ("census 2019") picks the sources published that year."""
        words = search_term.split()
        years = [int(word) for word in words if len(word) == 4 and word.isdigit()]
        for year in years:
            queryset = queryset.filter(published_on__year=year)
        rest = " ".join(word for word in words if not (len(word) == 4 and word.isdigit()))
        return super().get_search_results(request, queryset, rest)

    class Media:
        css = {"all": ["sources/admin.css"]}

    @admin.display(description="title", ordering="title")
    def short_title(self, source):
        return Truncator(source.title).chars(90)

    @admin.display(description="reliability", ordering="reliability")
    def reliability_level(self, source):
        """High, Medium, Low or Not assessed: the meaning is in the filter and the form."""
        return source.get_reliability_display().split(" (")[0]

    @admin.display(description="claims supported", ordering="supports_count")
    def supports(self, source):
        return source.supports_count

    @admin.display(description="claims contradicted or qualified", ordering="counters_count")
    def counters(self, source):
        return source.counters_count


class SnapshotUploadForm(forms.ModelForm):
    """A saved page, PDF or text file, uploaded: checked and its text extracted on save."""

    upload = forms.FileField(help_text="The copy as read: HTML page, PDF or UTF-8 text.")

    class Meta:
        model = Snapshot
        fields = ["source", "url", "retrieved_on"]

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload is not None:
            data = upload.read()
            try:
                media_type = media_type_of(data, None)
                extract_text(data, media_type)
            except SnapshotRefused as error:
                raise ValidationError({"upload": str(error)}) from error
            cleaned["data"] = data
        return cleaned


@admin.register(Snapshot)
class SnapshotAdmin(SimpleHistoryAdmin):
    """Stored copies of sources. Added by upload (or `manage.py snapshot_source`); a stored
    copy is evidence of what was read, so it is never edited, only added or deleted."""

    list_display = ["source", "url", "retrieved_on", "media_type", "size"]
    list_filter = ["media_type"]
    search_fields = ["source__key", "source__title", "url"]
    autocomplete_fields = ["source"]
    date_hierarchy = "retrieved_on"

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = SnapshotUploadForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["source", "url", "retrieved_on", "upload"]
        return ["source", "url", "retrieved_on", "media_type", "size", "sha256", "file", "text"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return
        stored = snapshot_create(
            source=form.cleaned_data["source"],
            data=form.cleaned_data["data"],
            url=form.cleaned_data["url"],
            retrieved_on=form.cleaned_data["retrieved_on"],
        )
        obj.__dict__.update({k: v for k, v in stored.__dict__.items() if k != "_state"})
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        pass  # a snapshot has no inlines or many-to-many fields
