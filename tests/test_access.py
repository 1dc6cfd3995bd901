"""Throttling, CORS, and the rule that no unpublished claim leaks through any endpoint."""

import re

import pytest
from django.test import override_settings
from rest_framework.throttling import AnonRateThrottle

from tests.factories import ClaimFactory, EvidenceFactory, SourceFactory

pytestmark = pytest.mark.django_db

SECRET = "Zebra-secret-draft-marker"


def test_anonymous_clients_are_throttled_with_retry_after(
    anonymous_client, published_claim, monkeypatch
):
    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "3/min")
    codes = [anonymous_client.get("/api/claims/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = anonymous_client.get("/api/claims/")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0


def test_cors_is_closed_by_default(anonymous_client, published_claim):
    response = anonymous_client.get("/api/claims/", HTTP_ORIGIN="https://elsewhere.example")
    assert "Access-Control-Allow-Origin" not in response


@override_settings(CORS_ALLOWED_ORIGINS=["https://tools.example"])
def test_cors_allows_configured_origins(anonymous_client, published_claim):
    response = anonymous_client.get("/api/claims/", HTTP_ORIGIN="https://tools.example")
    assert response["Access-Control-Allow-Origin"] == "https://tools.example"


@pytest.fixture
def leaky_world(document, published_claim):
    """A draft whose analysis, source and evidence must never reach an anonymous reader.

    (Its quote is part of the public document text; what is private is the curators' work.)
    """
    draft = ClaimFactory(
        document=document, key="C999", quote="Students number 400,000.", status="draft",
        paraphrase=SECRET, verdict="", verdict_summary="",
    )  # fmt: skip
    EvidenceFactory(
        claim=draft, source=SourceFactory(key="secret-source", title=SECRET), excerpt=SECRET
    )
    EvidenceFactory(claim=published_claim)
    return draft


def get_paths(client) -> list[str]:
    schema = client.get("/api/schema/?format=json").json()
    return [path for path, operations in schema["paths"].items() if "get" in operations]


def test_no_endpoint_shows_a_draft_to_anonymous_users(
    anonymous_client, curator_client, leaky_world
):
    """Every GET endpoint of the schema, with every path parameter pointed at the draft."""
    draft = leaky_world
    values = {
        "id": draft.pk, "slug": draft.document.slug, "key": "secret-source",
        "document_slug": draft.document.slug,
    }  # fmt: skip
    checked = 0
    for path in get_paths(anonymous_client):
        url = re.sub(r"\{(\w+)\}", lambda match: str(values.get(match.group(1), draft.pk)), path)
        for query in ("", f"?search={SECRET}", f"?q={SECRET}", "?status=draft", "?page_size=200"):
            response = anonymous_client.get(url + query)
            assert response.status_code < 500, url + query
            text = b"".join(response.streaming_content) if response.streaming else response.content
            assert SECRET.encode() not in text, f"{url}{query} shows the draft"
            checked += 1
    assert checked >= 30
    # The marker is reachable for a curator, so the test would notice a leak.
    assert SECRET in curator_client.get(f"/api/claims/{draft.pk}/").content.decode()


def test_document_counts_exclude_drafts_for_anonymous_users(
    anonymous_client, curator_client, leaky_world
):
    slug = leaky_world.document.slug
    assert anonymous_client.get(f"/api/documents/{slug}/").json()["claim_count"] == 1
    assert curator_client.get(f"/api/documents/{slug}/").json()["claim_count"] == 2
