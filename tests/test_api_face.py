"""The API's face for programmers: documented operations, each claim's page address, search
fields only in a search's answer, and `search` documented against `q`."""

import csv
import io
import json

import pytest

from tests.factories import PublishedClaimFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(anonymous_client):
    return anonymous_client.get("/api/schema/?format=json").json()


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def test_every_operation_has_a_one_line_summary_and_a_description(schema):
    problems = []
    for name, operation in operations(schema):
        summary, description = operation.get("summary", ""), operation.get("description", "")
        if not summary or "\n" in summary or len(summary) > 100:
            problems.append(f"{name}: summary {summary!r}")
        if len(description) < len(summary) or not description.strip():
            problems.append(f"{name}: description {description!r}")
    assert problems == []
    summaries = dict(operations(schema))
    assert summaries["GET /api/claims/"]["summary"] == "List claims"
    assert summaries["POST /api/evidence/"]["summary"] == "Create evidence"


def test_search_is_documented_as_the_plain_search_beside_the_ranked_q(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/claims/"]["get"]["parameters"]}
    assert "Prefer `q`" in parameters["search"]["description"]
    assert "Ranked" in parameters["q"]["description"]


def test_every_claim_carries_its_pages_address(anonymous_client, client, published_claim):
    page = f"http://testserver/documents/{published_claim.document.slug}/claims/C001/"
    listed = anonymous_client.get("/api/claims/").json()["results"][0]
    detail = anonymous_client.get(f"/api/claims/{published_claim.pk}/").json()
    exported = json.loads(
        b"".join(anonymous_client.get("/api/claims/export.json").streaming_content)
    )[0]
    rows = list(
        csv.DictReader(
            io.StringIO(
                b"".join(anonymous_client.get("/api/claims/export.csv").streaming_content).decode()
            )
        )
    )
    assert listed["url"] == detail["url"] == exported["url"] == rows[0]["url"] == page
    assert client.get(page).status_code == 200


def test_search_fields_only_in_a_searchs_answer(anonymous_client, document):
    PublishedClaimFactory(document=document, key="C001")
    plain = anonymous_client.get("/api/claims/").json()["results"][0]
    assert "snippet" not in plain and "search_rank" not in plain
    detail = anonymous_client.get(f"/api/claims/{plain['id']}/").json()
    assert "snippet" not in detail and "search_rank" not in detail
    found = anonymous_client.get("/api/claims/?q=trade").json()["results"][0]
    assert "<mark>" in found["snippet"] and "search_rank" in found
    exported = json.loads(
        b"".join(anonymous_client.get("/api/claims/export.json?q=trade").streaming_content)
    )
    assert "<mark>" in exported[0]["snippet"]
    old_style = anonymous_client.get("/api/claims/?search=trade").json()["results"]
    assert [row["key"] for row in old_style] == ["C001"] and "snippet" not in old_style[0]
