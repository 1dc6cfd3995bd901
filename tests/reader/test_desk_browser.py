"""The research desk in a real browser: the claims table, a claim page, finding in a document,
keyboard, phone width, dark and print media, and axe-core's accessibility rules.

axe-core comes from the npm registry, installed by the `axe_source` fixture into
var/node/ the first time (no CDN, nothing fetched by the pages); without npm or the
network the axe test skips, saying why. Screenshots go to test-artifacts/.
"""

import csv
import datetime
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import SEED_SLUG
from tests.reader.test_reader_browser import ARTIFACTS, open_page

pytestmark = pytest.mark.django_db(transaction=True)

AXE_DIR = Path(settings.BASE_DIR) / "var" / "node"
AXE_SCRIPT = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = {"serious", "critical"}


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's axe.min.js, installed with npm into var/node/ when missing."""
    if not AXE_SCRIPT.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed (apt-get install npm): axe-core cannot be fetched")
        result = subprocess.run(
            [npm, "install", "--prefix", str(AXE_DIR), "--no-audit", "--no-fund", "axe-core@4"],
            capture_output=True,
            text=True,
            timeout=180,
        )
        if result.returncode != 0 or not AXE_SCRIPT.exists():
            pytest.skip(f"npm could not install axe-core: {result.stderr.strip()[-300:]}")
    return AXE_SCRIPT.read_text(encoding="utf-8")


def urls(live_server) -> dict[str, str]:
    base = live_server.url
    return {
        "index": base + reverse("reader:document-list"),
        "document": base + reverse("reader:document-detail", args=[SEED_SLUG]),
        "table": base + reverse("reader:claim-list") + "?verdict=disputed",
        "claim": base + reverse("reader:claim-detail", args=[SEED_SLUG, "C061"]),
        "about": base + reverse("reader:about"),
    }


def axe_violations(page, axe_source: str) -> list[str]:
    page.evaluate(axe_source)  # through DevTools, so the page's CSP does not apply to it
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]


def test_axe_finds_no_serious_violation_light_or_dark(
    committed_seed, live_server, chromium, axe_source
):
    problems = []
    for scheme in ("light", "dark"):
        for name, url in urls(live_server).items():
            context = chromium.new_context(
                color_scheme=scheme, viewport={"width": 1280, "height": 900}
            )
            page = context.new_page()
            page.goto(url)
            if name == "document":  # with a claim's details open in the panel
                page.locator("#C061").click()
                page.locator("#claim-panel .detail-heading").wait_for()
            problems += [f"{scheme} {name}: {p}" for p in axe_violations(page, axe_source)]
            context.close()
    assert problems == []


def test_filter_the_table_by_a_facet_and_download_its_csv(committed_seed, live_server, chromium):
    from playwright.sync_api import expect

    page = open_page(chromium, live_server.url + reverse("reader:claim-list"))
    facets = page.locator(".facets")
    facets.get_by_role("link", name="Disputed").click()
    expect(page.locator(".result-count")).to_contain_text(f"{committed_seed['disputed']} claims")
    assert "verdict=disputed" in page.url
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    assert len(rows) == committed_seed["disputed"]
    assert {row["verdict"] for row in rows} == {"disputed"}
    assert page.errors == []


def test_search_the_table_and_open_a_result(committed_seed, live_server, chromium):
    from playwright.sync_api import expect

    page = open_page(chromium, live_server.url + reverse("reader:claim-list"))
    page.get_by_label("Search the claims").fill("students")
    page.get_by_label("Search the claims").press("Enter")
    expect(page.locator(".result-count")).to_contain_text("matching “students”")
    first = page.locator(".claims-table tbody tr").first
    expect(first.locator("mark").first).to_be_visible()
    key = first.locator("th a").inner_text()
    first.locator("th a").click()
    expect(page.locator("h1")).to_contain_text(f"Claim {key}")
    assert page.errors == []


