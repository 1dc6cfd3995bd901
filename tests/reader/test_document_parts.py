"""A long document's page comes in parts: bounded in size and queries, every claim in one part.

The documents here are generated (one short sentence per claim, in paragraphs and
sections) and written with bulk_create: a few thousand claims, more than 1 MB of HTML as
one page, in a few seconds.
"""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Claim, Document, Section
from reader.parts import SPAN_COST, Part, cut_parts, part_holding
from tests.reader.test_reader import data_queries, detail_url, rendered_text

pytestmark = pytest.mark.django_db

SENTENCE = "Claim {:05} says that trade between the two countries grew again."
PER_PARAGRAPH = 8
PER_SECTION = 1000
ONE_MEGABYTE = 1_000_000


def long_document(slug: str, claims: int) -> Document:
    """A document of `claims` sentences, each a claim, in paragraphs and sections "Part 1"…
    Every tenth claim is a draft; every 50th has a claim nested in it (its first word)."""
    body, offsets, sections = [], [], []
    position = 0

    def write(text: str) -> int:
        nonlocal position
        start = position
        body.append(text)
        position += len(text)
        return start

    for number in range(claims):
        if number % PER_SECTION == 0:
            label = f"Part {number // PER_SECTION + 1}"
            sections.append([label, write(f"{label}\n"), None])
        sentence = SENTENCE.format(number)
        offsets.append((write(sentence), sentence))
        write("\n\n" if number % PER_PARAGRAPH == PER_PARAGRAPH - 1 else " ")
    text = "".join(body)
    for index, section in enumerate(sections):
        section[2] = sections[index + 1][1] if index + 1 < len(sections) else len(text)
    document = Document.objects.create(title=slug, slug=slug, body=text)
    Section.objects.bulk_create(
        Section(document=document, label=label, order=order, start=start, end=end)
        for order, (label, start, end) in enumerate(sections)
    )
    rows = []
    for number, (start, sentence) in enumerate(offsets):
        status = "draft" if number % 10 == 9 else "published"
        verdict = "" if status == "draft" else "supported"
        rows.append(claim_row(document, f"C{number:05}", sentence, start, status, verdict))
        if number % 50 == 0:  # "Claim" inside the sentence's span
            rows.append(claim_row(document, f"N{number:05}", "Claim", start, "published"))
    Claim.objects.bulk_create(rows)
    return document


def claim_row(document, key, quote, start, status, verdict="supported") -> Claim:
    return Claim(
        document=document, key=key, quote=quote, start=start, end=start + len(quote),
        claim_type="statistic", status=status, verdict=verdict, verdict_summary="Borne out.",
    )  # fmt: skip


def public_keys(document: Document) -> set[str]:
    return set(document.claims.filter(status="published").values_list("key", flat=True))


def part_fragment(client, document: Document, number: int, query: str = ""):
    url = reverse("reader:document-part", args=[document.slug, number]) + query
    return client.get(url)


def index_of(client, document: Document, query: str = "") -> dict:
    response = client.get(reverse("reader:document-index", args=[document.slug]) + query)
    assert response.status_code == 200
    return json.loads(response.content)


def wrapped(fragment: str) -> str:
    """A fragment inside the article element rendered_text reads."""
    return f'<article id="document-text">{fragment}</article>'


def parts_of(client, document: Document) -> list[str]:
    """Every part of the text as the page's script fetches it."""
    count = index_of(client, document)["parts"]
    fragments = []
    for number in range(1, count + 1):
        response = part_fragment(client, document, number)
        assert response.status_code == 200
        fragments.append(response.content.decode())
    return fragments


@pytest.fixture
def long_text():
    return long_document("long-text", 4500)


# --- Cutting a text into parts ----------------------------------------------------------------


def test_a_short_text_is_one_part():
    assert cut_parts("Short.\nII\nText.\n", [7], [(0, 6)]) == [Part(1, 0, 16)]


