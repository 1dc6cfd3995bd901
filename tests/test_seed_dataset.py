"""The seed dataset: the whole China–US statement, anchored, sourced and loadable everywhere."""

import hashlib
import json
import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.validators import URLValidator
from django.db import transaction

from claims.choices import COUNTER_STANCES, ClaimStatus, Verdict
from claims.datasets import dataset_export, dataset_import
from claims.models import Claim, Document, Evidence, Topic
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
    """Keys rise with the text. They are stable (links use them), so the key of a claim merged
    into its neighbour is retired, never reused: numbers may skip."""
    assert len(claims) >= 100
    numbers = [int(claim.key.removeprefix("C")) for claim in claims]
    assert all(claim.key == f"C{number:03d}" for claim, number in zip(claims, numbers, strict=True))
    assert numbers == sorted(set(numbers))
    assert all(a.end <= b.start for a, b in zip(claims, claims[1:], strict=False))


def test_the_seed_has_its_counts(seed_dataset):
    """Pinned so that a change to the seed is deliberate (12 cut claims merged into their
    neighbours in issue 12; the joint communiqué's copies recorded one by one)."""
    assert Claim.objects.filter(document__slug=SLUG).count() == 207
    assert Source.objects.count() == 191
    assert Evidence.objects.count() == 263


# What may follow a comma for the comma to end a clause.
CONJUNCTIONS = {
    *("and", "but", "or", "nor", "yet", "so", "while", "whereas", "when", "although"),
    *("though", "because", "as", "since", "if", "unless", "until", "after", "before", "where"),
}


def ends_a_clause(quote: str, following: str) -> bool:
    """Whether a quote ends at a clause boundary: a sentence end or semicolon (inside or
    outside a closing quotation mark), the end of a quotation that closes its clause, the end
    of a line (a title), or a comma before a conjunction (the comma in the quote or just after
    it)."""
    quote = quote.rstrip()
    if re.search(r"[.!?;][\"”’]?$", quote) or re.search(r"[,][\"”’]$", quote):
        return True
    if re.search(r"[\"”’]$", quote) and re.match(r"[.!?;]", following):
        return True  # a quotation that closes its clause
    if re.match(r"[ \t]*(\n|$)", following):
        return True
    after_comma = following if quote.endswith(",") else following.removeprefix(",")
    if not (quote.endswith(",") or following.startswith(",")):
        return False
    word = re.match(r"\s*(\w+)", after_comma)
    return bool(word) and word.group(1).lower() in CONJUNCTIONS


@pytest.mark.parametrize(
    ("quote", "following", "expected"),
    [
        ("We agreed.", " Then", True),
        ("He said “yes.”", " Then", True),
        ("a handshake that crossed the “vast Pacific Ocean”", ". Then", True),
        ("in a century", ", and peace remains", True),
        ("at the invitation of Premier Zhou,", " when they had", True),
        ("on the proper handling", " of the Taiwan question.", False),
        ("namely the US must sever “diplomatic relations”", " with Taiwan", False),
        ("The Title", " \nThe text", True),
        ("in Timor-Leste,", " conducted joint training", False),
    ],
)
def test_the_clause_boundary_rule(quote, following, expected):
    assert ends_a_clause(quote, following) is expected


def test_every_claim_quote_ends_at_a_clause_boundary(document, claims):
    """Claims are whole clauses, so a verdict applies to a complete statement."""
    cut = [c.key for c in claims if not ends_a_clause(c.quote, document.body[c.end : c.end + 40])]
    assert cut == []


def test_topic_names_are_as_written(seed_dataset):
    """Names keep their capitals and hyphens ("US politics", not "Us politics")."""
    names = dict(Topic.objects.values_list("slug", "name"))
    assert names["us-politics"] == "US politics"
    assert names["non-proliferation"] == "Non-proliferation"
    assert names["people-to-people-exchange"] == "People-to-people exchange"
    assert names["counter-terrorism"] == "Counter-terrorism"
    assert names["cold-war-mentality"] == "Cold War mentality"
    assert names["covid-19"] == "COVID-19" and names["cpc-leadership"] == "CPC leadership"


def test_no_evidence_was_read_at_an_archive_home_page_or_a_dotted_host(seed_dataset):
    """The address read is a page one can open again: not https://archive.org/ itself, and
    no host written with a trailing dot (history.state.gov. is history.state.gov)."""
    for row in Evidence.objects.exclude(consulted_url=""):
        parts = urlsplit(row.consulted_url)
        assert not parts.hostname.endswith("."), str(row)
        assert not (parts.hostname.endswith("archive.org") and parts.path in ("", "/")), str(row)
    for url in Source.objects.exclude(url="").values_list("url", flat=True):
        assert not urlsplit(url).hostname.endswith("."), url


def test_every_excerpt_says_where_it_was_read(seed_dataset):
    """An excerpt is the source's own words as read: the row records the address read."""
    for row in Evidence.objects.exclude(excerpt=""):
        assert row.consulted_url and row.verified, str(row)


def test_a_source_without_a_date_claims_no_precision(seed_dataset):
    assert not Source.objects.filter(published_on__isnull=True).exclude(date_precision="")
    assert not Source.objects.filter(published_on__isnull=False, date_precision="")


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
