"""No lost updates: ETag / If-Match on the API, stale-save refusal in the admin."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from claims.models import Claim
from tests import api

pytestmark = pytest.mark.django_db


def test_detail_carries_an_etag_that_changes_with_the_object(curator_client, draft_claim):
    url = f"/api/claims/{draft_claim.pk}/"
    first = api.current_etag(curator_client, url)
    assert first == api.current_etag(curator_client, url)
    response = api.patch(curator_client, url, {"paraphrase": "Other words."})
    assert response["ETag"] != first and response["ETag"] == api.current_etag(curator_client, url)


def test_if_none_match_gives_304(anonymous_client, published_claim):
    url = f"/api/claims/{published_claim.pk}/"
    etag = api.current_etag(anonymous_client, url)
    assert anonymous_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_writes_without_if_match_get_428(curator_client, draft_claim, method):
    url = f"/api/claims/{draft_claim.pk}/"
    response = getattr(curator_client, method)(url, {"paraphrase": "x"}, format="json")
    assert response.status_code == 428
    draft_claim.refresh_from_db()
    assert draft_claim.paraphrase != "x"


def test_stale_etag_gets_412_and_changes_nothing(curator_client, draft_claim):
    url = f"/api/claims/{draft_claim.pk}/"
    stale = api.current_etag(curator_client, url)
    assert api.patch(curator_client, url, {"paraphrase": "First writer."}).status_code == 200
    response = curator_client.patch(
        url, {"paraphrase": "Second writer."}, format="json", HTTP_IF_MATCH=stale
    )
    assert response.status_code == 412
    draft_claim.refresh_from_db()
    assert draft_claim.paraphrase == "First writer."


def test_same_etag_twice_one_wins(curator_client, draft_claim):
    """Two clients holding the same version: the first write wins, the second is refused."""
    url = f"/api/claims/{draft_claim.pk}/"
    etag = api.current_etag(curator_client, url)
    codes = [
        curator_client.patch(
            url, {"paraphrase": text}, format="json", HTTP_IF_MATCH=etag
        ).status_code
        for text in ("A", "B")
    ]
    assert codes == [200, 412]


@pytest.mark.django_db(transaction=True)
def test_concurrent_patches_with_the_same_etag_exactly_one_succeeds(
    postgresql_only, curator, draft_claim
):
    """Real concurrency (PostgreSQL, row locks): N threads PATCH with one ETag; one 200, the rest 412."""
    url = f"/api/claims/{draft_claim.pk}/"
    client = APIClient()
    client.force_authenticate(curator)
    etag = api.current_etag(client, url)
    results, barrier = [], threading.Barrier(4)

    def writer(number):
        thread_client = APIClient()
        thread_client.force_authenticate(curator)
        barrier.wait()
        response = thread_client.patch(
            url, {"paraphrase": f"writer {number}"}, format="json", HTTP_IF_MATCH=etag
        )
        results.append((response.status_code, number))
        connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(code for code, _ in results)
    assert codes == [200, 412, 412, 412]
    winner = next(number for code, number in results if code == 200)
    draft_claim.refresh_from_db()
    assert draft_claim.paraphrase == f"writer {winner}"


def test_admin_refuses_to_save_over_a_newer_version(admin_user, curator_client, draft_claim):
    from tests.claims.test_admin import claim_form

    client = Client()
    client.force_login(admin_user)
    url = reverse("admin:claims_claim_change", args=[draft_claim.pk])
    opened = client.get(url).context["adminform"].form.initial["loaded_version"]
    api.patch(
        curator_client, f"/api/claims/{draft_claim.pk}/", {"paraphrase": "Saved by someone else."}
    )
    data = claim_form(
        draft_claim.document, key=draft_claim.key, quote=draft_claim.quote, paraphrase="Mine."
    )
    data["loaded_version"] = opened
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Someone else saved this record after you opened it" in response.content.decode()
    assert Claim.objects.get(pk=draft_claim.pk).paraphrase == "Saved by someone else."