def test_parts_cover_the_text_and_never_cut_a_claim():
    body = "".join(f"Line {n} of the text.\n" for n in range(2000))
    spans = [(start, start + 40) for start in range(0, len(body) - 40, 90)]  # across lines
    parts = cut_parts(body, [], spans, budget=4000)
    assert len(parts) > 10
    assert [part.number for part in parts] == list(range(1, len(parts) + 1))
    assert parts[0].start == 0 and parts[-1].end == len(body)
    assert all(left.end == right.start for left, right in zip(parts, parts[1:], strict=False))
    for part in parts[1:]:
        assert body[part.start - 1] == "\n"  # a line's start
        assert not any(start < part.start < end for start, end in spans)
    for part in parts:  # within budget (no single line is longer than it)
        claims = sum(part.start <= start < part.end for start, _end in spans)
        assert part.end - part.start + SPAN_COST * claims <= 4000


def test_a_section_start_ends_a_part_that_is_half_full():
    body = "a\n" * 1000 + "II\n" + "b\n" * 1000
    section = 2000
    parts = cut_parts(body, [section], [], budget=3000)
    assert section in [part.start for part in parts]


def test_a_line_longer_than_the_budget_stays_whole():
    body = "x" * 5000 + "\nshort\n"
    assert [(p.start, p.end) for p in cut_parts(body, [], [], budget=1000)] == [
        (0, 5001),
        (5001, 5007),
    ]


def test_the_part_holding_an_offset():
    parts = [Part(1, 0, 10), Part(2, 10, 20)]
    assert [part_holding(parts, offset).number for offset in (0, 9, 10, 19, 20)] == [1, 1, 2, 2, 2]


# --- The page of a long document --------------------------------------------------------------


def test_the_first_response_of_a_long_document_is_under_a_megabyte(client, long_text):
    """4,500 claims: the whole text with its spans would be over 1 MB; the page holds one
    part of it, the section menu and no index of every claim (fetched by reader.js)."""
    response = client.get(detail_url(long_text.slug))
    html = response.content.decode()
    assert response.status_code == 200
    assert len(response.content) < ONE_MEGABYTE / 4
    assert 'id="claim-index"' not in html
    spans = rendered_text(html).spans
    assert 0 < len(spans) < 1000
    assert "Next part (2 of" in html and "?part=2" in html
    whole = sum(len(part) for part in parts_of(client, long_text))
    assert whole > ONE_MEGABYTE  # what one page would have weighed


def test_the_page_costs_the_same_queries_whatever_the_length(client):
    def count(claims: int) -> int:
        document = long_document(f"long-{claims}", claims)
        with CaptureQueriesContext(connection) as context:
            assert client.get(detail_url(document.slug)).status_code == 200
        return data_queries(context)

    assert count(1500) == count(4500) == 4  # document, claims, topics, sections


def test_a_part_costs_the_same_queries_whatever_the_length(client):
    def count(claims: int) -> int:
        document = long_document(f"long-{claims}", claims)
        with CaptureQueriesContext(connection) as context:
            assert part_fragment(client, document, 2).status_code == 200
            index_of(client, document)
        return data_queries(context)

    assert count(1500) == count(4500) == 8


def test_every_claim_is_in_exactly_one_part_and_the_parts_are_the_text(client, long_text):
    texts, drawn = [], []
    for fragment in parts_of(client, long_text):
        rendered = rendered_text(wrapped(fragment))
        texts.append(rendered.text)
        drawn += [span["attrs"]["id"] for span in rendered.spans if "id" in span["attrs"]]
        drawn += list(rendered.anchors)  # the nested claims' targets
    assert "".join(texts) == long_text.body
    assert len(drawn) == len(set(drawn))
    assert set(drawn) == public_keys(long_text)


def test_the_index_names_every_visible_claim_and_its_part(client, long_text):
    index = index_of(client, long_text)
    rows = {row[0]: row for row in index["claims"]}
    assert set(rows) == public_keys(long_text)  # no draft
    assert index["parts"] > 3
    assert rows["N00050"][5] == "C00050"  # drawn inside C00050's span
    for key in ("C00000", "C02000", "C04498"):
        fragment = part_fragment(client, long_text, rows[key][7]).content.decode()
        assert f'id="{key}"' in fragment


