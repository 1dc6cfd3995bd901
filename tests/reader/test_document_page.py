"""The document page carries the text and an index of its claims; details come on demand."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    ClaimFactory,
    DocumentFactory,
    EvidenceFactory,
    PublishedClaimFactory,
    SourceFactory,
)
from tests.reader.test_reader import (
    claim_index,
    data_queries,
    detail_url,
    panel,
    rendered_text,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator_browser(curator):
    client = Client()
    client.force_login(curator)
    return client


def test_the_page_does_not_carry_the_evidence_the_panel_does(client, published_claim):
    evidence = published_claim.evidence.get()
    evidence.excerpt = "An excerpt only the panel shows."
    evidence.save()
    page = client.get(detail_url(published_claim.document.slug)).content.decode()
    assert "An excerpt only the panel shows." not in page
    assert evidence.source.title not in page
    assert published_claim.verdict_summary not in page
    details = panel(client, published_claim.document.slug, published_claim.key)
    assert "An excerpt only the panel shows." in details
    assert evidence.source.title in details and published_claim.verdict_summary in details
    claim_page = reverse("reader:claim-detail", args=[published_claim.document.slug, "C001"])
    assert f'href="{claim_page}"' in details


def test_a_missing_or_unpublished_claim_says_which(client, curator_browser, published_claim):
    slug = published_claim.document.slug
    draft = ClaimFactory(
        document=published_claim.document, key="C095", quote="Students number 400,000.",
        paraphrase="Draft-only paraphrase.",
    )  # fmt: skip
    missing = panel(client, slug, "C999", status=404)
    assert "There is no claim C999 in this document." in missing
    unpublished = panel(client, slug, "C095", status=404)
    assert "Claim C095 is not published yet." in unpublished
    assert draft.paraphrase not in unpublished and draft.quote not in unpublished
    assert "Draft-only paraphrase." in panel(curator_browser, slug, "C095")  # curators see it
    assert "C095" not in claim_index(client.get(detail_url(slug)).content.decode())
    assert client.get("/documents/nope/claims/C001/panel/").status_code == 404


def test_markup_in_a_key_is_escaped_in_the_message(client, document):
    html = panel(client, document.slug, '"><i>x', status=404)
    assert "<i>x" not in html and "&quot;&gt;&lt;i&gt;x" in html


def test_the_panel_costs_a_fixed_number_of_queries(client, document):
    def count(sources: int) -> int:
        claim = PublishedClaimFactory(document=DocumentFactory(), key="C001", evidence=None)
        for _ in range(sources):
            EvidenceFactory(claim=claim, source=SourceFactory(), stance="contradicts")
        with CaptureQueriesContext(connection) as context:
            panel(client, claim.document.slug, claim.key)
        return data_queries(context)

    # the document, the claim, topics, evidence with sources, corrections, claims sharing
    # its text
    assert count(1) == count(8) == 6


def test_only_curators_get_edit_links(client, curator_browser, published_claim):
    slug, admin = published_claim.document.slug, "/admin/claims/claim/"
    assert admin not in panel(client, slug, "C001")
    assert f"{admin}{published_claim.pk}/change/" in panel(curator_browser, slug, "C001")
    assert "Edit in admin" not in client.get(detail_url(slug)).content.decode()


def test_the_section_menu_links_to_the_headings(client, published_claim):
    html = client.get(detail_url(published_claim.document.slug)).content.decode()
    menu = html.split('<nav class="section-menu"', 1)[1].split("</nav>", 1)[0]
    targets = [part.split('"', 1)[0] for part in menu.split('href="#')[1:]]
    assert targets == ["section-1", "section-2"]
    for target in targets:
        assert f'id="{target}"' in html


def test_words_in_the_claim_narrow_the_matches(client, document):
    PublishedClaimFactory(document=document, key="C001")
    PublishedClaimFactory(document=document, key="C002", quote="Students number 400,000.")
    html = client.get(detail_url(document.slug) + "?find=STUDENTS+400").content.decode()
    spans = {s["attrs"]["id"]: s["attrs"]["class"].split() for s in rendered_text(html).spans}
    assert "is-dimmed" in spans["C001"] and "is-dimmed" not in spans["C002"]
    assert "<strong>1</strong> of 2 claims match" in html
    assert 'value="STUDENTS 400"' in html


def test_evidence_shows_the_copy_read_and_its_kind(client, document):
    source = SourceFactory(url="", title="A report without an address of its own")
    claim = PublishedClaimFactory(document=document, key="C001", evidence=None)
    EvidenceFactory(
        claim=claim,
        source=source,
        verified=True,
        consulted_url="https://web.archive.org/web/2020/https://example.org/report",
    )
    details = panel(client, document.slug, "C001")
    assert 'href="https://web.archive.org/web/2020/https://example.org/report"' in details
    assert "Copy the curator read (in an archive)" in details
    assert "Verified by a curator, in an archive" in details
