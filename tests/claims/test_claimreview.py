"""ClaimReview JSON-LD: Google's required and recommended properties, the documented rating
scale, and evidence (with its stance) that survives JSON-LD expansion."""

import datetime

import jsonschema
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pyld import jsonld

from claims.models import Claim
from claims.research.claimreview import (
    BEST_RATING,
    RATING_VALUES,
    WORST_RATING,
    claim_reviewed_text,
)
from tests.factories import (
    ClaimFactory,
    DocumentFactory,
    EvidenceFactory,
    PublishedClaimFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

STANCE = "urn:claimbase:stance"
EXCERPT = "urn:claimbase:excerpt"
SUMMARY = "urn:claimbase:summary"
COPY_KIND = "urn:claimbase:copyKind"
# No network here: expansion gets a stand-in for https://schema.org's context. Like the
# real one it sets "@vocab" to http://schema.org/ and types "url" as an IRI; what the test
# shows is that our own terms land on our IRIs, which no schema.org context could do.
SCHEMA_ORG_CONTEXT = {
    "@context": {
        "@vocab": "http://schema.org/",
        "schema": "http://schema.org/",
        "url": {"@id": "schema:url", "@type": "@id"},
    }
}
SCHEMA = "http://schema.org/"


def offline_loader(url, options=None):
    if url.rstrip("/") in ("https://schema.org", "http://schema.org"):
        return {"contextUrl": None, "documentUrl": url, "document": SCHEMA_ORG_CONTEXT}
    raise AssertionError(f"JSON-LD expansion tried to fetch {url}")


# What Google's fact-check documentation requires or recommends, as a JSON schema.
CLAIM_REVIEW_SCHEMA = {
    "type": "object",
    "required": [
        "@context",
        "@type",
        "url",
        "claimReviewed",
        "reviewRating",
        "itemReviewed",
        "author",
        "datePublished",
    ],  # fmt: skip
    "properties": {
        "@type": {"const": "ClaimReview"},
        "url": {"type": "string", "pattern": "^https?://"},
        "claimReviewed": {"type": "string", "minLength": 1, "maxLength": 75},
        "datePublished": {"type": "string", "format": "date"},
        "reviewRating": {
            "type": "object",
            "required": ["@type", "alternateName"],
            "properties": {
                "@type": {"const": "Rating"},
                "alternateName": {"type": "string", "minLength": 1},
                "ratingValue": {"type": "integer", "minimum": 1, "maximum": 4},
                "bestRating": {"const": 4},
                "worstRating": {"const": 1},
            },
            "dependentRequired": {"ratingValue": ["bestRating", "worstRating"]},
        },
        "itemReviewed": {
            "type": "object",
            "required": ["@type", "author", "datePublished", "appearance"],
            "properties": {
                "@type": {"const": "Claim"},
                "author": {
                    "type": "object",
                    "required": ["@type", "name"],
                    "properties": {"@type": {"enum": ["Person", "Organization"]}},
                },
                "datePublished": {"type": "string", "format": "date"},
                "appearance": {
                    "type": "object",
                    "required": ["@type", "url"],
                    "properties": {"url": {"type": "string", "pattern": "^https?://"}},
                },
            },
        },
        "author": {
            "type": "object",
            "required": ["@type", "name"],
            "properties": {"@type": {"const": "Organization"}, "name": {"const": "Claimbase"}},
        },
        "citation": {
            "type": "array",
            "items": {"type": "object", "required": ["@type", "name", "stance"]},
        },
    },
}


def check_claim_review(review: dict) -> None:
    jsonschema.validate(
        review, CLAIM_REVIEW_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


@pytest.fixture
def reviewed():
    document = DocumentFactory(
        author="Yang Jiechi",
        publisher="Ministry of Foreign Affairs",
        published_on=datetime.date(2020, 8, 7),
        url="https://example.org/statement",
    )
    claim = PublishedClaimFactory(
        document=document,
        key="C001",
        verdict="contradicted",
        verdict_summary="Official figures give 230 times, not 200.",
        evidence__source=SourceFactory(
            key="census", title="Census table", url="https://census.example/t"
        ),
        evidence__excerpt="Trade rose from 2.5 to 558 billion dollars.",
    )
    EvidenceFactory(
        claim=claim,
        source=SourceFactory(key="customs", title="Customs yearbook"),
        stance="contradicts",
        excerpt="Customs gives a 230-fold rise.",
        locator="Table 4",
    )
    return claim


def claim_review(client, claim):
    response = client.get(f"/api/claims/{claim.pk}/claimreview/")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/ld+json")
    return response.json()


def test_has_the_required_and_recommended_properties(anonymous_client, reviewed):
    review = claim_review(anonymous_client, reviewed)
    check_claim_review(review)
    assert review["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "Contradicted",
        "ratingValue": 1,
        "bestRating": 4,
        "worstRating": 1,
        "ratingExplanation": "Official figures give 230 times, not 200.",
    }
    item = review["itemReviewed"]
    assert item["author"]["name"] == "Yang Jiechi"
    assert item["datePublished"] == "2020-08-07"
    assert item["appearance"]["url"] == "https://example.org/statement"
    assert review["url"].endswith(f"/documents/{reviewed.document.slug}/claims/C001/")
    assert review["datePublished"] == reviewed.reviewed_at.date().isoformat()
    # The factory's paraphrase without its reporting clause "The statement says".
    assert review["claimReviewed"] == "Trade grew about 200-fold."


@pytest.mark.parametrize(
    "verdict, value", [("supported", 4), ("partly_supported", 3), ("disputed", 2)]
)
def test_rating_follows_the_documented_scale(anonymous_client, reviewed, verdict, value):
    Claim.objects.filter(pk=reviewed.pk).update(verdict=verdict)
    rating = claim_review(anonymous_client, reviewed)["reviewRating"]
    assert rating["ratingValue"] == value == RATING_VALUES[verdict]
    assert (rating["worstRating"], rating["bestRating"]) == (WORST_RATING, BEST_RATING)


def test_unverifiable_carries_the_textual_verdict_only(anonymous_client, reviewed):
    Claim.objects.filter(pk=reviewed.pk).update(verdict="unverifiable")
    review = claim_review(anonymous_client, reviewed)
    check_claim_review(review)
    assert review["reviewRating"]["alternateName"] == "Unverifiable"
    assert "ratingValue" not in review["reviewRating"]


def test_evidence_and_its_stance_survive_json_ld_expansion(anonymous_client, reviewed):
    review = claim_review(anonymous_client, reviewed)
    [expanded] = jsonld.expand(review, {"documentLoader": offline_loader})
    assert expanded["@type"] == [f"{SCHEMA}ClaimReview"]
    citations = expanded[f"{SCHEMA}citation"]
    found = {
        citation[f"{SCHEMA}name"][0]["@value"]: (
            citation[STANCE][0]["@value"],
            citation[EXCERPT][0]["@value"],
        )
        for citation in citations
    }
    assert found == {
        "Census table": ("supports", "Trade rose from 2.5 to 558 billion dollars."),
        "Customs yearbook": ("contradicts", "Customs gives a 230-fold rise."),
    }
    # The stance is on our own IRI, not dropped and not mistaken for a schema.org term.
    assert all(f"{SCHEMA}stance" not in citation for citation in citations)


def test_a_summary_is_given_as_a_summary_and_the_copy_read_is_named(anonymous_client, reviewed):
    EvidenceFactory(
        claim=reviewed,
        source=SourceFactory(key="yearbook", title="Trade yearbook", url="https://stats.example/y"),
        stance="qualifies",
        excerpt="",
        summary="Gives a lower figure for 2019.",
        consulted_url="https://mirror.example.net/yearbook",
    )
    review = claim_review(anonymous_client, reviewed)
    [expanded] = jsonld.expand(review, {"documentLoader": offline_loader})
    by_name = {c[f"{SCHEMA}name"][0]["@value"]: c for c in expanded[f"{SCHEMA}citation"]}
    yearbook = by_name["Trade yearbook"]
    assert yearbook[SUMMARY][0]["@value"] == "Gives a lower figure for 2019."
    assert EXCERPT not in yearbook  # a summary is never passed off as the source's words
    assert yearbook[COPY_KIND][0]["@value"] == "third_party"
    assert SUMMARY not in by_name["Customs yearbook"]


def test_claim_reviewed_is_the_paraphrase_or_the_quote_that_fits(anonymous_client, reviewed):
    long_text = "The statement says that " + "trade between the two countries grew " * 4
    Claim.objects.filter(pk=reviewed.pk).update(paraphrase=long_text)
    assert claim_review(anonymous_client, reviewed)["claimReviewed"] == reviewed.quote


def test_claim_reviewed_is_shortened_at_a_word_when_nothing_fits():
    long_text = "Trade between the two countries grew " * 4
    text = claim_reviewed_text(Claim(paraphrase=long_text, quote=long_text + " Really."))
    assert len(text) <= 75 and text.endswith("…")
    assert long_text.startswith(text[:-1]) and not text[:-1].endswith(" ")
    assert long_text[len(text) - 1] == " "  # cut between words
    assert claim_reviewed_text(Claim(paraphrase="", quote="Short quote.")) == "Short quote."
    assert claim_reviewed_text(Claim(paraphrase="The statement says that it rained.")) == (
        "It rained."
    )


@pytest.mark.parametrize(
    "change",
    [
        {"status": "draft", "verdict": ""},
        {"status": "in_review"},
        {"status": "retracted"},
        {"checkable": False, "verdict": "not_checkable"},
    ],
    ids=["draft", "in-review", "retracted", "opinion"],
)
def test_only_published_rated_claims_have_a_claim_review(
    anonymous_client, curator_client, reviewed, change
):
    Claim.objects.filter(pk=reviewed.pk).update(**change)
    url = f"/api/claims/{reviewed.pk}/claimreview/"
    assert anonymous_client.get(url).status_code == 404
    assert curator_client.get(url).status_code == 404
    feed = curator_client.get(f"/api/documents/{reviewed.document.slug}/claimreview/").json()
    assert feed["@graph"] == []


def test_document_feed_holds_every_reviewed_claim_in_order(anonymous_client, reviewed):
    document = reviewed.document
    PublishedClaimFactory(document=document, key="C002", quote="Students number 400,000.")
    ClaimFactory(document=document, key="C003", quote="We must cooperate.")
    response = anonymous_client.get(f"/api/documents/{document.slug}/claimreview/")
    assert response.status_code == 200
    feed = response.json()
    assert feed["@context"][0] == "https://schema.org"
    assert [review["identifier"] for review in feed["@graph"]] == [
        f"{document.slug}/C001",
        f"{document.slug}/C002",
    ]
    for review in feed["@graph"]:
        check_claim_review({"@context": feed["@context"], **review})
    expanded = jsonld.expand(feed, {"documentLoader": offline_loader})
    stances = sorted(
        citation[STANCE][0]["@value"]
        for node in expanded
        for citation in node.get(f"{SCHEMA}citation", [])
    )
    assert stances == ["contradicts", "supports", "supports"]  # C001's two, C002's source


def test_document_feed_costs_fixed_queries(anonymous_client, reviewed):
    document = reviewed.document
    url = f"/api/documents/{document.slug}/claimreview/"
    with CaptureQueriesContext(connection) as one:
        assert len(anonymous_client.get(url).json()["@graph"]) == 1
    for key, quote in [("C002", "Students number 400,000."), ("C003", "We must cooperate.")]:
        PublishedClaimFactory(document=document, key=key, quote=quote)
    with CaptureQueriesContext(connection) as three:
        assert len(anonymous_client.get(url).json()["@graph"]) == 3
    assert len(three) == len(one)


def test_asking_for_plain_json_works_too(anonymous_client, reviewed):
    response = anonymous_client.get(
        f"/api/claims/{reviewed.pk}/claimreview/", HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    "slug, key",
    [
        ("respect-history", "C001"),
        ("doc_2", "key-with_dash"),
        ("respect-history", "C 001"),  # quoted by reverse()
        ("respect-history", "Ä/1"),  # a slash: no reader route; the API record instead
        ("respect-history", "50%?#"),
    ],
)
def test_claim_page_urls_are_claim_page_url_for_every_key(rf, slug, key):
    """The many-claims form gives exactly the address claim_page_url gives."""
    from claims.research.claimreview import ClaimPageUrls, claim_page_url

    request = rf.get("/api/claims/")
    for absolute in (None, request.build_absolute_uri):
        expected = claim_page_url(slug, key, 42, absolute or (lambda path: path))
        assert ClaimPageUrls(absolute)(slug, key, 42) == expected
