"""Stored copies shown to readers: as text, never as the copy's own HTML."""

import datetime as dt

import pytest

from sources.snapshots import snapshot_create

pytestmark = pytest.mark.django_db

HOSTILE = b"""<html><body><article><p>The communique says: both sides wish to reduce the
danger of conflict.</p><p>More words to make a main text of it, as articles have.</p>
<script>alert(1)</script><img src=x onerror=alert(2)></article></body></html>"""


@pytest.fixture
def snapshot(published_claim, django_capture_on_commit_callbacks):
    evidence = published_claim.evidence.first()
    evidence.excerpt = "both sides wish to reduce the danger of conflict"
    evidence.save()
    with django_capture_on_commit_callbacks(execute=True):
        copy = snapshot_create(
            source=evidence.source,
            data=HOSTILE,
            url="https://example.org/communique",
            retrieved_on=dt.date(2026, 5, 4),
        )
    return copy


def test_the_text_page_marks_the_excerpt_and_runs_nothing_of_the_copy(client, snapshot):
    evidence = snapshot.source.evidence.get()
    assert evidence.found == "found"
    page = client.get(f"/snapshots/{snapshot.pk}/?at={evidence.found_at}")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<mark id="at"' in html and "both sides wish" in html
    assert "<script>alert" not in html and "onerror=alert" not in html
    assert "default-src 'self'" in page["Content-Security-Policy"]


def test_the_claim_says_where_the_machine_found_its_excerpt(client, snapshot, published_claim):
    page = client.get(
        f"/documents/{published_claim.document.slug}/claims/{published_claim.key}/"
    ).content.decode()
    assert "Found by the machine" in page
    assert f"/snapshots/{snapshot.pk}/?at=" in page


def test_the_file_is_a_download_never_a_page(client, snapshot):
    response = client.get(f"/snapshots/{snapshot.pk}/file/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == HOSTILE


def test_a_copy_of_a_source_only_drafts_cite_is_not_public(client, snapshot, published_claim):
    # The only claim citing the source goes back to draft (bypassing the workflow here):
    # the source, and so its copies, are no longer public.
    type(published_claim).objects.filter(pk=published_claim.pk).update(status="draft")
    assert client.get(f"/snapshots/{snapshot.pk}/").status_code == 404
    assert client.get(f"/snapshots/{snapshot.pk}/file/").status_code == 404
