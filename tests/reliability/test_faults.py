"""Faults in the middle of a write leave nothing half-done, and the work can be done again.

- A dataset import whose database connection is killed part-way (PostgreSQL,
  pg_terminate_backend from a second connection) writes nothing; run again, it
  completes.
- A request that fails inside a write (ATOMIC_REQUESTS) leaves no claim and no
  evidence behind, whether it fails in the service or after it.
"""

import json
from collections import Counter

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, connections
from django.db.models.signals import post_save
from rest_framework.test import APIClient

from claims import services
from claims.api.views import ClaimViewSet
from claims.datasets import dataset_import
from claims.models import Claim, Evidence
from tests.conftest import SEED
from tests.factories import DocumentFactory, SourceFactory
from tests.reliability.dbstate import changed_tables, database_state


def seed_counts() -> dict[str, int]:
    return dict(Counter(item["model"] for item in json.loads(SEED.read_text(encoding="utf-8"))))


class KillAfter:
    """Terminate the default connection's backend from a second connection after N saves."""

    def __init__(self, saves: int):
        self.remaining = saves
        self.killed = False

    def __call__(self, sender, **kwargs):
        self.remaining -= 1
        if self.remaining == 0 and not self.killed:
            self.killed = True
            pid = connection.connection.info.backend_pid
            killer = connections.create_connection("default")
            try:
                with killer.cursor() as cursor:
                    cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
                    assert cursor.fetchone() == (True,)
            finally:
                killer.close()


@pytest.mark.django_db(transaction=True)
def test_import_killed_midway_leaves_nothing_and_reruns_to_completion(postgresql_only):
    before = database_state()
    kill = KillAfter(saves=300)  # a few hundred rows in: sources, document, sections, claims
    post_save.connect(kill, dispatch_uid="kill-import")
    try:
        with pytest.raises(DatabaseError):
            dataset_import(paths=[SEED])
    finally:
        post_save.disconnect(dispatch_uid="kill-import")
    assert kill.killed
    connection.close()  # the killed connection; the next query opens a new one
    assert changed_tables(before, database_state()) == []

    report = dataset_import(paths=[SEED])
    assert report.created == seed_counts()
    assert Claim.objects.count() == seed_counts()["claims.claim"]
    assert Evidence.objects.count() == seed_counts()["claims.evidence"]
    again = dataset_import(paths=[SEED])
    assert again.unchanged == seed_counts() and not again.created and not again.updated


def superuser_client():
    from django.contrib.auth import get_user_model

    client = APIClient(raise_request_exception=False)
    client.force_authenticate(get_user_model().objects.create_superuser("faults-admin"))
    return client


def new_claim_with_evidence(document, sources) -> dict:
    return {
        "document": document.slug,
        "key": "C900",
        "quote": "Students number 400,000.",
        "claim_type": "statistic",
        "evidence": [
            {"source": source.key, "stance": "contradicts", "excerpt": f"Not so ({source.key})."}
            for source in sources
        ],
    }


@pytest.mark.django_db(transaction=True)
def test_request_failing_between_two_evidence_rows_writes_nothing(monkeypatch):
    """The service fails after the claim and its first evidence row are written."""
    document, sources = DocumentFactory(), [SourceFactory(), SourceFactory()]
    before = database_state()
    real_create, written = services.evidence_create, []

    def failing_evidence_create(**kwargs):
        if written:
            raise RuntimeError("the disk is full")
        written.append(real_create(**kwargs))
        return written[-1]

    monkeypatch.setattr(services, "evidence_create", failing_evidence_create)
    response = superuser_client().post(
        "/api/claims/", new_claim_with_evidence(document, sources), format="json"
    )
    assert response.status_code == 500
    assert written and written[0].pk is not None  # a row really was written, then undone
    assert not Claim.objects.filter(key="C900").exists()
    assert not Evidence.objects.exists()
    assert changed_tables(before, database_state()) == ["auth_user"]


@pytest.mark.django_db(transaction=True)
def test_request_failing_after_the_service_returned_writes_nothing(monkeypatch):
    """The service has finished (claim and evidence saved); the view then fails: the request's
    transaction (ATOMIC_REQUESTS) takes it all back."""
    assert settings.DATABASES["default"]["ATOMIC_REQUESTS"]
    document, sources = DocumentFactory(), [SourceFactory(), SourceFactory()]
    client = superuser_client()
    before = database_state()

    def failing_headers(self, data):
        assert Evidence.objects.filter(claim__key="C900").count() == 2  # written, not committed
        raise RuntimeError("the response could not be built")

    monkeypatch.setattr(ClaimViewSet, "get_success_headers", failing_headers)
    response = client.post(
        "/api/claims/", new_claim_with_evidence(document, sources), format="json"
    )
    assert response.status_code == 500
    assert not Claim.objects.filter(key="C900").exists()
    assert not Evidence.objects.exists()
    assert changed_tables(before, database_state()) == []
