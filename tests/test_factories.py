"""The factories make objects the models and the workflow accept, so tests start from valid data."""

import pytest

from claims.workflow import publication_problems
from tests.factories import (
    ClaimFactory,
    DocumentFactory,
    EvidenceFactory,
    PublishedClaimFactory,
    SourceFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "factory",
    [
        TopicFactory,
        SourceFactory,
        DocumentFactory,
        ClaimFactory,
        PublishedClaimFactory,
        EvidenceFactory,
    ],
    ids=lambda factory: factory.__name__,
)
def test_every_factory_makes_a_valid_object(factory):
    factory().full_clean()  # raises on anything the model refuses


def test_a_document_comes_with_its_sections_valid():
    document = DocumentFactory()
    for section in document.sections.all():
        section.full_clean()
    assert [section.label for section in document.sections.all()] == ["intro", "I", "II"]


def test_a_claim_starts_as_a_draft_without_a_verdict():
    claim = ClaimFactory()
    assert (claim.status, claim.verdict, claim.evidence.count()) == ("draft", "", 0)


@pytest.mark.parametrize("checkable", [True, False], ids=["checkable", "opinion"])
def test_a_published_claim_is_one_the_workflow_would_publish(checkable):
    claim = PublishedClaimFactory(checkable=checkable, claim_type="normative")
    assert claim.status == "published"
    assert publication_problems(claim) == {}
    assert claim.evidence.count() == (1 if checkable else 0)
