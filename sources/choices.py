"""Choice lists for sources: what kind of work it is and how far it can be trusted."""

from django.db import models


class SourceKind(models.TextChoices):
    PRIMARY_DOCUMENT = "primary_document", "Primary document"
    OFFICIAL_STATISTICS = "official_statistics", "Official statistics"
    GOVERNMENT_STATEMENT = "government_statement", "Government statement"
    ACADEMIC = "academic", "Academic work"
    NEWS = "news", "News report"
    NGO_REPORT = "ngo_report", "NGO / think-tank report"
    BOOK = "book", "Book"
    DATASET = "dataset", "Dataset"
    WEB_PAGE = "web_page", "Web page"


class Reliability(models.TextChoices):
    HIGH = "high", "High (authoritative record or statistics)"
    MEDIUM = "medium", "Medium (reputable secondary source)"
    LOW = "low", "Low (partisan or unverified)"
    UNKNOWN = "unknown", "Not assessed"


class DatePrecision(models.TextChoices):
    YEAR = "year", "Year"
    MONTH = "month", "Month"
    DAY = "day", "Day"