def test_a_claim_in_a_later_part_is_reached_from_its_key(client, long_text):
    """`?claim=KEY` shows the part holding the claim (what a #KEY link needs without
    JavaScript); a claim in the first part leaves the page at part 1."""
    part = index_of(client, long_text)
    later = next(row for row in part["claims"] if row[7] == 3)
    html = client.get(detail_url(long_text.slug) + f"?claim={later[0]}").content.decode()
    assert f'id="{later[0]}"' in html
    assert 'data-part="3"' in html and "Previous part (2 of" in html
    first = client.get(detail_url(long_text.slug) + "?claim=C00001").content.decode()
    assert 'id="C00001"' in first and 'class="doc-part" id="part-1"' in first


def test_the_claim_page_links_to_the_part_holding_the_claim(client, long_text):
    """Without JavaScript the server cannot see #KEY: the link names the claim to the
    server too (?claim=KEY), which shows the part holding it."""
    html = client.get(reverse("reader:claim-detail", args=[long_text.slug, "C04498"])).content
    link = f"{detail_url(long_text.slug)}?claim=C04498#C04498"
    assert f'href="{link}"'.encode() in html
    assert b'id="C04498"' in client.get(link.split("#")[0]).content


@pytest.mark.parametrize(("query", "shown"), [("?part=2", 2), ("?part=x", 1), ("?part=-4", 1)])
def test_a_part_is_chosen_by_number_and_a_bad_number_is_no_error(client, long_text, query, shown):
    html = client.get(detail_url(long_text.slug) + query).content.decode()
    assert f'class="doc-part" id="part-{shown}"' in html


def test_a_part_past_the_last_is_the_last_on_the_page_and_404_as_a_fragment(client, long_text):
    count = index_of(client, long_text)["parts"]
    html = client.get(detail_url(long_text.slug) + "?part=999").content.decode()
    assert f'id="part-{count}"' in html and "End of the text." in html
    assert part_fragment(client, long_text, count + 1).status_code == 404
    assert part_fragment(client, long_text, 0).status_code == 404


def test_the_section_menu_links_every_section_to_its_part(client, long_text):
    html = client.get(detail_url(long_text.slug)).content.decode()
    menu = html.split('<nav class="section-menu"', 1)[1].split("</nav>", 1)[0]
    links = re.findall(r'href="\?part=(\d+)#(section-\d+)" data-part="(\d+)"', menu)
    assert len(links) == long_text.sections.count() == 5
    for part, section_id, data_part in links:
        assert part == data_part
        fragment = part_fragment(client, long_text, int(part)).content.decode()
        assert f'id="{section_id}"' in fragment


def test_filters_count_over_the_whole_text_and_follow_the_part_links(client, long_text):
    html = client.get(detail_url(long_text.slug) + "?find=03998&part=2").content.decode()
    assert "<strong>1</strong> of 4140 claims match" in html
    assert 'href="?find=03998&amp;part=3"' in html  # the next part keeps the filter
    assert "is-dimmed" in html


def test_words_are_found_over_the_whole_text(client, long_text):
    """reader.js asks the server which claims hold the words, wherever their part."""
    answer = index_of(client, long_text, "?find=claim+03998")
    assert answer == {"find": "claim 03998", "found": ["C03998"]}
    assert len(index_of(client, long_text, "?find=trade")["found"]) == 4050  # no drafts


def test_a_fragment_is_dimmed_by_the_filters_in_its_query(client, long_text):
    fragment = part_fragment(client, long_text, 2, "?find=00998").content.decode()
    spans = rendered_text(wrapped(fragment)).spans
    bright = [s["attrs"]["id"] for s in spans if "is-dimmed" not in s["attrs"]["class"]]
    assert bright == (["C00998"] if any(s["attrs"]["id"] == "C00998" for s in spans) else [])
    assert len(spans) > 1
