"""The filter backend runs django-filter only when the request names a filter
(core/filtering.py): the same answers, without building a FilterSet for a plain page."""

import pytest

from claims.filtersets import ClaimFilterSet
from tests.factories import PublishedClaimFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def filtersets_built(monkeypatch):
    built = []
    original = ClaimFilterSet.__init__

    def counting(self, *args, **kwargs):
        built.append(type(self))
        original(self, *args, **kwargs)

    monkeypatch.setattr(ClaimFilterSet, "__init__", counting)
    return built


def test_a_plain_page_or_detail_builds_no_filterset(
    anonymous_client, published_claim, filtersets_built
):
    assert anonymous_client.get("/api/claims/").json()["count"] == 1
    assert anonymous_client.get(f"/api/claims/{published_claim.pk}/").status_code == 200
    assert anonymous_client.get("/api/claims/?page_size=5&unknown=1").status_code == 200
    assert filtersets_built == []


def test_a_named_filter_still_filters_and_refuses_bad_values(
    anonymous_client, document, filtersets_built
):
    PublishedClaimFactory(document=document, key="S1", claim_type="statistic")
    PublishedClaimFactory(document=document, key="Q1", claim_type="quotation",
                          quote="Students number 400,000.")  # fmt: skip
    rows = anonymous_client.get("/api/claims/?claim_type=statistic").json()["results"]
    assert [row["key"] for row in rows] == ["S1"]
    assert anonymous_client.get("/api/claims/?claim_type=bogus").status_code == 400
    # A range filter's parameters carry a suffix: created_after is the filter `created`.
    assert anonymous_client.get("/api/claims/?created_after=2999-01-01").json()["count"] == 0
    assert anonymous_client.get("/api/claims/?created_after=not-a-date").status_code == 400
    assert len(filtersets_built) == 4  # one for each request above
