"""CSV export of a claim query: one row per claim with its evidence, filters and `q` applied,
streamed, safe against formula injection, public claims only for anonymous users."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.research.csv_export import COLUMNS, safe_cell
from tests.factories import (
    ClaimFactory,
    DocumentFactory,
    EvidenceFactory,
    PublishedClaimFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def export(client, path="/api/claims/export.csv", **params):
    response = client.get(path, params)
    assert response.status_code == 200, getattr(response, "content", b"")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def exported(document, draft_claim):
    published_claim = PublishedClaimFactory(
        document=document,
        key="C001",
        evidence__source=SourceFactory(key="census", title="Census table"),
    )
    EvidenceFactory(
        claim=published_claim,
        source=SourceFactory(key="customs", title="Customs yearbook"),
        stance="contradicts",
        excerpt="Customs gives 230 times.",
    )
    return published_claim


def test_one_row_per_claim_with_sources_and_counter_sources(anonymous_client, exported):
    [row] = export(anonymous_client)
    assert list(row) == COLUMNS
    assert row["key"] == "C001" and row["document"] == exported.document.slug
    assert row["quote"] == exported.quote
    assert row["sources"] == "census: Census table"
    assert row["counter_sources"] == (
        "customs (contradicts): Customs yearbook — “Customs gives 230 times.”"
    )
    assert (row["source_count"], row["counter_source_count"]) == ("1", "1")


def test_the_path_with_a_trailing_slash_works_too(anonymous_client, exported):
    assert [row["key"] for row in export(anonymous_client, "/api/claims/export.csv/")] == ["C001"]


def test_anonymous_users_get_no_unpublished_claim(anonymous_client, curator_client, exported):
    assert [row["key"] for row in export(anonymous_client)] == ["C001"]
    assert [row["key"] for row in export(curator_client)] == ["C001", "C002"]
    assert export(anonymous_client, status="draft") == []


def test_filters_and_search_apply(curator_client, exported):
    assert [row["key"] for row in export(curator_client, status="draft")] == ["C002"]
    assert [row["key"] for row in export(curator_client, q="students")] == ["C002"]
    assert [row["key"] for row in export(curator_client, has_counter_sources="true")] == ["C001"]
    response = curator_client.get("/api/claims/export.csv", {"claim_type": "nonsense"})
    assert response.status_code == 400 and "claim_type" in response.json()


@pytest.mark.parametrize("first", ["=", "+", "-", "@", "\t", "\r"])
def test_cells_that_would_start_a_formula_are_made_text(curator_client, document, first):
    payload = f'{first}HYPERLINK("http://evil.example","x")'
    ClaimFactory(
        document=document,
        key="C009",
        paraphrase=payload,
        attributed_to=f"{first}cmd|' /C calc'!A0",
        verdict_summary="Fine text = stays as it is",
    )
    [row] = export(curator_client)
    assert row["paraphrase"] == "'" + payload
    assert row["attributed_to"].startswith("'" + first)
    assert row["verdict_summary"] == "Fine text = stays as it is"


def test_source_titles_are_escaped_as_well(anonymous_client, published_claim):
    EvidenceFactory(
        claim=published_claim,
        source=SourceFactory(key="evil", title="x"),
        stance="contradicts",
        excerpt="=1+1",
    )
    [row] = export(anonymous_client)
    # The cell starts with the source key, so it cannot start a formula; keys are slugs.
    assert row["counter_sources"] == "evil (contradicts): x — “=1+1”"
    assert safe_cell("=1+1") == "'=1+1" and safe_cell("-5") == "'-5" and safe_cell(3) == 3


def test_streams_in_fixed_queries(anonymous_client):
    document = DocumentFactory(body=" ".join(f"Sentence {index} here." for index in range(30)))

    def add(indexes):
        for index in indexes:
            PublishedClaimFactory(
                document=document, key=f"S{index:02d}", quote=f"Sentence {index} here."
            )

    add(range(3))
    with CaptureQueriesContext(connection) as few:
        assert len(export(anonymous_client)) == 3
    add(range(3, 30))
    with CaptureQueriesContext(connection) as many:
        assert len(export(anonymous_client)) == 30
    assert len(many) == len(few)


def test_counter_sources_quote_excerpts_and_label_summaries(anonymous_client, published_claim):
    EvidenceFactory(
        claim=published_claim, source=SourceFactory(key="a", title="A"), stance="contradicts",
        excerpt="Exports fell.", summary="",
    )  # fmt: skip
    EvidenceFactory(
        claim=published_claim, source=SourceFactory(key="b", title="B"), stance="qualifies",
        excerpt="", summary="Says the fall was seasonal.",
    )  # fmt: skip
    [row] = export(anonymous_client)
    assert row["counter_sources"].splitlines() == [
        "a (contradicts): A — “Exports fell.”",
        "b (qualifies): B — summary: Says the fall was seasonal.",
    ]
