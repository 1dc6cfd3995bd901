"""Excerpts found by the machine in stored copies (claims/excerpt_finding.py)."""

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from claims.excerpt_finding import find, verify_excerpts
from claims.models import Evidence
from sources.snapshots import snapshot_create
from tests.factories import EvidenceFactory, SourceFactory

TEXT = (
    "The U.S. side acknowledges that all Chinese on either side of the Taiwan Strait\n"
    "maintain there is but one China—and that Taiwan is a part of China. The United\u00a0States "
    "Government does not challenge that posi\u00adtion. It reaffirms its “interest” in a "
    "peaceful settlement."
)


@pytest.mark.parametrize(
    "excerpt",
    [
        "maintain there is but one China—and that Taiwan is a part of China.",
        "maintain there is but one China -- and".replace(" -- ", "-"),  # a hyphen for the dash
        "The United States Government does not challenge that position.",  # nbsp, soft hyphen
        'It reaffirms its "interest" in a peaceful settlement.',  # straight quotes
        "acknowledges that all Chinese on either side of the Taiwan Strait maintain",  # line break
        "The U.S. side acknowledges … there is but one China",  # an ellipsis
        "The U.S. side acknowledges ... one China",
        "[The United States] Government does not challenge that position.",  # an insertion
    ],
)
def test_what_is_forgiven(excerpt):
    assert find(excerpt, TEXT) is not None


@pytest.mark.parametrize(
    "excerpt",
    [
        "maintain there is but one china",  # case is kept
        "The United States Government does not dispute that position.",  # a changed word
        "there is but one China … The U.S. side acknowledges",  # parts out of order
        "",
        " … ",
    ],
)
def test_near_misses_are_not_found(excerpt):
    assert find(excerpt, TEXT) is None


def test_the_offset_points_into_the_original_text():
    offset = find("one China—and", TEXT)
    assert TEXT[offset : offset + len("one China")] == "one China"


@pytest.mark.django_db(transaction=True)
def test_a_new_snapshot_finds_the_excerpts_of_its_source():
    source = SourceFactory()
    quoted = EvidenceFactory(source=source, excerpt="does not challenge that position")
    misquoted = EvidenceFactory(source=source, excerpt="does not dispute that position")
    summary_only = EvidenceFactory(source=source, excerpt="", summary="It agrees.")
    elsewhere = EvidenceFactory(excerpt="does not challenge that position")
    snapshot = snapshot_create(
        source=source,
        data=TEXT.encode(),
        url="https://example.org/t",
        retrieved_on=dt.date(2026, 1, 2),
    )
    quoted.refresh_from_db()
    assert (quoted.found, quoted.found_in, quoted.checked_at is not None) == (
        "found",
        snapshot,
        True,
    )
    assert snapshot.text[quoted.found_at :].startswith("does not challenge")
    misquoted.refresh_from_db()
    assert misquoted.found == "not_found" and misquoted.found_in is None
    summary_only.refresh_from_db()
    assert summary_only.found == ""  # nothing to look for
    elsewhere.refresh_from_db()
    assert elsewhere.found == ""  # another source: not checked by this snapshot


@pytest.mark.django_db
def test_verify_excerpts_reports_damaged_copies_and_never_fails(capsys):
    source = SourceFactory(key="damaged")
    row = EvidenceFactory(source=source, excerpt="does not challenge that position")
    snapshot = snapshot_create(
        source=source,
        data=TEXT.encode(),
        url="https://example.org/t",
        retrieved_on=dt.date(2026, 1, 2),
    )
    default_storage.delete(snapshot.file.name)
    call_command("verify_excerpts", "--source", "damaged")
    out = capsys.readouterr()
    assert "missing" in out.err
    row.refresh_from_db()
    assert row.found == "no_snapshot"  # the damaged copy is not trusted
    assert verify_excerpts().problems


@pytest.mark.django_db
def test_no_snapshot_is_recorded_as_such():
    row = EvidenceFactory(excerpt="any words")
    report = verify_excerpts()
    row.refresh_from_db()
    assert row.found == "no_snapshot"
    assert report.counts == {"no_snapshot": Evidence.objects.exclude(excerpt="").count()}


@pytest.mark.django_db
def test_the_progress_page_and_the_api_count_and_show_findings(admin_client):
    source = SourceFactory()
    found = EvidenceFactory(source=source, excerpt="does not challenge that position")
    EvidenceFactory(claim=found.claim, excerpt="never written anywhere")
    snapshot_create(
        source=source,
        data=TEXT.encode(),
        url="https://example.org/t",
        retrieved_on=dt.date(2026, 1, 2),
    )
    verify_excerpts()
    page = admin_client.get(f"/admin/claims/document/{found.claim.document.pk}/progress/")
    html = page.content.decode()
    assert "Excerpt found by the machine in a stored copy</th><td>1<" in html
    assert "Excerpt with no stored copy to check it in</th><td>1<" in html
    row = admin_client.get(f"/api/evidence/{found.pk}/").json()
    assert row["found"] == "found" and row["found_in"] is not None and row["found_at"] >= 0
