"""Similar claims across documents (trigram similarity) and curators' same-as links."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from claims.models import Claim
from claims.research.similarity import trigram_similarity
from tests.factories import DocumentFactory, PublishedClaimFactory, user_with_permissions

pytestmark = pytest.mark.django_db

ORIGINAL = "Trade grew two hundred times since 1979."
REWORDED = "Since 1979, trade has grown more than two hundred times."
UNRELATED = "We must cooperate on climate."
SAME_DOCUMENT_ECHO = "Trade grew two hundred times since the year 1979."


@pytest.fixture
def pair():
    """Published claims: one, its reworded duplicate in another document, an unrelated
    claim there. No paraphrases, so the quotes alone are compared."""
    first = DocumentFactory(body=f"{ORIGINAL} Students number 400,000. {SAME_DOCUMENT_ECHO}")
    second = DocumentFactory(body=f"{UNRELATED} {REWORDED}")

    def claim(document, key, quote):
        return PublishedClaimFactory(document=document, key=key, quote=quote, paraphrase="")

    return {
        "original": claim(first, "A1", ORIGINAL),
        "students": claim(first, "A2", "Students number 400,000."),
        "echo": claim(first, "A3", SAME_DOCUMENT_ECHO),
        "reworded": claim(second, "B1", REWORDED),
        "unrelated": claim(second, "B2", UNRELATED),
    }


def similar(client, claim, **params):
    response = client.get(f"/api/claims/{claim.pk}/similar/", params)
    assert response.status_code == 200, response.content
    return response.json()


def result_keys(data):
    return [(row["document"], row["key"]) for row in data["results"]]


class TestSimilar:
    def test_finds_the_reworded_duplicate_in_another_document(self, anonymous_client, pair):
        data = similar(anonymous_client, pair["original"])
        found = {row["key"]: row for row in data["results"]}
        assert "B1" in found
        assert found["B1"]["same_document"] is False
        assert found["B1"]["document"] == pair["reworded"].document.slug
        assert 0.3 <= found["B1"]["score"] <= 1
        assert "B2" not in found and "A2" not in found
        assert data["threshold"] == 0.4

    def test_finds_a_repeat_in_the_same_document_too(self, anonymous_client, pair):
        found = {row["key"]: row for row in similar(anonymous_client, pair["original"])["results"]}
        assert found["A3"]["same_document"] is True
        assert found["A3"]["score"] > found["B1"]["score"]  # best first
        assert [row["key"] for row in similar(anonymous_client, pair["original"])["results"]] == [
            "A3",
            "B1",
        ]

    def test_a_paraphrase_finds_what_the_quote_alone_would_miss(self, anonymous_client, pair):
        Claim.objects.filter(pk=pair["unrelated"].pk).update(
            paraphrase="The speaker says trade grew two hundred times since 1979."
        )
        assert "B2" in [
            row["key"] for row in similar(anonymous_client, pair["original"])["results"]
        ]

    def test_the_reporting_clause_of_paraphrases_does_not_count(self, anonymous_client, pair):
        Claim.objects.filter(pk=pair["students"].pk).update(
            paraphrase="The statement says that exports rose sharply."
        )
        Claim.objects.filter(pk=pair["unrelated"].pk).update(
            paraphrase="The statement says that trust sank."
        )  # 0.43 with the clause "The statement says that", 0.03 without it
        keys = [row["key"] for row in similar(anonymous_client, pair["students"])["results"]]
        assert "B2" not in keys

    def test_threshold_and_limit(self, anonymous_client, pair):
        assert result_keys(similar(anonymous_client, pair["original"], threshold=0.99)) == []
        assert len(similar(anonymous_client, pair["original"], limit=1)["results"]) == 1

    @pytest.mark.parametrize(
        "params", [{"threshold": 0}, {"threshold": 2}, {"threshold": "x"}, {"limit": 0}]
    )
    def test_bad_parameters_are_400s(self, anonymous_client, pair, params):
        response = anonymous_client.get(f"/api/claims/{pair['original'].pk}/similar/", params)
        assert response.status_code == 400
        assert set(response.json()) == set(params)

    def test_says_which_method_scored(self, anonymous_client, pair):
        data = similar(anonymous_client, pair["original"])
        if connection.vendor == "postgresql":
            assert data["method"] == "pg_trgm" and data["candidates_examined"] is None
        else:
            assert data["method"].startswith("trigram (Python")
            # The claims sharing one of its words (A3, B1), not every claim.
            assert data["candidates_examined"] == 2
        assert data["note"]

    def test_anonymous_users_get_no_unpublished_claim(self, anonymous_client, curator_client, pair):
        Claim.objects.filter(pk=pair["reworded"].pk).update(status="draft", verdict="")
        assert "B1" not in [
            r["key"] for r in similar(anonymous_client, pair["original"])["results"]
        ]
        assert "B1" in [r["key"] for r in similar(curator_client, pair["original"])["results"]]
        draft = pair["reworded"]
        assert anonymous_client.get(f"/api/claims/{draft.pk}/similar/").status_code == 404

    def test_the_oldest_claim_is_found_however_many_came_after(
        self, anonymous_client, pair, monkeypatch
    ):
        from claims.research import similarity

        monkeypatch.setattr(similarity, "FALLBACK_CANDIDATES", 2)
        document = DocumentFactory(body="Cats sleep. Dogs bark. Birds sing. Fish swim.")
        for key, quote in [("N1", "Cats sleep."), ("N2", "Dogs bark."), ("N3", "Birds sing.")]:
            PublishedClaimFactory(document=document, key=key, quote=quote, paraphrase="")
        assert "B1" in result_keys_only(similar(anonymous_client, pair["original"]))


def result_keys_only(data):
    return [row["key"] for row in data["results"]]


class TestTrigramMeasure:
    def test_the_python_twin_gives_pg_trgm_scores(self):
        # similarity() values PostgreSQL 17's pg_trgm returns for these pairs.
        assert trigram_similarity(ORIGINAL, REWORDED) == pytest.approx(0.6481481, abs=1e-6)
        assert trigram_similarity(
            "More than 400,000 Chinese students are studying in the US.",
            "Over 400,000 Chinese students study in the United States.",
        ) == pytest.approx(0.4925373, abs=1e-6)
        assert trigram_similarity(ORIGINAL, "We must cooperate.") == 0

    def test_agrees_with_postgresql(self, postgresql_only):
        texts = [ORIGINAL, REWORDED, UNRELATED, "Ünïcode—dash_under 3.5% a b", "x"]
        with connection.cursor() as cursor:
            for first in texts:
                for second in texts:
                    cursor.execute("SELECT similarity(%s, %s)", [first, second])
                    expected = cursor.fetchone()[0]
                    assert trigram_similarity(first, second) == pytest.approx(expected, abs=1e-6)


def same_as_url(claim):
    return f"/api/claims/{claim.pk}/same-as/"


class TestSameAs:
    def test_curator_links_a_claim_and_the_api_shows_it(self, reviewer_client, pair):
        original, reworded = pair["original"], pair["reworded"]
        response = reviewer_client.post(
            same_as_url(reworded), {"correction_reason": "Same statement.", "same_as": original.pk}
        )
        assert response.status_code == 200, response.content
        assert response.json() == {"claim": reworded.pk, "same_as": original.pk, "restatements": []}
        assert reviewer_client.get(same_as_url(original)).json()["restatements"] == [reworded.pk]
        assert reviewer_client.get(f"/api/claims/{reworded.pk}/").json()["same_as"] == original.pk
        found = {r["key"]: r for r in similar(reviewer_client, original)["results"]}
        assert found["B1"]["confirmed_same"] is True and found["A3"]["confirmed_same"] is False
        assert reworded.history.first().same_as_id == original.pk  # recorded in the history

    def test_links_stay_one_step_deep(self, reviewer_client, pair):
        original, reworded, echo = pair["original"], pair["reworded"], pair["echo"]
        reviewer_client.post(
            same_as_url(reworded), {"correction_reason": "Same statement.", "same_as": original.pk}
        )
        # Linking to a restatement links to the claim it restates.
        response = reviewer_client.post(
            same_as_url(echo), {"correction_reason": "Same statement.", "same_as": reworded.pk}
        )
        assert response.json()["same_as"] == original.pk
        # A claim with restatements linked elsewhere takes them along.
        students = pair["students"]
        reviewer_client.post(
            same_as_url(original), {"correction_reason": "Same statement.", "same_as": students.pk}
        )
        assert set(Claim.objects.filter(same_as=students).values_list("key", flat=True)) == {
            "A1",
            "A3",
            "B1",
        }

    def test_null_removes_the_link(self, reviewer_client, pair):
        reviewer_client.post(
            same_as_url(pair["reworded"]),
            {"correction_reason": "Same statement.", "same_as": pair["original"].pk},
        )
        response = reviewer_client.post(
            same_as_url(pair["reworded"]),
            {"correction_reason": "Same statement.", "same_as": None},
            format="json",
        )
        assert response.json()["same_as"] is None
        assert Claim.objects.get(pk=pair["reworded"].pk).same_as_id is None

    @pytest.mark.parametrize("target", ["self", "restating", "missing"])
    def test_impossible_links_are_400s_on_same_as(self, reviewer_client, pair, target):
        original, reworded = pair["original"], pair["reworded"]
        reviewer_client.post(
            same_as_url(reworded), {"correction_reason": "Same statement.", "same_as": original.pk}
        )
        claim, same_as = {
            "self": (original, original.pk),
            "restating": (original, reworded.pk),  # reworded already restates original
            "missing": (original, 10**9),
        }[target]
        response = reviewer_client.post(
            same_as_url(claim), {"correction_reason": "Same statement.", "same_as": same_as}
        )
        assert response.status_code == 400
        assert "same_as" in response.json()

    def test_needs_the_change_permission(self, anonymous_client, reader, pair):
        url, body = (
            same_as_url(pair["reworded"]),
            {"correction_reason": "Same statement.", "same_as": pair["original"].pk},
        )
        assert anonymous_client.post(url, body).status_code in (401, 403)
        client = APIClient()
        client.force_authenticate(reader)
        assert client.post(url, body).status_code == 403
        viewer = APIClient()
        viewer.force_authenticate(user_with_permissions("viewer", "claims.view_claim"))
        assert viewer.post(url, body).status_code == 403
        assert Claim.objects.get(pk=pair["reworded"].pk).same_as_id is None

    def test_a_link_to_an_unpublished_claim_is_hidden_from_anonymous_users(
        self, anonymous_client, reviewer_client, pair
    ):
        original, reworded = pair["original"], pair["reworded"]
        reviewer_client.post(
            same_as_url(reworded), {"correction_reason": "Same statement.", "same_as": original.pk}
        )
        Claim.objects.filter(pk=original.pk).update(status="in_review")
        assert anonymous_client.get(f"/api/claims/{reworded.pk}/").json()["same_as"] is None
        assert anonymous_client.get(same_as_url(reworded)).json()["same_as"] is None
        listed = anonymous_client.get("/api/claims/", {"key": "B1"}).json()["results"]
        assert listed[0]["same_as"] is None

    def test_curators_set_it_in_the_admin(self, admin_client, pair):
        original, reworded = pair["original"], pair["reworded"]
        url = reverse("admin:claims_claim_change", args=[reworded.pk])
        html = admin_client.get(url).content.decode()
        assert 'name="same_as"' in html and "Same claim elsewhere" in html
        Claim.objects.filter(pk=reworded.pk).update(same_as=original)
        html = admin_client.get(reverse("admin:claims_claim_change", args=[original.pk])).content
        assert reverse("admin:claims_claim_change", args=[reworded.pk]) in html.decode()

    def test_the_model_refuses_a_link_to_itself_or_to_a_restatement(self, pair):
        original, reworded, echo = pair["original"], pair["reworded"], pair["echo"]
        original.same_as = original
        with pytest.raises(ValidationError) as error:
            original.full_clean()
        assert "same_as" in error.value.message_dict
        Claim.objects.filter(pk=reworded.pk).update(same_as=original)
        echo.same_as = Claim.objects.get(pk=reworded.pk)
        with pytest.raises(ValidationError) as error:
            echo.full_clean()
        assert "link to that claim instead" in error.value.message_dict["same_as"][0]


def test_similar_claims_are_cached_per_data_version_and_per_audience(
    settings, anonymous_client, pair
):
    """Answered from the cache until the data changes (a new version), and never across
    audiences: a curator's answer (drafts included) is not a reader's."""
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    from core import data_version

    settings.CACHE_DERIVED_DATA = True
    assert "B1" in {row["key"] for row in similar(anonymous_client, pair["original"])["results"]}
    Claim.objects.filter(pk=pair["reworded"].pk).update(status="draft")
    with CaptureQueriesContext(db) as cached:
        keys = {row["key"] for row in similar(anonymous_client, pair["original"])["results"]}
    assert "B1" in keys  # the cached answer, until the data version moves
    curator = APIClient()
    curator.force_authenticate(user_with_permissions("curator", "claims.view_claim"))
    assert "B1" in {row["key"] for row in similar(curator, pair["original"])["results"]}
    data_version.cache.set(data_version.CACHE_KEY, data_version.new_token(), timeout=None)
    with CaptureQueriesContext(db) as recomputed:
        keys = {row["key"] for row in similar(anonymous_client, pair["original"])["results"]}
    assert "B1" not in keys
    assert len(cached) < len(recomputed)


def test_the_candidate_words_are_the_rarest_the_index_knows(pair):
    """A word the full-text vocabulary spells otherwise (its stemmer makes "has" "ha") is
    not taken for a rare one: the words it knows come first, rarest first."""
    if connection.vendor != "sqlite":
        pytest.skip("the FTS5 vocabulary is SQLite's; PostgreSQL reads pg_stats")
    from claims.research.similarity import _rare_words

    words = _rare_words(["Trade has grown since 1979."], connection.alias)
    # The index holds "grown" once, "1979" and "trade" three times each; it stores "has"
    # and "since" stemmed ("ha", "sinc"), so it cannot tell how common they are.
    assert words == ["grown", "1979", "trade", "has", "since"]
