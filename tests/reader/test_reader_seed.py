"""The reader page of the seed statement: every published claim in place, with its evidence."""

import pytest
from django.test import Client
from django.utils.html import escape

from claims.models import Claim, Document
from core.visibility import PUBLIC_CLAIM_STATUSES
from tests.conftest import SEED_SLUG
from tests.reader.test_reader import claim_index, detail_url, panel, rendered_text

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seed_page(seed_dataset, django_db_blocker):
    with django_db_blocker.unblock():
        response = Client().get(detail_url(SEED_SLUG))
        document = Document.objects.get(slug=SEED_SLUG)
        claims = list(Claim.objects.filter(document=document).order_by("start"))
    assert response.status_code == 200
    return response, document, claims


def test_seed_text_is_rendered_exactly_as_stored(seed_page):
    """Joined, the text of the page's document area is the stored body, character for character."""
    response, document, _claims = seed_page
    assert rendered_text(response.content.decode()).text == document.body


def test_every_published_seed_claim_is_a_span_at_its_offsets(seed_page):
    response, document, claims = seed_page
    rendered = rendered_text(response.content.decode())
    by_id = {span["attrs"]["id"]: span for span in rendered.spans if "id" in span["attrs"]}
    public = [claim for claim in claims if claim.status in PUBLIC_CLAIM_STATUSES]
    assert len(public) >= 100  # the seed is curated further over time; its claims come from the DB
    for claim in public:
        span = by_id[claim.key]
        assert span["offset"] == claim.start, claim.key
        assert span["text"] == claim.quote == document.body[claim.start : claim.end]
        assert (int(span["attrs"]["data-start"]), int(span["attrs"]["data-end"])) == (
            claim.start,
            claim.end,
        )
        assert f"verdict-{claim.verdict}" in span["attrs"]["class"].split()
        assert span["attrs"]["href"] == f"#{claim.key}"
        assert span["attrs"]["role"] == "button"
        assert span["attrs"]["aria-controls"] == "claim-panel"
    # The seed's claims never share text, so every span is one whole claim.
    assert len(rendered.spans) == len(public)
    assert not rendered.anchors


def test_claims_in_review_are_not_in_the_public_seed_page(seed_page):
    response, _document, claims = seed_page
    html = response.content.decode()
    hidden = [claim for claim in claims if claim.status not in PUBLIC_CLAIM_STATUSES]
    assert hidden, "the seed keeps some claims in review; this test needs at least one"
    index = claim_index(html)
    for claim in hidden:
        assert f'id="{claim.key}"' not in html
        assert claim.key not in index
        assert claim.paraphrase not in html
    public = len(claims) - len(hidden)
    assert f"<strong>{public}</strong> of {public} claims match" in html


def test_seed_sections_are_headings_and_every_claim_has_its_details(seed_page):
    response, _document, claims = seed_page
    html = response.content.decode()
    rendered = rendered_text(html)
    assert rendered.headings == ["I", "II", "III", "IV"]
    assert rendered.added_headings == []
    index = claim_index(html)
    assert list(index) == [c.key for c in claims if c.status in PUBLIC_CLAIM_STATUSES]


def test_seed_claim_details_show_sources_and_counter_sources(seed_page):
    """C061 has one source and counter-sources; its details carry title, excerpt or summary,
    locator, link."""
    response, _document, claims = seed_page
    claim = next(claim for claim in claims if claim.key == "C061")
    evidence = list(claim.evidence.select_related("source"))
    counters = [item for item in evidence if item.stance != "supports"]
    assert counters, "the seed's C061 has counter-sources"
    detail = panel(Client(), SEED_SLUG, "C061")
    counter_part = detail.split("Counter-sources", 1)[1]
    for item in counters:
        assert escape_text(item.source.title) in counter_part
        # The source's own words in a quotation block, the curator's summary as a plain line.
        if item.excerpt:
            assert escape_text(item.excerpt.splitlines()[0]) in counter_part
        if item.summary:
            assert f"Summary:</span> {escape_text(item.summary.splitlines()[0])}" in counter_part
        assert escape_text(item.locator) in counter_part
        if item.source.url:
            assert f'href="{escape_text(item.source.url)}"' in counter_part
    assert escape_text(claim.paraphrase) in detail
    assert escape_text(claim.verdict_summary.splitlines()[0]) in detail


def escape_text(value: str) -> str:
    return str(escape(value))
