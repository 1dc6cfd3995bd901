"""The claim workflow and the roles: who may move, edit, rate and delete claims, in the API and the admin."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from claims import roles, workflow
from claims.models import Claim
from core import visibility
from tests import api
from tests.conftest import api_client_for
from tests.factories import ClaimFactory, EvidenceFactory, PublishedClaimFactory, user_in_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def group_curator(db):
    """A curator whose rights come only from the curators group of the roles migration."""
    return user_in_group("group-curator", "curators")


@pytest.fixture
def group_curator_client(group_curator):
    return api_client_for(group_curator)


def claim_in(status, document, **fields):
    """A claim in `status` as the workflow leaves one there (published and retracted claims
    come rated and sourced; the others unrated unless `fields` say otherwise)."""
    key = f"W{Claim.objects.count():03d}"
    if status in ("published", "retracted"):
        return PublishedClaimFactory(document=document, key=key, status=status, **fields)
    return ClaimFactory(document=document, key=key, status=status, **fields)


def move(client, claim, target):
    return client.post(f"/api/claims/{claim.pk}/transition/", {"to": target}, format="json")


def test_roles_exist_with_their_permissions(db):
    curators = set(
        Group.objects.get(name="curators").permissions.values_list("codename", flat=True)
    )
    reviewers = set(
        Group.objects.get(name="reviewers").permissions.values_list("codename", flat=True)
    )
    assert {"add_claim", "change_claim", "add_evidence", "change_source"} <= curators
    assert "publish_claim" not in curators and "set_verdict_claim" not in curators
    assert reviewers - curators == {"publish_claim", "retract_claim", "set_verdict_claim"}


def group_permissions(name: str) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_the_migrated_groups_hold_exactly_the_roles_defined_in_code(db):
    """Migration 0005 applies claims/roles.py; both roles may see unpublished claims."""
    for name, permissions in roles.ROLES.items():
        assert group_permissions(name) == set(permissions)
        assert visibility.UNPUBLISHED_PERMISSION in permissions


def test_setup_roles_restores_the_definition(db):
    Group.objects.get(name="reviewers").permissions.clear()
    Group.objects.get(name="curators").delete()
    out = io.StringIO()
    call_command("setup_roles", stdout=out)
    assert group_permissions("reviewers") == set(roles.REVIEWER_PERMISSIONS)
    assert group_permissions("curators") == set(roles.CURATOR_PERMISSIONS)
    assert f"reviewers: {len(roles.REVIEWER_PERMISSIONS)} permissions" in out.getvalue()


class TestApiTransitions:
    def test_curator_submits_a_draft_for_review_and_it_is_recorded(
        self, group_curator_client, group_curator, document
    ):
        claim = claim_in("draft", document)
        response = move(group_curator_client, claim, "in_review")
        assert response.status_code == 200, response.content
        claim.refresh_from_db()
        assert claim.status == "in_review"
        assert claim.status_changed_by.user == group_curator and claim.status_changed_at is not None

    def test_curator_cannot_publish(self, group_curator_client, document):
        claim = claim_in("in_review", document, verdict="supported", verdict_summary="Yes.")
        EvidenceFactory(claim=claim)
        assert move(group_curator_client, claim, "published").status_code == 403
        claim.refresh_from_db()
        assert claim.status == "in_review"

    def test_reviewer_publishes_a_complete_claim(self, reviewer_client, reviewer, document):
        claim = claim_in(
            "in_review", document, verdict="supported", verdict_summary="Census: 230 times."
        )
        EvidenceFactory(claim=claim)
        response = move(reviewer_client, claim, "published")
        assert response.status_code == 200 and response.json()["status"] == "published"
        claim.refresh_from_db()
        assert claim.reviewed_by.user == reviewer and claim.reviewed_at is not None

    @pytest.mark.parametrize(
        "fields, evidence, missing",
        [
            ({"verdict": "", "verdict_summary": "Text."}, True, "verdict"),
            ({"verdict": "supported", "verdict_summary": ""}, True, "verdict_summary"),
            ({"verdict": "supported", "verdict_summary": "Text."}, False, "evidence"),
        ],
    )
    def test_publishing_an_incomplete_checkable_claim_is_refused(
        self, reviewer_client, document, fields, evidence, missing
    ):
        claim = claim_in("in_review", document, **fields)
        if evidence:
            EvidenceFactory(claim=claim)
        response = move(reviewer_client, claim, "published")
        assert response.status_code == 400 and missing in response.json()
        claim.refresh_from_db()
        assert claim.status == "in_review"

    def test_an_opinion_is_published_without_sources(self, reviewer_client, document):
        claim = claim_in(
            "in_review", document, checkable=False, verdict="not_checkable", claim_type="normative"
        )
        assert move(reviewer_client, claim, "published").status_code == 200
        claim.refresh_from_db()
        assert claim.status == "published" and not claim.evidence.exists()

    @pytest.mark.parametrize(
        "source, target",
        [
            ("draft", "published"),
            ("retracted", "published"),
            ("published", "draft"),
            ("draft", "retracted"),
        ],
    )
    def test_moves_outside_the_workflow_are_refused(
        self, reviewer_client, document, source, target
    ):
        claim = claim_in(source, document, verdict="supported", verdict_summary="x")
        response = move(reviewer_client, claim, target)
        assert response.status_code == 400 and "cannot move" in response.json()["to"][0]

    def test_reviewer_retracts_a_published_claim_curator_cannot(
        self, reviewer_client, group_curator_client, published_claim
    ):
        assert move(group_curator_client, published_claim, "retracted").status_code == 403
        assert move(reviewer_client, published_claim, "retracted").status_code == 200
        published_claim.refresh_from_db()
        assert published_claim.status == "retracted"

    def test_unknown_target_is_a_400(self, reviewer_client, published_claim):
        assert move(reviewer_client, published_claim, "archived").status_code == 400

    def test_anonymous_and_reader_cannot_move_claims(self, anonymous_client, reader, draft_claim):
        reader_client = APIClient()
        reader_client.force_authenticate(reader)
        assert move(anonymous_client, draft_claim, "in_review").status_code in (401, 403, 404)
        assert move(reader_client, draft_claim, "in_review").status_code in (403, 404)
        draft_claim.refresh_from_db()
        assert draft_claim.status == "draft"


class TestApiEdits:
    def test_status_cannot_be_patched_directly(self, reviewer_client, draft_claim):
        response = api.patch(
            reviewer_client, f"/api/claims/{draft_claim.pk}/", {"status": "published"}
        )
        assert response.status_code == 200
        draft_claim.refresh_from_db()
        assert draft_claim.status == "draft"

    def test_curator_cannot_set_a_verdict_reviewer_can(
        self, group_curator_client, reviewer_client, draft_claim
    ):
        url = f"/api/claims/{draft_claim.pk}/"
        assert api.patch(group_curator_client, url, {"verdict": "supported"}).status_code == 403
        assert api.patch(group_curator_client, url, {"paraphrase": "Reworded."}).status_code == 200
        assert api.patch(reviewer_client, url, {"verdict": "supported"}).status_code == 200
        draft_claim.refresh_from_db()
        assert (draft_claim.verdict, draft_claim.paraphrase) == ("supported", "Reworded.")

    def test_published_claims_cannot_be_deleted_drafts_can(
        self, group_curator_client, published_claim, draft_claim
    ):
        response = api.delete(group_curator_client, f"/api/claims/{published_claim.pk}/")
        assert response.status_code == 400 and "retract" in response.json()["status"][0]
        assert api.delete(group_curator_client, f"/api/claims/{draft_claim.pk}/").status_code == 204
        assert list(Claim.objects.values_list("key", flat=True)) == [published_claim.key]

    def test_curator_group_member_creates_claims_and_evidence(self, group_curator_client, document):
        payload = {
            "document": document.slug,
            "key": "C300",
            "quote": "We must cooperate.",
            "claim_type": "normative",
            "checkable": False,
        }
        response = group_curator_client.post("/api/claims/", payload, format="json")
        assert response.status_code == 201 and response.json()["status"] == "draft"


class TestAdminWorkflow:
    def admin_client(self, user):
        from django.test import Client

        client = Client()
        client.force_login(user)
        return client

    def test_change_page_offers_only_the_moves_the_user_may_make(
        self, group_curator, reviewer, document
    ):
        claim = claim_in("in_review", document)
        url = reverse("admin:claims_claim_change", args=[claim.pk])
        curator_page = self.admin_client(group_curator).get(url).content.decode()
        reviewer_page = self.admin_client(reviewer).get(url).content.decode()
        assert (
            "Save and send back to draft" in curator_page
            and ">Save and publish<" not in curator_page
        )
        assert ">Save and publish<" in reviewer_page

    def test_curators_edit_sources_and_counter_sources_inline(self, group_curator, draft_claim):
        """The roles grant Evidence's permissions; the two inlines (proxies) follow them."""
        url = reverse("admin:claims_claim_change", args=[draft_claim.pk])
        html = self.admin_client(group_curator).get(url).content.decode()
        assert "Sources (supporting)" in html
        assert "Counter-sources (contradicting or qualifying)" in html
        assert 'name="evidence-TOTAL_FORMS"' in html and 'name="evidence-2-TOTAL_FORMS"' in html

    def test_curator_cannot_edit_verdict_in_admin(self, group_curator, draft_claim):
        page = self.admin_client(group_curator).get(
            reverse("admin:claims_claim_change", args=[draft_claim.pk])
        )
        assert 'name="verdict"' not in page.content.decode()

    def test_publish_action_refuses_incomplete_claims_and_publishes_complete_ones(
        self, reviewer, document
    ):
        complete = claim_in("in_review", document, verdict="supported", verdict_summary="x")
        EvidenceFactory(claim=complete)
        incomplete = claim_in("in_review", document, quote="Students number 400,000.")
        client = self.admin_client(reviewer)
        response = client.post(
            reverse("admin:claims_claim_changelist"),
            {"action": "publish", "_selected_action": [complete.pk, incomplete.pk]},
            follow=True,
        )
        complete.refresh_from_db()
        incomplete.refresh_from_db()
        assert (complete.status, incomplete.status) == ("published", "in_review")
        assert "was not moved to published" in response.content.decode()

    def test_list_actions_are_the_workflow_moves_the_user_may_make(
        self, group_curator, reviewer, published_claim
    ):
        """One action per transition of workflow.TRANSITIONS, offered to those allowed to make it."""
        url = reverse("admin:claims_claim_changelist")

        def offered(user):
            html = self.admin_client(user).get(url).content.decode()
            return {t.name for t in workflow.TRANSITIONS if f'<option value="{t.name}"' in html}

        assert offered(reviewer) == {t.name for t in workflow.TRANSITIONS}
        assert offered(group_curator) == {"submit_for_review", "send_back_to_draft"}

    def test_new_claim_page_says_it_starts_as_a_draft_and_offers_no_move(self, reviewer, document):
        html = self.admin_client(reviewer).get(reverse("admin:claims_claim_add")).content.decode()
        assert "New claims start as drafts" in html and 'name="_move"' not in html

    def test_curator_publish_action_is_refused(self, group_curator, document):
        claim = claim_in("in_review", document, verdict="supported", verdict_summary="x")
        EvidenceFactory(claim=claim)
        self.admin_client(group_curator).post(
            reverse("admin:claims_claim_changelist"),
            {"action": "publish", "_selected_action": [claim.pk]},
        )
        claim.refresh_from_db()
        assert claim.status == "in_review"

    def test_published_claim_cannot_be_deleted_in_admin(self, reviewer, published_claim):
        response = self.admin_client(reviewer).post(
            reverse("admin:claims_claim_delete", args=[published_claim.pk]),
            {"post": "yes"},
            follow=True,
        )
        html = response.content.decode()
        assert "Claim C001 is published" in html and "Retract it (a reviewer) instead" in html
        assert Claim.objects.filter(pk=published_claim.pk).exists()
