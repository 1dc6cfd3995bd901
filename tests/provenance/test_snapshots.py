"""Snapshots: stored copies of sources, checked and extracted (sources/snapshots.py)."""

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from sources.models import Snapshot
from sources.snapshots import SnapshotRefused, snapshot_create, stored_file_problem
from tests.factories import SourceFactory
from tests.provenance.pdf import pdf_with_text

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 1)
PAGE = b"""<!DOCTYPE html><html><head><title>Communique</title></head><body>
<nav>Home | About | Contact</nav>
<article><h1>Joint Communique</h1>
<p>The United States of America and the People&#8217;s Republic of China have agreed to
recognize each other and to establish diplomatic relations as of January 1, 1979.</p>
<p>Both sides wish to reduce the danger of international military conflict.</p></article>
<footer>Copyright notice</footer></body></html>"""


@pytest.fixture
def media_root(settings):
    """Where this test's stored files go (tests/conftest.py gives each test its own)."""
    return Path(settings.MEDIA_ROOT)


def store(data, **extra):
    return snapshot_create(
        source=extra.pop("source", None) or SourceFactory(),
        data=data,
        url="https://example.org/copy",
        retrieved_on=DAY,
        **extra,
    )


def test_an_html_page_is_stored_with_its_main_text():
    snapshot = store(PAGE)
    assert snapshot.media_type == "text/html"
    assert snapshot.size == len(PAGE)
    assert snapshot.sha256 == hashlib.sha256(PAGE).hexdigest()
    assert "establish diplomatic relations" in snapshot.text
    assert "People’s Republic" in snapshot.text  # the entity decoded
    assert "Home | About" not in snapshot.text  # navigation is not the page's text
    with default_storage.open(snapshot.file.name, "rb") as stored:
        assert stored.read() == PAGE


def test_a_pdf_and_a_text_file_are_stored_with_their_text():
    pdf = store(pdf_with_text("Both sides wish to reduce the danger"))
    assert pdf.media_type == "application/pdf"
    assert "Both sides wish to reduce the danger" in pdf.text
    text = store("Plain words, “quoted”.\n".encode())
    assert text.media_type == "text/plain" and text.text.startswith("Plain words")


def test_the_same_bytes_are_stored_once_per_source():
    source = SourceFactory()
    first = store(PAGE, source=source)
    assert store(PAGE, source=source) == first
    assert Snapshot.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "media_type", "message"),
    [
        (b"", None, "empty"),
        (b"\xff\xfe\x00\x81 binary", None, "not HTML, PDF or UTF-8 text"),
        (b"GIF89a....", "image/gif", "must be one of"),
        (b"%PDF-1.4 this is not really a PDF", None, "PDF cannot be read"),
        (b"<html><body>   </body></html>", None, "No text"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(data, media_type, message, media_root):
    with pytest.raises(SnapshotRefused, match=message):
        store(data, media_type=media_type)
    assert Snapshot.objects.count() == 0
    assert not any(media_root.rglob("*.*"))


def test_a_file_over_the_limit_is_refused(settings, media_root):
    settings.SNAPSHOT_MAX_BYTES = 100
    with pytest.raises(SnapshotRefused, match="at most 100"):
        store(b"x" * 101)
    assert not any(media_root.rglob("*.*"))


def test_a_missing_or_changed_file_is_reported():
    snapshot = store(PAGE)
    assert stored_file_problem(snapshot) is None
    path = default_storage.path(snapshot.file.name)
    with open(path, "wb") as changed:
        changed.write(b"<html>another page</html>")
    assert "no longer matches" in stored_file_problem(snapshot)
    default_storage.delete(snapshot.file.name)
    assert "missing" in stored_file_problem(snapshot)
