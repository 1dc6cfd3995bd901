"""The admin and the API's pages carry a Content-Security-Policy that allows no inline
or foreign script, and they still work under it (issue 11)."""

import re

import pytest
from django.test import Client

from core.middleware import STAFF_AND_API_POLICY
from tests.reader.test_reader_browser import chromium, chromium_can_run, open_page  # noqa: F401

PAGES = ["/admin/login/", "/api/", "/api/docs/", "/api/redoc/", "/api/claims/?format=api"]


def script_sources(policy: str) -> str:
    return next(part for part in policy.split("; ") if part.startswith("script-src"))


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_admin_and_api_pages_carry_the_policy(url):
    response = Client().get(url)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert policy == STAFF_AND_API_POLICY
    assert script_sources(policy) == "script-src 'self'"
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_no_page_needs_an_inline_script(url):
    """Every <script> either loads a file or is a data block the browser does not run."""
    html = Client().get(url).content.decode()
    for tag, body in re.findall(r"(<script\b[^>]*>)(.*?)</script>", html, flags=re.S):
        assert "src=" in tag or "application/json" in tag or not body.strip(), (url, tag)


@pytest.mark.django_db
def test_the_reader_keeps_its_own_stricter_policy(published_claim):
    policy = Client().get("/")["Content-Security-Policy"]
    assert "style-src 'self'" in policy and "unsafe-inline" not in policy


@pytest.mark.django_db(transaction=True)
def test_swagger_ui_renders_under_the_policy(live_server, chromium):  # noqa: F811
    page = open_page(chromium, f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock", timeout=20_000)
    assert page.locator(".opblock").count() > 10  # the operations, read from /api/schema/
    assert [e for e in page.errors if "Content Security Policy" in e] == []
    login = open_page(chromium, f"{live_server.url}/admin/login/")
    assert login.locator("#id_username").is_visible()
    assert [e for e in login.errors if "Content Security Policy" in e] == []
