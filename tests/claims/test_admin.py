"""The curator's desk: every admin page renders, the claim page has both inlines, offsets come from the quote."""

import datetime

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Claim
from sources.snapshots import snapshot_create
from tests.factories import ClaimFactory, EvidenceFactory, SourceFactory, TopicFactory

pytestmark = pytest.mark.django_db

MODELS = [model for model in admin.site._registry if model._meta.app_label in ("claims", "sources")]


@pytest.fixture
def seeded(published_claim, draft_claim):
    """The published claim has its source (from the factory) and gets a counter-source."""
    EvidenceFactory(claim=published_claim, stance="contradicts", excerpt="Lower figure.")
    published_claim.topics.add(TopicFactory())
    snapshot_create(
        source=published_claim.evidence.first().source,
        data=b"A stored copy of the source.",
        url="https://example.org/copy",
        retrieved_on=datetime.date(2026, 1, 1),
    )
    return published_claim


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_changelist_add_and_change_pages_render(admin_client, seeded, model):
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    instance = model.objects.first()
    for url in (
        reverse(f"{prefix}_changelist"),
        reverse(f"{prefix}_add"),
        reverse(f"{prefix}_change", args=[instance.pk]),
        reverse(f"{prefix}_history", args=[instance.pk]),
    ):
        assert admin_client.get(url).status_code == 200, url


def test_claim_change_page_shows_both_inlines_and_the_quote_in_context(admin_client, seeded):
    html = admin_client.get(reverse("admin:claims_claim_change", args=[seeded.pk])).content.decode()
    assert "Sources (supporting)" in html
    assert "Counter-sources (contradicting or qualifying)" in html
    assert f"<mark>{seeded.quote}</mark>" in html
    assert "Lower figure." in html


def test_claim_changelist_shows_counts_and_filters(admin_client, seeded):
    url = reverse("admin:claims_claim_changelist")
    html = admin_client.get(url).content.decode()
    assert (
        'class="field-source_count">1<' in html and 'class="field-counter_source_count">1<' in html
    )
    filtered = admin_client.get(url + "?has_counter_sources=no").content.decode()
    assert "C002" in filtered and ">C001<" not in filtered
    assert "C001" in admin_client.get(url + "?q=hundred").content.decode()


def test_claim_changelist_queries_do_not_grow_with_rows(admin_client, document):
    url = reverse("admin:claims_claim_changelist")

    def count(number):
        Claim.objects.all().delete()
        for index in range(number):
            claim = ClaimFactory(document=document, key=f"K{index:03d}")
            EvidenceFactory(claim=claim)
        with CaptureQueriesContext(connection) as context:
            assert admin_client.get(url).status_code == 200
        return len(context.captured_queries)

    assert count(5) == count(50)


@pytest.mark.parametrize(
    "url_name", ["admin:sources_source_changelist", "admin:claims_document_changelist"]
)
def test_other_changelists_queries_do_not_grow_with_rows(admin_client, document, url_name):
    def count(number):
        for _index in range(number):
            EvidenceFactory(claim=ClaimFactory(document=document), source=SourceFactory())
        with CaptureQueriesContext(connection) as context:
            assert admin_client.get(reverse(url_name)).status_code == 200
        return len(context.captured_queries)

    assert count(3) == count(30)


SUPPORTING, COUNTER = "evidence", "evidence-2"
NOTES, NEW_NOTE = "notes", "notes-2"  # the thread (read-only) and the new note


def claim_form(document, **overrides):
    data = {
        "document": document.pk,
        "section": "",
        "key": "C077",
        "quote": "Students number 400,000.",
        "start": "",
        "end": "",
        "occurrence": "",
        "paraphrase": "About students.",
        "claim_type": "statistic",
        "checkable": "on",
        "attributed_to": "",
        "status": "draft",
        "verdict": "",
        "verdict_summary": "",
        "review_note": "",
    }
    # The two evidence inlines share the relation, so the admin prefixes them evidence and evidence-2.
    for prefix in (SUPPORTING, COUNTER, NOTES, NEW_NOTE):
        data.update({
            f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000",
        })  # fmt: skip
    data.update(overrides)
    return data


def test_adding_a_claim_fills_offsets_and_section_from_the_quote(admin_client, document):
    response = admin_client.post(reverse("admin:claims_claim_add"), claim_form(document))
    assert response.status_code == 302, response.content.decode()[:2000]
    claim = Claim.objects.get(key="C077")
    assert document.body[claim.start : claim.end] == claim.quote
    assert claim.section.label == "I"


def test_adding_a_claim_with_a_quote_not_in_the_text_shows_an_error(admin_client, document):
    response = admin_client.post(
        reverse("admin:claims_claim_add"), claim_form(document, quote="Invented words.")
    )
    assert response.status_code == 200
    assert "does not occur in the document text" in response.content.decode()
    assert not Claim.objects.filter(key="C077").exists()


def test_adding_a_counter_source_inline(admin_client, document):
    source = SourceFactory()
    data = claim_form(document)
    data.update({
        f"{COUNTER}-TOTAL_FORMS": "1", f"{COUNTER}-0-source": source.pk,
        f"{COUNTER}-0-stance": "contradicts", f"{COUNTER}-0-excerpt": "372,532.",
        f"{COUNTER}-0-locator": "Table", f"{COUNTER}-0-note": "", f"{COUNTER}-0-consulted_url": "",
    })  # fmt: skip
    response = admin_client.post(reverse("admin:claims_claim_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    claim = Claim.objects.get(key="C077")
    assert list(claim.evidence.values_list("stance", "excerpt")) == [("contradicts", "372,532.")]


def test_source_autocomplete(admin_client, seeded):
    SourceFactory(key="census", title="Trade in Goods with China")
    url = (
        reverse("admin:autocomplete")
        + "?app_label=claims&model_name=evidence&field_name=source&term=Goods"
    )
    response = admin_client.get(url)
    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == [
        "Trade in Goods with China (Statistics Office) · census"
    ]
