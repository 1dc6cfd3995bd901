"""Curators' working text never reaches readers who may not see unpublished material:
a published claim's review note is absent from every anonymous answer (API, CSV,
ClaimReview, reader), and present for curators. Document and source notes are public
descriptions of the work (README, "Security decisions")."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from claims.models import Claim
from tests.factories import PublishedClaimFactory

pytestmark = pytest.mark.django_db

NOTE = "Kestrel: check the Chinese record before trusting this"


@pytest.fixture
def reviewed(document):
    claim = PublishedClaimFactory(document=document, key="C001")
    Claim.objects.filter(pk=claim.pk).update(review_note=NOTE)
    return claim


def urls_for(claim) -> list[str]:
    slug = claim.document.slug
    return [
        "/api/claims/",
        f"/api/claims/{claim.pk}/",
        f"/api/claims/?q={claim.quote.split()[0]}",
        "/api/claims/export.csv",
        "/api/claims/export.json",
        "/api/claims/claimreview/",
        f"/api/claims/?cursor=&document={slug}",
        f"/api/claims/{claim.pk}/claimreview/",
        f"/api/documents/{slug}/claimreview/",
        f"/api/claims/{claim.pk}/similar/?threshold=0.01",
        "/",
        f"/documents/{slug}/",
        f"/documents/{slug}/claims/{claim.key}/",
        "/claims/",
        f"/documents/{slug}/claims/",
    ]


@pytest.mark.parametrize("who", ["anonymous", "signed-in reader"])
def test_the_review_note_never_reaches_a_reader(reviewed, reader, who):
    client = Client()
    if who != "anonymous":
        client.force_login(reader)
    for url in urls_for(reviewed):
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"Kestrel" not in body, url
    detail = client.get(f"/api/claims/{reviewed.pk}/").json()
    assert "review_note" not in detail


def test_curators_read_the_review_note(reviewed, curator_client):
    assert curator_client.get(f"/api/claims/{reviewed.pk}/").json()["review_note"] == NOTE
    listed = curator_client.get("/api/claims/").json()["results"]
    assert [row["review_note"] for row in listed] == [NOTE]


def test_the_etag_differs_by_audience_so_no_cache_mixes_them(reviewed, curator_client):
    anonymous = APIClient().get(f"/api/claims/{reviewed.pk}/")
    assert anonymous["ETag"] != curator_client.get(f"/api/claims/{reviewed.pk}/")["ETag"]


# --- Counts: what a topic or a source counts is what the reader may see. ---


@pytest.fixture
def tagged(reviewed):
    from tests.factories import ClaimFactory, TopicFactory

    topic = TopicFactory(slug="trade")
    reviewed.topics.add(topic)
    for key in ("D1", "D2"):
        ClaimFactory(document=reviewed.document, key=key, status="draft").topics.add(topic)
    return topic


def test_the_topic_list_counts_only_visible_claims(tagged, curator_client, anonymous_client):
    def count(client):
        rows = client.get("/api/topics/").json()["results"]
        return {row["slug"]: row["claim_count"] for row in rows}["trade"]

    assert count(anonymous_client) == 1
    assert count(curator_client) == 3
    assert anonymous_client.get("/api/topics/trade/").json()["claim_count"] == 1


def test_the_topic_admin_counts_only_visible_claims(tagged, db):
    from django.urls import reverse

    from tests.factories import user_with_permissions

    topic_keeper = user_with_permissions("topic-keeper", "claims.view_topic")
    client = Client()
    client.force_login(topic_keeper)
    response = client.get(reverse("admin:claims_topic_changelist"))
    row = next(topic for topic in response.context["cl"].result_list if topic.slug == "trade")
    assert row.claim_count == 1


def test_cached_list_counts_stay_per_audience_and_order_by_count_still_works(
    tagged, curator_client, anonymous_client, settings
):
    """The page's counts are cached per data version under their SQL: a curator's count
    (drafts included) never answers a reader, and ordering by the count still counts in SQL."""
    from tests.factories import TopicFactory

    settings.CACHE_DERIVED_DATA = True

    def counts(client, query=""):
        rows = client.get(f"/api/topics/{query}").json()["results"]
        return [(row["slug"], row["claim_count"]) for row in rows]

    TopicFactory(slug="aid", name="Aid")
    assert dict(counts(curator_client))["trade"] == 3
    assert dict(counts(anonymous_client))["trade"] == 1
    assert dict(counts(curator_client))["trade"] == 3
    assert counts(anonymous_client, "?ordering=-claim_count")[0] == ("trade", 1)
    assert counts(curator_client, "?ordering=claim_count")[-1] == ("trade", 3)
