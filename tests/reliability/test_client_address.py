"""Behind the proxy, every per-address counter counts the real client: a rotating
X-Forwarded-For neither escapes a limit nor locks everyone else out (issue 11)."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from core.client import client_address
from tests.factories import user_with_permissions

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
ATTACKER = "203.0.113.7"
SOMEONE_ELSE = "198.51.100.9"
PASSWORD = "a-long-test-password-1"


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


class FakeRequest:
    def __init__(self, remote, forwarded=None):
        self.META = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            self.META["HTTP_X_FORWARDED_FOR"] = forwarded


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "1.2.3.4", PROXY),  # no proxy: the header is the client's invention
        (1, None, PROXY),  # bypassed the proxy: no header, the connection's address
        (1, ATTACKER, ATTACKER),
        (1, f"1.2.3.4, 5.6.7.8,{ATTACKER}", ATTACKER),  # the spoofed entries are ignored
        (2, f"1.2.3.4, {ATTACKER}, 10.0.0.1", ATTACKER),
        (3, ATTACKER, ATTACKER),  # fewer entries than proxies: the leftmost
        (1, "not-an-address", PROXY),  # junk (PostgreSQL's inet would refuse it)
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_is_the_trusted_proxys_entry(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_address(FakeRequest(PROXY, forwarded)) == expected


def admin_login(client, password, forwarded):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "staff-behind-proxy", "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.fixture
def staff_user(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed
    user = user_with_permissions("staff-behind-proxy")
    user.set_password(PASSWORD)
    user.save()
    return user


def test_one_attacker_behind_the_proxy_does_not_lock_everyone_out(
    behind_one_proxy, staff_user, settings
):
    attacker = Client()
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        admin_login(attacker, "wrong", f"192.0.2.{attempt}, {ATTACKER}")
    assert admin_login(attacker, PASSWORD, f"192.0.2.99, {ATTACKER}").status_code == 429
    response = admin_login(Client(), PASSWORD, SOMEONE_ELSE)
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_a_rotating_forwarded_header_does_not_escape_the_api_throttle(monkeypatch):
    """The settings as they are (no proxy configured in the tests)."""
    monkeypatch.setattr(AnonRateThrottle, "rate", "3/min", raising=False)
    client = APIClient()
    statuses = [
        client.get("/api/", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]


def test_behind_the_proxy_the_api_throttle_counts_each_real_client(behind_one_proxy, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "rate", "3/min", raising=False)
    client = APIClient()

    def get(forwarded):
        return client.get("/api/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded).status_code

    assert [get(f"192.0.2.{n}, {ATTACKER}") for n in range(4)] == [200, 200, 200, 429]
    assert get(SOMEONE_ELSE) == 200  # another client, through the same proxy


@pytest.mark.parametrize(
    ("environment", "expected"),
    [({}, 0), ({"BEHIND_TLS_PROXY": "1"}, 1), ({"TRUSTED_PROXY_COUNT": "2"}, 2)],
)
def test_one_setting_drives_every_counter(tmp_path, environment, expected):
    """TRUSTED_PROXY_COUNT sets DRF's NUM_PROXIES; axes asks core.client."""
    env = {
        k: v for k, v in os.environ.items() if k not in {"BEHIND_TLS_PROXY", "TRUSTED_PROXY_COUNT"}
    }
    env.update(CLAIMBASE_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings")
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.TRUSTED_PROXY_COUNT, s.REST_FRAMEWORK['NUM_PROXIES'], "
        "s.AXES_CLIENT_IP_CALLABLE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env={**env, **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split() == [str(expected), str(expected), "core.client.client_address"]
