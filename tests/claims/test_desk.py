"""The curator's desk (issue 13): no lost work, forgiving anchoring, duplicates and overlaps,
the review queue and its notes."""

import pytest
from django.test import Client
from django.urls import reverse

from claims.models import Claim
from tests import api
from tests.claims.test_admin import claim_form
from tests.factories import ClaimFactory, EvidenceFactory, user_in_group

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change_form(claim, **overrides) -> dict:
    """The change form of `claim` as the browser posts it, with `overrides` typed in."""
    data = claim_form(claim.document, key=claim.key, quote=claim.quote)
    data.update(paraphrase=claim.paraphrase, claim_type=claim.claim_type)
    data.update(overrides)
    return data


@pytest.fixture
def in_review(document):
    return ClaimFactory(document=document, key="C010", status="in_review")


class TestNoLostWork:
    def test_save_and_publish_saves_the_typed_verdict_and_publishes(self, reviewer, in_review):
        EvidenceFactory(claim=in_review)
        url = reverse("admin:claims_claim_change", args=[in_review.pk])
        form = change_form(
            in_review, verdict="supported", verdict_summary="The census agrees.", _move="published"
        )
        response = signed_in(reviewer).post(url, form, follow=True)
        in_review.refresh_from_db()
        assert (in_review.status, in_review.verdict) == ("published", "supported")
        assert in_review.verdict_summary == "The census agrees."
        assert "C010 was saved and is now published." in response.content.decode()

    def test_a_refused_move_saves_nothing_and_keeps_what_was_typed(self, reviewer, in_review):
        url = reverse("admin:claims_claim_change", args=[in_review.pk])
        form = change_form(
            in_review,
            paraphrase="Typed and not to be lost.",
            verdict="supported",
            verdict_summary="A summary typed before pressing Publish.",
            _move="published",
        )
        response = signed_in(reviewer).post(url, form)
        html = response.content.decode()
        assert response.status_code == 200
        assert "Nothing was saved: the claim cannot be published yet." in html
        assert "Publishing a checkable claim needs at least one source." in html
        assert "A summary typed before pressing Publish." in html
        assert "Typed and not to be lost." in html
        before = in_review.paraphrase
        in_review.refresh_from_db()
        assert (in_review.status, in_review.verdict) == ("in_review", "")
        assert in_review.paraphrase == before != "Typed and not to be lost."

    def test_an_invalid_form_is_not_moved(self, reviewer, in_review):
        EvidenceFactory(claim=in_review)
        url = reverse("admin:claims_claim_change", args=[in_review.pk])
        form = change_form(in_review, claim_type="no-such-type", _move="published")
        form.update(verdict="supported", verdict_summary="x")
        assert signed_in(reviewer).post(url, form).status_code == 200
        in_review.refresh_from_db()
        assert in_review.status == "in_review"

    def test_curator_saves_and_submits_for_review(self, document):
        curator = user_in_group("desk-curator", "curators")
        claim = ClaimFactory(document=document, key="C011")
        url = reverse("admin:claims_claim_change", args=[claim.pk])
        form = change_form(claim, paraphrase="Trade grew.", _move="in_review")
        html = signed_in(curator).get(url).content.decode()
        assert 'name="_move" value="in_review">Save and submit for review<' in html
        assert signed_in(curator).post(url, form).status_code == 302
        claim.refresh_from_db()
        assert (claim.status, claim.paraphrase, claim.status_changed_by.user) == (
            "in_review",
            "Trade grew.",
            curator,
        )

    def test_list_action_refusal_reads_as_sentences(self, reviewer, in_review):
        response = signed_in(reviewer).post(
            reverse("admin:claims_claim_changelist"),
            {"action": "publish", "_selected_action": [in_review.pk]},
            follow=True,
        )
        html = response.content.decode()
        assert (
            "C010 was not moved to published: Publishing a checkable claim needs a verdict. "
            "Publishing a checkable claim needs a verdict summary." in html
        )
        assert ".;" not in html and "0 of 1 claims moved to published." in html


class TestTransitionCarriesFields:
    def url(self, claim) -> str:
        return f"/api/claims/{claim.pk}/transition/"

    def test_publish_with_verdict_and_summary_in_one_request(self, reviewer_client, in_review):
        EvidenceFactory(claim=in_review)
        etag = api.current_etag(reviewer_client, f"/api/claims/{in_review.pk}/")
        body = {"to": "published", "verdict": "supported", "verdict_summary": "Agrees."}
        response = reviewer_client.post(
            self.url(in_review), body, format="json", HTTP_IF_MATCH=etag
        )
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "published"
        assert response.json()["verdict_summary"] == "Agrees."

    def test_fields_need_if_match(self, reviewer_client, in_review):
        body = {"to": "published", "verdict": "supported", "verdict_summary": "Agrees."}
        assert reviewer_client.post(self.url(in_review), body, format="json").status_code == 428

    def test_a_refused_move_saves_none_of_its_fields(self, reviewer_client, in_review):
        etag = api.current_etag(reviewer_client, f"/api/claims/{in_review.pk}/")
        body = {"to": "published", "verdict": "supported", "verdict_summary": "Agrees."}
        response = reviewer_client.post(
            self.url(in_review), body, format="json", HTTP_IF_MATCH=etag
        )
        assert response.status_code == 400
        assert response.json()["evidence"] == [
            "Publishing a checkable claim needs at least one source."
        ]
        in_review.refresh_from_db()
        assert (in_review.status, in_review.verdict) == ("in_review", "")

    def test_a_curator_cannot_carry_a_verdict(self, curator_client, in_review):
        etag = api.current_etag(curator_client, f"/api/claims/{in_review.pk}/")
        body = {"to": "draft", "verdict": "supported"}
        response = curator_client.post(self.url(in_review), body, format="json", HTTP_IF_MATCH=etag)
        assert response.status_code == 403
        in_review.refresh_from_db()
        assert (in_review.status, in_review.verdict) == ("in_review", "")


