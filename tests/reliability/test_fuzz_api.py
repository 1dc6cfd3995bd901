"""Property-based fuzzing of every API operation against the OpenAPI schema (schemathesis).

Each operation of /api/schema/ runs as its own test, once anonymous and once as a
superuser (writes included), over the seed dataset, through the real WSGI handler:
no response may be a server error or differ from what the schema documents.
The number of examples per operation is bounded (FUZZ_EXAMPLES, default 12) and
generation is derandomised, so a run is repeatable and takes a known time.
"""

import json
import os
from collections import Counter

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from werkzeug.test import Client as WSGIClient

from accounts.models import ApiToken
from tests.reliability.conftest import make_superuser

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
CHECKS = [not_a_server_error, response_schema_conformance]
# Requests sent per (user, operation), reported at the end of the run.
REQUESTS_SENT: Counter = Counter()


def generated_schema() -> dict:
    """The schema /api/schema/ serves, generated the same way but without a request."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


APP = WSGIHandler()


def load_schema(*, coverage: bool):
    """The schema to fuzz, served by APP. The coverage phase adds schemathesis's
    deterministic boundary and negative cases (about ten times the requests)."""
    config = schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": coverage}}})
    loaded = schemathesis.openapi.from_dict(generated_schema(), config=config)
    loaded.app = APP
    return loaded


# The superuser reaches every code path (drafts, writes), so it gets the boundary and
# negative cases too; anonymous requests stop at permissions for writes, so random
# examples are enough to prove they never fail.
superuser_schema = load_schema(coverage=True)
anonymous_schema = load_schema(coverage=False)
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # Fixtures (the seed, the signed-in user) are deliberately shared by the examples.
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def wsgi_requests(seed_dataset, db, settings):
    """Requests through the real WSGI handler, inside the test's transaction, unthrottled.

    Django closes "old" connections around each request; inside a test transaction
    that would close the test's own connection, so the signal is held off (as
    django.test.Client does). Throttle counters live in the cache, so a dummy cache
    turns throttling off.
    """
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def superuser_headers(wsgi_requests):
    """A superuser's API token, as a program sends it.

    (A session cookie in a Cookie header was not what the WSGI client sent: every write
    and every draft answered as to an anonymous client.)
    """
    _token, raw = ApiToken.issue(user=make_superuser(), name="fuzzing", days=1)
    return {"Authorization": f"Token {raw}"}


def test_the_superuser_is_signed_in(superuser_headers):
    """Guard for the guard: the fuzzed superuser really reaches writes and drafts."""
    client = WSGIClient(APP)
    response = client.get("/api/claims/?status=in_review", headers=superuser_headers)
    assert response.status_code == 200 and response.json["count"] > 0
    missing = client.patch("/api/topics/no-such-topic/", json={}, headers=superuser_headers)
    assert missing.status_code == 404  # past authentication and permissions


def with_current_etag(case, headers: dict) -> dict:
    """Writes to a detail URL carry the ETag of the row as it is now (If-Match), when it exists.

    Without it every PUT, PATCH and DELETE would stop at 428 and never reach the code.
    """
    if case.method.upper() not in {"PUT", "PATCH", "DELETE"} or not case.path_parameters:
        return headers
    current = WSGIClient(APP).get(case.formatted_path, headers=headers)
    etag = current.headers.get("ETag")
    return {**headers, "If-Match": etag} if current.status_code == 200 and etag else headers


def test_schema_endpoint_serves_the_fuzzed_schema(anonymous_client, db):
    assert anonymous_client.get("/api/schema/?format=json").json() == generated_schema()


@anonymous_schema.parametrize()
@FUZZ_SETTINGS
def test_anonymous(case, wsgi_requests):
    REQUESTS_SENT[("anonymous", case.operation.label)] += 1
    case.call_and_validate(checks=CHECKS)


@superuser_schema.parametrize()
@FUZZ_SETTINGS
def test_superuser(case, superuser_headers):
    REQUESTS_SENT[("superuser", case.operation.label)] += 1
    headers = with_current_etag(case, superuser_headers)
    case.call_and_validate(headers=headers, checks=CHECKS)
