"""The curator's task in a real browser (issue 13): Chromium, driven by Playwright, against the
live server, as the reader's browser tests are (tests/reader/test_reader_browser.py).

A reviewer signs in, adds a claim by pasting its quote with straight quotes, picks its
source by year, adds a counter-source whose source is made in the popup with typed author
names, types the verdict and summary and presses Publish once; the claim is then public in
the reader. And the claim list fits 1280 px without horizontal scrolling.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.urls import reverse

from claims.models import Claim
from claims.roles import apply_roles
from sources.models import Source
from tests.factories import (
    ClaimFactory,
    DocumentFactory,
    EvidenceFactory,
    SourceFactory,
    user_in_group,
)
from tests.reader.test_reader_browser import (  # noqa: F401  (fixtures)
    ARTIFACTS,
    chromium,
    chromium_can_run,
)

pytestmark = pytest.mark.django_db(transaction=True)

BODY = (
    "Opening.\n"
    "I\n"
    "The exchange of visits jumped to over five million per year. More than 400,000 “Chinese "
    "students” are studying in the US — the most ever.\n"
    "II\n"
    "We must cooperate.\n"
)
# How far the page, or the list inside it (Django's .results scrolls on its own), scrolls sideways.
SIDEWAYS = """() => Math.max(
  document.documentElement.scrollWidth - document.documentElement.clientWidth,
  ...[...document.querySelectorAll('.results')].map(e => e.scrollWidth - e.clientWidth))"""
PASSWORD = "a-long-test-password-1"
TIMEOUT_MS = 15_000


@pytest.fixture
def desk(transactional_db):
    apply_roles()  # a transactional test before this one flushed the migrated groups
    reviewer = user_in_group("desk-reviewer", "reviewers")
    reviewer.is_staff = True
    reviewer.set_password(PASSWORD)
    reviewer.save()
    document = DocumentFactory(title="Respect history", slug="respect-history", body=BODY)
    SourceFactory(key="iie-2018", title="Open Doors", publisher="IIE", published_on="2018-11-01")
    SourceFactory(key="iie-2019", title="Open Doors", publisher="IIE", published_on="2019-11-18")
    return {"document": document, "reviewer": reviewer}


def in_thread(read):
    """Run a database read outside the thread Playwright's event loop is marked running on
    (Django refuses the ORM there: see the reader's browser tests)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(read).result()


def signed_in_page(chromium, live_server, username, width=1280):  # noqa: F811
    context = chromium.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    return page


def pick(page, select_id: str, term: str, choice: str) -> None:
    """Choose in an autocomplete (select2) field by typing, as a curator does."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(term)
    page.locator(".select2-results__option", has_text=choice).click()


def test_a_reviewer_adds_sources_and_publishes_a_claim_in_one_go(desk, live_server, chromium):  # noqa: F811
    from playwright.sync_api import expect

    document = desk["document"]
    page = signed_in_page(chromium, live_server, "desk-reviewer")
    page.goto(live_server.url + reverse("admin:claims_claim_add") + f"?document={document.pk}")
    expect(page.locator("#id_key")).to_have_value("C001")
    # Straight quotes and a hyphen where the document has curly quotes and a dash.
    page.fill(
        "#id_quote",
        'More than 400,000 "Chinese students" are studying in the US - the most ever.',
    )
    page.select_option("#id_claim_type", "statistic")

    page.get_by_role("button", name="Add another Source").click()
    pick(page, "id_evidence-0-source", "open doors 2019", "(2019, IIE)")
    page.fill("#id_evidence-0-excerpt", "372,000 Chinese students.")

    page.get_by_role("button", name="Add another Counter-source").click()
    with page.expect_popup() as popup_info:
        page.locator("#add_id_evidence-2-0-source").click()
    popup = popup_info.value
    popup.fill("#id_title", "Students abroad")
    popup.select_option("#id_kind", "official_statistics")
    popup.fill("#id_authors", "Snow, Edgar; U.S. Census Bureau")
    popup.fill("#id_published_on", "2020-01-01")
    popup.select_option("#id_reliability", "high")
    popup.locator("input[name=_save]").click()
    popup.wait_for_event("close")
    page.fill("#id_evidence-2-0-excerpt", "Fewer than 400,000 in 2020.")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    claim = in_thread(lambda: Claim.objects.get(document=document, key="C001"))
    assert (
        claim.quote
        == "More than 400,000 “Chinese students” are studying in the US — the most ever."
    )
    source = in_thread(lambda: Source.objects.get(title="Students abroad"))
    assert source.authors == [
        {"family": "Snow", "given": "Edgar"},
        {"literal": "U.S. Census Bureau"},
    ]
    assert source.key == "students-abroad-2020"

    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.locator(".messagelist")).to_contain_text("is now in review")
    page.select_option("#id_verdict", "partly_supported")
    page.fill("#id_verdict_summary", "Close to the count for 2019, below it in 2020.")
    page.get_by_role("button", name="Save and publish").click()
    expect(page.locator(".messagelist")).to_contain_text("C001 was saved and is now published.")
    page.screenshot(path=str(ARTIFACTS / "desk-published-1280.png"), full_page=True)

    in_thread(claim.refresh_from_db)
    assert (claim.status, claim.verdict) == ("published", "partly_supported")
    assert claim.verdict_summary == "Close to the count for 2019, below it in 2020."
    assert in_thread(lambda: set(claim.evidence.values_list("stance", "source__key"))) == {
        ("supports", "iie-2019"),
        ("contradicts", "students-abroad-2020"),
    }

    reader = chromium.new_page()
    reader.goto(live_server.url + reverse("reader:claim-detail", args=[document.slug, "C001"]))
    expect(reader.locator("body")).to_contain_text("Close to the count for 2019")
    expect(reader.locator("body")).to_contain_text("Students abroad")


@pytest.fixture
def listed(desk):
    """Claims with long quotes and every column filled, made before the browser starts."""
    document = desk["document"]
    claim = ClaimFactory(
        document=document, key="C001", quote=BODY[11:161], claim_type="characterization"
    )
    ClaimFactory(
        document=document, key="C002", quote="We must cooperate.", checkable=False,
        claim_type="normative", verdict="not_checkable", status="published",
    )  # fmt: skip
    source = SourceFactory(  # the seed's longest key word, a long title and the longest labels
        key="globaltradeandsanctionslaw-tiktok-wechat-2020",
        title="Archives Direct catalogue entry for UK National Archives file FCO 7/1808 on "
        "the US report 'United States Foreign Policy for the 1970s'; title not shown",
        publisher="Issued jointly by the US and PRC governments; text published by the U.S. "
        "Department of State and the PRC Ministry of Foreign Affairs",
        kind="government_statement",
        reliability="high",
    )
    EvidenceFactory(  # with the seed's kind of long locator
        claim=claim,
        source=source,
        locator="Paragraph 2 (report of Xi's speech 'Work Hard to Build a New Model of Major "
        "Country Relationship between China and the US', 9 July 2014)",
    )
    return desk


def test_the_claim_list_fits_1280_px(listed, live_server, chromium):  # noqa: F811
    page = signed_in_page(chromium, live_server, "desk-reviewer")
    page.goto(live_server.url + reverse("admin:claims_claim_changelist"))
    page.screenshot(path=str(ARTIFACTS / "desk-changelist-1280.png"), full_page=True)
    overflow = page.evaluate(SIDEWAYS)
    assert overflow <= 0, f"the claim list scrolls {overflow} px sideways at 1280 px"
    quote_width = page.locator("td.field-short_quote").first.bounding_box()["width"]
    assert quote_width >= 300, f"the quote column is {quote_width} px wide"
    page.goto(live_server.url + reverse("admin:sources_source_changelist"))
    overflow = page.evaluate(SIDEWAYS)
    assert overflow <= 0, f"the source list scrolls {overflow} px sideways at 1280 px"
    page.goto(live_server.url + reverse("admin:claims_evidence_changelist"))
    assert "globaltradeandsanctionslaw" in page.locator("#result_list").inner_text()
    overflow = page.evaluate(SIDEWAYS)
    assert overflow <= 0, f"the evidence list scrolls {overflow} px sideways at 1280 px"
