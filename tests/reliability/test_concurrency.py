"""Many evidence rows written to one claim at the same time (PostgreSQL, one connection per thread).

Every request is answered 201 or, for a (claim, source, stance) already taken, the 400 a
sequential duplicate gets, never 500 (without core.serializers.UniqueRaceMixin most of
the losers of the race got an IntegrityError); the rows that exist are exactly the
distinct links asked for.
"""

import threading
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework.test import APIClient

from claims.models import Evidence
from tests.factories import ClaimFactory, SourceFactory

THREADS_PER_LINK = 2
SOURCES = 6
STANCES = ("supports", "contradicts")


def post_all_at_once(user, requests: list[tuple[str, dict]]) -> list:
    """Send every request from its own thread (its own database connection), all released together."""
    responses = [None] * len(requests)
    barrier = threading.Barrier(len(requests))

    def send(index, url, data):
        client = APIClient(raise_request_exception=False)
        client.force_authenticate(user)
        try:
            barrier.wait(timeout=30)
            responses[index] = client.post(url, data, format="json")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=send, args=(index, url, data))
        for index, (url, data) in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


@pytest.fixture
def superuser(transactional_db, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    return get_user_model().objects.create_superuser("concurrency-admin")


@pytest.mark.django_db(transaction=True)
def test_parallel_evidence_on_one_claim(postgresql_only, superuser):
    claim = ClaimFactory()
    sources = [SourceFactory() for _ in range(SOURCES)]
    links = [(source.key, stance) for source in sources for stance in STANCES]
    requests = [
        (
            "/api/evidence/",
            {"claim": claim.pk, "source": key, "stance": stance, "excerpt": f"{key} {stance}"},
        )
        for key, stance in links
        for _ in range(THREADS_PER_LINK)
    ]
    responses = post_all_at_once(superuser, requests)

    codes = Counter(response.status_code for response in responses)
    assert codes == {201: len(links), 400: len(links) * (THREADS_PER_LINK - 1)}, [
        (response.status_code, response.content[:200]) for response in responses
    ]
    # A request that lost the race gets an answer a sequential duplicate gets (which check
    # sees the other row first, DRF's or the model's, depends on timing).
    duplicate = [
        {"non_field_errors": ["The fields claim, source, stance must make a unique set."]},
        {"non_field_errors": ["Evidence with this Claim, Source and Stance already exists."]},
    ]
    assert [r.json() for r in responses if r.status_code == 400 and r.json() not in duplicate] == []
    stored = set(Evidence.objects.filter(claim=claim).values_list("source__key", "stance"))
    assert stored == set(links)
    assert Evidence.objects.filter(claim=claim).count() == len(links)

    detail = APIClient()
    detail.force_authenticate(superuser)
    body = detail.get(f"/api/claims/{claim.pk}/").json()
    assert len(body["sources"]) == SOURCES and len(body["counter_sources"]) == SOURCES


@pytest.mark.django_db(transaction=True)
def test_parallel_claims_with_the_same_key(postgresql_only, superuser):
    """Claims created with their evidence in one request: one claim per key, the rest 400."""
    claim = ClaimFactory()
    source = SourceFactory()
    body = {
        "document": claim.document.slug,
        "key": "C777",
        "quote": "Students number 400,000.",
        "claim_type": "statistic",
        "evidence": [{"source": source.key, "stance": "supports", "excerpt": "Yes."}],
    }
    responses = post_all_at_once(superuser, [("/api/claims/", body)] * 6)
    codes = Counter(response.status_code for response in responses)
    assert codes == {201: 1, 400: 5}, [(r.status_code, r.content[:200]) for r in responses]
    duplicate = [
        {"non_field_errors": ["The fields document, key must make a unique set."]},
        {"non_field_errors": ["Claim with this Document and Key already exists."]},
    ]
    assert [r.json() for r in responses if r.status_code == 400 and r.json() not in duplicate] == []
    assert Evidence.objects.filter(claim__key="C777").count() == 1
