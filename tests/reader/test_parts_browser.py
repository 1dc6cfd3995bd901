"""A long document in a real browser: the next part comes as the reader scrolls, and a
claim, a #Cnnn link or a found word in a part not yet on the page brings that part.

Skipped, with the reason, like the other browser tests (see test_reader_browser.py).
"""

import re

import pytest
from django.urls import reverse

from tests.reader.test_document_parts import long_document
from tests.reader.test_reader_browser import open_page

pytestmark = pytest.mark.django_db(transaction=True)

CLAIMS = 2000
PUBLIC = CLAIMS - CLAIMS // 10 + CLAIMS // 50  # every tenth is a draft; every 50th nests one


@pytest.fixture
def long_page(transactional_db):
    document = long_document("long-browser", CLAIMS)
    return reverse("reader:document-detail", args=[document.slug])


def test_scrolling_brings_the_next_part_and_its_claims_open(long_page, live_server, chromium):
    from playwright.sync_api import expect

    page = open_page(chromium, live_server.url + long_page)
    expect(page.locator("#match-count")).to_have_text(f"{PUBLIC} of {PUBLIC} claims match.")
    assert page.locator(".doc-part").count() == 1
    page.locator(".part-nav-bottom").scroll_into_view_if_needed()
    second = page.locator('.doc-part[data-part="2"]')
    expect(second).to_be_attached()
    claim = second.locator(".claim").first
    key = claim.get_attribute("data-key")
    claim.click()
    expect(page.locator("#claim-panel .detail-position")).to_contain_text(f"Claim {key}")
    expect(claim).to_have_attribute("aria-pressed", "true")
    assert page.url.endswith(f"#{key}")
    # Previous steps back into part 1, which is still on the page.
    page.get_by_role("button", name="Previous claim").click()
    expect(page.locator("#claim-panel .detail-position")).not_to_contain_text(f"Claim {key}")
    assert page.errors == []


def test_a_link_to_a_claim_in_a_later_part_opens_it(long_page, live_server, chromium):
    from playwright.sync_api import expect

    key = "C01800"  # in the last parts
    page = open_page(chromium, live_server.url + long_page + f"#{key}")
    expect(page.locator("#claim-panel .detail-position")).to_contain_text(f"Claim {key}")
    expect(page.locator(f"#{key}")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(f"#{key}")).to_be_in_viewport()
    assert "part=" in page.url  # a reload shows the same part
    # The part before it comes back on request, above what the reader was looking at.
    page.locator(".part-previous").click()
    expect(page.locator(".doc-part")).to_have_count(2)
    numbers = [int(n) for n in page.locator(".doc-part").evaluate_all(
        "parts => parts.map(part => part.dataset.part)"
    )]  # fmt: skip
    assert numbers == sorted(numbers) and numbers[1] == numbers[0] + 1
    assert page.errors == []


def test_finding_words_reaches_a_claim_in_a_part_not_loaded(long_page, live_server, chromium):
    from playwright.sync_api import expect

    page = open_page(chromium, live_server.url + long_page)
    expect(page.locator("#match-count")).to_contain_text(f"of {PUBLIC} claims match")
    page.get_by_label("Words in the claim").fill("01998")
    page.get_by_label("Words in the claim").press("Enter")
    expect(page.locator("#match-count")).to_have_text(
        f"1 of {PUBLIC} claims match; the others are dimmed."
    )
    expect(page.locator("#claim-panel .detail-position")).to_contain_text("Claim C01998")
    expect(page.locator("#panel-position")).to_have_text("1 of 1 match")
    expect(page.locator("#C01998")).not_to_have_class(re.compile(r"\bis-dimmed\b"))
    assert page.errors == []


def test_the_section_menu_reaches_a_section_in_another_part(long_page, live_server, chromium):
    from playwright.sync_api import expect

    page = open_page(chromium, live_server.url + long_page)
    page.locator(".section-menu a").last.click()
    expect(page.locator("#section-1")).to_be_in_viewport()
    assert page.url.endswith("#section-1")
    assert page.errors == []
