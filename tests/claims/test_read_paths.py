"""The optimised read paths of claims: the lean list gives the serializer's JSON, a fixed
number of queries whatever the page size, keyset paging, selectors cut by the database,
counts cached per data version."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIRequestFactory

from claims.api import lean
from claims.api.serializers import ClaimDetailSerializer, ClaimSerializer
from claims.models import Claim, Topic
from core.db_statistics import refresh_planner_statistics
from tests.factories import (
    ClaimFactory,
    DocumentFactory,
    EvidenceFactory,
    PublishedClaimFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def varied_corpus(claims: int = 12):
    """Claims with topics, sources, counter-sources, sections and same-as links, some drafts."""
    sentences = [f"Sentence {index} says that tariffs and trade matter." for index in range(claims)]
    document = DocumentFactory(body=" ".join(sentences))
    trade = Topic.objects.get_or_create(name="Trade", slug="trade")[0]
    aid = Topic.objects.get_or_create(name="Aid", slug="aid")[0]
    sources = [SourceFactory() for _ in range(3)]
    rows, position = [], 0
    for index, sentence in enumerate(sentences):
        factory = PublishedClaimFactory if index % 3 else ClaimFactory
        claim = factory(
            document=document,
            key=f"R{index:02d}{document.pk}",
            quote=sentence,
            start=position,
            end=position + len(sentence),
            attributed_to="Someone" if index % 2 else "",
        )
        position += len(sentence) + 1
        claim.topics.set([trade, aid][: index % 3])
        EvidenceFactory(claim=claim, source=sources[index % 3], stance="supports")
        if index % 4 == 1:
            EvidenceFactory(
                claim=claim, source=sources[(index + 1) % 3], stance="contradicts", excerpt="No."
            )
        rows.append(claim)
    # A published claim restating a draft (hidden from readers) and one restating a public claim.
    Claim.objects.filter(pk=rows[4].pk).update(same_as=rows[0])
    Claim.objects.filter(pk=rows[5].pk).update(same_as=rows[1])
    return rows


def serializer_json(claims, user, serializer_class=ClaimSerializer):
    request = APIRequestFactory().get("/api/claims/")
    request.user = user
    return [
        dict(serializer_class(claim, context={"request": request}).data)
        for claim in Claim.objects.with_related().filter(pk__in=[c.pk for c in claims])
    ]


@pytest.mark.parametrize("who", ["anonymous", "curator"])
def test_the_lean_list_is_the_serializers_json(who, anonymous_client, curator_client, curator):
    from django.contrib.auth.models import AnonymousUser

    varied_corpus()
    client, user = (
        (anonymous_client, AnonymousUser()) if who == "anonymous" else (curator_client, curator)
    )
    assert lean.lean_fields(ClaimSerializer(), user) is not None, "the list reads lean rows"
    listed = client.get("/api/claims/", {"page_size": 100}).json()["results"]
    visible = Claim.objects.visible_to(user)
    expected = sorted(serializer_json(visible, user), key=lambda row: row["id"])
    assert sorted(listed, key=lambda row: row["id"]) == expected
    assert any(row["counter_sources"] for row in listed) and any(row["topics"] for row in listed)
    same_as = {row["key"]: row["same_as"] for row in listed}
    assert same_as[Claim.objects.order_by("pk")[5].key] is not None
    first, fourth = Claim.objects.order_by("pk")[0], Claim.objects.order_by("pk")[4]
    assert same_as[fourth.key] == (None if who == "anonymous" else first.pk)


def test_the_lean_list_matches_the_serializer_in_a_search(anonymous_client):
    from django.contrib.auth.models import AnonymousUser

    varied_corpus()
    listed = anonymous_client.get("/api/claims/", {"q": "tariffs"}).json()["results"]
    assert listed and all(row["snippet"] and "<mark>" in row["snippet"] for row in listed)
    hits = {row["id"]: row for row in listed}
    plain = {
        row["id"]: row
        for row in serializer_json(Claim.objects.filter(pk__in=hits), AnonymousUser())
    }
    for pk, row in hits.items():
        assert {k: v for k, v in row.items() if k not in ("snippet", "search_rank")} == {
            k: v for k, v in plain[pk].items() if k not in ("snippet", "search_rank")
        }


def test_a_list_costs_the_same_queries_whatever_its_size(anonymous_client):
    varied_corpus(6)
    with CaptureQueriesContext(connection) as small:
        assert anonymous_client.get("/api/claims/").status_code == 200
    varied_corpus(30)
    with CaptureQueriesContext(connection) as large:
        response = anonymous_client.get("/api/claims/", {"page_size": 100})
    assert response.status_code == 200 and len(response.json()["results"]) > 20
    # count, claims, their topics, their evidence with sources (besides the transaction)
    data = [q for q in large.captured_queries if q["sql"].startswith("SELECT")]
    assert len(data) == 4, [q["sql"][:80] for q in data]
    assert len(large.captured_queries) == len(small.captured_queries)
    assert not any("DISTINCT" in q["sql"] for q in data)
    assert "JOIN" not in data[0]["sql"], "the count joins nothing it does not filter on"


def test_filtering_by_topic_needs_no_distinct(anonymous_client):
    varied_corpus()
    with CaptureQueriesContext(connection) as queries:
        response = anonymous_client.get("/api/claims/", {"topic": "aid"})
    keys = [row["key"] for row in response.json()["results"]]
    assert keys and all(
        "aid" in Claim.objects.get(key=key).topics.values_list("slug", flat=True) for key in keys
    )
    assert not any("DISTINCT" in q["sql"] for q in queries.captured_queries)


def test_a_cursor_walks_the_whole_list_in_order(anonymous_client):
    varied_corpus(20)
    paged = anonymous_client.get("/api/claims/", {"page_size": 200}).json()
    seen, url, params = [], "/api/claims/", {"cursor": "", "page_size": 3}
    while url:
        with CaptureQueriesContext(connection) as queries:
            body = anonymous_client.get(url, params).json()
        assert body["count"] == paged["count"]
        seen += [row["key"] for row in body["results"]]
        url, params = body["next"], None
    assert seen == [row["key"] for row in paged["results"]]
    # On PostgreSQL the last page's condition is one row-value comparison, which an index
    # range serves (SQLite's backend spells it out, and reads the leading column's range).
    page = next(q["sql"] for q in queries.captured_queries if " LIMIT 4" in q["sql"])
    row_value = re.compile(r'\("claims_claim"\."document_id", [^)]*"claims_claim"\."id"\) > \(')
    assert bool(row_value.search(page)) == (connection.vendor == "postgresql"), page


def test_a_bad_cursor_or_a_cursor_with_an_ordering_is_a_400(anonymous_client):
    response = anonymous_client.get("/api/claims/", {"cursor": "not-a-cursor"})
    assert response.status_code == 400 and "cursor" in response.json()
    response = anonymous_client.get("/api/claims/", {"cursor": "", "ordering": "key"})
    assert response.status_code == 400 and "cursor" in response.json()


def test_detail_selectors_are_cut_by_the_database_without_reading_the_text(anonymous_client):
    from django.contrib.auth.models import AnonymousUser

    claims = varied_corpus()
    claim = claims[7]
    with CaptureQueriesContext(connection) as queries:
        response = anonymous_client.get(f"/api/claims/{claim.pk}/")
    assert response.status_code == 200
    body = claim.document.body
    assert response.json()["selectors"][0] == {
        "type": "TextQuoteSelector",
        "exact": body[claim.start : claim.end],
        "prefix": body[max(0, claim.start - 32) : claim.start],
        "suffix": body[claim.end : claim.end + 32],
    }
    # The document text is never selected, only cut (SUBSTR) in the query.
    selected = re.compile(r'(?<!SUBSTR\()(?<!SUBSTRING\()"claims_document"\."body"')
    assert not any(selected.search(q["sql"]) for q in queries.captured_queries)
    assert response.json() == serializer_json([claim], AnonymousUser(), ClaimDetailSerializer)[0]


def test_counts_are_cached_until_a_write_commits(
    anonymous_client, settings, django_capture_on_commit_callbacks
):
    settings.CACHE_DERIVED_DATA = True
    varied_corpus(6)
    first = anonymous_client.get("/api/claims/").json()["count"]
    with CaptureQueriesContext(connection) as queries:
        assert anonymous_client.get("/api/claims/").json()["count"] == first
    assert not any("COUNT(" in q["sql"] for q in queries.captured_queries)
    with django_capture_on_commit_callbacks(execute=True):
        PublishedClaimFactory(document=DocumentFactory(body="A new sentence."), quote="A new")
    assert anonymous_client.get("/api/claims/").json()["count"] == first + 1


def test_filtering_by_the_claims_own_columns_needs_no_distinct(anonymous_client):
    """Several values of a claim's own column (type, verdict, status) join nothing, so no
    row can come twice: no DISTINCT, which made the database sort every match."""
    rows = varied_corpus()
    with CaptureQueriesContext(connection) as queries:
        response = anonymous_client.get(
            "/api/claims/?claim_type=statistic&claim_type=quotation&verdict=supported"
        )
    wanted = {
        claim.key
        for claim in rows
        if claim.status == "published"
        and claim.verdict == "supported"
        and claim.claim_type in ("statistic", "quotation")
    }
    assert {row["key"] for row in response.json()["results"]} == wanted and wanted
    assert not any("DISTINCT" in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize("who", ["anonymous", "curator"])
def test_the_lean_detail_is_the_serializers_json(who, anonymous_client, curator_client, curator):
    """Every claim's detail, lean, equals ClaimDetailSerializer's record of it (with the
    selectors cut from the whole text in Python), in four data queries; a correction shows."""
    from django.contrib.auth.models import AnonymousUser

    from claims.models import Correction

    rows = varied_corpus()
    Correction.objects.create(
        claim=rows[1], kind="correction", reason="The figure was misread.", changes=[]
    )
    client, user = (
        (anonymous_client, AnonymousUser()) if who == "anonymous" else (curator_client, curator)
    )
    request = APIRequestFactory().get("/api/claims/")
    request.user = user
    visible = Claim.objects.visible_to(user).with_related().with_visible_same_as(user)
    for claim in visible:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/claims/{claim.pk}/")
        expected = dict(ClaimDetailSerializer(claim, context={"request": request}).data)
        assert response.json() == expected
        assert len([q for q in queries if q["sql"].startswith("SELECT")]) == 4
    assert client.get(f"/api/claims/{rows[1].pk}/").json()["corrections"][0]["reason"] == (
        "The figure was misread."
    )
    hidden = [claim for claim in rows if claim.status != "published"]
    expected_status = 404 if who == "anonymous" else 200
    assert client.get(f"/api/claims/{hidden[0].pk}/").status_code == expected_status
    assert client.get("/api/claims/not-a-number/").status_code == 404


def test_a_deep_page_reads_its_ids_first_and_gives_the_same_rows(anonymous_client):
    """Page 3 by offset: the same claims, in the same order, as that stretch of one long
    page; its ids are read first from the index of public claims in list order."""
    varied_corpus(24)
    refresh_planner_statistics()  # as after an import: the planner knows the table
    whole = anonymous_client.get("/api/claims/", {"page_size": 100}).json()["results"]
    assert len(whole) == 16
    with CaptureQueriesContext(connection) as queries:
        third = anonymous_client.get("/api/claims/", {"page_size": 5, "page": 3}).json()
    assert third["results"] == whole[10:15]
    data = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    ids_query = data[1]  # after the count: the page's ids, then their rows
    assert ids_query.startswith('SELECT "claims_claim"."id"') and "JOIN" not in ids_query
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + ids_query)
            plan = " ".join(row[-1] for row in cursor.fetchall())
        assert "claims_claim_public_order" in plan, plan
    assert len(data) == 5  # count, ids, rows, topics, evidence


def test_the_evidence_list_is_read_in_its_order_down_an_index(anonymous_client):
    """A page of evidence walks the index in the list's order; it does not sort every
    public claim's evidence to show fifty."""
    if connection.vendor != "sqlite":
        pytest.skip("the plan checked here is SQLite's")
    varied_corpus(24)
    refresh_planner_statistics()
    with CaptureQueriesContext(connection) as queries:
        assert anonymous_client.get("/api/evidence/").status_code == 200
    page = next(q["sql"] for q in queries if q["sql"].startswith('SELECT "claims_evidence"."id"'))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + page)
        plan = " ".join(row[-1] for row in cursor.fetchall())
    assert "claims_evidence_list_order" in plan and "TEMP B-TREE" not in plan, plan
