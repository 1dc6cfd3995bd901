"""Model invariants: anchoring, sections, evidence, natural keys, database constraints."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError

from claims.documents import detect_sections
from claims.models import Claim, Document, Section
from sources.models import Source
from tests.factories import BODY, ClaimFactory, DocumentFactory, EvidenceFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_claim_whose_offsets_do_not_match_its_quote_is_refused(document):
    claim = ClaimFactory.build(document=document, key="C010")
    claim.start += 1
    claim.end += 1
    with pytest.raises(ValidationError) as error:
        claim.full_clean()
    assert "quote" in error.value.message_dict


def test_claim_quote_not_in_text_is_refused(document):
    claim = ClaimFactory.build(
        document=document, key="C010", quote="Words that are nowhere.", start=0, end=23
    )
    with pytest.raises(ValidationError, match="is not the quote"):
        claim.full_clean()


def test_claim_outside_its_section_is_refused(document):
    claim = ClaimFactory.build(document=document, key="C010")
    claim.section = document.sections.get(label="II")
    with pytest.raises(ValidationError) as error:
        claim.full_clean()
    assert "outside section II" in str(error.value.message_dict["section"])


def test_opinion_cannot_be_rated_true(document):
    claim = ClaimFactory.build(document=document, key="C010", checkable=False, verdict="supported")
    with pytest.raises(ValidationError) as error:
        claim.full_clean()
    assert "verdict" in error.value.message_dict


def test_database_refuses_a_rated_opinion_even_without_validation(document):
    claim = ClaimFactory(document=document, key="C010", verdict="supported")
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(checkable=False)


def test_database_refuses_an_unknown_claim_type(document):
    claim = ClaimFactory(document=document, key="C010")
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(claim_type="rumour")


def test_database_refuses_end_before_start(document):
    claim = ClaimFactory(document=document, key="C010")
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(end=claim.start)


def test_claim_key_is_unique_per_document(published_claim):
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimFactory(document=published_claim.document, key=published_claim.key)


def test_same_claim_key_may_be_used_in_another_document(published_claim):
    other = ClaimFactory(key=published_claim.key)
    assert other.document != published_claim.document


def test_one_evidence_row_per_claim_source_and_stance(published_claim):
    evidence = EvidenceFactory(claim=published_claim)
    with pytest.raises(IntegrityError), transaction.atomic():
        EvidenceFactory(claim=published_claim, source=evidence.source, stance=evidence.stance)


def test_same_source_may_support_and_qualify_a_claim(published_claim):
    evidence = published_claim.evidence.get()  # the supporting source the factory gave it
    EvidenceFactory(
        claim=published_claim, source=evidence.source, stance="qualifies", excerpt="But…"
    )
    assert published_claim.evidence.count() == 2


def test_cited_source_cannot_be_deleted(published_claim):
    evidence = EvidenceFactory(claim=published_claim)
    with pytest.raises(ProtectedError):
        evidence.source.delete()


def test_uncited_source_can_be_deleted():
    source = SourceFactory()
    source.delete()
    assert not Source.objects.filter(key=source.key).exists()


def test_counter_source_without_excerpt_is_refused(published_claim):
    evidence = EvidenceFactory.build(
        claim=published_claim, source=SourceFactory(), stance="contradicts", excerpt=""
    )
    with pytest.raises(ValidationError) as error:
        evidence.full_clean()
    assert "excerpt" in error.value.message_dict


def test_natural_keys_round_trip(published_claim):
    evidence = EvidenceFactory(claim=published_claim)
    assert Claim.objects.get_by_natural_key(*published_claim.natural_key()) == published_claim
    assert type(evidence).objects.get_by_natural_key(*evidence.natural_key()) == evidence
    section = published_claim.section
    assert Section.objects.get_by_natural_key(*section.natural_key()) == section


def test_document_fingerprint_follows_the_body():
    document = DocumentFactory()
    first = document.body_sha256
    document.body = document.body + "Addendum."
    document.save()
    assert document.body_sha256 != first and len(first) == 64


def test_document_with_wrong_fingerprint_is_refused():
    document = Document(title="T", slug="t", body="Text.", body_sha256="0" * 64)
    with pytest.raises(ValidationError) as error:
        document.full_clean()
    assert "body_sha256" in error.value.message_dict


def test_overlapping_sections_are_refused(document):
    section = Section(document=document, label="X", order=9, start=1, end=10)
    with pytest.raises(ValidationError, match="overlaps"):
        section.full_clean()


def test_section_detection_finds_opening_and_roman_headings():
    spans = detect_sections(BODY)
    assert [span["label"] for span in spans] == ["intro", "I", "II"]
    assert spans[0]["start"] == 0 and spans[-1]["end"] == len(BODY)
    assert all(a["end"] == b["start"] for a, b in zip(spans, spans[1:], strict=False))


@pytest.mark.django_db
def test_a_claims_name_cuts_a_long_quote_with_an_ellipsis():
    short = ClaimFactory()
    assert str(short) == f"{short.key}: {short.quote}"
    long = Claim(key="C900", quote="word " * 20)
    assert str(long).endswith("…") and len(str(long)) == len("C900: ") + 60
