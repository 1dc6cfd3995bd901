"""The claims table: the API's filters and facets, sorting, pages, search, downloads, access."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.choices import ClaimType, Verdict
from reader.pages import TABLE_PAGE_SIZE
from tests.factories import (
    ClaimFactory,
    DocumentFactory,
    EvidenceFactory,
    PublishedClaimFactory,
    SourceFactory,
    TopicFactory,
)
from tests.reader.test_reader import data_queries

pytestmark = pytest.mark.django_db

LIST = reverse("reader:claim-list")

SENTENCES = [
    "Trade grew two hundred times since 1979.",
    "Students number 400,000.",
    "We must cooperate.",
    "Cooperation benefits both.",
]


@pytest.fixture
def corpus():
    """Two documents: published claims of several types and verdicts, and one draft."""
    trade, people = TopicFactory(slug="trade", name="Trade"), TopicFactory(slug="people")
    first, second = DocumentFactory(slug="first"), DocumentFactory(slug="second")
    claims = [
        PublishedClaimFactory(document=first, key="C001", quote=SENTENCES[0]),
        PublishedClaimFactory(
            document=first, key="C002", quote=SENTENCES[1], verdict=Verdict.CONTRADICTED,
            attributed_to="A minister", evidence__stance="contradicts",
        ),
        PublishedClaimFactory(
            document=first, key="C003", quote=SENTENCES[2], checkable=False,
            claim_type=ClaimType.NORMATIVE,
        ),
        PublishedClaimFactory(document=second, key="C001", quote=SENTENCES[0]),
        PublishedClaimFactory(
            document=second, key="C002", quote=SENTENCES[3], verdict=Verdict.DISPUTED,
            claim_type=ClaimType.CAUSAL,
        ),
    ]  # fmt: skip
    claims[0].topics.add(trade)
    claims[3].topics.add(trade)
    claims[1].topics.add(people)
    EvidenceFactory(claim=claims[3], source=SourceFactory(), stance="qualifies")
    draft = ClaimFactory(
        document=second, key="C099", quote=SENTENCES[1], paraphrase="Draft-only words.",
        verdict=Verdict.SUPPORTED,
    )  # fmt: skip
    draft.topics.add(trade)
    return claims, draft


def table_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return response.context["table"], response.content.decode()


def keys(table) -> list[str]:
    return [f"{row.claim.document.slug}/{row.claim.key}" for row in table.rows]


# --- The API's filters and facets -----------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?topic=trade",
        "?verdict=supported&verdict=contradicted",
        "?has_counter_sources=true",
        "?q=trade",
        "?document=first&claim_type=statistic",
    ],
)
def test_rows_and_facet_counts_are_the_apis_under_the_same_query(
    client, anonymous_client, corpus, query
):
    table, html = table_of(client, LIST + query)
    api = anonymous_client.get("/api/claims/" + query).json()
    assert table.total == api["count"]
    assert sorted(keys(table)) == sorted(
        f"{row['document']}/{row['key']}" for row in api["results"]
    )
    facets = anonymous_client.get("/api/claims/facets/" + query).json()["facets"]
    for facet in table.facets:
        expected = {str(v["label"]): v["count"] for v in facets[facet.name]["values"]}
        shown = {value.label: value.count for value in facet.values}
        assert shown == {k: v for k, v in expected.items() if k != "None"} | (
            {"(none)": expected["None"]} if "None" in expected else {}
        ), facet.name
        for value in facet.values:
            if value.link:
                assert f'href="{value.link.replace("&", "&amp;")}"' in html


def test_a_facet_link_filters_the_table_and_a_second_click_removes_it(client, corpus):
    table, _ = table_of(client, LIST)
    verdicts = next(f for f in table.facets if f.name == "verdict")
    contradicted = next(v for v in verdicts.values if v.label == "Contradicted")
    assert contradicted.link == "?verdict=contradicted" and contradicted.count == 1
    table, _ = table_of(client, LIST + contradicted.link)
    assert keys(table) == ["first/C002"]
    chosen = next(v for v in next(f for f in table.facets if f.name == "verdict").values)
    assert chosen.selected and chosen.link == "?"


def test_the_documents_table_is_the_list_filtered_by_document(client, corpus):
    table, html = table_of(client, reverse("reader:document-claims", args=["first"]))
    assert keys(table) == ["first/C001", "first/C002", "first/C003"]
    assert table.query == "?document=first"
    assert 'href="/api/claims/export.csv?document=first"' in html
    # Its own section facet; the all-claims table has none (labels repeat across documents).
    assert "section" in {f.name for f in table.facets}
    assert "section" not in {f.name for f in table_of(client, LIST)[0].facets}


def test_a_bad_filter_value_is_explained_not_a_server_error(client, corpus):
    response = client.get(LIST + "?verdict=bogus&created_after=yesterday")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Some filters could not be read" in html and "<code>verdict</code>" in html
    assert "bogus is not one of the available choices" in html


# --- Drafts and escaping --------------------------------------------------------------------


def test_drafts_are_never_shown_to_anonymous_readers(client, corpus):
    _claims, draft = corpus
    for query in ["", "?q=draft-only", "?topic=trade", "?document=second", "?status=draft"]:
        table, html = table_of(client, LIST + query)
        assert "second/C099" not in keys(table)
        assert "Draft-only" not in html and "C099" not in html
    table, html = table_of(client, reverse("reader:document-claims", args=["second"]))
    assert "C099" not in html
    assert "status" not in {facet.name for facet in table.facets}
    trade = next(f for f in table_of(client, LIST)[0].facets if f.name == "topic")
    assert next(v.count for v in trade.values if v.label == "Trade") == 2


def test_a_curator_sees_drafts_with_their_status(client, curator, corpus):
    client.force_login(curator)
    table, html = table_of(client, LIST + "?status=draft")
    assert keys(table) == ["second/C099"]
    assert '<td data-label="Status">Draft</td>' in html


def test_markup_in_every_field_and_in_the_query_renders_as_text(client):
    document = DocumentFactory(
        slug="markup", title="<i>Title</i>", body="Opening.\nThe <b>bold</b> claim.\n"
    )
    PublishedClaimFactory(
        document=document, key="C001", quote="The <b>bold</b> claim.",
        attributed_to="<script>x</script>",
    )  # fmt: skip
    _table, html = table_of(client, LIST + "?q=%3Cb%3E")
    assert "<b>bold</b>" not in html and "<i>Title" not in html and "<script>x" not in html
    assert "&lt;b&gt;" in html
    assert 'value="&lt;b&gt;"' in html  # the search box keeps the query, escaped
    _table, html = table_of(client, LIST + "?attributed_to=%3Cscript%3E")
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt;" in html


# --- Sorting and pages ----------------------------------------------------------------------


def test_columns_sort_both_ways(client, corpus):
    table, html = table_of(client, LIST + "?ordering=verdict")
    verdicts = [row.claim.verdict for row in table.rows]
    assert verdicts == sorted(verdicts)
    assert 'aria-sort="ascending"><a href="?ordering=-verdict">' in html
    table, _ = table_of(client, LIST + "?ordering=-counter_source_count")
    counts = [row.claim.counter_source_count for row in table.rows]
    assert counts == sorted(counts, reverse=True) and counts[0] == 1
    table, _ = table_of(client, LIST + "?ordering=-key")
    assert [row.claim.key for row in table.rows] == ["C003", "C002", "C002", "C001", "C001"]


def test_an_unknown_ordering_falls_back_to_document_order(client, corpus):
    table, _ = table_of(client, LIST + "?ordering=quote;drop")
    assert table.ordering == ""
    assert keys(table) == ["first/C001", "first/C002", "first/C003", "second/C001", "second/C002"]


def many_claims(number: int):
    body = "Opening.\n" + " ".join(f"Sentence {i:04d}." for i in range(number)) + "\n"
    document = DocumentFactory(slug=f"many-{number}", body=body)
    for index in range(number):
        PublishedClaimFactory(
            document=document, key=f"C{index:04d}", quote=f"Sentence {index:04d}."
        )
    return document


def test_pages_are_bounded(client):
    many_claims(TABLE_PAGE_SIZE + 7)
    table, html = table_of(client, LIST)
    assert len(table.rows) == TABLE_PAGE_SIZE and "Page 1 of 2" in html
    for page in ["2", "99", "-1"]:  # past the end: the last page
        table, _ = table_of(client, LIST + f"?page={page}")
        assert table.page.number == 2 and len(table.rows) == 7
    for page in ["abc", "0x1", ""]:
        assert table_of(client, LIST + f"?page={page}")[0].page.number == 1
    assert 'href="?page=2" rel="next"' in table_of(client, LIST)[1]


# --- Search and downloads -------------------------------------------------------------------


def test_search_shows_highlighted_snippets(client, corpus):
    table, html = table_of(client, LIST + "?q=students")
    assert keys(table) == ["first/C002"]
    assert "<mark>" in table.rows[0].snippet
    assert "<mark>Students</mark>" in html or "<mark>students</mark>" in html.lower()


def test_the_download_links_carry_the_views_query_and_give_its_claims(client, corpus):
    table, html = table_of(client, LIST + "?topic=trade&ordering=-key&page=1")
    assert table.query == "?topic=trade"
    assert "Download these 2 claims" in html
    csv_text = b"".join(client.get("/api/claims/export.csv" + table.query).streaming_content)
    rows = list(csv.DictReader(io.StringIO(csv_text.decode())))
    assert sorted(f"{r['document']}/{r['key']}" for r in rows) == sorted(keys(table))
    exported = json.loads(
        b"".join(client.get("/api/claims/export.json" + table.query).streaming_content)
    )
    assert sorted(f"{r['document']}/{r['key']}" for r in exported) == sorted(keys(table))
    feed = client.get("/api/claims/claimreview/" + table.query).json()
    assert {node["identifier"] for node in feed["@graph"]} == {"first/C001", "second/C001"}


# --- Queries --------------------------------------------------------------------------------


def test_the_table_costs_a_fixed_number_of_queries(client):
    def count(number: int, query: str = "") -> int:
        document = many_claims(number)
        with CaptureQueriesContext(connection) as context:
            response = client.get(reverse("reader:document-claims", args=[document.slug]) + query)
            assert response.status_code == 200
        return data_queries(context)

    # the document, the rows, their total, and the facets (claims.research.facets: six
    # grouped queries, their total and the claims with counter-sources)
    assert count(3) == count(TABLE_PAGE_SIZE + 10) == 11
    assert count(4, "?q=sentence") == count(20, "?q=sentence")


def test_a_later_page_shows_the_next_claims_in_document_order(client, corpus, monkeypatch):
    """Pages past the first read their ids first (core.pagination), then their rows: the
    same claims, in the same order, as the stretch of one long page."""
    import reader.pages

    whole = [(row.claim.document.slug, row.claim.key) for row in table_of(client, LIST)[0].rows]
    assert whole == [
        ("first", "C001"), ("first", "C002"), ("first", "C003"),
        ("second", "C001"), ("second", "C002"),
    ]  # fmt: skip
    monkeypatch.setattr(reader.pages, "TABLE_PAGE_SIZE", 2)
    pages = [table_of(client, f"{LIST}?page={n}")[0] for n in (1, 2, 3)]
    shown = [(row.claim.document.slug, row.claim.key) for page in pages for row in page.rows]
    assert shown == whole
    assert pages[1].total == 5
