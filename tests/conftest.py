"""Shared fixtures: API clients for each kind of user, a small anchored document, the seed."""

import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection, transaction
from django.test.testcases import LiveServerThread
from rest_framework.test import APIClient

from claims.datasets import dataset_import
from claims.roles import CURATOR_PERMISSIONS
from tests.factories import (
    ClaimFactory,
    DocumentFactory,
    PublishedClaimFactory,
    user_in_group,
    user_with_permissions,
)

# The seed dataset (fixtures/seed.json) and the slug of the statement it holds.
SEED = Path(settings.BASE_DIR) / "fixtures" / "seed.json"
SEED_SLUG = "respect-history-china-us-relations"


class OneRequestAtATimeServer(ThreadedWSGIServer):
    """The live server for browser tests, answering one request at a time when it shares
    the tests' in-memory SQLite connection: a browser sends requests in parallel (a page,
    its popup, an autocomplete), and two threads on one SQLite connection collide ("cannot
    start a transaction within a transaction", seen in a full run). Each answer is read
    whole inside the lock."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, connections_override=connections_override, **kwargs)
        self.shares_a_connection = bool(connections_override)
        self.lock = threading.Lock()

    def set_app(self, application):
        if not self.shares_a_connection:
            return super().set_app(application)

        def one_at_a_time(environ, start_response):
            with self.lock:
                response = application(environ, start_response)
                try:
                    return [b"".join(response)]
                finally:
                    if hasattr(response, "close"):
                        response.close()

        return super().set_app(one_at_a_time)


LiveServerThread.server_class = OneRequestAtATimeServer


@pytest.fixture(autouse=True)
def fresh_cache():
    """Throttle counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def media_in_a_temporary_directory(settings, tmp_path):
    """Stored files (snapshots) of a test go to its own directory, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture(autouse=True)
def no_derived_data_cache(settings):
    """Counts and facets are not cached across a test's writes: its transaction never
    commits, so the data version never moves (tests of the cache turn it back on)."""
    settings.CACHE_DERIVED_DATA = False


@pytest.fixture
def anonymous_client():
    return APIClient()


@pytest.fixture
def curator(db):
    return user_with_permissions("curator", *CURATOR_PERMISSIONS)


def api_client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def curator_client(curator):
    return api_client_for(curator)


@pytest.fixture
def reviewer(db):
    return user_in_group("reviewer", "reviewers")


@pytest.fixture
def reviewer_client(reviewer):
    return api_client_for(reviewer)


@pytest.fixture
def reader(db):
    """Signed in, but with no model permissions."""
    return user_with_permissions("reader")


@pytest.fixture
def document(db):
    return DocumentFactory()


@pytest.fixture
def published_claim(document):
    """Published, with one supporting source (as the workflow requires)."""
    return PublishedClaimFactory(document=document, key="C001")


@pytest.fixture
def draft_claim(document):
    return ClaimFactory(document=document, key="C002", quote="Students number 400,000.")


@pytest.fixture
def postgresql_only(db):
    """Skip, saying why, when the suite runs on SQLite."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL); this run uses SQLite")


@pytest.fixture(scope="module")
def seed_dataset(django_db_setup, django_db_blocker):
    """The seed dataset, imported once for the test module inside a transaction rolled back
    at the module's end; the import's report. (Tests that need it committed, for a live
    server or other connections, import it themselves.)"""
    with django_db_blocker.unblock(), transaction.atomic():
        yield dataset_import(paths=[SEED])
        transaction.set_rollback(True)
