"""API tokens: hashed at rest, expiring, revocable; created in the admin or by a command."""

from datetime import timedelta

import pytest
from django.conf import settings
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


# --- The audit's findings (issue 11): whose tokens, cookies, expiry, absurd lifetimes. ---

TOKEN_PERMISSIONS = [
    "accounts.view_apitoken",
    "accounts.add_apitoken",
    "accounts.change_apitoken",
]


@pytest.fixture
def token_manager(db):
    from tests.factories import user_with_permissions

    return user_with_permissions("token-manager", *TOKEN_PERMISSIONS)


def admin_client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_token_manager_sees_only_their_own_tokens(token_manager, curator):
    own, _ = ApiToken.issue(user=token_manager, name="mine")
    other, _ = ApiToken.issue(user=curator, name="someone else's")
    client = admin_client_for(token_manager)
    page = client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    assert own.prefix in page and other.prefix not in page
    detail = client.get(reverse("admin:accounts_apitoken_change", args=[other.pk]))
    assert detail.status_code == 302  # the admin's "does not exist" redirect, nothing shown


def test_a_token_manager_cannot_revoke_someone_elses_token(token_manager, curator):
    other, raw = ApiToken.issue(user=curator, name="someone else's")
    admin_client_for(token_manager).post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [other.pk]},
    )
    assert ApiToken.objects.get(pk=other.pk).revoked_at is None
    assert token_client(raw).get("/api/claims/").status_code == 200


def test_a_token_manager_issues_tokens_for_themselves_only(token_manager, curator):
    client = admin_client_for(token_manager)
    response = client.post(
        reverse("admin:accounts_apitoken_add"),
        {"user": curator.pk, "name": "an attempt to act as the curator", "expires_at": ""},
    )
    assert response.status_code == 302
    token = ApiToken.objects.get(name="an attempt to act as the curator")
    assert token.user == token_manager


def test_a_superuser_sees_and_revokes_every_token(admin_user, curator):
    other, _ = ApiToken.issue(user=curator, name="someone else's")
    client = admin_client_for(admin_user)
    assert (
        other.prefix in client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    )
    client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [other.pk]},
    )
    assert ApiToken.objects.get(pk=other.pk).revoked_at is not None


def test_the_new_secret_never_travels_in_a_cookie(admin_user, curator):
    client = admin_client_for(admin_user)
    created = client.post(
        reverse("admin:accounts_apitoken_add"),
        {"user": curator.pk, "name": "cookie check", "expires_at": ""},
    )
    prefix = ApiToken.objects.get(name="cookie check").prefix
    # Only the session's and CSRF's cookies: a messages cookie would carry the secret
    # (signed and compressed, which hides nothing).
    assert set(created.cookies) <= {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME}
    assert all(prefix not in morsel.value for morsel in created.cookies.values())
    shown = client.get(created["Location"])
    assert f"{prefix}." in shown.content.decode()  # shown once, on the next page
    assert all(prefix not in morsel.value for morsel in shown.cookies.values())
    assert all(prefix not in morsel.value for morsel in client.cookies.values())


def test_an_admin_made_token_expires_by_default(admin_user, curator):
    admin_client_for(admin_user).post(
        reverse("admin:accounts_apitoken_add"),
        {"user": curator.pk, "name": "no expiry given", "expires_at": ""},
    )
    token = ApiToken.objects.get(name="no expiry given")
    assert token.expires_at is not None
    lifetime = token.expires_at - token.created_at
    assert abs(lifetime - timedelta(days=90)) < timedelta(minutes=1)


@pytest.mark.parametrize("expires_on", ["2000-01-01", "2999-01-01"])
def test_an_admin_made_token_cannot_be_born_expired_or_live_forever(
    admin_user, curator, expires_on
):
    response = admin_client_for(admin_user).post(
        reverse("admin:accounts_apitoken_add"),
        {
            "user": curator.pk,
            "name": "odd expiry",
            "expires_at_0": expires_on,
            "expires_at_1": "00:00:00",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert not ApiToken.objects.filter(name="odd expiry").exists()
    assert "expires_at" in response.context["adminform"].form.errors


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ("0", "out of range"),
        ("-5", "out of range"),
        ("3651", "out of range"),
        ("100000000000", "out of range"),
        ("ten", "not a whole number"),
        ("1.5", "not a whole number"),
    ],
)
def test_the_command_refuses_an_absurd_lifetime(curator, days, message):
    with pytest.raises(CommandError, match=message):
        call_command("api_token", "create", "curator", f"--days={days}")
    assert not ApiToken.objects.exists()


def test_the_command_accepts_the_longest_lifetime(curator, capsys):
    call_command("api_token", "create", "curator", "--days", "3650")
    token = ApiToken.objects.get()
    assert abs(token.expires_at - token.created_at - timedelta(days=3650)) < timedelta(minutes=1)