class TestAnchoringThroughTheDesk:
    def test_admin_stores_the_documents_words_for_a_pasted_quote(self, admin_client, document):
        document.body = document.body.replace("400,000.", "400,000 – or more.")
        document.save()
        form = claim_form(document, quote="Students  number\n400,000 - or more.")
        response = admin_client.post(reverse("admin:claims_claim_add"), form)
        assert response.status_code == 302, response.content.decode()[:2000]
        claim = Claim.objects.get(key="C077")
        assert claim.quote == "Students number 400,000 – or more."
        assert document.body[claim.start : claim.end] == claim.quote

    def test_admin_shows_the_closest_passage_when_nothing_matches(self, admin_client, document):
        form = claim_form(document, quote="Students number 500,000.")
        html = admin_client.post(reverse("admin:claims_claim_add"), form).content.decode()
        offset = document.body.index("400,000.")
        assert f"at offset {offset} the document has «4» where you typed «5»" in html
        assert not Claim.objects.filter(key="C077").exists()

    def test_api_answers_400_with_the_candidates(self, curator_client, document):
        payload = {
            "document": document.slug,
            "key": "C077",
            "quote": "Students number 500,000.",
            "claim_type": "statistic",
        }
        response = curator_client.post("/api/claims/", payload, format="json")
        assert response.status_code == 400
        body = response.json()
        assert "does not occur in the document text" in body["quote"][0]
        [candidate] = body["candidates"]
        assert candidate["text"] == "Students number 400,000."
        assert (candidate["document_has"], candidate["you_typed"]) == ("4", "5")
        assert candidate["difference_at"] == document.body.index("400,000.")

    def test_api_create_with_straight_quotes_stores_the_exact_span(self, curator_client, document):
        document.body = document.body.replace("We must cooperate.", "We ‘must’ cooperate.")
        document.save()
        payload = {
            "document": document.slug,
            "key": "C078",
            "quote": "We 'must' cooperate.",
            "claim_type": "normative",
            "checkable": False,
        }
        response = curator_client.post("/api/claims/", payload, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["quote"] == "We ‘must’ cooperate."


class TestDuplicatesAndOverlaps:
    @pytest.fixture
    def existing(self, document):
        return ClaimFactory(document=document, key="C094", quote="Students number 400,000.")

    def test_api_refuses_a_duplicate_span_naming_the_claim(self, curator_client, existing):
        payload = {
            "document": existing.document.slug,
            "key": "C200",
            "quote": "Students number 400,000.",
            "claim_type": "statistic",
        }
        response = curator_client.post("/api/claims/", payload, format="json")
        assert response.status_code == 400
        assert "already claim C094 (draft)" in response.json()["quote"][0]
        assert not Claim.objects.filter(key="C200").exists()

    def test_admin_refuses_a_duplicate_span(self, admin_client, existing):
        form = claim_form(existing.document, key="C200")
        html = admin_client.post(reverse("admin:claims_claim_add"), form).content.decode()
        assert "already claim C094" in html
        assert not Claim.objects.filter(key="C200").exists()

    def test_admin_warns_of_an_overlap_and_saves_once_accepted(self, admin_client, existing):
        url = reverse("admin:claims_claim_add")
        form = claim_form(existing.document, key="C200", quote="since 1979. Students")
        html = admin_client.post(url, form).content.decode()
        assert "These words overlap" in html and ">C094</a>" in html
        assert not Claim.objects.filter(key="C200").exists()
        response = admin_client.post(url, {**form, "accept_overlaps": "on"})
        assert response.status_code == 302
        assert Claim.objects.filter(key="C200").exists()

    def test_an_unmoved_overlapping_claim_saves_without_asking_again(self, admin_client, existing):
        other = ClaimFactory(document=existing.document, key="C095", quote="number 400,000.")
        url = reverse("admin:claims_claim_change", args=[other.pk])
        response = admin_client.post(url, change_form(other, paraphrase="Edited."))
        assert response.status_code == 302
        other.refresh_from_db()
        assert other.paraphrase == "Edited."

    def test_the_quote_in_its_text_shows_the_neighbouring_spans(self, admin_client, existing):
        ClaimFactory(document=existing.document, key="C095", quote="We must cooperate.")
        url = reverse("admin:claims_claim_change", args=[existing.pk])
        html = admin_client.get(url).content.decode()
        assert "<mark>Students number 400,000.</mark>" in html
        assert '<u title="C095">We must cooperate.</u>' in html
        assert "Neighbouring claims, underlined:" in html and ">C095</a>" in html
