"""Claims placed again in a revised text (claims/reanchoring.py, import_document --revise)."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command

from claims import reanchoring
from claims.models import Claim, ClaimNote, Document, DocumentVersion
from tests.conftest import SEED_SLUG
from tests.factories import ClaimFactory, DocumentFactory, PublishedClaimFactory

pytestmark = pytest.mark.django_db

OLD = (
    "Opening words of the statement.\n"
    "I\n"
    "Trade grew two hundred times since 1979. Students number 400,000.\n"
    "II\n"
    "We must cooperate. Cooperation benefits both. Exchanges halted in 2020.\n"
)
NEW = (
    "Opening words of the statement, as revised.\n"
    "I\n"
    "A sentence inserted here. Trade grew two hundred times since 1979. "
    "Students numbered 410,000 last year.\n"
    "II\n"
    "We must cooperate. Cooperation benefits both.\n"
)


@pytest.fixture
def document():
    document = DocumentFactory(body=OLD)
    keys = {
        "C001": "Opening words",  # unchanged
        "C002": "Trade grew two hundred times since 1979.",  # moved
        "C003": "Students number 400,000.",  # changed
        "C004": "We must cooperate.",  # moved
        "C005": "Exchanges halted in 2020.",  # lost: deleted
    }
    for key, quote in keys.items():
        ClaimFactory(document=document, key=key, quote=quote)
    return document


@pytest.fixture
def reviewer():
    user = User.objects.create_user("reviewer", is_staff=True)
    user.groups.add(Group.objects.get(name="reviewers"))
    return user


def outcomes(placements):
    return {placement.claim.key: placement.outcome for placement in placements}


def test_every_outcome(document):
    placements = reanchoring.plan(document, NEW)
    assert outcomes(placements) == {
        "C001": "unchanged",
        "C002": "moved",
        "C003": "changed",
        "C004": "moved",
        "C005": "lost",
    }
    changed = next(p for p in placements if p.claim.key == "C003")
    assert changed.quote.startswith("Students numbered 410,000")
    assert NEW[changed.start : changed.end] == changed.quote


def test_a_dry_run_writes_nothing(document, tmp_path, capsys):
    revised = tmp_path / "revised.txt"
    revised.write_text(NEW)
    before = list(Claim.objects.values_list("key", "start", "end", "quote"))
    call_command("import_document", str(revised), "--revise", document.slug)
    out = capsys.readouterr().out
    assert "C005: lost" in out and "Nothing was written" in out
    assert list(Claim.objects.values_list("key", "start", "end", "quote")) == before
    assert Document.objects.get(pk=document.pk).body == OLD
    assert not DocumentVersion.objects.exists()


def test_apply_takes_the_new_text_and_keeps_the_old(document, reviewer, tmp_path):
    revised = tmp_path / "revised.txt"
    revised.write_text(NEW)
    call_command(
        "import_document", str(revised), "--revise", document.slug, "--apply",
        "--user", "reviewer", "--note", "The ministry's corrected text",
    )  # fmt: skip
    document.refresh_from_db()
    assert document.body == NEW
    for claim in Claim.objects.filter(document=document, anchored_version__isnull=True):
        assert NEW[claim.start : claim.end] == claim.quote, claim.key
    lost = Claim.objects.get(key="C005")
    assert lost.anchored_version.number == 1
    assert lost.anchored_version.body[lost.start : lost.end] == lost.quote
    lost.full_clean()  # still valid: anchored in the text it was made on
    versions = list(DocumentVersion.objects.filter(document=document).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].body == OLD and versions[0].anchors["C005"] == [lost.start, lost.end]
    assert ClaimNote.objects.filter(claim__key="C003", text__contains="400,000").exists()
    moved = Claim.objects.get(key="C002")
    assert moved.history.first().history_change_reason.startswith("Re-anchored")
    assert moved.section.label == "I"


def test_apply_is_all_or_nothing(document, tmp_path):
    # A published claim whose words change must go back to review, which a curator
    # may not do: the whole revision is refused and nothing is written.
    PublishedClaimFactory(document=document, key="C006", quote="Cooperation benefits both.")
    curator = User.objects.create_user("curator", is_staff=True)
    curator.groups.add(Group.objects.get(name="curators"))
    reworded = NEW.replace("Cooperation benefits both.", "Cooperation benefits both sides.")
    revised = tmp_path / "revised.txt"
    revised.write_text(reworded)
    with pytest.raises(CommandError, match="Nothing was written"):
        call_command(
            "import_document",
            str(revised),
            "--revise",
            document.slug,
            "--apply",
            "--user",
            "curator",
        )
    document.refresh_from_db()
    assert document.body == OLD
    assert not DocumentVersion.objects.exists()
    assert not ClaimNote.objects.exists()


def test_the_seed_in_another_house_style_loses_no_claim(seed_dataset):
    """A revision of our own making, in the style of the Xinhua release ("U.S." for "US"),
    with a sentence inserted, one deleted and punctuation edited."""
    document = Document.objects.get(slug=SEED_SLUG)
    body = document.body.replace("US", "U.S.").replace("—", " - ")
    body = body.replace("\n", "\nThis sentence was added by the editor.\n", 1)
    placements = reanchoring.plan(document, body)
    counts = outcomes(placements)
    assert "lost" not in counts.values(), [k for k, v in counts.items() if v == "lost"]
    assert list(counts.values()).count("changed") >= 10
    for placement in placements:
        if placement.outcome != "unchanged":
            assert body[placement.start : placement.end] == placement.quote


def test_revising_needs_a_known_document_and_a_different_text(document, tmp_path):
    same = tmp_path / "same.txt"
    same.write_text(OLD)
    with pytest.raises(CommandError, match="current text"):
        call_command("import_document", str(same), "--revise", document.slug)
    with pytest.raises(CommandError, match="No document"):
        call_command("import_document", str(same), "--revise", "nosuch")
    assert Path(same).exists()


def test_an_earlier_text_stays_readable_with_its_claims(document, reviewer, tmp_path, client):
    revised = tmp_path / "revised.txt"
    revised.write_text(NEW)
    call_command(
        "import_document", str(revised), "--revise", document.slug, "--apply", "--user", "reviewer"
    )
    url = f"/documents/{document.slug}/versions/1/"
    # The claims are drafts: an anonymous reader reads the old text with none marked.
    page = client.get(url).content.decode()
    assert "Students number 400,000." in page and "version-claim" not in page
    client.force_login(reviewer)
    page = client.get(url).content.decode()
    assert page.count('class="version-claim"') == 5  # C005, lost since, stands in this text
    assert f"/documents/{document.slug}/claims/C005/" in page
    assert client.get(f"/documents/{document.slug}/versions/9/").status_code == 404
