"""The reader pages: the text as written with its claims in place, their details, filters, access."""

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Document
from reader.csp import READER_POLICY
from reader.pages import (
    ReaderClaim,
    ReaderFilters,
    build_blocks,
    build_pieces,
    claims_for_reader,
    reader_document,
)
from tests.factories import (
    ClaimFactory,
    DocumentFactory,
    EvidenceFactory,
    PublishedClaimFactory,
    SourceFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


@dataclass
class RenderedText:
    """The document text as a browser would read it out of the page, with where each span sits."""

    text: str = ""
    spans: list[dict] = field(default_factory=list)  # attributes, offset and text of each claim
    anchors: dict[str, int] = field(default_factory=dict)  # id -> offset of empty anchors
    headings: list[str] = field(default_factory=list)
    added_headings: list[str] = field(default_factory=list)


class TextReader(HTMLParser):
    """Collects the text of <article id="document-text">, skipping what is marked not-in-text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.result = RenderedText()
        self.depth = 0  # element depth inside the article; 0 = outside
        self.skip_depth = 0
        self.open_span: dict | None = None
        self.heading: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self.depth == 0:
            if tag == "article" and attributes.get("id") == "document-text":
                self.depth = 1
            return
        self.depth += 1
        if self.skip_depth:
            self.skip_depth += 1
            return
        if "data-not-in-text" in attributes:
            self.skip_depth = 1
            self.result.added_headings.append("")
            return
        classes = (attributes.get("class") or "").split()
        if tag == "a" and "claim" in classes:
            self.open_span = {"attrs": attributes, "offset": len(self.result.text), "text": ""}
        elif tag == "span" and "claim-anchor" in classes:
            self.result.anchors[attributes["id"]] = len(self.result.text)
        elif tag == "h2":
            self.heading = []

    def handle_endtag(self, tag):
        if self.depth == 0:
            return
        self.depth -= 1
        if self.skip_depth:
            self.skip_depth -= 1
            return
        if tag == "a" and self.open_span is not None:
            self.result.spans.append(self.open_span)
            self.open_span = None
        elif tag == "h2" and self.heading is not None:
            self.result.headings.append("".join(self.heading))
            self.heading = None

    def handle_data(self, data):
        if self.depth == 0:
            return
        if self.skip_depth:
            if self.result.added_headings:
                self.result.added_headings[-1] += data
            return
        self.result.text += data
        if self.open_span is not None:
            self.open_span["text"] += data
        if self.heading is not None:
            self.heading.append(data)


def rendered_text(html: str) -> RenderedText:
    reader = TextReader()
    reader.feed(html)
    return reader.result


def claim_index(html: str) -> dict[str, list]:
    """The page's index of its claims (#claim-index), by key, in text order:
    [key, type, verdict, topics, counter-sources, host, public]."""
    data = re.search(r'<script id="claim-index" type="application/json">(.*?)</script>', html, re.S)
    return {row[0]: row for row in json.loads(data.group(1))}


def panel(client, slug: str, key: str, status: int = 200) -> str:
    """The details of one claim, as the page fetches them when it is selected."""
    response = client.get(reverse("reader:claim-panel", args=[slug, key]))
    assert response.status_code == status, response.content[:300]
    return response.content.decode()


def detail_url(slug: str) -> str:
    return reverse("reader:document-detail", args=[slug])


def data_queries(context: CaptureQueriesContext) -> int:
    """Queries that read data; the savepoints of ATOMIC_REQUESTS are left out."""
    return sum(
        not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))
        for query in context.captured_queries
    )


@pytest.fixture
def curator_browser(curator):
    client = Client()
    client.force_login(curator)
    return client


# --- Escaping -------------------------------------------------------------------------------

MARKUP_BODY = (
    'Intro says <b>hello</b> & more.\nI\nThe <script>alert("x")</script> figure is 5 < 6.\n'
)


@pytest.fixture
def markup_claim():
    document = DocumentFactory(slug="markup", body=MARKUP_BODY, title="<i>Title</i>")
    return PublishedClaimFactory(
        document=document,
        key="C001",
        quote='The <script>alert("x")</script> figure is 5 < 6.',
        paraphrase="<em>paraphrase</em>",
        verdict_summary="<u>summary</u>",
        attributed_to="<span>someone</span>",
        evidence__stance="contradicts",
        evidence__excerpt='<img src=x onerror="alert(1)">',
        evidence__locator="<table>",
        evidence__source=SourceFactory(
            title="<a href='javascript:alert(1)'>Source</a>",
            publisher="<marquee>Pub</marquee>",
            url="https://example.org/?q=<x>",
        ),
    )


def test_markup_in_text_claims_and_evidence_renders_as_text(client, markup_claim):
    response = client.get(detail_url("markup"))
    page_html = response.content.decode()
    html = page_html + panel(client, "markup", "C001")
    for raw in [
        "<b>hello</b>",
        "<script>alert",
        "<em>paraphrase</em>",
        "<u>summary</u>",
        "<span>someone</span>",
        "<img src=x",
        "<table>",
        "<a href='javascript",
        "<marquee>",
        "<i>Title</i>",
        "?q=<x>",
    ]:
        assert raw not in html, raw
    for escaped in [
        "&lt;b&gt;hello&lt;/b&gt; &amp; more.",
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; figure is 5 &lt; 6.",
        "&lt;em&gt;paraphrase&lt;/em&gt;",
        "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;",
        "&lt;a href=&#x27;javascript:alert(1)&#x27;&gt;Source&lt;/a&gt;",
        "&lt;i&gt;Title&lt;/i&gt;",
    ]:
        assert escaped in html, escaped
    rendered = rendered_text(page_html)
    assert rendered.text == MARKUP_BODY
    assert [span["text"] for span in rendered.spans] == [markup_claim.quote]
    # The only script run on the page is the reader's own static file; the index is data.
    assert re.findall(r"<script[^>]*>", page_html) == [
        '<script id="claim-index" type="application/json">',
        '<script src="/static/reader/reader.js">',
    ]


def test_only_web_addresses_become_links(client, markup_claim):
    """A source address that is not http(s) is not turned into a link."""
    source = markup_claim.evidence.get().source
    source.url = "javascript:alert(1)"
    source.archived_url = "data:text/html,hi"
    source.save()
    html = client.get(detail_url("markup")).content.decode() + panel(client, "markup", "C001")
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and not [h for h in hrefs if h.startswith(("javascript", "data:text"))]
    assert "data:text/html" not in html


# --- Who sees what --------------------------------------------------------------------------


def test_drafts_are_hidden_from_anonymous_readers(client, published_claim, draft_claim):
    html = client.get(detail_url(published_claim.document.slug)).content.decode()
    assert f'id="{published_claim.key}"' in html
    assert f'id="{draft_claim.key}"' not in html
    assert list(claim_index(html)) == [published_claim.key]
    panel(client, published_claim.document.slug, draft_claim.key, status=404)
    assert 'data-status="Draft"' not in html
    assert "<strong>1</strong> of 1 claim match" in html
    # The draft's words are still in the text, just not highlighted.
    assert draft_claim.quote in rendered_text(html).text


def test_drafts_are_hidden_from_signed_in_users_without_permission(
    client, reader, published_claim, draft_claim
):
    client.force_login(reader)
    html = client.get(detail_url(published_claim.document.slug)).content.decode()
    assert f'id="{draft_claim.key}"' not in html


def test_a_curator_sees_drafts_marked_as_such(curator_browser, published_claim, draft_claim):
    html = curator_browser.get(detail_url(published_claim.document.slug)).content.decode()
    spans = {s["attrs"]["id"]: s for s in rendered_text(html).spans}
    assert "is-unpublished" in spans[draft_claim.key]["attrs"]["class"].split()
    assert spans[draft_claim.key]["attrs"]["data-status"] == "Draft"
    assert "is-unpublished" not in spans[published_claim.key]["attrs"]["class"].split()
    detail = panel(curator_browser, published_claim.document.slug, draft_claim.key)
    assert "not published; only curators see this claim" in detail
    assert "Curator view" in html
    assert "Not yet published (curators only)" in html  # in the legend
    assert "<strong>2</strong> of 2 claims match" in html


def test_retracted_claims_stay_visible_and_marked(client, document):
    claim = PublishedClaimFactory(document=document, key="C010", status="retracted")
    html = client.get(detail_url(document.slug)).content.decode()
    span = next(s for s in rendered_text(html).spans if s["attrs"].get("id") == claim.key)
    assert "is-retracted" in span["attrs"]["class"].split()
    assert "<strong>Retracted</strong>" in panel(client, document.slug, claim.key)


def test_unknown_document_is_404(client, document):
    assert client.get(detail_url("no-such-document")).status_code == 404


def test_reader_pages_send_a_content_security_policy(client, published_claim):
    for url in [reverse("reader:document-list"), detail_url(published_claim.document.slug)]:
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Security-Policy"] == READER_POLICY
        assert "script-src 'self'" in READER_POLICY
        assert "unsafe-inline" not in READER_POLICY
        assert " style=" not in response.content.decode()  # CSP blocks inline styles too


def test_reader_pages_only_answer_get_and_head(client, document):
    assert client.post(detail_url(document.slug)).status_code == 405
    assert client.head(detail_url(document.slug)).status_code == 200


# --- Filters --------------------------------------------------------------------------------


@pytest.fixture
def filtered_document(document):
    trade = TopicFactory(slug="trade", name="Trade")
    statistic = PublishedClaimFactory(document=document, key="C001")
    statistic.topics.add(trade)
    EvidenceFactory(claim=statistic, stance="qualifies", excerpt="Customs says 220 times.")
    PublishedClaimFactory(
        document=document,
        key="C002",
        quote="We must cooperate.",
        claim_type="normative",
        checkable=False,
    )
    return document


@pytest.mark.parametrize(
    ("query", "matching"),
    [
        ("", {"C001", "C002"}),
        ("?type=statistic", {"C001"}),
        ("?verdict=not_checkable", {"C002"}),
        ("?topic=trade", {"C001"}),
        ("?counter=1", {"C001"}),
        ("?type=normative&counter=1", set()),
        ("?type=nonsense&verdict=%3Cb%3E", {"C001", "C002"}),  # unknown values are ignored
    ],
)
def test_filters_dim_the_other_claims_and_count_the_matches(
    client, filtered_document, query, matching
):
    response = client.get(detail_url(filtered_document.slug) + query)
    assert response.status_code == 200
    html = response.content.decode()
    spans = {s["attrs"]["id"]: s["attrs"]["class"].split() for s in rendered_text(html).spans}
    assert {key for key, classes in spans.items() if "is-dimmed" not in classes} == matching
    assert f"<strong>{len(matching)}</strong> of 2 claims match" in html
    assert claim_index(html)["C001"] == ["C001", "statistic", "supported", "trade", 1, "", 1]


def test_filter_options_list_what_the_document_holds(client, filtered_document):
    html = client.get(detail_url(filtered_document.slug)).content.decode()
    assert '<option value="statistic">Statistic (1)</option>' in html
    assert '<option value="normative">Normative statement (1)</option>' in html
    assert '<option value="quotation">' not in html
    assert '<option value="trade">Trade (1)</option>' in html


def test_reader_filters_read_from_the_query():
    filters = ReaderFilters.from_query({"type": "statistic", "verdict": "bogus", "counter": "1"})
    assert filters == ReaderFilters(claim_type="statistic", has_counter_sources=True)
    assert filters.active
    assert not ReaderFilters.from_query({}).active


# --- The list of documents -------------------------------------------------------------------


def test_document_list_shows_counts_and_verdict_spread(client, curator_browser, document):
    PublishedClaimFactory(document=document, key="C001", verdict="supported")
    PublishedClaimFactory(
        document=document, key="C002", quote="We must cooperate.", verdict="disputed"
    )
    ClaimFactory(document=document, key="C003", quote="Cooperation benefits both.")
    html = client.get(reverse("reader:document-list")).content.decode()
    assert detail_url(document.slug) in html
    assert "<strong>2</strong> claims" in html
    assert "1 supported" in html and "1 disputed" in html
    assert 'width="50"' in html  # each verdict is half of the bar
    curator_html = curator_browser.get(reverse("reader:document-list")).content.decode()
    assert "<strong>3</strong> claims" in curator_html
    assert "1 not yet rated" in curator_html


def test_document_list_queries_do_not_grow_with_documents(client):
    def count(number):
        for _index in range(number):
            ClaimFactory(document=DocumentFactory())
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("reader:document-list")).status_code == 200
        return data_queries(context)

    assert count(2) == count(20) == 1


# --- The selector ---------------------------------------------------------------------------


def sentence_document(number: int) -> Document:
    body = "".join(f"Sentence number {index}. " for index in range(number)) + "\n"
    return DocumentFactory(body=body)


def test_reader_document_costs_a_fixed_number_of_queries():
    """Sections, claims (whether each has counter-sources is a subquery) and topics: 3
    queries at 5 or 50 claims. The evidence is not read: the panel fetches it."""

    def count(number):
        document = sentence_document(number)
        for index in range(number):
            claim = PublishedClaimFactory(
                document=document, key=f"C{index:03d}", quote=f"Sentence number {index}."
            )
            claim.topics.add(TopicFactory())
            EvidenceFactory(claim=claim, stance="contradicts", excerpt="No.")
        document = Document.objects.get(pk=document.pk)
        with CaptureQueriesContext(connection) as context:
            page = reader_document(document, None)
            for claim in page.claims:  # everything the template and the index read
                _ = (claim.claim.quote, claim.topic_slugs, claim.has_counter_sources)
        assert len(page.claims) == number
        assert all(claim.has_counter_sources for claim in page.claims)
        return len(context.captured_queries)

    assert count(5) == count(50) == 3


def test_document_page_queries_do_not_grow_with_claims(client):
    def count(number):
        document = sentence_document(number)
        for index in range(number):
            PublishedClaimFactory(
                document=document, key=f"C{index:03d}", quote=f"Sentence number {index}."
            )
        with CaptureQueriesContext(connection) as context:
            assert client.get(detail_url(document.slug)).status_code == 200
        return data_queries(context)

    assert count(5) == count(50) == 4  # the document, then the three of reader_document


def test_document_page_for_a_curator_queries_do_not_grow_with_claims(curator_browser):
    def count(number):
        document = sentence_document(number)
        for index in range(number):
            ClaimFactory(document=document, key=f"C{index:03d}", quote=f"Sentence number {index}.")
        with CaptureQueriesContext(connection) as context:
            assert curator_browser.get(detail_url(document.slug)).status_code == 200
        return len(context.captured_queries)

    assert count(5) == count(50)


# --- Overlapping and nested claims: never in the seed, but the page must not break ---------

OVERLAP_BODY = "Alpha beta gamma delta epsilon zeta eta theta.\n"


def overlapping(spec: list[tuple[str, str]]) -> tuple[Document, list[ReaderClaim]]:
    """A document whose published claims are given as (key, quote); the quotes may share text."""
    document = DocumentFactory(body=OVERLAP_BODY)
    for key, quote in spec:
        PublishedClaimFactory(document=document, key=key, quote=quote)
    return document, claims_for_reader(document, None)


def piece_summary(pieces) -> list[tuple[str, str | None, bool, tuple[str, ...]]]:
    return [(p.text, p.claim.key if p.claim else None, p.is_first, p.anchors) for p in pieces]


def test_a_nested_claim_is_anchored_inside_the_claim_around_it():
    document, claims = overlapping([("C001", "beta gamma delta"), ("C002", "gamma")])
    pieces = build_pieces(document.body, claims)
    assert "".join(p.text for p in pieces) == document.body
    assert piece_summary(pieces) == [
        ("Alpha ", None, False, ()),
        ("beta gamma delta", "C001", True, ("C002",)),
        (" epsilon zeta eta theta.\n", None, False, ()),
    ]
    by_key = {claim.key: claim for claim in claims}
    assert (by_key["C002"].inline, by_key["C002"].host_key) == (False, "C001")
    assert by_key["C001"].overlaps == ["C002"] and by_key["C002"].overlaps == ["C001"]


def test_crossing_claims_are_resolved_the_same_way_whatever_their_order():
    """Two claims that cross: the earlier one is drawn; the result does not depend on input order."""
    document, claims = overlapping([("C002", "gamma delta epsilon"), ("C001", "beta gamma")])
    first = piece_summary(build_pieces(document.body, claims))
    second = piece_summary(build_pieces(document.body, list(reversed(claims))))
    assert (
        first
        == second
        == [
            ("Alpha ", None, False, ()),
            ("beta gamma", "C001", True, ("C002",)),
            (" delta epsilon zeta eta theta.\n", None, False, ()),
        ]
    )


def test_claims_on_the_same_words_keep_one_span_and_the_lowest_key_wins():
    document, claims = overlapping([("C009", "zeta eta"), ("C003", "zeta eta"), ("C004", "Alpha")])
    pieces = build_pieces(document.body, claims)
    assert piece_summary(pieces)[2] == ("zeta eta", "C003", True, ("C009",))
    assert "".join(p.text for p in pieces) == document.body


def test_overlapping_claims_render_with_every_claim_reachable(client):
    document, _claims = overlapping(
        [("C001", "beta gamma delta"), ("C002", "gamma"), ("C003", "delta epsilon")]
    )
    html = client.get(detail_url(document.slug)).content.decode()
    rendered = rendered_text(html)
    assert rendered.text == document.body
    assert [s["attrs"].get("id") for s in rendered.spans] == ["C001"]
    assert rendered.anchors == {"C002": 6, "C003": 6}  # #C002 and #C003 land on C001's span
    index = claim_index(html)
    assert set(index) == {"C001", "C002", "C003"}
    assert index["C002"][5] == index["C003"][5] == "C001"  # drawn inside C001's span
    details = panel(client, document.slug, "C001")
    assert '<a href="#C002">C002</a>' in details and '<a href="#C003">C003</a>' in details


def test_a_claim_crossing_a_section_boundary_is_split_and_keeps_one_id():
    body = "Opening words.\nI\nMore words here.\n"
    document = DocumentFactory(body=body)
    claim = PublishedClaimFactory(
        document=document, key="C001", quote="words.\nI\nMore", section=None
    )
    claims = claims_for_reader(document, None)
    blocks = build_blocks(body, list(document.sections.all()), claims)
    assert (
        "".join(block.heading + "".join(p.text for p in block.pieces) for block in blocks) == body
    )
    claim_pieces = [p for block in blocks for p in block.pieces if p.claim]
    assert [(p.text, p.is_first) for p in claim_pieces] == [("words.\n", True), ("I\nMore", False)]
    # The heading line is inside a claim, so it is not drawn as a heading of its own.
    assert blocks[1].heading == "" and blocks[1].added_heading == "I"
    assert claim.key == claim_pieces[0].claim.key


def test_sections_without_a_heading_line_get_an_added_heading_outside_the_text(client):
    document = DocumentFactory(body="Opening.\nI\nText.\n")
    document.sections.filter(label="intro").update(title="<Preface>")
    html = client.get(detail_url(document.slug)).content.decode()
    assert "&lt;Preface&gt;" in html
    rendered = rendered_text(html)
    assert rendered.added_headings == ["<Preface>"]
    assert rendered.headings == ["I"]
    assert rendered.text == document.body
