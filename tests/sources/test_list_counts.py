"""The sources list counts the evidence of its page only (sources/querysets.py
evidence_counts): the same numbers as each source's own record, in a fixed number of
queries whatever the page holds, and per reader (drafts count for curators only)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import data_version
from tests.factories import ClaimFactory, EvidenceFactory, PublishedClaimFactory, SourceFactory

pytestmark = pytest.mark.django_db


def cited_sources(count: int, document) -> list:
    sources = [SourceFactory(key=f"source-{index:03d}") for index in range(count)]
    for index, source in enumerate(sources):
        claim = PublishedClaimFactory(document=document, key=f"P{index:03d}")
        EvidenceFactory(claim=claim, source=source, stance="supports")
        if index % 2:
            EvidenceFactory(claim=claim, source=source, stance="qualifies", excerpt="Only partly.")
        draft = ClaimFactory(document=document, key=f"D{index:03d}")
        EvidenceFactory(claim=draft, source=source, stance="contradicts", excerpt="Not so.")
    return sources


def list_counts(client, url="/api/sources/?page_size=100") -> dict[str, tuple[int, int]]:
    body = client.get(url).json()
    return {row["key"]: (row["supports_count"], row["counters_count"]) for row in body["results"]}


def test_list_counts_are_the_records_counts(anonymous_client, curator_client, document):
    sources = cited_sources(6, document)
    public, curated = list_counts(anonymous_client), list_counts(curator_client)
    for source in sources:
        url = f"/api/sources/{source.key}/"
        one = anonymous_client.get(url).json()
        assert public[source.key] == (one["supports_count"], one["counters_count"])
        one = curator_client.get(url).json()
        assert curated[source.key] == (one["supports_count"], one["counters_count"])
    # The drafts' contradicting evidence counts for curators, never for readers.
    assert public["source-001"] == (1, 1) and curated["source-001"] == (1, 2)
    assert public["source-000"] == (1, 0) and curated["source-000"] == (1, 1)


def test_the_list_costs_the_same_queries_for_3_or_12_sources(anonymous_client, document):
    def queries_for_the_list() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert anonymous_client.get("/api/sources/?page_size=100").status_code == 200
        return len(queries)

    cited_sources(3, document)
    few = queries_for_the_list()
    for index in range(3, 12):
        claim = PublishedClaimFactory(document=document, key=f"Q{index:03d}")
        EvidenceFactory(claim=claim, source=SourceFactory(key=f"more-{index:03d}"))
    assert len(list_counts(anonymous_client)) >= 12  # (each published claim brings a source)
    assert queries_for_the_list() == few


def test_cached_counts_follow_a_new_version_of_the_data(settings, anonymous_client, document):
    """Cached per data version: the same counts until a write gives the data a new version
    (on commit; the test's transaction never commits, so it moves the version itself)."""
    settings.CACHE_DERIVED_DATA = True
    source = cited_sources(1, document)[0]
    assert list_counts(anonymous_client)[source.key] == (1, 0)
    claim = PublishedClaimFactory(document=document, key="NEW")
    EvidenceFactory(claim=claim, source=source, stance="supports")
    assert list_counts(anonymous_client)[source.key] == (1, 0)  # the cached answer
    data_version.cache.set(data_version.CACHE_KEY, data_version.new_token(), timeout=None)
    assert list_counts(anonymous_client)[source.key] == (2, 0)
