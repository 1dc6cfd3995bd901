"""Facets: counts by claim_type, verdict, status, section, topic, attributed_to and
has_counter_sources, equal to the counts of the rows the list returns, in fixed queries."""

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import Topic
from tests.factories import ClaimFactory, DocumentFactory, EvidenceFactory, SourceFactory

pytestmark = pytest.mark.django_db

TYPES = ["statistic", "historical_event", "causal", "characterization"]
VERDICTS = ["supported", "partly_supported", "contradicted", "disputed", "unverifiable"]
STATUSES = ["published", "published", "retracted", "draft", "in_review"]
PEOPLE = ["", "", "Henry Kissinger", "Richard Nixon"]


def varied_claims(count: int, *, document=None):
    """`count` claims that differ in every faceted field, in a document of their own."""
    sentences = [f"Sentence {index} says that trade and students matter." for index in range(count)]
    sentences[::3] = [f"Sentence {i * 3} is about tariffs." for i in range(len(sentences[::3]))]
    halves = " ".join(sentences[: count // 2]), " ".join(sentences[count // 2 :])
    document = document or DocumentFactory(body=f"Opening.\nI\n{halves[0]}\nII\n{halves[1]}\n")
    topics = [
        Topic.objects.get_or_create(slug="trade", defaults={"name": "Trade"})[0],
        Topic.objects.get_or_create(slug="education", defaults={"name": "Education"})[0],
    ]
    source = SourceFactory()
    claims = []
    for index, sentence in enumerate(sentences):
        status = STATUSES[index % len(STATUSES)]
        claim = ClaimFactory(
            document=document,
            key=f"F{index:03d}",
            quote=sentence,
            claim_type=TYPES[index % len(TYPES)],
            verdict=VERDICTS[index % len(VERDICTS)] if status != "draft" else "",
            status=status,
            attributed_to=PEOPLE[index % len(PEOPLE)],
            paraphrase="",
            verdict_summary="",
        )
        if index % 2:
            claim.topics.add(topics[0])
        if index % 3 == 0:
            claim.topics.add(topics[1])
        if index % 4 == 1:
            EvidenceFactory(claim=claim, source=source, stance="contradicts", excerpt="No.")
        if index % 5 == 2:
            EvidenceFactory(claim=claim, source=source, stance="supports")
        claims.append(claim)
    return claims


def listed(client, params: dict) -> list[dict]:
    response = client.get("/api/claims/", {**params, "page_size": 200})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def python_counts(rows: list[dict]) -> dict:
    """What each facet must say, counted over the list endpoint's rows."""
    return {
        "claim_type": Counter(row["claim_type"] for row in rows),
        "verdict": Counter(row["verdict"] for row in rows),
        "status": Counter(row["status"] for row in rows),
        "section": Counter(row["section"] for row in rows),
        "topic": Counter(slug for row in rows for slug in row["topics"] or [None]),
        "attributed_to": Counter(row["attributed_to"] or None for row in rows),
        "has_counter_sources": Counter(bool(row["counter_sources"]) for row in rows),
    }


def facet_counts(client, params: dict) -> tuple[int, dict]:
    response = client.get("/api/claims/facets/", params)
    assert response.status_code == 200, response.content
    data = response.json()
    counts = {
        name: Counter({item["value"]: item["count"] for item in facet["values"] if item["count"]})
        for name, facet in data["facets"].items()
    }
    return data["count"], counts


FILTERS = [
    {},
    {"topic": "trade"},
    {"claim_type": ["statistic", "causal"]},
    {"has_counter_sources": "true"},
    {"verdict": "contradicted", "topic": "education"},
    {"q": "tariffs"},
    {"q": "trade students", "has_counter_sources": "false"},
    {"attributed_to": "Kissinger", "section": "II"},
]


@pytest.mark.parametrize("params", FILTERS)
@pytest.mark.parametrize("who", ["anonymous_client", "curator_client"])
def test_facet_counts_equal_the_counts_of_the_listed_rows(request, who, params):
    client = request.getfixturevalue(who)
    varied_claims(24)
    rows = listed(client, params)
    count, counts = facet_counts(client, params)
    assert count == len(rows)
    assert counts == python_counts(rows)


def test_anonymous_counts_include_public_claims_only(anonymous_client, curator_client):
    varied_claims(10)
    _, anonymous = facet_counts(anonymous_client, {})
    assert set(anonymous["status"]) == {"published", "retracted"}
    assert "" not in anonymous["verdict"]  # only drafts here lack a verdict
    _, curator = facet_counts(curator_client, {})
    assert set(curator["status"]) == {"published", "retracted", "draft", "in_review"}
    assert sum(curator["status"].values()) == 10


def test_values_carry_labels_and_the_filter_value(anonymous_client):
    varied_claims(8)
    facets = anonymous_client.get("/api/claims/facets/").json()["facets"]
    topics = {item["value"]: item["label"] for item in facets["topic"]["values"]}
    assert topics["trade"] == "Trade"
    types = {item["value"]: item["label"] for item in facets["claim_type"]["values"]}
    assert types["statistic"] == "Statistic"
    flags = {item["value"]: item["count"] for item in facets["has_counter_sources"]["values"]}
    assert set(flags) == {True, False}


def test_open_ended_facets_are_cut_at_facet_size(anonymous_client):
    varied_claims(12)
    facets = anonymous_client.get("/api/claims/facets/", {"facet_size": 1}).json()["facets"]
    assert len(facets["attributed_to"]["values"]) == 1
    assert facets["attributed_to"]["truncated"] is True
    assert facets["claim_type"]["truncated"] is False


@pytest.mark.parametrize(
    "params, field",
    [({"facet_size": 0}, "facet_size"), ({"facet_size": "x"}, "facet_size"), ({"q": "\x00"}, "q")],
)
def test_bad_parameters_are_400s_naming_the_field(anonymous_client, params, field):
    response = anonymous_client.get("/api/claims/facets/", params)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("params", [{}, {"topic": "trade", "q": "trade"}])
def test_fixed_number_of_queries_whatever_the_rows(anonymous_client, params):
    varied_claims(5)
    with CaptureQueriesContext(connection) as few:
        assert anonymous_client.get("/api/claims/facets/", params).status_code == 200
    varied_claims(50)
    with CaptureQueriesContext(connection) as many:
        assert anonymous_client.get("/api/claims/facets/", params).status_code == 200
    assert len(few) == len(many)
    # Six grouped queries, the total, and the claims with counter-sources as a semi-join
    # (beside the savepoint pair of the request's transaction); none de-duplicates rows,
    # none ranks or cuts snippets.
    queries = data_queries(many)
    assert len(queries) == 8
    assert sum("'contradicts'" in sql for sql in queries) == 1
    assert not any("DISTINCT" in sql or "ts_headline" in sql or "ts_rank" in sql for sql in queries)


def test_facets_are_cached_until_a_write_commits(
    anonymous_client, settings, django_capture_on_commit_callbacks
):
    settings.CACHE_DERIVED_DATA = True
    claims = varied_claims(10)  # the first is published, on education
    first = anonymous_client.get("/api/claims/facets/", {"topic": "education"}).json()
    with CaptureQueriesContext(connection) as again:
        assert anonymous_client.get("/api/claims/facets/", {"topic": "education"}).json() == first
    assert data_queries(again) == [], "answered from the cache"
    other = anonymous_client.get("/api/claims/facets/", {"topic": "trade"}).json()
    assert other["count"] != first["count"], "another filter is another entry"
    with django_capture_on_commit_callbacks(execute=True):
        claims[0].topics.remove(Topic.objects.get(slug="education"))
    after = anonymous_client.get("/api/claims/facets/", {"topic": "education"}).json()
    assert after["count"] == first["count"] - 1


def data_queries(context) -> list[str]:
    return [
        query["sql"]
        for query in context.captured_queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]
