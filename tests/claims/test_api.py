"""REST API: reading, filtering, searching, ordering, visibility and writes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import Claim, Evidence
from sources.models import Source
from tests import api
from tests.factories import (
    ClaimFactory,
    DocumentFactory,
    EvidenceFactory,
    PublishedClaimFactory,
    SourceFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def keys(response):
    return [row["key"] for row in results(response)]


@pytest.fixture
def claims_with_evidence(document, draft_claim):
    """C001 published (a source and a counter-source), C002 a draft, C003 a published opinion."""
    published_claim = PublishedClaimFactory(
        document=document, key="C001", evidence__source=SourceFactory(key="census-trade")
    )
    trade = TopicFactory(slug="trade", name="Trade")
    published_claim.topics.add(trade)
    EvidenceFactory(
        claim=published_claim,
        source=SourceFactory(key="customs-trade"),
        stance="qualifies",
        excerpt="Customs gives 220 times.",
    )
    opinion = PublishedClaimFactory(
        document=document,
        key="C003",
        quote="We must cooperate.",
        claim_type="normative",
        checkable=False,
    )
    return published_claim, draft_claim, opinion


class TestClaimList:
    def test_embeds_sources_and_counter_sources(self, anonymous_client, claims_with_evidence):
        row = next(r for r in results(anonymous_client.get("/api/claims/")) if r["key"] == "C001")
        assert [s["source"]["key"] for s in row["sources"]] == ["census-trade"]
        assert [s["source"]["key"] for s in row["counter_sources"]] == ["customs-trade"]
        counter = row["counter_sources"][0]
        assert counter["excerpt"] == "Customs gives 220 times." and counter["stance"] == "qualifies"
        assert set(counter) >= {"locator", "verified", "excerpt", "source"}

    def test_anonymous_users_do_not_see_drafts(self, anonymous_client, claims_with_evidence):
        assert keys(anonymous_client.get("/api/claims/")) == ["C001", "C003"]

    def test_anonymous_users_get_404_for_a_draft(self, anonymous_client, draft_claim):
        assert anonymous_client.get(f"/api/claims/{draft_claim.pk}/").status_code == 404

    def test_users_without_claim_permissions_do_not_see_drafts(self, reader, claims_with_evidence):
        from rest_framework.test import APIClient

        client = APIClient()
        client.force_authenticate(reader)
        assert "C002" not in keys(client.get("/api/claims/"))

    def test_curators_see_drafts(self, curator_client, claims_with_evidence):
        assert keys(curator_client.get("/api/claims/")) == ["C001", "C002", "C003"]

    @pytest.mark.parametrize(
        "query, expected",
        [
            ("claim_type=normative", ["C003"]),
            ("verdict=supported", ["C001"]),
            ("status=draft", ["C002"]),
            ("topic=trade", ["C001"]),
            ("has_counter_sources=true", ["C001"]),
            ("has_counter_sources=false", ["C002", "C003"]),
            ("source=census-trade", ["C001"]),
            ("section=II", ["C003"]),
            ("checkable=false", ["C003"]),
            ("key=C002", ["C002"]),
            ("search=cooperate", ["C003"]),
            ("search=400,000", ["C002"]),
            ("ordering=-start", ["C003", "C002", "C001"]),
            ("ordering=key", ["C001", "C002", "C003"]),
        ],
    )
    def test_filters_search_and_ordering(
        self, curator_client, claims_with_evidence, query, expected
    ):
        assert keys(curator_client.get(f"/api/claims/?{query}")) == expected

    def test_filter_by_document(self, curator_client, claims_with_evidence):
        ClaimFactory(key="C900")  # in another document
        document = claims_with_evidence[0].document
        assert "C900" not in keys(curator_client.get(f"/api/claims/?document={document.slug}"))
        assert keys(curator_client.get("/api/claims/?document=other-slug")) == []

    def test_attributed_to_and_date_range_filters(self, curator_client, claims_with_evidence):
        Claim.objects.filter(key="C001").update(attributed_to="Richard Nixon")
        assert keys(curator_client.get("/api/claims/?attributed_to=nixon")) == ["C001"]
        assert keys(curator_client.get("/api/claims/?created_after=2000-01-01T00:00:00Z")) == [
            "C001",
            "C002",
            "C003",
        ]
        assert keys(curator_client.get("/api/claims/?created_before=2000-01-01T00:00:00Z")) == []

    def test_bad_choice_in_filter_is_a_400_naming_the_parameter(
        self, anonymous_client, claims_with_evidence
    ):
        response = anonymous_client.get("/api/claims/?verdict=excellent")
        assert response.status_code == 400
        assert "verdict" in response.json()

    def test_page_size_is_bounded(self, curator_client, document):
        """A page_size past the bound is cut to max_page_size (200), not refused."""
        for index in range(201):
            ClaimFactory(document=document, key=f"K{index:03d}")
        body = curator_client.get("/api/claims/?page_size=100000").json()
        assert body["count"] == 201 and len(body["results"]) == 200 and body["next"]

    def test_query_count_does_not_grow_with_rows(self, anonymous_client, document):
        def count_queries(number):
            Claim.objects.all().delete()
            for index in range(number):
                claim = PublishedClaimFactory(document=document, key=f"K{index:03d}")
                claim.topics.add(TopicFactory())
                EvidenceFactory(claim=claim, stance="contradicts", excerpt="No.")
            with CaptureQueriesContext(connection) as context:
                response = anonymous_client.get("/api/claims/?page_size=100")
            assert len(response.json()["results"]) == number
            return len(context.captured_queries)

        assert count_queries(5) == count_queries(50)


class TestClaimDetail:
    def test_detail_carries_w3c_selectors(self, anonymous_client, published_claim):
        body = anonymous_client.get(f"/api/claims/{published_claim.pk}/").json()
        quote_selector, position_selector = body["selectors"]
        assert quote_selector["exact"] == published_claim.quote
        assert published_claim.document.body.endswith(
            published_claim.document.body[published_claim.end :]
        ) and quote_selector["suffix"].startswith(" Students")
        assert position_selector == {
            "type": "TextPositionSelector",
            "start": published_claim.start,
            "end": published_claim.end,
        }


class TestClaimWrites:
    def test_anonymous_users_cannot_write(self, anonymous_client, published_claim):
        assert anonymous_client.post("/api/claims/", {}, format="json").status_code in (401, 403)
        assert anonymous_client.delete(f"/api/claims/{published_claim.pk}/").status_code in (
            401,
            403,
        )
        assert Claim.objects.filter(pk=published_claim.pk).exists()

    def test_users_without_permission_cannot_write(self, reader, published_claim):
        from rest_framework.test import APIClient

        client = APIClient()
        client.force_authenticate(reader)
        response = client.patch(
            f"/api/claims/{published_claim.pk}/", {"paraphrase": "x"}, format="json"
        )
        assert response.status_code == 403
        published_claim.refresh_from_db()
        assert published_claim.paraphrase != "x"

    def test_curator_creates_a_claim_with_evidence_and_offsets_from_the_quote(
        self, curator_client, document
    ):
        SourceFactory(key="iie-open-doors")
        payload = {
            "document": document.slug,
            "key": "C050",
            "quote": "Students number 400,000.",
            "claim_type": "statistic",
            "status": "in_review",
            "evidence": [
                {
                    "source": "iie-open-doors",
                    "stance": "contradicts",
                    "excerpt": "372,532 in 2019/20.",
                    "locator": "Table 1",
                }
            ],
        }
        response = curator_client.post("/api/claims/", payload, format="json")
        assert response.status_code == 201, response.content
        claim = Claim.objects.get(key="C050")
        assert document.body[claim.start : claim.end] == payload["quote"]
        assert claim.section.label == "I"
        assert response.json()["counter_sources"][0]["source"]["key"] == "iie-open-doors"

    @pytest.mark.parametrize("field", ["document", "topics", "evidence"])
    def test_a_nul_in_a_reference_is_a_400_naming_the_field(self, curator_client, document, field):
        """PostgreSQL cannot hold a NUL in a query: refused before the lookup, on both engines."""
        payload = {
            "document": document.slug,
            "key": "C053",
            "quote": "Students number 400,000.",
            "claim_type": "statistic",
        }
        payload |= {
            "document": {"document": "no\x00such"},
            "topics": {"topics": ["tr\x00ade"]},
            "evidence": {"evidence": [{"source": "s\x001", "stance": "supports"}]},
        }[field]
        response = curator_client.post("/api/claims/", payload, format="json")
        assert response.status_code == 400 and field in response.json()
        assert not Claim.objects.filter(key="C053").exists()

    def test_quote_not_in_document_is_a_400_on_quote(self, curator_client, document):
        payload = {
            "document": document.slug,
            "key": "C051",
            "quote": "Not in the text.",
            "claim_type": "statistic",
        }
        response = curator_client.post("/api/claims/", payload, format="json")
        assert response.status_code == 400
        assert "quote" in response.json()
        assert not Claim.objects.filter(key="C051").exists()

    def test_bad_evidence_rolls_back_the_claim(self, curator_client, document):
        SourceFactory(key="s1")
        payload = {
            "document": document.slug,
            "key": "C052",
            "quote": "Students number 400,000.",
            "claim_type": "statistic",
            "evidence": [{"source": "s1", "stance": "contradicts", "excerpt": ""}],
        }
        response = curator_client.post("/api/claims/", payload, format="json")
        assert response.status_code == 400
        assert "evidence[0].excerpt" in response.json()
        assert not Claim.objects.filter(key="C052").exists()
        assert not Evidence.objects.exists()

    def test_patch_quote_re_anchors(self, curator_client, draft_claim):
        url = f"/api/claims/{draft_claim.pk}/"
        response = api.patch(
            curator_client, url, {"quote": "Trade grew two hundred times since 1979."}
        )
        assert response.status_code == 200, response.content
        draft_claim.refresh_from_db()
        assert (
            draft_claim.document.body[draft_claim.start : draft_claim.end]
            == "Trade grew two hundred times since 1979."
        )

    def test_patch_with_wrong_offsets_is_refused(self, curator_client, published_claim):
        response = api.patch(curator_client, f"/api/claims/{published_claim.pk}/", {"start": 0})
        assert response.status_code == 400 and "quote" in response.json()


class TestOtherResources:
    def test_documents_list_and_detail(self, anonymous_client, claims_with_evidence):
        document = claims_with_evidence[0].document
        row = results(anonymous_client.get("/api/documents/"))[0]
        assert row["slug"] == document.slug and row["claim_count"] == 2 and "body" not in row
        detail = anonymous_client.get(f"/api/documents/{document.slug}/").json()
        assert detail["body"] == document.body
        assert [s["label"] for s in detail["sections"]] == ["intro", "I", "II"]

    def test_documents_search_and_ordering(self, anonymous_client):
        DocumentFactory(title="Alpha paper", slug="alpha")
        DocumentFactory(title="Beta paper", slug="beta")
        assert [
            d["slug"] for d in results(anonymous_client.get("/api/documents/?search=alpha"))
        ] == ["alpha"]
        assert [
            d["slug"] for d in results(anonymous_client.get("/api/documents/?ordering=-title"))
        ] == ["beta", "alpha"]

    def test_sections_list(self, anonymous_client, document):
        rows = results(anonymous_client.get(f"/api/sections/?document__slug={document.slug}"))
        assert [row["label"] for row in rows] == ["intro", "I", "II"]

    def test_evidence_of_drafts_is_hidden_from_anonymous_users(
        self, anonymous_client, claims_with_evidence
    ):
        _, draft, _ = claims_with_evidence
        EvidenceFactory(claim=draft, source=SourceFactory(key="draft-only-source"))
        rows = results(anonymous_client.get("/api/evidence/"))
        assert {row["source"] for row in rows} == {"census-trade", "customs-trade"}
        assert (
            results(anonymous_client.get("/api/evidence/?stance=qualifies"))[0]["source"]
            == "customs-trade"
        )
        assert [
            r["source"] for r in results(anonymous_client.get("/api/evidence/?verified=true"))
        ] == []

    def test_sources_only_cited_by_drafts_are_hidden(
        self, anonymous_client, curator_client, claims_with_evidence
    ):
        _, draft, _ = claims_with_evidence
        EvidenceFactory(claim=draft, source=SourceFactory(key="draft-only-source"))
        public = [row["key"] for row in results(anonymous_client.get("/api/sources/"))]
        assert public == ["census-trade", "customs-trade"]
        assert "draft-only-source" in [
            row["key"] for row in results(curator_client.get("/api/sources/"))
        ]
        assert anonymous_client.get("/api/sources/draft-only-source/").status_code == 404

    def test_source_counts_filters_and_search(self, anonymous_client, claims_with_evidence):
        row = anonymous_client.get("/api/sources/customs-trade/").json()
        assert (row["supports_count"], row["counters_count"]) == (0, 1)
        SourceFactory(key="other", kind="news", title="A newspaper story")
        EvidenceFactory(
            claim=claims_with_evidence[0],
            source_id=SourceFactory(key="news-x", kind="news", title="Trade story").pk,
        )
        assert [r["key"] for r in results(anonymous_client.get("/api/sources/?kind=news"))] == [
            "news-x"
        ]
        assert [r["key"] for r in results(anonymous_client.get("/api/sources/?search=story"))] == [
            "news-x"
        ]
        assert [r["key"] for r in results(anonymous_client.get("/api/sources/?ordering=-key"))][
            0
        ] == "news-x"

    def test_source_counts_count_the_claims_the_reader_may_see(
        self, anonymous_client, curator_client, claims_with_evidence
    ):
        _, draft, _ = claims_with_evidence
        EvidenceFactory(claim=draft, source=Source.objects.get(key="census-trade"))
        url = "/api/sources/census-trade/"
        assert anonymous_client.get(url).json()["supports_count"] == 1
        assert curator_client.get(url).json()["supports_count"] == 2

    @pytest.mark.parametrize("resource", ["documents", "sources"])
    def test_resources_with_counts_can_be_edited_and_deleted(
        self, curator_client, published_claim, resource
    ):
        """Their counts are subqueries, so the row lock a write takes works on PostgreSQL too
        (SELECT ... FOR UPDATE is refused with GROUP BY)."""
        if resource == "documents":
            url, count = f"/api/documents/{published_claim.document.slug}/", "claim_count"
        else:
            url, count = (
                f"/api/sources/{published_claim.evidence.get().source.key}/",
                "supports_count",
            )
        response = api.patch(curator_client, url, {"notes": "Checked again."})
        assert response.status_code == 200, response.content
        assert response.json()["notes"] == "Checked again." and response.json()[count] == 1
        uncited = SourceFactory(key="uncited")
        assert api.delete(curator_client, f"/api/sources/{uncited.key}/").status_code == 204

    def test_a_new_document_or_source_answers_with_its_counts(self, curator_client):
        """What the schema promises: counts are integers, 0 for a row just created."""
        document = {"title": "New statement", "slug": "new-statement", "body": "Text."}
        response = curator_client.post("/api/documents/", document, format="json")
        assert response.status_code == 201 and response.json()["claim_count"] == 0
        source = {"key": "new-source", "kind": "book", "title": "A book"}
        body = curator_client.post("/api/sources/", source, format="json").json()
        assert (body["supports_count"], body["counters_count"]) == (0, 0)

    def test_source_year_range_filter(self, curator_client):
        import datetime

        SourceFactory(key="old", published_on=datetime.date(1979, 1, 1), date_precision="year")
        SourceFactory(key="new", published_on=datetime.date(2019, 6, 1), date_precision="month")
        assert [r["key"] for r in results(curator_client.get("/api/sources/?year_min=2000"))] == [
            "new"
        ]
        assert [r["key"] for r in results(curator_client.get("/api/sources/?year_max=2000"))] == [
            "old"
        ]

    def test_topics_list_and_create(self, anonymous_client, curator_client):
        response = curator_client.post(
            "/api/topics/", {"name": "Trade", "slug": "trade"}, format="json"
        )
        assert response.status_code == 201
        assert [t["slug"] for t in results(anonymous_client.get("/api/topics/?search=tra"))] == [
            "trade"
        ]

    def test_curator_adds_evidence_and_gets_field_errors(self, curator_client, draft_claim):
        SourceFactory(key="s2")
        bad = {"claim": draft_claim.pk, "source": "s2", "stance": "contradicts", "excerpt": ""}
        response = curator_client.post("/api/evidence/", bad, format="json")
        assert response.status_code == 400 and "excerpt" in response.json()
        good = {**bad, "excerpt": "Says otherwise."}
        assert curator_client.post("/api/evidence/", good, format="json").status_code == 201

    def test_curator_creates_source_with_invalid_authors(self, curator_client):
        payload = {"key": "x", "kind": "book", "title": "T", "authors": [{"name": "Snow"}]}
        response = curator_client.post("/api/sources/", payload, format="json")
        assert response.status_code == 400 and "authors" in response.json()


@pytest.mark.parametrize("page", ["999", "abc", "0", str(10**30)])
def test_a_page_that_does_not_exist_is_a_400_naming_the_parameter(
    anonymous_client, published_claim, page
):
    response = anonymous_client.get(f"/api/claims/?page={page}")
    assert response.status_code == 400 and "page" in response.json()
