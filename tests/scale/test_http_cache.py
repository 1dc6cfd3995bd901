"""Anonymous answers are cacheable and revalidate in one cache lookup (core/http_cache.py)."""

import pytest
from django.contrib.auth.models import User

from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(published_claim):
    return published_claim


def test_anonymous_api_answers_are_public_with_validators(client, published):
    response = client.get("/api/claims/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60"
    assert response["ETag"].startswith('W/"')
    assert response["Last-Modified"]
    assert {"Accept", "Cookie", "Authorization"} <= {
        part.strip() for part in response["Vary"].split(",")
    }


def test_a_revalidation_is_answered_304_without_a_database_query(
    client, published, django_assert_num_queries
):
    etag = client.get("/api/claims/")["ETag"]
    with django_assert_num_queries(0):
        again = client.get("/api/claims/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag
    modified = client.get("/api/claims/")["Last-Modified"]
    assert client.get("/api/claims/", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304


def test_each_address_and_format_has_its_own_tag(client, published):
    tags = {
        client.get("/api/claims/")["ETag"],
        client.get("/api/claims/?page=1")["ETag"],
        client.get("/api/claims/", HTTP_ACCEPT="application/json")["ETag"],
    }
    assert len(tags) == 3


def test_a_write_makes_every_cached_answer_stale(
    client, published, django_capture_on_commit_callbacks
):
    etag = client.get("/api/topics/")["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        TopicFactory(name="Trade", slug="trade")
    fresh = client.get("/api/topics/", HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200
    assert fresh["ETag"] != etag
    assert "trade" in fresh.content.decode()


def test_reader_pages_are_public_too(client, published):
    response = client.get(f"/documents/{published.document.slug}/")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("public")
    etag = response["ETag"]
    assert (
        client.get(f"/documents/{published.document.slug}/", HTTP_IF_NONE_MATCH=etag).status_code
        == 304
    )


def test_signed_in_users_are_never_served_or_stored_publicly(client, published):
    etag = client.get("/api/claims/")["ETag"]
    client.force_login(User.objects.create_superuser("chief"))
    response = client.get("/api/claims/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "public" not in response.get("Cache-Control", "")


def test_the_admin_is_never_public(client):
    response = client.get("/admin/login/")
    assert "public" not in response.get("Cache-Control", "")


def test_missing_errors_are_not_cached_publicly(client):
    response = client.get("/api/claims/999999/")
    assert response.status_code == 404
    assert "public" not in response.get("Cache-Control", "")
