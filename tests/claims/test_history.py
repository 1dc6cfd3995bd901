"""History: every change from the admin, the API and imports is recorded with who, when and what."""

import json

import pytest
from django.db.models.signals import post_save
from django.test import Client
from django.urls import reverse

from claims.datasets import dataset_import
from claims.models import Claim
from tests import api
from tests.claims.test_datasets import minimal_dataset

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_api_edit_is_recorded_with_user_and_diff(curator_client, curator, draft_claim):
    url = f"/api/claims/{draft_claim.pk}/"
    assert api.patch(curator_client, url, {"paraphrase": "A new paraphrase."}).status_code == 200
    latest = draft_claim.history.latest()
    assert latest.history_user == curator and latest.history_type == "~"
    entries = curator_client.get(url + "history/").json()
    assert entries[0]["user"] == "curator" and entries[0]["type"] == "changed"
    change = next(c for c in entries[0]["changes"] if c["field"] == "paraphrase")
    assert change["new"] == "A new paraphrase." and change["old"] == draft_claim.paraphrase


def test_admin_edit_is_recorded_with_user_and_diff(admin_user, published_claim):
    from tests.claims.test_admin import claim_form

    data = claim_form(
        published_claim.document, key=published_claim.key, quote=published_claim.quote
    )
    data.update(paraphrase="Edited in the admin.", verdict="supported", verdict_summary="Ok.")
    data.update(correction_reason="The paraphrase missed the figure.")
    response = logged_in(admin_user).post(
        reverse("admin:claims_claim_change", args=[published_claim.pk]), data
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    latest = published_claim.history.latest()
    assert latest.history_user == admin_user
    delta = latest.diff_against(latest.prev_record)
    assert "paraphrase" in delta.changed_fields


def test_import_is_recorded_with_user_and_reason(tmp_path, curator):
    path = tmp_path / "d.json"
    path.write_text(json.dumps(minimal_dataset()), encoding="utf-8")
    dataset_import(paths=[path], user=curator)
    claim = Claim.objects.get(key="C001")
    record = claim.history.get()
    assert record.history_user == curator and record.history_change_reason == "dataset import"
    assert record.history_type == "+"
    assert [t.topic.slug for t in record.topics.all()] == ["trade"]


def test_import_saves_as_loaddata_does_and_sends_no_signal_by_hand(tmp_path):
    """Receivers of post_save see the import's saves as raw, like loaddata's; the history
    comes from simple-history's API, not from a post_save sent to every receiver."""
    path = tmp_path / "d.json"
    path.write_text(json.dumps(minimal_dataset()), encoding="utf-8")
    raw_flags = []

    def listen(sender, raw, **kwargs):
        raw_flags.append(raw)

    post_save.connect(listen, weak=False)
    try:
        dataset_import(paths=[path])
    finally:
        post_save.disconnect(listen)
    assert len(raw_flags) == 7 and all(raw_flags)
    assert Claim.objects.get(key="C001").history.count() == 1


def test_reimport_with_a_change_records_a_change(tmp_path, curator):
    path = tmp_path / "d.json"
    data = minimal_dataset()
    path.write_text(json.dumps(data), encoding="utf-8")
    dataset_import(paths=[path])
    data[5]["fields"]["paraphrase"] = "Reworded in the dataset."
    path.write_text(json.dumps(data), encoding="utf-8")
    dataset_import(paths=[path], user=curator)
    latest = Claim.objects.get(key="C001").history.latest()
    assert (latest.history_type, latest.history_user, latest.paraphrase) == (
        "~",
        curator,
        "Reworded in the dataset.",
    )
    assert "paraphrase" in latest.diff_against(latest.prev_record).changed_fields


def test_import_command_names_the_user(tmp_path, curator):
    from django.core.management import call_command

    path = tmp_path / "d.json"
    path.write_text(json.dumps(minimal_dataset()), encoding="utf-8")
    call_command("import_dataset", str(path), "--user", "curator")
    assert Claim.objects.get(key="C001").history.get().history_user == curator


def test_transition_is_recorded(reviewer_client, reviewer, published_claim):
    reviewer_client.post(
        f"/api/claims/{published_claim.pk}/transition/", {"to": "retracted"}, format="json"
    )
    entry = reviewer_client.get(f"/api/claims/{published_claim.pk}/history/").json()[0]
    assert entry["user"] == "reviewer"
    assert {"field": "status", "old": "published", "new": "retracted"} in entry["changes"]


def test_history_needs_the_view_permission(anonymous_client, reader, published_claim):
    from rest_framework.test import APIClient

    assert anonymous_client.get(f"/api/claims/{published_claim.pk}/history/").status_code in (
        401,
        403,
    )
    client = APIClient()
    client.force_authenticate(reader)
    assert client.get(f"/api/claims/{published_claim.pk}/history/").status_code == 403


def test_history_of_a_draft_is_not_reachable_anonymously(anonymous_client, draft_claim):
    assert anonymous_client.get(f"/api/claims/{draft_claim.pk}/history/").status_code == 404


@pytest.mark.parametrize("resource", ["documents", "sources", "topics", "sections", "evidence"])
def test_every_resource_has_history(curator_client, published_claim, resource):
    from tests.factories import EvidenceFactory, TopicFactory

    evidence = EvidenceFactory(claim=published_claim)
    topic = TopicFactory()
    lookup = {
        "documents": published_claim.document.slug,
        "sources": evidence.source.key,
        "topics": topic.slug,
        "sections": published_claim.section.pk,
        "evidence": evidence.pk,
    }[resource]
    response = curator_client.get(f"/api/{resource}/{lookup}/history/")
    assert response.status_code == 200 and response.json()[-1]["type"] == "created"


def test_admin_history_page_shows_changes_and_revert_is_refused(
    admin_user, curator_client, draft_claim
):
    """A revert would save an old version's status, verdict and stamps past the workflow
    (claims.editing, core.admin.NoRevertHistoryAdmin): the old version is shown, not saved."""
    original = draft_claim.paraphrase
    api.patch(curator_client, f"/api/claims/{draft_claim.pk}/", {"paraphrase": "Changed."})
    client = logged_in(admin_user)
    history_page = client.get(
        reverse("admin:claims_claim_history", args=[draft_claim.pk])
    ).content.decode()
    assert "Changed." in history_page  # the field-by-field changes are listed
    first = draft_claim.history.earliest()
    revert_url = reverse(
        "admin:claims_claim_simple_history", args=[draft_claim.pk, first.history_id]
    )
    form_page = client.get(revert_url)
    assert form_page.status_code == 200 and original in form_page.content.decode()
    assert form_page.context["revert_disabled"] is True
    form = form_page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({
        "document": draft_claim.document_id, "section": draft_claim.section_id, "topics": [],
        "loaded_version": form.initial.get("loaded_version", ""),
        "evidence-TOTAL_FORMS": "0", "evidence-INITIAL_FORMS": "0",
        "evidence-2-TOTAL_FORMS": "0", "evidence-2-INITIAL_FORMS": "0",
    })  # fmt: skip
    data = {
        key: ("on" if value is True else value) for key, value in data.items() if value is not False
    }
    response = client.post(revert_url, data)
    assert response.status_code == 403
    draft_claim.refresh_from_db()
    assert draft_claim.paraphrase == "Changed."
