"""Requests answered before any view runs (a NUL in the path, a reader over its limit),
and what every signed-in user's response says to caches."""

import math

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from rest_framework.throttling import SimpleRateThrottle

from core.client import client_address


class RejectNulInPathMiddleware:
    """A NUL character in the path gets a 400 at once.

    No address of the site holds one, and PostgreSQL refuses NUL in text: a lookup such
    as /api/sources/a%00b/ would otherwise end in a database error (500). NUL in query
    parameters is left to the filters, whose form fields refuse it with the field's name.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            return JsonResponse({"detail": "The address contains a NUL character."}, status=400)
        return self.get_response(request)


class PrivateCacheMiddleware:
    """What a signed-in user receives is theirs alone: `Cache-Control: private, no-store`.

    The one place this is set (CONTRACTS). A curator's answers hold drafts, review notes
    and assignments; no shared cache (CDN, proxy) may keep them and no browser should
    write them to disk. Anonymous answers are left to core.http_cache (public, with ETags).
    "Signed in" is decided after the view ran, so a user the API authenticated by token
    (DRF sets the user on the request) counts, and so does any request that offered an
    Authorization header, even one the API refused.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or "HTTP_AUTHORIZATION" in request.META:
            response["Cache-Control"] = "private, no-store"
        return response


class ReaderThrottle(SimpleRateThrottle):
    """Anonymous reader pages, per client address (core.client): THROTTLE_READER."""

    scope = "reader"

    def get_cache_key(self, request, view):
        if request.user.is_authenticated:
            return None  # curators and reviewers at work are not limited
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}


class ReaderThrottleMiddleware:
    """Server-rendered pages cost far more than a lookup: an anonymous client may render
    THROTTLE_READER of them (default 120 a minute), then gets a 429 with Retry-After.

    It runs after core.http_cache, so revalidations answered 304 from the data version
    (what browsers and CDNs send) cost nothing and count nothing; only pages rendered
    count. The API has DRF's throttles; the admin has its login limit; static files are
    answered before. Signed-in users are not limited.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(tuple(settings.READER_THROTTLE_EXCLUDED_PATHS)):
            return self.get_response(request)
        throttle = ReaderThrottle()
        if throttle.allow_request(request, None):
            return self.get_response(request)
        wait = max(1, math.ceil(throttle.wait() or 1))
        response = HttpResponse(
            f"Too many pages requested from your address. Try again in {wait} seconds.\n",
            status=429,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(wait)
        return response


# The admin and the API's pages (the browsable API, Swagger UI, Redoc): scripts only from
# our own static files, never inline, nothing fetched from elsewhere. Inline styles are
# allowed: the admin's templates and Swagger UI and Redoc set style attributes and
# <style> elements, and a style cannot run code. Redoc's search runs in a worker it
# starts from a blob: URL.
STAFF_AND_API_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """STAFF_AND_API_POLICY on every response under CONTENT_SECURITY_POLICY_PATHS (the
    reader's pages carry their own, stricter policy: reader/csp.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(tuple(settings.CONTENT_SECURITY_POLICY_PATHS)):
            response.headers.setdefault("Content-Security-Policy", STAFF_AND_API_POLICY)
        return response
