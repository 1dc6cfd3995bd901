"""Public corrections: a reviewer's change to a claim on the record is listed, with its date,
what changed and why, on the claim in the API, the reader's panel and ClaimReview."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim, Correction
from tests import api
from tests.claims.test_integrity import admin_client_for, claim_post
from tests.factories import ClaimFactory, EvidenceFactory, SourceFactory

pytestmark = pytest.mark.django_db


def claim_url(claim) -> str:
    return f"/api/claims/{claim.pk}/"


def correct(client, claim, reason="The paraphrase overstated the figure.", **fields):
    response = api.patch(client, claim_url(claim), {**fields, "correction_reason": reason})
    assert response.status_code == 200, response.content
    return response


def test_a_reviewer_change_is_recorded_field_by_field(reviewer_client, published_claim):
    old = published_claim.paraphrase
    correct(reviewer_client, published_claim, paraphrase="Trade grew about 230-fold.")
    correction = Correction.objects.get(claim=published_claim)
    assert correction.kind == "correction"
    assert correction.reason == "The paraphrase overstated the figure."
    assert correction.changes == [
        {"field": "paraphrase", "old": old, "new": "Trade grew about 230-fold."}
    ]
    assert correction.made_by.username == "reviewer"


def test_the_api_lists_them_newest_first_to_everyone(
    reviewer_client, anonymous_client, published_claim
):
    correct(reviewer_client, published_claim, paraphrase="First.", reason="One.")
    Correction.objects.update(made_at=timezone.now() - datetime.timedelta(days=2))
    correct(
        reviewer_client,
        published_claim,
        paraphrase="Second.",
        reason="A typo.",
        correction_kind="update",
    )
    listed = anonymous_client.get(claim_url(published_claim)).json()["corrections"]
    assert [(c["reason"], c["kind"]) for c in listed] == [
        ("A typo.", "update"),
        ("One.", "correction"),
    ]
    assert listed[0]["changes"][0]["old"] == "First." and listed[0]["made_by"] == "reviewer"


def test_an_evidence_change_is_recorded_with_the_rows(reviewer_client, published_claim):
    source = SourceFactory(key="census")
    body = {
        "claim": published_claim.pk, "source": "census", "stance": "qualifies",
        "excerpt": "The base year is 1978.", "correction_reason": "A qualifying source.",
    }  # fmt: skip
    assert reviewer_client.post("/api/evidence/", body, format="json").status_code == 201
    change = Correction.objects.get(claim=published_claim).changes[0]
    assert change["field"] == "evidence" and change["old"] is None
    assert change["new"]["source"] == source.key and change["new"]["stance"] == "qualifies"


def test_a_same_as_link_is_recorded(reviewer_client, published_claim, document):
    other = ClaimFactory(document=document, key="C003", quote="We must cooperate.")
    url = f"/api/claims/{published_claim.pk}/same-as/"
    response = reviewer_client.post(url, {"same_as": other.pk, "correction_reason": "Same."})
    assert response.status_code == 200, response.content
    change = Correction.objects.get(claim=published_claim).changes[0]
    assert change == {"field": "same_as", "old": None, "new": other.pk}


def test_a_same_as_target_the_reader_may_not_see_is_not_shown(
    reviewer_client, anonymous_client, published_claim, draft_claim
):
    url = f"/api/claims/{published_claim.pk}/same-as/"
    reviewer_client.post(url, {"same_as": draft_claim.pk, "correction_reason": "Same."})
    change = anonymous_client.get(claim_url(published_claim)).json()["corrections"][0]
    assert change["changes"][0] == {"field": "same_as", "old": None, "new": None}


def test_drafts_and_refused_writes_record_nothing(
    reviewer_client, curator_client, draft_claim, published_claim
):
    api.patch(reviewer_client, claim_url(draft_claim), {"paraphrase": "Draft wording."})
    api.patch(curator_client, claim_url(published_claim), {"paraphrase": "Refused."})
    api.patch(reviewer_client, claim_url(published_claim), {"paraphrase": "No reason."})
    assert not Correction.objects.exists()


def test_topics_and_notes_are_no_correction(reviewer_client, published_claim):
    response = api.patch(reviewer_client, claim_url(published_claim), {"review_note": "Recheck."})
    assert response.status_code == 200
    assert not Correction.objects.exists()


def test_the_admin_records_the_reason_given_in_the_form(reviewer, published_claim):
    url = reverse("admin:claims_claim_change", args=[published_claim.pk])
    data = claim_post(
        published_claim,
        verdict="partly_supported",
        correction_reason="The base year changes the ratio.",
    )
    response = admin_client_for(reviewer).post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    correction = Correction.objects.get(claim=published_claim)
    assert correction.reason == "The base year changes the ratio."
    page = admin_client_for(reviewer).get(url).content.decode()
    assert "The base year changes the ratio." in page  # listed on the claim's admin page
    assert correction.changes == [
        {"field": "verdict", "old": "supported", "new": "partly_supported"}
    ]


def test_the_reader_panel_shows_them(reviewer_client, client, published_claim):
    correct(reviewer_client, published_claim, paraphrase="Reworded.", reason="Clearer wording.")
    slug = published_claim.document.slug
    page = client.get(f"/documents/{slug}/claims/{published_claim.key}/panel/").content.decode()
    assert "Corrected" in page and "Clearer wording." in page and "Reworded." in page


def test_claimreview_carries_the_date_modified_and_a_correction_note(
    reviewer_client, anonymous_client, published_claim
):
    published_at = timezone.now() - datetime.timedelta(days=30)
    Claim.objects.filter(pk=published_claim.pk).update(
        status_changed_at=published_at, reviewed_at=published_at
    )
    correct(reviewer_client, published_claim, verdict="partly_supported", reason="Base year.")
    review = anonymous_client.get(f"{claim_url(published_claim)}claimreview/").json()
    today = timezone.now().date().isoformat()
    assert review["datePublished"] == published_at.date().isoformat()
    assert review["dateModified"] == today
    assert review["correction"] == [
        {
            "@type": "CorrectionComment",
            "datePublished": today,
            "text": "Corrected (Verdict): Base year.",
        }
    ]


def test_a_claim_once_published_is_never_deleted(reviewer, curator_client, published_claim):
    """Sent back to review and on to draft, it was public once: it stays on the record."""
    from claims.workflow import claim_transition

    claim_transition(claim=published_claim, target="in_review", user=reviewer)
    claim_transition(claim=published_claim, target="draft", user=reviewer)
    response = api.delete(curator_client, claim_url(published_claim))
    assert response.status_code == 409, response.content
    assert Claim.objects.filter(pk=published_claim.pk).exists()


def test_corrections_are_public_only_with_their_claim(reviewer_client, published_claim):
    from core.visibility import restrict

    correct(reviewer_client, published_claim, paraphrase="Reworded.")
    assert restrict(Correction.objects.all(), None).count() == 1
    Claim.objects.filter(pk=published_claim.pk).update(status="in_review")
    assert restrict(Correction.objects.all(), None).count() == 0


def test_the_claim_page_shows_them(reviewer_client, client, published_claim):
    correct(reviewer_client, published_claim, paraphrase="Reworded.", reason="Clearer wording.")
    url = f"/documents/{published_claim.document.slug}/claims/{published_claim.key}/"
    page = client.get(url).content.decode()
    assert '<h2 class="corrections-title">' in page and "Clearer wording." in page


def test_republishing_records_what_changed_since_readers_last_saw_it(
    reviewer_client, curator_client, published_claim
):
    """Sent back to review, edited, published again: the reader sees a correction for it."""
    url = f"{claim_url(published_claim)}transition/"
    assert reviewer_client.post(url, {"to": "in_review"}).status_code == 200
    response = api.patch(curator_client, claim_url(published_claim), {"paraphrase": "Fixed."})
    assert response.status_code == 200
    extra = EvidenceFactory(claim=published_claim, excerpt="A second table.")
    response = reviewer_client.post(url, {"to": "published"})
    assert response.status_code == 400 and "correction_reason" in response.json()
    assert Claim.objects.get(pk=published_claim.pk).status == "in_review"
    response = reviewer_client.post(url, {"to": "published", "correction_reason": "Reworded."})
    assert response.status_code == 200, response.content
    correction = Correction.objects.get(claim=published_claim)
    fields = [change["field"] for change in correction.changes]
    assert fields == ["paraphrase", "evidence"] and correction.reason == "Reworded."
    assert correction.changes[1]["old"] is None
    assert correction.changes[1]["new"]["excerpt"] == extra.excerpt


def test_republishing_unchanged_needs_no_reason(reviewer_client, published_claim):
    url = f"{claim_url(published_claim)}transition/"
    assert reviewer_client.post(url, {"to": "in_review"}).status_code == 200
    assert reviewer_client.post(url, {"to": "published"}).status_code == 200
    assert not Correction.objects.exists()
