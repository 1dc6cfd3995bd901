"""Full-text search of claims through `q`: matching, syntax, ranking, snippets, filters, visibility."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import querysets, search_index
from claims.models import Claim, Evidence
from core.search import fts5_query
from tests.factories import DocumentFactory, PublishedClaimFactory, TopicFactory

pytestmark = pytest.mark.django_db

NEUTRAL_SUMMARY = "Checked against the cited material."
SENTENCES = {
    "T1": "Tariffs on soybeans hurt farmers.",
    "T2": "The trade deficit grew every year.",
    "T3": "A deficit in trade is not a loss.",
    "T4": "Semiconductors were placed under export controls.",
    "T5": "Students number four hundred thousand.",
}


def make_claims(document=None, **overrides):
    """One published claim per sentence of a fresh document, keyed T1..T5; the texts a search
    reads besides the quote hold no word the tests look for, unless `overrides` put one."""
    document = document or DocumentFactory(body=" ".join(SENTENCES.values()))
    claims = {}
    for key, quote in SENTENCES.items():
        fields = {"paraphrase": "", "verdict_summary": NEUTRAL_SUMMARY, "attributed_to": ""}
        fields.update(overrides.get(key, {}))
        claims[key] = PublishedClaimFactory(document=document, key=key, quote=quote, **fields)
    return claims


def keys(response):
    assert response.status_code == 200, response.content
    return [row["key"] for row in response.json()["results"]]


def search(client, query, **params):
    return client.get("/api/claims/", {"q": query, **params})


class TestBothEngines:
    """What holds on SQLite (plain matching) and PostgreSQL (full-text search) alike."""

    def test_returns_the_matching_claims_only(self, anonymous_client):
        make_claims()
        assert sorted(keys(search(anonymous_client, "soybeans"))) == ["T1"]
        assert sorted(keys(search(anonymous_client, "deficit"))) == ["T2", "T3"]

    def test_reads_paraphrase_verdict_summary_and_attribution(self, anonymous_client):
        make_claims(
            T4={"paraphrase": "Chips are subject to licensing."},
            T5={"verdict_summary": "Open Doors counts 369,548 enrolments."},
            T1={"attributed_to": "Agriculture Secretary Perdue"},
        )
        assert keys(search(anonymous_client, "licensing")) == ["T4"]
        assert keys(search(anonymous_client, "enrolments")) == ["T5"]
        assert keys(search(anonymous_client, "Perdue")) == ["T1"]

    def test_quoted_phrase_keeps_its_words_together(self, anonymous_client):
        make_claims()
        assert keys(search(anonymous_client, '"trade deficit"')) == ["T2"]

    def test_minus_excludes_a_word(self, anonymous_client):
        make_claims()
        assert keys(search(anonymous_client, "deficit -loss")) == ["T2"]

    def test_or_gives_alternatives(self, anonymous_client):
        make_claims()
        assert sorted(keys(search(anonymous_client, "soybeans or semiconductors"))) == ["T1", "T4"]

    def test_combines_with_every_kind_of_filter(self, anonymous_client):
        claims = make_claims()
        trade = TopicFactory(slug="trade")
        claims["T2"].topics.add(trade)
        Claim.objects.filter(pk=claims["T3"].pk).update(claim_type="normative")
        assert keys(search(anonymous_client, "deficit", topic="trade")) == ["T2"]
        assert keys(search(anonymous_client, "deficit", claim_type="normative")) == ["T3"]
        assert keys(search(anonymous_client, "deficit", has_counter_sources="false")) == [
            "T2",
            "T3",
        ]
        other = DocumentFactory(body=" ".join(SENTENCES.values()))
        make_claims(document=other)
        assert len(keys(search(anonymous_client, "deficit"))) == 4
        assert keys(search(anonymous_client, "deficit", document=other.slug, key="T3")) == ["T3"]

    def test_drf_search_parameter_still_works_and_combines(self, anonymous_client):
        make_claims()
        assert keys(anonymous_client.get("/api/claims/", {"search": "deficit", "q": "loss"})) == [
            "T3"
        ]

    def test_anonymous_users_find_no_unpublished_claim(self, anonymous_client, curator_client):
        claims = make_claims()
        Claim.objects.filter(pk=claims["T2"].pk).update(status="draft", verdict="")
        Claim.objects.filter(pk=claims["T3"].pk).update(status="in_review", verdict="")
        assert keys(search(anonymous_client, "deficit")) == []
        assert sorted(keys(search(curator_client, "deficit"))) == ["T2", "T3"]

    def test_snippet_marks_the_hit_and_escapes_the_text(self, anonymous_client):
        make_claims(T1={"paraphrase": "Farmers <script>alert(1)</script> lost soybean sales."})
        row = search(anonymous_client, "farmers").json()["results"][0]
        assert "<mark>" in row["snippet"] and "</mark>" in row["snippet"]
        assert "<mark>farmers</mark>" in row["snippet"].lower()
        assert "<script>" not in row["snippet"]

    def test_no_snippet_or_rank_without_a_search(self, anonymous_client):
        make_claims()
        row = anonymous_client.get("/api/claims/").json()["results"][0]
        assert "snippet" not in row and "search_rank" not in row  # only in a search's answer
        schema = anonymous_client.get("/api/schema/?format=json").json()
        for name in ("Claim", "ClaimDetail"):
            component = schema["components"]["schemas"][name]
            assert "snippet" in component["properties"]
            assert "snippet" not in component.get("required", [])

    @pytest.mark.parametrize("query", ["\x00", "x" * 301])
    def test_bad_search_text_is_a_400_on_q(self, anonymous_client, query):
        response = search(anonymous_client, query)
        assert response.status_code == 400
        assert "q" in response.json()

    def test_empty_search_lists_everything(self, anonymous_client):
        make_claims()
        assert len(keys(search(anonymous_client, "  "))) == 5

    def test_query_count_does_not_grow_with_the_hits(self, anonymous_client):
        document = DocumentFactory(body=" ".join(SENTENCES.values()))
        make_claims(document=document)
        with CaptureQueriesContext(connection) as few:
            assert len(keys(search(anonymous_client, "deficit or soybeans"))) == 3
        for _ in range(4):
            make_claims(document=DocumentFactory(body=" ".join(SENTENCES.values())))
        with CaptureQueriesContext(connection) as many:
            assert len(keys(search(anonymous_client, "deficit or soybeans"))) == 15
        assert len(many) == len(few)


class TestPostgreSQL:
    """Ranking, stemming, snippets and the index: PostgreSQL's full-text search."""

    def test_better_match_comes_first(self, postgresql_only, anonymous_client):
        make_claims(
            T5={"verdict_summary": "Soybeans are mentioned only in passing here."},
            T1={"paraphrase": "Soybean tariffs cost soybean farmers their soybean exports."},
        )
        response = search(anonymous_client, "soybeans")
        assert keys(response) == ["T1", "T5"]
        ranks = [row["search_rank"] for row in response.json()["results"]]
        assert ranks[0] > ranks[1] > 0

    def test_quote_outranks_the_verdict_summary(self, postgresql_only, anonymous_client):
        make_claims(T2={"verdict_summary": "Semiconductors are not in question."})
        assert keys(search(anonymous_client, "semiconductors")) == ["T4", "T2"]

    def test_explicit_ordering_overrides_the_rank(self, postgresql_only, anonymous_client):
        make_claims(T5={"verdict_summary": "Soybeans."})
        assert keys(search(anonymous_client, "soybeans", ordering="-key")) == ["T5", "T1"]

    def test_words_are_stemmed(self, postgresql_only, anonymous_client):
        make_claims()
        assert keys(search(anonymous_client, "farmer tariff")) == ["T1"]

    def test_phrase_and_exclusion_in_one_query(self, postgresql_only, anonymous_client):
        make_claims(T2={"paraphrase": "The annual trade deficit grew."})
        assert keys(search(anonymous_client, '"trade deficit" -annual')) == []
        assert keys(search(anonymous_client, '"trade deficit" -soybeans')) == ["T2"]

    def test_snippet_is_the_postgresql_headline(self, postgresql_only, anonymous_client):
        make_claims()
        row = search(anonymous_client, "farmer").json()["results"][0]
        # ts_headline runs over quote, paraphrase, attribution and summary, and drops the
        # closing punctuation of its fragment.
        summary = NEUTRAL_SUMMARY.removesuffix(".")
        assert row["snippet"] == f"Tariffs on soybeans hurt <mark>farmers</mark>. {summary}"

    def test_the_gin_index_serves_the_search(self, postgresql_only):
        make_claims()
        sql, params = Claim.objects.search("deficit").query.sql_with_params()
        with connection.cursor() as cursor:
            # Statistics of the table as this test made it: another test's import (committed,
            # then flushed) may have left the planner figures for a different table.
            cursor.execute("ANALYZE claims_claim, claims_document")
            # A five-row table is best read whole; forbid that (and walking another index
            # in order) to see which access path the search condition itself can use.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert search_index.SEARCH_VECTOR_INDEX in plan
        assert "to_tsvector" not in plan, "the stored vector is read, not recomputed"

    def test_a_broad_search_is_not_ranked(self, postgresql_only, anonymous_client, monkeypatch):
        monkeypatch.setattr(querysets, "SEARCH_RANK_CAP", 2)
        make_claims()
        rows = search(anonymous_client, "deficit or soybeans or semiconductors").json()["results"]
        assert [row["key"] for row in rows] == ["T1", "T2", "T3", "T4"], "the list's order"
        assert all(row["search_rank"] is None and row["snippet"] for row in rows)
        ranked = search(anonymous_client, "deficit").json()["results"]
        assert all(row["search_rank"] > 0 for row in ranked)


