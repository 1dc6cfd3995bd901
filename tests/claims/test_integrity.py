"""Editorial integrity: a claim on the public record changes only through a reviewer, the
admin's revert writes no workflow field, and nothing public disappears by side effect.

(claims/editing.py holds the rule; the API, the admin and the services go through it.)
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from claims.models import Claim, Document, Evidence, Section, Topic
from sources.models import Source
from tests import api
from tests.claims.test_admin import COUNTER, NEW_NOTE, NOTES, SUPPORTING
from tests.factories import (
    ClaimFactory,
    DocumentFactory,
    EvidenceFactory,
    SourceFactory,
    TopicFactory,
    user_in_group,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def retracted_claim(document):
    from tests.factories import PublishedClaimFactory

    return PublishedClaimFactory(
        document=document, key="C009", quote="Cooperation benefits both.", status="retracted"
    )


def claim_url(claim) -> str:
    return f"/api/claims/{claim.pk}/"


def assert_refused_as_on_record(response) -> None:
    """A 403 that says why (a reviewer's business) and what to do instead."""
    assert response.status_code == 403, response.content
    detail = response.json()["detail"]
    assert "reviewer" in detail and "note" in detail and "back to review" in detail


# 1. Published means reviewed: the API --------------------------------------------------


class TestCuratorCannotChangeAClaimOnTheRecord:
    @pytest.mark.parametrize(
        "change",
        [
            {"quote": "Students number 400,000."},
            {"paraphrase": "Other words the reviewer never saw."},
            {"claim_type": "causal"},
            {"attributed_to": "Someone else"},
        ],
        ids=lambda change: next(iter(change)),
    )
    def test_substance_is_read_only(self, curator_client, published_claim, change):
        before = Claim.objects.values().get(pk=published_claim.pk)
        assert_refused_as_on_record(api.patch(curator_client, claim_url(published_claim), change))
        assert Claim.objects.values().get(pk=published_claim.pk) == before

    def test_a_retracted_claim_too(self, curator_client, retracted_claim):
        response = api.patch(curator_client, claim_url(retracted_claim), {"paraphrase": "New."})
        assert_refused_as_on_record(response)

    def test_topics_and_the_review_note_stay_editable(self, curator_client, published_claim):
        topic = TopicFactory()
        response = api.patch(
            curator_client,
            claim_url(published_claim),
            {"topics": [topic.slug], "review_note": "Check the 1979 base year."},
        )
        assert response.status_code == 200, response.content
        published_claim.refresh_from_db()
        assert published_claim.review_note == "Check the 1979 base year."
        assert list(published_claim.topics.all()) == [topic]

    def test_drafts_stay_editable(self, curator_client, draft_claim):
        response = api.patch(curator_client, claim_url(draft_claim), {"paraphrase": "Reworded."})
        assert response.status_code == 200, response.content

    def test_cannot_delete_its_evidence(self, curator_client, published_claim):
        evidence = published_claim.evidence.get()
        assert_refused_as_on_record(api.delete(curator_client, f"/api/evidence/{evidence.pk}/"))
        assert Evidence.objects.filter(pk=evidence.pk).exists()

    def test_cannot_change_its_evidence(self, curator_client, published_claim):
        evidence = published_claim.evidence.get()
        url = f"/api/evidence/{evidence.pk}/"
        assert_refused_as_on_record(api.patch(curator_client, url, {"excerpt": "Other words."}))
        evidence.refresh_from_db()
        assert evidence.excerpt != "Other words."

    def test_cannot_add_a_verified_counter_source(self, curator_client, published_claim):
        source = SourceFactory()
        body = {
            "claim": published_claim.pk, "source": source.key, "stance": "contradicts",
            "excerpt": "Says otherwise.", "verified": True,
        }  # fmt: skip
        assert_refused_as_on_record(curator_client.post("/api/evidence/", body, format="json"))
        assert published_claim.evidence.count() == 1

    def test_cannot_move_evidence_onto_or_off_it(
        self, curator_client, published_claim, draft_claim
    ):
        published_row = published_claim.evidence.get()
        draft_row = EvidenceFactory(claim=draft_claim)
        off = api.patch(
            curator_client, f"/api/evidence/{published_row.pk}/", {"claim": draft_claim.pk}
        )
        onto = api.patch(
            curator_client, f"/api/evidence/{draft_row.pk}/", {"claim": published_claim.pk}
        )
        assert_refused_as_on_record(off)
        assert_refused_as_on_record(onto)
        assert published_claim.evidence.get() == published_row
        assert list(draft_claim.evidence.all()) == [draft_row]

    def test_cannot_relink_same_as(self, curator_client, published_claim, document):
        other = ClaimFactory(document=document, key="C003", quote="We must cooperate.")
        url = f"/api/claims/{published_claim.pk}/same-as/"
        assert_refused_as_on_record(curator_client.post(url, {"same_as": other.pk}))
        published_claim.refresh_from_db()
        assert published_claim.same_as_id is None

    def test_cannot_relink_a_published_restatement_by_linking_its_claim(
        self, curator_client, published_claim, draft_claim, document
    ):
        """Linking a draft moves the claims restating it: a published one among them is
        changed too, so the link needs a reviewer."""
        Claim.objects.filter(pk=published_claim.pk).update(same_as=draft_claim)
        target = ClaimFactory(document=document, key="C003", quote="We must cooperate.")
        url = f"/api/claims/{draft_claim.pk}/same-as/"
        assert_refused_as_on_record(curator_client.post(url, {"same_as": target.pk}))
        assert Claim.objects.get(pk=published_claim.pk).same_as_id == draft_claim.pk

    def test_cannot_send_it_back_to_review(self, curator_client, published_claim):
        url = f"{claim_url(published_claim)}transition/"
        response = curator_client.post(url, {"to": "in_review"})
        assert response.status_code == 403
        assert Claim.objects.get(pk=published_claim.pk).status == "published"


class TestReviewerCorrectsAClaimOnTheRecord:
    def test_a_reason_is_required(self, reviewer_client, published_claim):
        response = api.patch(reviewer_client, claim_url(published_claim), {"paraphrase": "New."})
        assert response.status_code == 400 and "correction_reason" in response.json()
        published_claim.refresh_from_db()
        assert published_claim.paraphrase != "New."

    def test_with_a_reason_the_change_is_made(self, reviewer_client, published_claim):
        body = {"paraphrase": "New.", "correction_reason": "The paraphrase overstated it."}
        response = api.patch(reviewer_client, claim_url(published_claim), body)
        assert response.status_code == 200, response.content
        published_claim.refresh_from_db()
        assert (published_claim.paraphrase, published_claim.status) == ("New.", "published")

    def test_evidence_deletion_takes_the_reason_as_a_parameter(
        self, reviewer_client, published_claim
    ):
        evidence = published_claim.evidence.get()
        EvidenceFactory(claim=published_claim)  # it keeps a source
        url = f"/api/evidence/{evidence.pk}/"
        assert api.delete(reviewer_client, url).status_code == 400
        response = api.delete(reviewer_client, url + "?correction_reason=Not+the+right+table.")
        assert response.status_code == 204
        assert not Evidence.objects.filter(pk=evidence.pk).exists()

    def test_a_correction_keeps_what_publishing_needed(self, reviewer_client, published_claim):
        """Deleting the only source of a published claim is refused, reason or not."""
        evidence = published_claim.evidence.get()
        url = f"/api/evidence/{evidence.pk}/?correction_reason=Wrong+table."
        response = api.delete(reviewer_client, url)
        assert response.status_code == 400 and "evidence" in response.json()
        assert Evidence.objects.filter(pk=evidence.pk).exists()

    def test_a_verdict_change_re_stamps_the_review(self, reviewer_client, published_claim):
        Claim.objects.filter(pk=published_claim.pk).update(reviewed_by=None, reviewed_at=None)
        body = {"verdict": "partly_supported", "correction_reason": "The base year differs."}
        response = api.patch(reviewer_client, claim_url(published_claim), body)
        assert response.status_code == 200, response.content
        published_claim.refresh_from_db()
        assert published_claim.reviewed_by.username == "reviewer"
        assert published_claim.reviewed_at is not None
        latest = published_claim.history.latest()
        assert latest.reviewed_at == published_claim.reviewed_at  # one version, not two

    def test_a_move_does_not_carry_a_verdict_change_past_the_correction(
        self, reviewer_client, published_claim
    ):
        url = f"{claim_url(published_claim)}transition/"
        etag = api.current_etag(reviewer_client, claim_url(published_claim))
        response = reviewer_client.post(
            url, {"to": "retracted", "verdict": "contradicted"}, HTTP_IF_MATCH=etag
        )
        assert response.status_code == 400 and "verdict" in response.json()
        published_claim.refresh_from_db()
        assert (published_claim.status, published_claim.verdict) == ("published", "supported")

    def test_only_a_reviewer_sends_it_back_to_review(self, reviewer_client, published_claim):
        url = f"{claim_url(published_claim)}transition/"
        response = reviewer_client.post(url, {"to": "in_review"})
        assert response.status_code == 200, response.content
        assert Claim.objects.get(pk=published_claim.pk).status == "in_review"


# 1. Published means reviewed: the admin ------------------------------------------------


def admin_client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def claim_post(claim, **overrides) -> dict:
    """The claim's admin form as it stands (its evidence inlines unchanged), with overrides."""
    from core.admin import version_token

    data = {
        "document": claim.document_id, "section": claim.section_id or "", "key": claim.key,
        "quote": claim.quote, "start": claim.start, "end": claim.end, "occurrence": "",
        "paraphrase": claim.paraphrase, "claim_type": claim.claim_type,
        "checkable": "on" if claim.checkable else "", "attributed_to": claim.attributed_to,
        "verdict": claim.verdict, "verdict_summary": claim.verdict_summary,
        "review_note": claim.review_note, "same_as": "", "correction_reason": "",
        "correction_kind": "correction", "loaded_version": version_token(claim),
    }  # fmt: skip
    for prefix, stances in ((SUPPORTING, ["supports"]), (COUNTER, ["contradicts", "qualifies"])):
        rows = list(claim.evidence.filter(stance__in=stances).order_by("id"))
        data.update({
            f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(len(rows)),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000",
        })  # fmt: skip
        for index, row in enumerate(rows):
            data.update({
                f"{prefix}-{index}-id": row.pk, f"{prefix}-{index}-claim": claim.pk,
                f"{prefix}-{index}-source": row.source_id, f"{prefix}-{index}-stance": row.stance,
                f"{prefix}-{index}-excerpt": row.excerpt, f"{prefix}-{index}-locator": row.locator,
                f"{prefix}-{index}-summary": row.summary,
                f"{prefix}-{index}-note": row.note,
                f"{prefix}-{index}-consulted_url": row.consulted_url,
            })  # fmt: skip
            if row.verified:
                data[f"{prefix}-{index}-verified"] = "on"
    for prefix in (NOTES, NEW_NOTE):
        data.update({
            f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000",
        })  # fmt: skip
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


class TestAdmin:
    def test_curator_sees_the_substance_read_only(self, curator, published_claim):
        url = reverse("admin:claims_claim_change", args=[published_claim.pk])
        response = admin_client_for(curator).get(url)
        form = response.context["adminform"].form
        assert not {"quote", "paraphrase", "claim_type", "verdict", "same_as"} & set(form.fields)
        assert "review_note" in form.fields
        html = response.content.decode()
        assert 'name="accept_overlaps"' not in html and 'name="occurrence"' not in html
        assert "ask a reviewer to send it back to review" in html
        evidence_inlines = [
            formset
            for formset in response.context["inline_admin_formsets"]
            if issubclass(formset.opts.model, Evidence)
        ]
        assert len(evidence_inlines) == 2
        for formset in evidence_inlines:
            assert not formset.has_add_permission and not formset.has_delete_permission
            assert not formset.has_change_permission

    def test_curator_post_leaves_the_substance_as_it_was(self, curator, published_claim):
        url = reverse("admin:claims_claim_change", args=[published_claim.pk])
        data = claim_post(
            published_claim, paraphrase="Rewritten.", quote="Students number 400,000."
        )
        data[f"{SUPPORTING}-0-excerpt"] = "Rewritten excerpt."
        response = admin_client_for(curator).post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        published_claim.refresh_from_db()
        assert published_claim.paraphrase != "Rewritten."
        assert published_claim.evidence.get().excerpt != "Rewritten excerpt."

    def test_curator_cannot_change_the_evidence_on_its_own_page(self, curator, published_claim):
        evidence = published_claim.evidence.get()
        url = reverse("admin:claims_evidence_change", args=[evidence.pk])
        client = admin_client_for(curator)
        page = client.get(url)
        assert page.status_code == 200 and "excerpt" not in page.context["adminform"].form.fields
        response = client.post(url, {"claim": published_claim.pk, "excerpt": "Other."})
        assert response.status_code == 403
        evidence.refresh_from_db()
        assert evidence.excerpt != "Other."

    def test_curator_cannot_attach_evidence_to_it_on_the_evidence_page(
        self, curator, published_claim
    ):
        source = SourceFactory()
        data = {
            "claim": published_claim.pk, "source": source.pk, "stance": "supports",
            "excerpt": "More.", "locator": "", "consulted_url": "", "note": "",
        }  # fmt: skip
        response = admin_client_for(curator).post(reverse("admin:claims_evidence_add"), data)
        assert response.status_code == 200 and "reviewer" in response.content.decode()
        assert published_claim.evidence.count() == 1

    def test_reviewer_gives_the_reason_in_the_form(self, reviewer, published_claim):
        url = reverse("admin:claims_claim_change", args=[published_claim.pk])
        client = admin_client_for(reviewer)
        response = client.post(url, claim_post(published_claim, paraphrase="Reworded."))
        assert (
            response.status_code == 200
            and "correction_reason" in response.context["adminform"].form.errors
        )
        data = claim_post(published_claim, paraphrase="Reworded.", correction_reason="Clearer.")
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        published_claim.refresh_from_db()
        assert published_claim.paraphrase == "Reworded."

    def test_an_evidence_change_in_the_inline_needs_the_reason_too(self, reviewer, published_claim):
        url = reverse("admin:claims_claim_change", args=[published_claim.pk])
        data = claim_post(published_claim)
        data[f"{SUPPORTING}-0-excerpt"] = "Trade rose 230-fold."
        client = admin_client_for(reviewer)
        response = client.post(url, data)
        assert response.status_code == 200 and "reason" in response.content.decode()
        assert published_claim.evidence.get().excerpt != "Trade rose 230-fold."
        response = client.post(url, {**data, "correction_reason": "The excerpt was cut."})
        assert response.status_code == 302, response.content.decode()[:2000]
        assert published_claim.evidence.get().excerpt == "Trade rose 230-fold."


@pytest.fixture
def reviewer(db):
    return user_in_group("reviewer", "reviewers")


# 3. History without back doors ---------------------------------------------------------


@pytest.mark.parametrize("model", ["claim", "evidence"])
def test_revert_is_refused_for_claims_and_evidence(reviewer, published_claim, model):
    row = published_claim if model == "claim" else published_claim.evidence.get()
    first = row.history.earliest()
    url = reverse(f"admin:claims_{model}_simple_history", args=[row.pk, first.history_id])
    client = admin_client_for(reviewer)
    page = client.get(url)
    assert page.status_code == 200 and page.context["revert_disabled"] is True
    assert client.post(url, {}).status_code == 403


def test_a_retracted_claim_is_not_republished_by_a_revert(admin_user, published_claim):
    """The audit's case: an old version said "published"; reverting to it is refused."""
    from claims.workflow import claim_transition

    claim_transition(claim=published_claim, target="retracted", user=admin_user)
    published_version = published_claim.history.filter(status="published").latest()
    url = reverse(
        "admin:claims_claim_simple_history", args=[published_claim.pk, published_version.pk]
    )
    response = admin_client_for(admin_user).post(url, claim_post(published_claim))
    assert response.status_code == 403
    assert Claim.objects.get(pk=published_claim.pk).status == "retracted"


def test_the_admin_form_has_no_status_field(admin_user, draft_claim):
    url = reverse("admin:claims_claim_change", args=[draft_claim.pk])
    response = admin_client_for(admin_user).post(url, claim_post(draft_claim, status="published"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Claim.objects.get(pk=draft_claim.pk).status == "draft"


def test_the_api_ignores_a_status_in_a_write(curator_client, draft_claim):
    response = api.patch(curator_client, claim_url(draft_claim), {"status": "published"})
    assert response.status_code == 200
    assert Claim.objects.get(pk=draft_claim.pk).status == "draft"


APP_DIRS = ["accounts", "claims", "config", "core", "reader", "sources"]
# The one module that moves a claim's status (claims/workflow.py).
STATUS_WRITERS = {"claims/workflow.py"}


def status_writes(tree: ast.AST) -> list[int]:
    """Lines that assign a `status` attribute, pass status= to an update, or setattr it."""
    lines = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            for item in ast.walk(target):
                if isinstance(item, ast.Attribute) and item.attr == "status":
                    lines.append(node.lineno)
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name in {"update", "update_or_create", "bulk_update"} and any(
                keyword.arg == "status" for keyword in node.keywords
            ):
                lines.append(node.lineno)
            if name == "setattr" and len(node.args) > 1:
                field = node.args[1]
                if isinstance(field, ast.Constant) and field.value == "status":
                    lines.append(node.lineno)
    return lines


def test_no_code_but_the_workflow_writes_a_status():
    """The audit's finding was a revert writing it; this keeps any new path from doing so.
    (A dataset import restores rows as the dataset holds them, statuses included: it
    writes whole rows with save_base, not a status, and is an operator's command.)"""
    base = Path(settings.BASE_DIR)
    found = {}
    for app in APP_DIRS:
        for path in (base / app).rglob("*.py"):
            relative = path.relative_to(base).as_posix()
            if "/migrations/" in relative or relative in STATUS_WRITERS:
                continue
            lines = status_writes(ast.parse(path.read_text(encoding="utf-8")))
            if lines:
                found[relative] = lines
    assert found == {}


def test_the_status_scan_finds_a_status_write():
    """The scan above can fail: it sees each way of writing a status."""
    code = (
        "claim.status = 'published'\n"
        "Claim.objects.filter(pk=1).update(status='draft')\n"
        "setattr(claim, 'status', 'x')\n"
    )
    assert status_writes(ast.parse(code)) == [1, 2, 3]


# 4. Nothing public disappears by side effect -------------------------------------------


def assert_conflict(response, depending: dict) -> None:
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["depending"] == depending and body["detail"]


class TestDeletingWhatPublishedClaimsDependOn:
    def test_a_document_without_sections(self, curator_client):
        from tests.factories import PublishedClaimFactory

        document = DocumentFactory(slug="bare", body="Trade grew two hundred times since 1979.")
        Section.objects.filter(document=document).delete()
        claim = PublishedClaimFactory(document=document)
        response = api.delete(curator_client, "/api/documents/bare/")
        assert_conflict(response, {"claims": 1})
        assert Claim.objects.filter(pk=claim.pk).exists()
        assert claim.key not in response.content.decode()  # a count, not the rows

    def test_a_document_with_sections(self, curator_client, published_claim, document):
        response = api.delete(curator_client, f"/api/documents/{document.slug}/")
        assert_conflict(response, {"claims": 1})
        assert Document.objects.filter(pk=document.pk).exists()

    def test_a_document_with_draft_claims_only_goes_with_them(self, curator_client, draft_claim):
        document = draft_claim.document
        response = api.delete(curator_client, f"/api/documents/{document.slug}/")
        assert response.status_code == 204, response.content
        assert not Claim.objects.filter(pk=draft_claim.pk).exists()

    def test_a_section_with_claims(self, curator_client, published_claim):
        response = api.delete(curator_client, f"/api/sections/{published_claim.section_id}/")
        assert_conflict(response, {"claims": 1})
        assert Section.objects.filter(pk=published_claim.section_id).exists()

    def test_a_topic_of_a_published_claim(self, curator_client, published_claim, draft_claim):
        topic = TopicFactory(slug="trade")
        topic.claims.add(published_claim, draft_claim)
        response = api.delete(curator_client, "/api/topics/trade/")
        assert_conflict(response, {"claims": 1})
        assert Topic.objects.filter(pk=topic.pk).exists()

    def test_a_topic_of_drafts_only_goes(self, curator_client, draft_claim):
        TopicFactory(slug="trade").claims.add(draft_claim)
        assert api.delete(curator_client, "/api/topics/trade/").status_code == 204

    def test_a_cited_source(self, curator_client, published_claim):
        source = published_claim.evidence.get().source
        response = api.delete(curator_client, f"/api/sources/{source.key}/")
        assert_conflict(response, {"evidence": 1})
        assert Source.objects.filter(pk=source.pk).exists()

    def test_the_admin_says_why_and_deletes_nothing(self, admin_user, published_claim, document):
        client = admin_client_for(admin_user)
        url = reverse("admin:claims_document_delete", args=[document.pk])
        page = client.get(url).content.decode()
        assert "published or retracted claim" in page
        client.post(url, {"post": "yes"})
        assert Document.objects.filter(pk=document.pk).exists()

    def test_the_admin_bulk_delete_keeps_published_claims(
        self, admin_user, published_claim, draft_claim
    ):
        client = admin_client_for(admin_user)
        response = client.post(
            reverse("admin:claims_claim_changelist"),
            {
                "action": "delete_selected",
                "_selected_action": [published_claim.pk, draft_claim.pk],
                "post": "yes",
            },
        )
        assert response.status_code == 200 and "public record" in (response.content.decode())
        assert Claim.objects.filter(pk=published_claim.pk).exists()