def test_claim_page_copies_its_permalink_and_citation_and_prints(
    committed_seed, live_server, chromium
):
    from playwright.sync_api import expect

    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.goto(urls(live_server)["claim"])
    permalink = page.locator("#permalink").input_value()
    assert permalink.endswith(f"/documents/{SEED_SLUG}/claims/C061/")
    # Keyboard only: Tab to "Copy link", Enter.
    page.locator("#permalink").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Copy link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".copy-status")).to_have_text("Copied the link to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == permalink
    page.get_by_role("button", name="Copy APA").click()
    apa = page.evaluate("navigator.clipboard.readText()")
    assert apa.startswith("Claimbase. (2026, November 28). Claim C061 in ‘") and permalink in apa

    ARTIFACTS.mkdir(exist_ok=True)
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Copy link")).to_be_hidden()
    expect(page.locator(".evidence-counter-sources .evidence").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "claim-page-print.png"), full_page=True)
    page.emulate_media(media="screen", color_scheme="dark")
    page.screenshot(path=str(ARTIFACTS / "claim-page-dark.png"), full_page=True)
    context.close()


def test_finding_words_steps_through_the_matches(committed_seed, live_server, chromium):
    from playwright.sync_api import expect

    page = open_page(chromium, urls(live_server)["document"])
    page.get_by_label("Words in the claim").fill("Taiwan")
    page.get_by_label("Words in the claim").press("Enter")
    position = page.locator("#panel-position")
    expect(position).to_have_text(re.compile(r"^1 of \d+ matches$"))
    total = int(position.inner_text().split(" of ")[1].split()[0])
    assert total > 1
    expect(page.locator("#match-count")).to_contain_text(f"{total} of ")
    page.get_by_role("button", name="Next claim").click()
    expect(position).to_have_text(f"2 of {total} matches")
    expect(page.locator("#claim-panel .detail-quote")).to_contain_text("Taiwan")
    # A claim that does not exist, and one not yet published, say so in the panel.
    page.goto(urls(live_server)["document"] + "#C999")
    expect(page.locator("#claim-panel .detail-heading")).to_have_text(
        "There is no claim C999 in this document."
    )
    hidden = committed_seed["hidden_key"]  # a claim of the seed still in review
    page.goto(urls(live_server)["document"] + f"#{hidden}")
    expect(page.locator("#claim-panel .detail-heading")).to_have_text(
        f"Claim {hidden} is not published yet."
    )


def test_keyboard_reaches_the_table_through_the_skip_link(committed_seed, live_server, chromium):
    from playwright.sync_api import expect

    page = open_page(chromium, urls(live_server)["table"])
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('main') !== null")
    assert focused, "after the skip link, Tab lands inside the main content"


def test_phone_width_has_no_sideways_scrolling(committed_seed, live_server, chromium):
    ARTIFACTS.mkdir(exist_ok=True)
    for name in ("table", "claim", "about"):
        page = open_page(chromium, urls(live_server)[name], width=390, height=844)
        wide = page.evaluate(
            """[...document.querySelectorAll('body *')]
               .filter(e => e.getBoundingClientRect().right > 391)
               .map(e => e.tagName + '.' + e.className + '#' + e.id).slice(0, 5)"""
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, (name, wide)
        page.screenshot(path=str(ARTIFACTS / f"{name}-phone.png"), full_page=True)
        assert page.errors == []


def test_the_whole_table_fits_1280_px_with_the_longest_labels(
    committed_seed, live_server, chromium
):
    """Every column, counter-sources included, is in view without scrolling the table
    sideways, with the seed's longest verdict and type on the page."""
    page = open_page(chromium, live_server.url + reverse("reader:claim-list"), width=1280)
    cells = page.locator(".claims-table tbody").inner_text()
    assert "Not checkable (opinion)" in cells and "Characterization" in cells
    scroll, visible = page.evaluate(
        "(s => [s.scrollWidth, s.clientWidth])(document.querySelector('.table-scroll'))"
    )
    assert scroll <= visible
    assert page.errors == []


@pytest.fixture
def stored_copy(committed_seed, settings, tmp_path):
    """A stored copy of a source a published claim cites (public), made before the browser
    starts (see `chromium`)."""
    from sources.models import Source
    from sources.snapshots import snapshot_create

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    page = b"<html><body><article><p>" + b"The text of the copy as it was read. " * 8
    return snapshot_create(
        source=Source.objects.filter(evidence__claim__status="published").order_by("key")[0],
        data=page + b"</p></article></body></html>",
        url="https://example.org/a-copy",
        retrieved_on=datetime.date(2026, 5, 4),
    )


def test_a_stored_copy_fits_a_phone(stored_copy, live_server, chromium):
    """Its SHA-256, one long word, wraps instead of widening the page."""
    url = live_server.url + reverse("reader:snapshot-text", args=[stored_copy.pk])
    page = open_page(chromium, url, width=390, height=844)
    assert stored_copy.sha256 in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.errors == []