class TestSQLite:
    """The FTS5 index: kept in step with the claims by triggers, stemmed like PostgreSQL."""

    @pytest.fixture(autouse=True)
    def sqlite_only(self, db):
        if connection.vendor != "sqlite":
            pytest.skip("the FTS5 index is SQLite's")

    def fts_ids(self, words):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid FROM {search_index.FTS_TABLE} WHERE {search_index.FTS_TABLE} "
                "MATCH %s ORDER BY rowid",
                [words],
            )
            return [row[0] for row in cursor.fetchall()]

    def test_the_index_follows_inserts_updates_and_deletes(self):
        claims = make_claims()
        assert self.fts_ids("soybeans") == [claims["T1"].pk]
        Claim.objects.filter(pk=claims["T1"].pk).update(paraphrase="Barley prices.")
        assert self.fts_ids("barley") == [claims["T1"].pk]
        Claim.objects.filter(pk=claims["T2"].pk).update(verdict_summary="Barley too.")
        assert self.fts_ids("barley") == [claims["T1"].pk, claims["T2"].pk]
        with connection.cursor() as cursor:  # the trigger is the database's: delete there
            for table in ("claims_evidence", "claims_claim_topics"):
                cursor.execute(f"DELETE FROM {table} WHERE claim_id = %s", [claims["T1"].pk])
            cursor.execute("DELETE FROM claims_claim WHERE id = %s", [claims["T1"].pk])
        assert self.fts_ids("barley") == [claims["T2"].pk]
        assert self.fts_ids("soybeans") == []

    def test_lost_triggers_are_put_back_and_the_index_rebuilt(self):
        claims = make_claims()
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER claims_claim_fts_update")
        Claim.objects.filter(pk=claims["T3"].pk).update(paraphrase="Rye harvest.")
        assert self.fts_ids("rye") == []
        search_index.ensure(connection)
        assert self.fts_ids("rye") == [claims["T3"].pk]

    def test_words_are_stemmed(self, anonymous_client):
        make_claims()
        assert keys(search(anonymous_client, "farmer tariff")) == ["T1"]

    def test_only_excluded_words_fall_back_to_substrings(self, anonymous_client):
        make_claims()
        assert sorted(keys(search(anonymous_client, "-deficit"))) == ["T1", "T4", "T5"]

    def test_fts5_syntax_in_the_text_is_only_text(self, anonymous_client):
        make_claims()
        for text in ["NEAR(a b)", "soy*", '"unclosed', "a:b", "^x", "( )", "AND OR NOT"]:
            assert search(anonymous_client, text).status_code == 200, text


def test_web_search_syntax_as_fts5():
    assert fts5_query('trade "tariff rate" -soy or chips') == (
        '(("trade" AND "tariff rate") NOT ("soy")) OR (("chips"))'
    )
    assert fts5_query("-soy") is None
    assert fts5_query('say "no ""quotes"" here"') is not None

    def test_the_excerpt_gin_index_serves_excerpt_searches(self, postgresql_only):
        from django.contrib.postgres.search import SearchQuery, SearchVector

        query = SearchQuery("soybeans", config="english", search_type="websearch")
        matches = Evidence.objects.alias(document=SearchVector("excerpt", config="english")).filter(
            document=query
        )
        sql, params = matches.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "claims_evidence_excerpt_gin" in plan
