"""The page of one claim: who sees it, escaping, its ClaimReview JSON-LD, citation, queries."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pyld import jsonld

from claims.choices import VERDICT_MEANINGS, ClaimType, Verdict
from claims.research.citation import claim_to_csl, render_csl, to_bibtex
from claims.research.claimreview import RATING_VALUES
from tests.claims.test_claimreview import SCHEMA, STANCE, offline_loader
from tests.factories import (
    ClaimFactory,
    DocumentFactory,
    PublishedClaimFactory,
    SourceFactory,
)
from tests.reader.test_reader import MARKUP_BODY, data_queries

pytestmark = pytest.mark.django_db


def claim_url(claim) -> str:
    return reverse("reader:claim-detail", args=[claim.document.slug, claim.key])


def json_ld_blocks(html: str) -> list[dict]:
    return [
        json.loads(block)
        for block in re.findall(
            r'<script type="application/ld\+json">(.*?)</script>', html, flags=re.S
        )
    ]


@pytest.fixture
def curator_browser(curator):
    client = Client()
    client.force_login(curator)
    return client


# --- Who sees it --------------------------------------------------------------------------


def test_a_published_claim_has_its_page(client, published_claim):
    response = client.get(claim_url(published_claim))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Claim {published_claim.key}" in html
    assert published_claim.quote in html
    assert published_claim.verdict_summary in html
    assert VERDICT_MEANINGS[Verdict.SUPPORTED] in html
    assert 'datetime="2026-10-02"' in html  # the factory's review date, not today


def test_an_unpublished_claim_is_404_for_anonymous_readers_like_the_api(
    client, anonymous_client, reader, draft_claim
):
    assert client.get(claim_url(draft_claim)).status_code == 404
    assert anonymous_client.get(f"/api/claims/{draft_claim.pk}/").status_code == 404
    client.force_login(reader)  # signed in without the permission: still 404
    assert client.get(claim_url(draft_claim)).status_code == 404


def test_a_curator_sees_an_unpublished_claim_marked_and_without_claimreview(
    curator_browser, draft_claim
):
    response = curator_browser.get(claim_url(draft_claim))
    assert response.status_code == 200
    html = response.content.decode()
    assert "not published; only curators see this claim" in html
    assert '<meta name="robots" content="noindex">' in html
    assert json_ld_blocks(html) == []


def test_unknown_claim_and_document_are_404(client, published_claim):
    assert client.get(f"/documents/{published_claim.document.slug}/claims/C999/").status_code == 404
    assert client.get("/documents/nope/claims/C001/").status_code == 404


def test_related_claims_leave_out_what_the_reader_may_not_see(client, document):
    claim = PublishedClaimFactory(document=document, key="C001")
    other_document = DocumentFactory(slug="other")
    restatement = PublishedClaimFactory(document=other_document, key="C001", same_as=claim)
    hidden = ClaimFactory(
        document=other_document, key="C002", same_as=claim, quote="Students number 400,000."
    )
    html = client.get(claim_url(claim)).content.decode()
    assert claim_url(restatement) in html
    assert claim_url(hidden) not in html
    html = client.get(claim_url(restatement)).content.decode()
    assert "states the same thing as" in html and claim_url(claim) in html


# --- Escaping -----------------------------------------------------------------------------


def test_markup_in_every_field_renders_as_text(client):
    document = DocumentFactory(slug="markup", body=MARKUP_BODY, title="<i>Title</i>")
    claim = PublishedClaimFactory(
        document=document,
        key="C001",
        quote='The <script>alert("x")</script> figure is 5 < 6.',
        paraphrase="<em>paraphrase</em>",
        verdict_summary="</script><u>summary</u>",
        attributed_to="<span>someone</span>",
        evidence__excerpt='<img src=x onerror="alert(1)">',
        evidence__source=SourceFactory(title="<b>Source</b>", publisher="<marquee>Pub</marquee>"),
    )
    html = client.get(claim_url(claim)).content.decode()
    for raw in ["<script>alert", "<em>paraphrase", "<u>summary", "<span>someone", "<img src=x",
                "<b>Source", "<marquee>", "<i>Title"]:  # fmt: skip
        assert raw not in html, raw
    assert "&lt;em&gt;paraphrase&lt;/em&gt;" in html
    # The JSON-LD block cannot be closed early by a "</script>" in the data, and still parses.
    (review,) = json_ld_blocks(html)
    assert review["reviewRating"]["ratingExplanation"] == "</script><u>summary</u>"
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts == [
        '<script type="application/ld+json">',
        '<script src="/static/reader/claim.js">',
    ]


# --- ClaimReview --------------------------------------------------------------------------


def test_the_page_embeds_its_claimreview_dated_by_the_review(client, document):
    claim = PublishedClaimFactory(
        document=document,
        key="C001",
        verdict=Verdict.CONTRADICTED,
        evidence__stance="contradicts",
        reviewed_at=datetime.datetime(2025, 3, 14, 23, 30, tzinfo=datetime.UTC),
    )
    html = client.get(claim_url(claim)).content.decode()
    (review,) = json_ld_blocks(html)
    assert review["@type"] == "ClaimReview"
    assert review["datePublished"] == "2025-03-14"
    assert review["datePublished"] != datetime.date.today().isoformat()
    assert review["url"] == f"http://testserver{claim_url(claim)}"
    assert review["reviewRating"]["ratingValue"] == RATING_VALUES[Verdict.CONTRADICTED]
    expanded = jsonld.expand(review, {"documentLoader": offline_loader})
    (node,) = expanded
    assert node["@type"] == [f"{SCHEMA}ClaimReview"]
    assert node[f"{SCHEMA}datePublished"][0]["@value"] == "2025-03-14"
    citation = node[f"{SCHEMA}citation"][0]
    assert citation[STANCE][0]["@value"] == "contradicts"
    assert f'<link rel="canonical" href="http://testserver{claim_url(claim)}">' in html
    assert '<meta property="og:url"' in html


def test_without_a_review_date_claimreview_leaves_the_date_out(client, document):
    claim = PublishedClaimFactory(document=document, key="C001", reviewed_at=None)
    (review,) = json_ld_blocks(client.get(claim_url(claim)).content.decode())
    assert "datePublished" not in review  # never the day the row was written


def test_opinions_have_a_page_but_no_claimreview(client, document):
    claim = PublishedClaimFactory(
        document=document, key="C001", checkable=False, claim_type=ClaimType.NORMATIVE
    )
    response = client.get(claim_url(claim))
    assert response.status_code == 200
    assert json_ld_blocks(response.content.decode()) == []


def test_the_seed_carries_its_review_date(client, seed_dataset):
    from claims.models import Claim

    claim = Claim.objects.get(key="C005")
    (review,) = json_ld_blocks(client.get(claim_url(claim)).content.decode())
    assert review["datePublished"] == "2026-11-28"


# --- Citation -----------------------------------------------------------------------------


def test_citations_are_generated_from_the_claims_csl_item(client, published_claim):
    html = client.get(claim_url(published_claim)).content.decode()
    url = f"http://testserver{claim_url(published_claim)}"
    item = claim_to_csl(published_claim, url=url, accessed=datetime.date.today())
    assert item["issued"] == {"date-parts": [[2026, 10, 2]]}
    apa = render_csl(item, "apa")
    assert apa.startswith("Claimbase. (2026, October 2). Claim C001 in ‘")
    assert apa.endswith(url)
    chicago = render_csl(item, "chicago")
    assert chicago.startswith("Claimbase. 2026. “Claim C001 in ‘")
    bibtex = to_bibtex(item)
    assert "date = {2026-10-02}" in bibtex and f"url = {{{url}}}" in bibtex
    for text in (apa, chicago, bibtex):
        assert text in html
    assert f'value="{url}"' in html  # the permalink field


def test_bibtex_escapes_its_special_characters():
    item = {
        "id": "doc-C001",
        "title": "50% of {all} R&D_spend",
        "author": [{"literal": "Claimbase"}],
        "container-title": "Claimbase",
        "URL": "https://example.org/x",
        "accessed": {"date-parts": [[2026, 11, 29]]},
    }
    bibtex = to_bibtex(item)
    assert r"title = {50\% of \{all\} R\&D\_spend}" in bibtex
    assert "year" not in bibtex  # no review date: none invented


# --- Queries ------------------------------------------------------------------------------


def test_claim_page_costs_a_fixed_number_of_queries(client, document):
    def count(sources: int) -> int:
        claim = PublishedClaimFactory(document=DocumentFactory(), key="C001", evidence=None)
        for index in range(sources):
            claim.evidence.create(source=SourceFactory(), stance="supports", excerpt=f"e{index}")
        for index in range(sources):
            PublishedClaimFactory(document=claim.document, key=f"R{index}", same_as=claim,
                                  quote="Students number 400,000.")  # fmt: skip
        with CaptureQueriesContext(connection) as context:
            assert client.get(claim_url(claim)).status_code == 200
        return data_queries(context)

    assert count(1) == count(6)


# --- The claim in context -----------------------------------------------------------------


def sentences(count: int, start: int = 0) -> list[str]:
    return [f"Sentence number {index} states a fact about trade." for index in range(start, count)]


@pytest.mark.parametrize("position", ["first", "middle", "last"])
def test_the_context_is_whole_sentences_either_side_cut_from_the_text(client, position):
    """The context comes from a window the database cuts, never from the whole text: the
    page shows whole sentences either side, and "…" only where the document goes on."""
    text = sentences(60)
    index = {"first": 0, "middle": 30, "last": 59}[position]
    body = " ".join(text)
    start = body.index(text[index])
    document = DocumentFactory(body=body)
    claim = PublishedClaimFactory(
        document=document, key="C001", quote=text[index], start=start, end=start + len(text[index])
    )
    with CaptureQueriesContext(connection) as queries:
        html = client.get(claim_url(claim)).content.decode()
    context = re.search(r'<p class="context"[^>]*>(.*?)</p>', html, flags=re.S).group(1)
    shown = re.sub(r"<[^>]+>", "", context)
    assert text[index] in shown
    assert shown.startswith("…") == (position != "first")
    assert shown.endswith("…") == (position != "last")
    words = shown.strip("… ")
    assert words.startswith("Sentence number") and words.endswith("trade.")  # whole sentences
    if position == "middle":  # a few sentences either side, not the whole document
        assert text[index - 2] in shown and text[index + 2] in shown
        assert text[index - 20] not in shown and text[index + 20] not in shown
    # The text column only ever inside SUBSTR(...) / SUBSTRING(...), never selected whole.
    whole_text = re.compile(r'(?<!\()"claims_document"\."body"')
    assert [q["sql"] for q in queries if whole_text.search(q["sql"])] == []


def test_pages_beside_a_document_never_read_its_text_columns(client, document):
    """The claims table, a claim page and similar claims show a claim's document by its
    title: they read neither the text nor the columns stored after it (SQLite reads
    through the whole text to reach them)."""
    claim = PublishedClaimFactory(document=document, key="C001")
    text_columns = re.compile(
        r'(?<!\()"claims_document"\."(body|body_sha256|notes)"'  # not inside SUBSTR(...)
    )
    for url in (
        reverse("reader:claim-list"),
        claim_url(claim),
        f"/api/claims/{claim.pk}/similar/",
        f"/api/claims/{claim.pk}/",
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        assert [q["sql"] for q in queries if text_columns.search(q["sql"])] == [], url
