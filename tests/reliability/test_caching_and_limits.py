"""What caches may keep, and how many pages an anonymous reader may have rendered
(issue 11): signed-in users' answers are `private, no-store`; anonymous reader pages are
limited per client address, while revalidations (304) stay free."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import ApiToken
from core.middleware import ReaderThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader_limit(monkeypatch):
    monkeypatch.setitem(ReaderThrottle.THROTTLE_RATES, "reader", "3/min")


def test_signed_in_api_answers_are_private_and_not_stored(curator, published_claim):
    _, raw = ApiToken.issue(user=curator, name="cache check")
    token_client = APIClient()
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    session_client = Client()
    session_client.force_login(curator)
    for client in (token_client, session_client):
        for url in ("/api/claims/", f"/api/claims/{published_claim.pk}/", "/api/sources/"):
            response = client.get(url)
            assert response.status_code == 200
            assert response["Cache-Control"] == "private, no-store", url


def test_a_refused_token_is_not_cached_either(published_claim):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token abcdefgh.wrong")
    assert client.get("/api/claims/")["Cache-Control"] == "private, no-store"


def test_signed_in_reader_pages_are_private_too(curator, published_claim):
    client = Client()
    client.force_login(curator)
    response = client.get(f"/documents/{published_claim.document.slug}/")
    assert response["Cache-Control"] == "private, no-store"


def test_anonymous_answers_stay_publicly_cacheable(published_claim):
    response = APIClient().get("/api/claims/")
    assert response["Cache-Control"].startswith("public")


def test_an_anonymous_reader_is_limited_per_address(reader_limit, published_claim):
    client = Client()
    statuses = [client.get("/", REMOTE_ADDR="203.0.113.7").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/about/", REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert "Try again in" in refused.content.decode()
    assert client.get("/", REMOTE_ADDR="198.51.100.9").status_code == 200  # someone else


def test_revalidations_do_not_count(reader_limit, published_claim):
    client = Client()
    first = client.get("/", REMOTE_ADDR="203.0.113.7")
    for _ in range(10):
        again = client.get("/", REMOTE_ADDR="203.0.113.7", HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304
    assert client.get("/about/", REMOTE_ADDR="203.0.113.7").status_code == 200


def test_signed_in_users_and_the_api_are_not_limited_by_it(reader_limit, curator, published_claim):
    client = Client()
    client.force_login(curator)
    assert {client.get("/").status_code for _ in range(5)} == {200}
    anonymous = Client()
    assert {anonymous.get("/api/").status_code for _ in range(5)} == {200}
