"""Hardening: deployment checks, security headers, hostile query parameters, admin login limits."""

import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from claims.models import Claim
from tests.factories import (
    ClaimFactory,
    PublishedClaimFactory,
    TopicFactory,
    user_with_permissions,
)

BASE_DIR = Path(django_settings.BASE_DIR)

# The environment of a production deployment behind a TLS proxy (README, "Reliability").
PRODUCTION_ENVIRONMENT = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "claims.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://claims.example.org",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_PRELOAD": "1",
    "BEHIND_TLS_PROXY": "1",
}


def run_deploy_check(tmp_path, **environment) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in PRODUCTION_ENVIRONMENT and key != "SECRET_KEY"
    }
    env.update(CLAIMBASE_VAR_DIR=str(tmp_path), **environment)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


class TestDeployCheck:
    def test_passes_with_the_documented_production_settings(self, tmp_path):
        result = run_deploy_check(
            tmp_path, SECRET_KEY=secrets.token_urlsafe(60), **PRODUCTION_ENVIRONMENT
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "no issues" in result.stdout

    def test_fails_with_development_settings(self, tmp_path):
        """The check is a real gate: without HTTPS settings it refuses."""
        result = run_deploy_check(tmp_path, SECRET_KEY=secrets.token_urlsafe(60))
        assert result.returncode != 0
        assert "security.W008" in result.stderr  # SECURE_SSL_REDIRECT


@pytest.mark.django_db
class TestSecurityHeaders:
    def test_api_responses(self, anonymous_client):
        response = anonymous_client.get("/api/claims/")
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in response

    def test_admin_login_page(self, client):
        response = client.get("/admin/login/")
        assert response.status_code == 200
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"

    def test_hsts_when_configured(self, anonymous_client, settings):
        settings.SECURE_HSTS_SECONDS = 31536000
        settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
        response = anonymous_client.get("/api/claims/", secure=True)
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"

    def test_reader_pages_carry_a_content_security_policy(self, client, published_claim):
        for url in ("/", f"/documents/{published_claim.document.slug}/"):
            response = client.get(url)
            assert response.status_code == 200, url
            policy = response["Content-Security-Policy"]
            assert "default-src 'self'" in policy and "script-src 'self'" in policy
            assert "unsafe-inline" not in policy
            assert response["X-Frame-Options"] == "DENY"


def list_endpoints() -> dict[str, list[str]]:
    """Every GET operation of the API without a path parameter, with its query parameters."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        path: [parameter["name"] for parameter in operation["get"].get("parameters", [])]
        for path, operation in schema["paths"].items()
        if "get" in operation and "{" not in path and path != "/api/schema/"
    }


LIST_ENDPOINTS = list_endpoints()
GENERIC_PARAMETERS = ["page", "page_size", "ordering", "search", "q", "not_a_parameter"]
CRAFTED_VALUES = [
    "' OR '1'='1",  # SQL fragments
    "1; DROP TABLE claims_claim; --",
    str(10**30),  # numbers no column holds
    "-1",
    "1e308",
    "NaN",
    "a\x00b",  # a NUL byte (sent as %00)
    "2020-01-01T00:00:00+17:00",  # offsets ISO allows and PostgreSQL does not
    "0001-01-01T00:00:00+10:00",  # before year 1 in UTC
    "-document__body",  # ordering fields that are not offered
    "reviewed_by__password",
    "",
    "x" * 5000,
]


@pytest.fixture
def small_database(db, settings):
    """A little of everything (published and draft claims, evidence, topics), unthrottled."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    claim = PublishedClaimFactory()
    claim.topics.add(TopicFactory())
    ClaimFactory(document=claim.document, quote="Students number 400,000.")


@pytest.fixture(params=["anonymous", "superuser"])
def api_client(request, small_database):
    client = APIClient(raise_request_exception=False)
    if request.param == "superuser":
        client.force_authenticate(user_with_permissions("crafted-admin"))
        client.handler._force_user.is_superuser = True
    return client


@pytest.mark.parametrize("path", sorted(LIST_ENDPOINTS))
def test_crafted_parameters_never_fail_the_server(api_client, path):
    """Every parameter of every list endpoint, with hostile values: 400 or a normal answer.

    A page past the end is a 400 naming `page`; an unknown `format` is DRF's 404.
    """
    failures = []
    for name in sorted({*LIST_ENDPOINTS[path], *GENERIC_PARAMETERS}):
        for value in CRAFTED_VALUES:
            response = api_client.get(
                path, {name: value, "page_size": "1"} if name != "page_size" else {name: value}
            )
            allowed = {200, 400} | ({404} if name == "format" else set())
            if response.status_code not in allowed:
                failures.append((name, value[:40], response.status_code))
            elif response.status_code == 400:
                content_type = response["Content-Type"].split(";")[0]
                assert content_type.endswith(("/json", "+json")), (name, value, content_type)
    assert failures == []


DETAIL_PATHS = ["/api/documents/{}/", "/api/sources/{}/", "/api/topics/{}/", "/documents/{}/"]


READER_PARAMETERS = ["type", "verdict", "topic", "counter", "not_a_parameter"]


def test_crafted_parameters_on_the_reader_pages(client, small_database, settings):
    """The reader's filters ignore what they do not offer: a normal page, never a 500."""
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    client.raise_request_exception = False
    slug = Claim.objects.first().document.slug
    failures = []
    for path in ("/", f"/documents/{slug}/"):
        for name in READER_PARAMETERS:
            for value in CRAFTED_VALUES:
                response = client.get(path, {name: value})
                if response.status_code != 200:
                    failures.append((path, name, value[:40], response.status_code))
    assert failures == []


@pytest.mark.parametrize("path", DETAIL_PATHS)
@pytest.mark.parametrize("key", ["' OR '1'='1", "x" * 2000, "..", "1e308"])
def test_crafted_lookup_keys_are_not_found(anonymous_client, small_database, path, key):
    response = anonymous_client.get(path.format(quote(key, safe="")))
    assert response.status_code == 404


@pytest.mark.parametrize("path", [*DETAIL_PATHS, "/api/claims/{}/", "/api/sources/{}/history/"])
def test_a_nul_byte_in_the_address_is_a_bad_request(anonymous_client, small_database, path):
    """PostgreSQL refuses NUL in text; the request is refused before it reaches a lookup."""
    response = anonymous_client.get(path.format("a%00b"))
    assert response.status_code == 400
    assert response.json() == {"detail": "The address contains a NUL character."}
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
class TestAdminLoginRateLimit:
    PASSWORD = "a-long-test-password-1"

    def attempt(self, client, password, address="203.0.113.7"):
        return client.post(
            "/admin/login/?next=/admin/",
            {"username": "curator-login", "password": password},
            REMOTE_ADDR=address,
        )

    @pytest.fixture
    def staff_user(self, settings):
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed
        user = user_with_permissions("curator-login")
        user.set_password(self.PASSWORD)
        user.save()
        return user

    def test_the_attempt_after_the_limit_is_refused_even_with_the_right_password(
        self, staff_user, settings
    ):
        client = Client()
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            response = self.attempt(client, "wrong")
            assert response.status_code == 200  # the form again, with its error
        assert self.attempt(client, "wrong").status_code == 429  # the limit-th failure locks
        refused = self.attempt(client, self.PASSWORD)
        assert refused.status_code == 429
        assert "_auth_user_id" not in client.session

    def test_another_address_can_still_sign_in(self, staff_user, settings):
        client = Client()
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self.attempt(client, "wrong")
        response = self.attempt(Client(), self.PASSWORD, address="198.51.100.9")
        assert response.status_code == 302 and response["Location"] == "/admin/"

    def test_a_successful_sign_in_below_the_limit_works(self, staff_user, settings):
        client = Client()
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            self.attempt(client, "wrong")
        response = self.attempt(client, self.PASSWORD)
        assert response.status_code == 302
