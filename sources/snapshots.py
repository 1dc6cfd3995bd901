"""Storing a copy of a source as read: checks, text extraction, the file and the row.

`snapshot_create` is the one way in (the admin's upload, `manage.py snapshot_source` with
a file or `--fetch`). A refused file raises `SnapshotRefused` with a sentence that says
what is wrong, and nothing is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import django.dispatch
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from .models import Snapshot, SnapshotMediaType, Source

EXTENSIONS = {
    SnapshotMediaType.HTML: "html",
    SnapshotMediaType.PDF: "pdf",
    SnapshotMediaType.TEXT: "txt",
}

# Sent after a snapshot is stored (and committed); the claims app re-checks the excerpts
# of the source's evidence (sources never imports claims).
snapshot_added = django.dispatch.Signal()


class SnapshotRefused(ValueError):
    """The file cannot be stored as a snapshot; the message says why."""


def snapshot_create(
    *,
    source: Source,
    data: bytes,
    url: str,
    retrieved_on: dt.date,
    media_type: str | None = None,
) -> Snapshot:
    """Check, extract and store one copy; the existing snapshot if these bytes are stored."""
    if not data:
        raise SnapshotRefused("The file is empty.")
    limit = settings.SNAPSHOT_MAX_BYTES
    if len(data) > limit:
        raise SnapshotRefused(
            f"The file has {len(data):,} bytes; a snapshot may have at most {limit:,}."
        )
    kind = media_type_of(data, media_type)
    text = extract_text(data, kind)
    digest = hashlib.sha256(data).hexdigest()
    existing = Snapshot.objects.filter(source=source, sha256=digest).first()
    if existing:
        return existing
    name = default_storage.save(
        f"snapshots/{digest[:2]}/{digest}.{EXTENSIONS[kind]}", ContentFile(data)
    )
    try:
        with transaction.atomic():
            snapshot = Snapshot(
                source=source,
                url=url,
                retrieved_on=retrieved_on,
                media_type=kind,
                size=len(data),
                sha256=digest,
                text=text,
            )
            snapshot.file.name = name
            snapshot.full_clean()
            snapshot.save()
    except Exception:
        default_storage.delete(name)  # no file without its row
        raise
    transaction.on_commit(lambda: snapshot_added.send(sender=Snapshot, snapshot=snapshot))
    return snapshot


def media_type_of(data: bytes, declared: str | None) -> str:
    """The declared type when it is allowed, else what the bytes look like."""
    allowed = ", ".join(choice.value for choice in SnapshotMediaType)
    if declared:
        declared = declared.split(";")[0].strip().lower()
        if declared not in SnapshotMediaType.values:
            raise SnapshotRefused(f"A snapshot must be one of {allowed}; this is {declared}.")
        return declared
    head = data[:2048].lstrip().lower()
    if head.startswith(b"%pdf-"):
        return SnapshotMediaType.PDF
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        return SnapshotMediaType.HTML
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SnapshotRefused(
            f"The file is not HTML, PDF or UTF-8 text (allowed: {allowed})."
        ) from error
    return SnapshotMediaType.TEXT


def extract_text(data: bytes, media_type: str) -> str:
    """The text a reader of the copy reads: an HTML page's main text, a PDF's pages."""
    if media_type == SnapshotMediaType.HTML:
        text = _html_text(data)
    elif media_type == SnapshotMediaType.PDF:
        text = _pdf_text(data)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise SnapshotRefused(
                f"The text file is not UTF-8 (undecodable byte at offset {error.start})."
            ) from error
    if not text.strip():
        raise SnapshotRefused("No text could be extracted from the file.")
    return text


def _html_text(data: bytes) -> str:
    import trafilatura

    # Main text (no navigation or boilerplate); with recall favoured, since an excerpt may
    # come from a table or a side note, and the whole text when extraction finds no main part.
    text = trafilatura.extract(
        data, include_comments=False, include_tables=True, favor_recall=True, deduplicate=False
    )
    if not text:
        text = trafilatura.html2txt(data)
    return text or ""


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise SnapshotRefused(f"The PDF cannot be read: {error}.") from error


def stored_file_problem(snapshot: Snapshot) -> str | None:
    """What is wrong with the stored file (missing, changed), or None when it is intact."""
    name = snapshot.file.name
    if not name or not default_storage.exists(name):
        return f"snapshot {snapshot.pk}: its stored file {name or '(none)'} is missing"
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as stored:
        for chunk in iter(lambda: stored.read(1 << 16), b""):
            digest.update(chunk)
    if digest.hexdigest() != snapshot.sha256:
        return f"snapshot {snapshot.pk}: its stored file no longer matches its SHA-256"
    return None
