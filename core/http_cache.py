"""What anonymous readers read, made cacheable by a CDN, a proxy or the browser.

An anonymous GET (no session cookie, no Authorization header) of a public page or API
response gets `Cache-Control: public, max-age=PUBLIC_CACHE_MAX_AGE`, a weak ETag made of the
data version (core/data_version.py) and the request (path, query, Accept), and
`Last-Modified` (when the data last changed). A revalidation whose ETag or date still holds
is answered 304 before any view runs or any database is read: one cache lookup. Any write
to claims or sources gives the data a new version, so every cached answer is revalidated
into a fresh one on the next request after max-age, across every app server (the version
lives in Redis).

Signed-in users are never served from here; their API responses are private and not
stored (see core/middleware.py).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe

from core import data_version

SAFE = {"GET", "HEAD"}


def is_anonymous_request(request) -> bool:
    """Decided from the request alone, before any database read."""
    return (
        "HTTP_AUTHORIZATION" not in request.META
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def is_public_path(path: str) -> bool:
    return not any(path.startswith(prefix) for prefix in settings.PUBLIC_CACHE_EXCLUDED_PATHS)


def etag_for(request, token: str) -> str:
    fingerprint = hashlib.sha256(
        "\n".join([request.get_full_path(), request.headers.get("Accept", "")]).encode()
    ).hexdigest()[:16]
    return f'W/"{token}.{fingerprint}"'


def _still_fresh(request, etag: str, modified: int) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        offered = [tag.strip() for tag in if_none_match.split(",")]
        return etag in offered or "*" in offered
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and modified <= since


class PublicCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (
            settings.PUBLIC_CACHE_MAX_AGE
            and request.method in SAFE
            and is_anonymous_request(request)
            and is_public_path(request.path)
        ):
            return self.get_response(request)
        token = data_version.current()
        etag = etag_for(request, token)
        modified = data_version.changed_at(token)
        if _still_fresh(request, etag, modified):
            response = HttpResponseNotModified()
            self._mark(response, etag, modified)
            return response
        response = self.get_response(request)
        # The view may have signed someone in after all (an API authentication that needs no
        # header of ours, such as a test client's): then the answer is theirs, not public.
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if response.status_code == 200 and not response.cookies and not signed_in:
            self._mark(response, etag, modified)
        return response

    @staticmethod
    def _mark(response, etag: str, modified: int) -> None:
        response["ETag"] = etag
        response["Last-Modified"] = http_date(modified)
        response["Cache-Control"] = f"public, max-age={settings.PUBLIC_CACHE_MAX_AGE}"
        # A shared cache must keep a signed-in user's answer apart from the public one.
        patch_vary_headers(response, ["Accept", "Cookie", "Authorization"])
