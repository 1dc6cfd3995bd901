"""Sources as CSL-JSON, the format Zotero, Pandoc and citation processors read.

A Source was shaped after CSL-JSON, so the mapping is direct: authors are CSL names
already, the publication date keeps only the parts that are known (Source.date_parts),
and an archived copy becomes `archive` (the archive's name, read from the snapshot's
address) and `archive_location` (the snapshot's address). CSL has no variable for the
date of a snapshot; it travels in `custom.archived_on`.
"""

from collections.abc import Iterable
from urllib.parse import urlsplit

from .choices import SourceKind
from .models import Source

MEDIA_TYPE = "application/vnd.citationstyles.csl+json"

CSL_TYPES = {
    SourceKind.PRIMARY_DOCUMENT: "document",
    SourceKind.OFFICIAL_STATISTICS: "dataset",
    SourceKind.GOVERNMENT_STATEMENT: "document",
    SourceKind.ACADEMIC: "article-journal",
    SourceKind.NEWS: "article-newspaper",
    SourceKind.NGO_REPORT: "report",
    SourceKind.BOOK: "book",
    SourceKind.DATASET: "dataset",
    SourceKind.WEB_PAGE: "webpage",
}

ARCHIVES = {
    "web.archive.org": "Internet Archive",
    "wayback.archive.org": "Internet Archive",
    "archive.org": "Internet Archive",
    "archive.today": "archive.today",
    "archive.ph": "archive.today",
    "archive.is": "archive.today",
    "archive.li": "archive.today",
    "archive.md": "archive.today",
    "webcitation.org": "WebCite",
    "www.webcitation.org": "WebCite",
}


def archive_name(url: str) -> str:
    """The archive a snapshot address belongs to: its known name, or its host."""
    host = (urlsplit(url).hostname or "").lower()
    return ARCHIVES.get(host) or ARCHIVES.get(host.removeprefix("www.")) or host


def date_variable(parts: list[int]) -> dict:
    return {"date-parts": [parts]}


def source_to_csl(source: Source) -> dict:
    """One CSL-JSON item; empty fields are left out rather than sent as ""."""
    item = {
        "id": source.key,
        "type": CSL_TYPES.get(source.kind, "document"),
        "title": source.title,
    }
    if source.authors:
        item["author"] = [dict(name) for name in source.authors]
    if source.container_title:
        item["container-title"] = source.container_title
    if source.publisher:
        item["publisher"] = source.publisher
    if source.date_parts:
        item["issued"] = date_variable(source.date_parts)
    if source.url:
        item["URL"] = source.url
    if source.doi:
        item["DOI"] = source.doi
    if source.accessed_on:
        accessed = source.accessed_on
        item["accessed"] = date_variable([accessed.year, accessed.month, accessed.day])
    if source.archived_url:
        item["archive"] = archive_name(source.archived_url)
        item["archive_location"] = source.archived_url
        if source.archived_on:
            item["custom"] = {"archived_on": source.archived_on.isoformat()}
    if source.language:
        item["language"] = source.language
    return item


def sources_to_csl(sources: Iterable[Source]) -> list[dict]:
    """A CSL-JSON document: a list of items."""
    return [source_to_csl(source) for source in sources]
