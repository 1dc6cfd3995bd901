"""Full-text search of sources through `q`: their own fields and the excerpts citing them."""

import pytest
from django.db import connection

from sources.models import Source
from tests.factories import EvidenceFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(published_claim, draft_claim):
    """Sources cited by a published claim, plus one whose excerpt only a draft's evidence has."""
    made = {
        "census": SourceFactory(
            key="census",
            title="Trade in Goods with China",
            authors=[{"literal": "Census Bureau"}],
            publisher="Department of Commerce",
        ),
        "snow": SourceFactory(
            key="snow",
            title="Red Star over China",
            authors=[{"family": "Snow", "given": "Edgar"}],
            container_title="Left Book Club",
            publisher="Victor Gollancz",
        ),
        "iie": SourceFactory(key="iie", title="Open Doors report", publisher="IIE"),
    }
    EvidenceFactory(claim=published_claim, source=made["census"], excerpt="Exports of soybeans.")
    EvidenceFactory(claim=published_claim, source=made["snow"], excerpt="A journey to Yan'an.")
    EvidenceFactory(
        claim=published_claim, source=made["iie"], excerpt="369,548 students from China."
    )
    EvidenceFactory(claim=draft_claim, source=made["iie"], excerpt="Unpublished enrolment memo.")
    return made


def found(client, query, **params):
    response = client.get("/api/sources/", {"q": query, **params})
    assert response.status_code == 200, response.content
    return [row["key"] for row in response.json()["results"]]


def test_matches_title_authors_container_and_publisher(anonymous_client, library):
    assert found(anonymous_client, "red star") == ["snow"]
    assert found(anonymous_client, "Edgar") == ["snow"]
    assert found(anonymous_client, "Gollancz") == ["snow"]
    assert found(anonymous_client, '"Left Book Club"') == ["snow"]
    assert found(anonymous_client, "Commerce") == ["census"]


def test_matches_the_excerpts_of_the_evidence_citing_a_source(anonymous_client, library):
    assert found(anonymous_client, "soybeans") == ["census"]
    row = anonymous_client.get("/api/sources/", {"q": "soybeans"}).json()["results"][0]
    assert "<mark>" in row["snippet"] and "oybean" in row["snippet"]


def test_anonymous_users_do_not_search_unpublished_evidence(
    anonymous_client, curator_client, library
):
    assert found(anonymous_client, "memo") == []
    assert found(curator_client, "memo") == ["iie"]


def test_combines_with_filters_and_syntax(anonymous_client, library):
    assert sorted(found(anonymous_client, "china")) == ["census", "iie", "snow"]
    assert found(anonymous_client, "china", publisher="IIE") == ["iie"]
    assert sorted(found(anonymous_client, "china -star")) == ["census", "iie"]
    assert sorted(found(anonymous_client, "gollancz or commerce")) == ["census", "snow"]


def test_json_keys_of_authors_are_not_searched(anonymous_client, library):
    assert found(anonymous_client, "family") == []


def test_title_match_outranks_an_excerpt_match(postgresql_only, anonymous_client, library):
    library["iie"].title = "Open Doors: Yan'an students"
    library["iie"].save()
    assert found(anonymous_client, "journey or yan'an")[:1] == ["iie"]
    ranked = anonymous_client.get("/api/sources/", {"q": "china"}).json()["results"]
    assert ranked[0]["search_rank"] >= ranked[-1]["search_rank"] > 0


def test_the_gin_index_serves_the_search(postgresql_only, library):
    sql, params = Source.objects.search("china").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "sources_source_search_gin" in plan
