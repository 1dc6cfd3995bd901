"""Shared fixtures: API clients for each kind of user, and a small anchored document."""

import pytest
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from claims.roles import CURATOR_PERMISSIONS
from tests.factories import (
    ClaimFactory,
    DocumentFactory,
    PublishedClaimFactory,
    user_in_group,
    user_with_permissions,
)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Throttle counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


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
