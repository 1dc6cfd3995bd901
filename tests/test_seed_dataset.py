"""The seed dataset: the whole China–US statement, anchored, sourced and loadable everywhere."""

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.validators import URLValidator
from django.db import transaction

from claims.choices import COUNTER_STANCES, ClaimStatus, Verdict
from claims.datasets import dataset_export, dataset_import
from claims.models import Claim, Document, Evidence
from sources.models import Source
from tests.conftest import SEED, SEED_SLUG

SLUG = SEED_SLUG
# The seed text as handed to the project (beside the checkout in development and CI).
SHARED_SEED_TEXT = (
    Path(settings.BASE_DIR).parent / "shared" / "seed" / "respect-history-china-us-relations.txt"
)


pytestmark = pytest.mark.django_db


@pytest.fixture
def document(seed_dataset):
    return Document.objects.get(slug=SLUG)


@pytest.fixture
def claims(seed_dataset):
    return list(
        Claim.objects.filter(document__slug=SLUG).select_related("section").order_by("start")
    )


def test_document_text_is_the_seed_file_byte_for_byte(document):
    if not SHARED_SEED_TEXT.exists():
        pytest.skip(f"the shared seed text is not beside this checkout ({SHARED_SEED_TEXT.name})")
    assert document.body.encode("utf-8") == SHARED_SEED_TEXT.read_bytes()


def test_document_metadata_and_fingerprint(document):
    assert document.author == "Yang Jiechi"
    assert str(document.published_on) == "2020-08-07"
    assert document.body_sha256 == hashlib.sha256(document.body.encode("utf-8")).hexdigest()
    assert [s.label for s in document.sections.order_by("order")] == [
        "intro",
        "I",
        "II",
        "III",
        "IV",
    ]


def test_sections_tile_the_document(document):
    sections = list(document.sections.order_by("order"))
    assert sections[0].start == 0 and sections[-1].end == len(document.body)
    assert all(a.end == b.start for a, b in zip(sections, sections[1:], strict=False))
    for section in sections[1:]:
        assert document.body[section.start : section.end].split("\n", 1)[0].strip() == section.label


def test_every_quote_is_the_text_at_its_offsets_and_inside_its_section(document, claims):
    for claim in claims:
        assert document.body[claim.start : claim.end] == claim.quote, claim.key
        assert claim.section.start <= claim.start and claim.end <= claim.section.end, claim.key
        claim.full_clean()


def test_claims_follow_the_document_in_order_without_overlapping(claims):
    assert len(claims) >= 100
    assert [claim.key for claim in claims] == [f"C{n:03d}" for n in range(1, len(claims) + 1)]
    assert all(a.end <= b.start for a, b in zip(claims, claims[1:], strict=False))


def test_every_section_has_claims(document, claims):
    assert {claim.section.label for claim in claims} == {"intro", "I", "II", "III", "IV"}


def test_every_checkable_claim_has_evidence_and_a_rated_verdict(claims):
    for claim in claims:
        if claim.checkable:
            assert claim.evidence.exists(), claim.key
            assert claim.verdict and claim.verdict != Verdict.NOT_CHECKABLE, claim.key
            if claim.verdict != Verdict.UNVERIFIABLE:
                assert claim.verdict_summary.strip(), claim.key
        else:
            assert claim.verdict == Verdict.NOT_CHECKABLE, claim.key


def test_unfinished_claims_say_what_is_missing(claims):
    for claim in claims:
        assert claim.status in (ClaimStatus.PUBLISHED, ClaimStatus.IN_REVIEW), claim.key
        if claim.status == ClaimStatus.IN_REVIEW:
            assert claim.review_note.strip(), claim.key


def test_claims_that_quote_someone_name_them(claims):
    for claim in claims:
        if claim.claim_type == "quotation":
            assert claim.attributed_to, claim.key


def test_every_counter_source_says_what_the_source_says(seed_dataset):
    for row in Evidence.objects.filter(stance__in=COUNTER_STANCES):
        assert row.excerpt.strip() or row.summary.strip(), str(row)


def test_verified_evidence_records_the_address_read(seed_dataset):
    for row in Evidence.objects.filter(verified=True):
        assert row.consulted_url, str(row)


def test_unverified_evidence_says_what_needs_checking(seed_dataset):
    for row in Evidence.objects.filter(verified=False):
        assert row.note.strip(), str(row)


def test_no_two_sources_describe_the_same_work(seed_dataset):
    titles = Counter((s.title.casefold().strip(), s.published_on) for s in Source.objects.all())
    assert [key for key, count in titles.items() if count > 1] == []
    urls = Counter(s.url.rstrip("/") for s in Source.objects.exclude(url=""))
    assert [url for url, count in urls.items() if count > 1] == []


def test_every_url_is_well_formed(seed_dataset):
    validate = URLValidator(schemes=["http", "https"])
    addresses = [
        *Source.objects.values_list("url", "archived_url"),
        *Evidence.objects.values_list("consulted_url", "consulted_url"),
    ]
    checked = 0
    for pair in addresses:
        for url in filter(None, pair):
            try:
                validate(url)
            except ValidationError:
                pytest.fail(f"malformed URL: {url}")
            checked += 1
    assert checked > 100


def test_every_source_is_cited_and_valid(seed_dataset):
    for source in Source.objects.all():
        source.full_clean()
        assert source.evidence.exists(), source.key


def test_export_then_import_is_identical(seed_dataset, tmp_path):
    exported = dataset_export()
    path = tmp_path / "seed-export.json"
    path.write_text(exported, encoding="utf-8")
    with transaction.atomic():
        Evidence.objects.all().delete()
        Claim.objects.all().delete()
        Document.objects.all().delete()
        Source.objects.all().delete()
        dataset_import(paths=[path])
        assert dataset_export() == exported
        transaction.set_rollback(True)


def test_reimporting_the_seed_changes_nothing(seed_dataset):
    report = dataset_import(paths=[SEED])
    assert not report.created and not report.updated


@pytest.mark.django_db(transaction=False)
def test_loaddata_loads_the_seed_into_an_empty_database():
    call_command("loaddata", str(SEED), verbosity=0)
    data = json.loads(SEED.read_text(encoding="utf-8"))
    assert Claim.objects.count() == sum(1 for item in data if item["model"] == "claims.claim")
    assert Evidence.objects.count() == sum(1 for item in data if item["model"] == "claims.evidence")
