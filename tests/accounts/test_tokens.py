"""API tokens: hashed at rest, expiring, revocable; created in the admin or by a command."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, hash_secret
from claims.models import Claim

pytestmark = pytest.mark.django_db


def token_client(raw):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def test_token_is_stored_hashed_and_authenticates(curator, draft_claim):
    token, raw = ApiToken.issue(user=curator, name="test")
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in (stored.key_hash, stored.prefix) and stored.key_hash == hash_secret(raw)
    response = token_client(raw).get(f"/api/claims/{draft_claim.pk}/")
    assert response.status_code == 200  # the curator sees drafts: the token is the curator
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


def test_token_writes_are_attributed_in_history(curator, draft_claim):
    _, raw = ApiToken.issue(user=curator, name="test")
    client = token_client(raw)
    url = f"/api/claims/{draft_claim.pk}/"
    etag = client.get(url)["ETag"]
    assert (
        client.patch(
            url, {"paraphrase": "Via token."}, format="json", HTTP_IF_MATCH=etag
        ).status_code
        == 200
    )
    assert Claim.objects.get(pk=draft_claim.pk).history.latest().history_user == curator


@pytest.mark.parametrize("header", ["Token nope", "Token abcdefgh.wrong", "Bearer ", "Token a b"])
def test_bad_tokens_get_401(published_claim, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get("/api/claims/").status_code == 401


def test_expired_token_is_refused(curator):
    token, raw = ApiToken.issue(user=curator, name="short", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = token_client(raw).get("/api/claims/")
    assert response.status_code == 401 and "expired" in response.json()["detail"]


def test_revoked_token_is_refused(curator):
    token, raw = ApiToken.issue(user=curator, name="gone")
    token.revoke()
    assert token_client(raw).get("/api/claims/").status_code == 401


def test_command_creates_lists_and_revokes(curator, capsys):
    call_command("api_token", "create", "curator", "--days", "7", "--name", "script")
    raw = capsys.readouterr().out.strip()
    assert token_client(raw).get("/api/claims/").status_code == 200
    prefix = raw.split(".")[0]
    call_command("api_token", "list", "curator")
    assert prefix in capsys.readouterr().out
    call_command("api_token", "revoke", prefix)
    assert token_client(raw).get("/api/claims/").status_code == 401
    with pytest.raises(CommandError, match="No user named"):
        call_command("api_token", "create", "nobody")
    with pytest.raises(CommandError, match="No token with prefix"):
        call_command("api_token", "revoke", "zzzzzzzz")


def test_admin_creates_a_token_and_shows_it_once(admin_user, curator):
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:accounts_apitoken_add"),
        {"user": curator.pk, "name": "from admin", "expires_at": ""},
        follow=True,
    )
    message = next(str(m) for m in response.context["messages"] if "Copy it now" in str(m))
    raw = message.rsplit(": ", 1)[1]
    assert token_client(raw).get("/api/claims/").status_code == 200
    assert raw not in client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()


def test_admin_revoke_action(admin_user, curator):
    token, raw = ApiToken.issue(user=curator, name="t")
    client = Client()
    client.force_login(admin_user)
    client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert token_client(raw).get("/api/claims/").status_code == 401
