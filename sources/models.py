"""Citable works. A Source maps one-to-one onto a CSL-JSON item."""

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel, bounded_text
from core.visibility import VisibleQuerySet

from .choices import DatePrecision, Reliability, SourceKind
from .querysets import SourceQuerySet

MAX_AUTHORS = 100
MAX_NAME_PART = 300


def validate_authors(value):
    """Authors are CSL-JSON names: a list of {"family", "given"} or {"literal"} objects."""
    if not isinstance(value, list):
        raise ValidationError("Authors must be a list of names.")
    if len(value) > MAX_AUTHORS:
        raise ValidationError(
            f"At most {MAX_AUTHORS} authors; for a larger group give the first ones and "
            '{"literal": "et al."}.'
        )
    for index, name in enumerate(value):
        if not isinstance(name, dict) or not name:
            raise ValidationError(f"Author {index + 1} must be an object.")
        unknown = set(name) - {"family", "given", "literal"}
        if unknown:
            raise ValidationError(
                f"Author {index + 1} has unknown keys: {', '.join(sorted(unknown))}."
            )
        if not all(isinstance(part, str) and part.strip() for part in name.values()):
            raise ValidationError(f"Author {index + 1} has an empty or non-text name part.")
        if any(len(part) > MAX_NAME_PART for part in name.values()):
            raise ValidationError(
                f"Author {index + 1}: each part of a name is at most {MAX_NAME_PART} characters."
            )
        if "literal" in name and len(name) > 1:
            raise ValidationError(f"Author {index + 1}: a literal name stands alone.")
        if "literal" not in name and "family" not in name:
            raise ValidationError(f"Author {index + 1} needs a family name or a literal name.")


class SourceManager(models.Manager.from_queryset(SourceQuerySet)):
    def get_by_natural_key(self, key):
        return self.get(key=key)


class Source(TimeStampedModel):
    """A real, identifiable work that evidence cites: a communiqué, a statistics table, a paper."""

    key = models.SlugField(
        max_length=120,
        unique=True,
        help_text="Stable identifier used in fixtures and citations, e.g. census-trade-goods-china.",
    )
    kind = models.CharField(max_length=32, choices=SourceKind.choices)
    title = models.CharField(max_length=500)
    authors = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_authors],
        help_text='CSL-JSON names: [{"family": "Snow", "given": "Edgar"}] or [{"literal": "U.S. Census Bureau"}].',
    )
    container_title = models.CharField(
        max_length=300, blank=True, help_text="Journal, website, series or collection."
    )
    publisher = models.CharField(max_length=300, blank=True)
    published_on = models.DateField(null=True, blank=True)
    date_precision = models.CharField(
        max_length=8,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        blank=True,
        help_text=(
            "How much of published_on is known; 2020 with precision 'year' means 'in 2020'. "
            "Empty when there is no date (there is nothing to be precise about)."
        ),
    )
    url = models.URLField(max_length=1000, blank=True)
    archived_url = models.URLField(max_length=1000, blank=True, help_text="Snapshot of the page.")
    archived_on = models.DateField(null=True, blank=True)
    doi = models.CharField(max_length=200, blank=True, verbose_name="DOI")
    language = models.CharField(max_length=16, default="en", blank=True)
    accessed_on = models.DateField(null=True, blank=True)
    reliability = models.CharField(
        max_length=16, choices=Reliability.choices, default=Reliability.UNKNOWN
    )
    notes = bounded_text(
        5_000, blank=True, help_text="Public: a description of the work for readers."
    )

    history = HistoricalRecords()
    objects = SourceManager()

    class Meta:
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=SourceKind.values),
                name="%(app_label)s_%(class)s_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(reliability__in=Reliability.values),
                name="%(app_label)s_%(class)s_reliability_valid",
            ),
            # A precision describes a date: none without one, one of the choices with one.
            models.CheckConstraint(
                condition=models.Q(published_on__isnull=True, date_precision="")
                | models.Q(date_precision__in=DatePrecision.values),
                name="%(app_label)s_%(class)s_date_precision_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(title=""), name="%(app_label)s_%(class)s_title_not_empty"
            ),
        ]

    def __str__(self):
        """As pickers show it: "title (year, publisher) · key"."""
        details = ", ".join(
            str(part)
            for part in (self.published_on and self.published_on.year, self.publisher)
            if part
        )
        title = self.title if len(self.title) <= 90 else self.title[:89] + "…"
        return f"{title} ({details}) · {self.key}" if details else f"{title} · {self.key}"

    def natural_key(self):
        return (self.key,)

    def clean(self):
        # Without a date there is no precision to claim; a date given without one is a day.
        if self.published_on is None:
            self.date_precision = ""
        elif not self.date_precision:
            self.date_precision = DatePrecision.DAY
        if self.archived_on and not self.archived_url:
            raise ValidationError({"archived_on": "An archive date needs an archived URL."})
        if self.published_on and self.date_precision != DatePrecision.DAY:
            # Store an imprecise date as its first day so sorting stays meaningful.
            if self.date_precision == DatePrecision.YEAR and (
                self.published_on.month,
                self.published_on.day,
            ) != (1, 1):
                raise ValidationError(
                    {"published_on": "A year-precision date is stored as 1 January."}
                )
            if self.date_precision == DatePrecision.MONTH and self.published_on.day != 1:
                raise ValidationError(
                    {"published_on": "A month-precision date is stored as day 1."}
                )

    @property
    def date_parts(self) -> list[int]:
        """The publication date as CSL-JSON date-parts, only as precise as it is known."""
        if not self.published_on:
            return []
        parts = [self.published_on.year, self.published_on.month, self.published_on.day]
        return parts[: {"year": 1, "month": 2, "day": 3}[self.date_precision]]


class SnapshotMediaType(models.TextChoices):
    HTML = "text/html", "HTML page"
    PDF = "application/pdf", "PDF"
    TEXT = "text/plain", "plain text"


class SnapshotManager(models.Manager.from_queryset(VisibleQuerySet)):
    def get_by_natural_key(self, source_key, sha256):
        return self.get(source__key=source_key, sha256=sha256)


class Snapshot(TimeStampedModel):
    """One stored copy of a source as it was read: the bytes, where and when, and its text.

    Excerpts are checked against `text` (claims/excerpts.py). The file is kept through
    Django's storage API (the file system by default, any backend by configuration) and is
    never served as HTML from this site: the text is shown as text, the file downloaded.
    """

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="snapshots")
    url = models.URLField(max_length=1000, help_text="The address this copy was read at.")
    retrieved_on = models.DateField(help_text="When the copy was retrieved.")
    media_type = models.CharField(max_length=32, choices=SnapshotMediaType.choices)
    size = models.PositiveBigIntegerField(help_text="Bytes.")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the stored bytes.")
    file = models.FileField(upload_to="snapshots/", max_length=300)
    text = bounded_text(5_000_000, blank=True, help_text="The text extracted from the copy.")

    history = HistoricalRecords()
    objects = SnapshotManager()

    class Meta:
        ordering = ["source", "-retrieved_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "sha256"], name="%(app_label)s_%(class)s_unique_copy"
            ),
        ]

    def __str__(self):
        return f"{self.source.key} as read at {self.url} on {self.retrieved_on}"

    def natural_key(self):
        return (*self.source.natural_key(), self.sha256)

    natural_key.dependencies = ["sources.source"]
