"""The reader: server-rendered pages showing each document with its claims in place."""

import json

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from claims.choices import (
    CLAIM_TYPE_MEANINGS,
    STANCE_MEANINGS,
    STATUS_MEANINGS,
    VERDICT_MEANINGS,
    ClaimStatus,
    ClaimType,
    Stance,
    Verdict,
)
from claims.models import Claim, Document
from claims.research.citation import claim_citations
from claims.research.claimreview import (
    BEST_RATING,
    RATING_VALUES,
    WORST_RATING,
    claim_review_document,
    is_reviewed,
)
from core.visibility import can_see_unpublished
from sources.models import Snapshot

from .csp import content_security_policy
from .pages import (
    ReaderDocument,
    ReaderFilters,
    claim_for_page,
    claim_index,
    claim_page,
    claim_table,
    documents_for_reader,
    missing_claim_message,
    reader_document,
    verdict_spread,
)
from .pages import (
    claim_panel as claim_panel_of,
)
from .text_html import document_text_html

# JSON inside <script>: these characters could end the element or open a comment.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld(data: dict) -> str:
    """JSON-LD safe to place inside <script type="application/ld+json">."""
    return mark_safe(json.dumps(data, ensure_ascii=False, indent=1).translate(_SCRIPT_ESCAPES))


@require_safe
@content_security_policy
def document_list(request: HttpRequest) -> HttpResponse:
    """Every document, with how many claims it makes and how their verdicts fall."""
    documents = list(documents_for_reader(request.user))
    rows = [(document, verdict_spread(document)) for document in documents]
    return render(
        request,
        "reader/document_list.html",
        {"rows": rows, "can_see_unpublished": can_see_unpublished(request.user)},
    )


def requested_part(query) -> int:
    """The part asked for by `?part=N`; anything but a whole number is the first part."""
    try:
        return int(query.get("part", "1"))
    except ValueError:
        return 1


def part_links(request: HttpRequest, page: ReaderDocument) -> dict:
    """The addresses of the section menu's entries and, in a text of several parts, of the
    parts before and after the one shown, keeping the reader's filters: they work
    without JavaScript."""
    if not page.is_in_parts:
        return {"sections": [(block, f"#{block.heading_id}") for block in page.section_menu]}
    query = request.GET.copy()
    for name in ("part", "claim"):
        query.pop(name, None)

    def address(number: int) -> str:
        query["part"] = str(number)
        return f"?{query.urlencode()}"

    number = page.part.number
    return {
        "previous": address(number - 1) if number > 1 else "",
        "next": address(number + 1) if number < len(page.parts) else "",
        "sections": [
            (block, f"{address(block.part)}#{block.heading_id}") for block in page.section_menu
        ],
    }


def load_document(request: HttpRequest, slug: str) -> tuple[Document, ReaderDocument]:
    document = get_object_or_404(Document.objects.visible_to(request.user), slug=slug)
    page = reader_document(
        document,
        request.user,
        part=requested_part(request.GET),
        claim_key=request.GET.get("claim", ""),
    )
    return document, page


@require_safe
@gzip_page  # the text and its claim spans compress about eightfold; no secrets in them
@content_security_policy
def document_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One document as written, each claim the reader may see highlighted by verdict.

    The claims' details are not in the page: reader.js fetches one claim's panel
    (claim_panel below) when it is selected, so the page grows with the text and its
    claims, not with their evidence. A long text comes in parts (reader/parts.py): the
    page shows one (`?part=N`, or `?claim=KEY` for the part holding that claim) with links
    to the others; reader.js then loads the index of every claim (document_index) and the
    next parts as the reader scrolls (document_part).
    """
    document, page = load_document(request, slug)
    filters = ReaderFilters.from_query(request.GET)
    matching, total = page.apply_filters(filters)
    links = part_links(request, page)
    return render(
        request,
        "reader/document_detail.html",
        {
            "document": document,
            "page": page,
            "claim_index": None if page.is_in_parts else claim_index(page.rows),
            "text_html": document_text_html(page),
            "part_links": links,
            "section_menu": links["sections"],
            "filters": filters,
            "matching": matching,
            "total": total,
            "can_see_unpublished": page.can_see_unpublished,
        },
    )


@require_safe
@gzip_page
@content_security_policy
def document_part(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """One part of a document's text as an HTML fragment, for reader.js to add to the page;
    the reader's filters (same query as the page) dim the claims they leave out."""
    document = get_object_or_404(Document.objects.visible_to(request.user), slug=slug)
    page = reader_document(document, request.user, part=number)
    if page.part.number != number:
        raise Http404(f"This document's text has {len(page.parts)} part(s), not {number}.")
    page.apply_filters(ReaderFilters.from_query(request.GET))
    return HttpResponse(document_text_html(page))


@require_safe
@gzip_page
def document_index(request: HttpRequest, slug: str) -> JsonResponse:
    """The index of every claim of a text in parts, for reader.js (see claim_index):
    `{"parts": N, "claims": [[key, ..., part], ...]}`. With `?find=words`, only the keys of
    the claims whose text holds every word, in text order: `{"find": ..., "found": [...]}`
    (searched on the server over the whole text, not only the parts the page has loaded).
    """
    document = get_object_or_404(Document.objects.visible_to(request.user), slug=slug)
    page = reader_document(document, request.user)
    if "find" in request.GET:
        filters = ReaderFilters(text=ReaderFilters.from_query(request.GET).text)
        page.apply_filters(filters)
        found = [row.key for row in page.rows if row.matching]
        return JsonResponse({"find": filters.text, "found": found})
    return JsonResponse(
        {"parts": len(page.parts), "claims": claim_index(page.rows, with_parts=True)}
    )


@require_safe
@content_security_policy
def claim_panel(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """The details of one claim as an HTML fragment, for the document page's panel.

    A claim the reader may not see is a 404 whose text says why (no such claim, or not
    published yet), which the page shows in the panel.
    """
    document = get_object_or_404(
        Document.objects.visible_to(request.user).defer("body", "notes"), slug=slug
    )
    claim = claim_for_page(document, key, request.user)
    if claim is None:
        message = missing_claim_message(document, key)
        return render(
            request,
            "reader/_claim_missing.html",
            {"message": message, "key": key, "document": document},
            status=404,
        )
    return render(
        request,
        "reader/_claim_detail.html",
        {"claim": claim_panel_of(document, claim, request.user), "document": document},
    )


@require_safe
@gzip_page
@content_security_policy
def claim_detail(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """One claim on a page of its own: in context, with its evidence, citation and ClaimReview.

    A claim the reader may not see is a 404, exactly like the API's.
    """
    # Not the text (nor the columns stored after it, which SQLite reaches only by reading
    # through it): the claim's context is cut from it by the database (claim_for_page).
    documents = Document.objects.visible_to(request.user).defer(*Document.without_text())
    document = get_object_or_404(documents, slug=slug)
    claim = claim_for_page(document, key, request.user)
    if claim is None:
        raise Http404("No such claim, or it is not published.")
    page = claim_page(document, claim, request.user)
    url = request.build_absolute_uri(
        reverse("reader:claim-detail", kwargs={"slug": slug, "key": claim.key})
    )
    review = None
    if is_reviewed(claim):
        review = json_ld(claim_review_document(claim, request.build_absolute_uri))
    return render(
        request,
        "reader/claim_detail.html",
        {
            "document": document,
            "page": page,
            "claim": page.reader_claim,
            "permalink": url,
            "citations": claim_citations(claim, url=url, accessed=timezone.localdate()),
            "claimreview": review,
            "can_see_unpublished": page.can_see_unpublished,
        },
    )


@require_safe
@content_security_policy
def about(request: HttpRequest) -> HttpResponse:
    """The methodology: what each claim type, verdict and stance means, and the rating scale.

    Read from the choices the models use (claims/choices.py), so it cannot drift from them.
    """

    def rows(choices, meanings):
        return [(value, label, meanings[value]) for value, label in choices.choices]

    verdicts = [
        (value, label, VERDICT_MEANINGS[value], RATING_VALUES.get(value))
        for value, label in Verdict.choices
    ]
    return render(
        request,
        "reader/about.html",
        {
            "claim_types": rows(ClaimType, CLAIM_TYPE_MEANINGS),
            "verdicts": verdicts,
            "stances": rows(Stance, STANCE_MEANINGS),
            "statuses": rows(ClaimStatus, STATUS_MEANINGS),
            "best_rating": BEST_RATING,
            "worst_rating": WORST_RATING,
            "can_see_unpublished": can_see_unpublished(request.user),
        },
    )


@require_safe
@gzip_page
@content_security_policy
def claim_list(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """The claims table: every claim (or one document's), filtered like the API, with facets.

    Filters use the API's names (claims.filtersets.ClaimFilterSet), so the address of a
    view is the query of its downloads; a bad filter value is shown, not a 500.
    """
    document = None
    if slug is not None:
        document = get_object_or_404(
            Document.objects.visible_to(request.user).defer("body", "notes"), slug=slug
        )
    table = claim_table(request.GET, request.user, document)
    return render(
        request,
        "reader/claim_list.html",
        {
            "document": document,
            "table": table,
            "can_see_unpublished": can_see_unpublished(request.user),
        },
        status=400 if table.errors else 200,
    )


SNAPSHOT_MARK_LENGTH = 300


@require_safe
@content_security_policy
def snapshot_text(request: HttpRequest, pk: int) -> HttpResponse:
    """The text of a stored copy of a source, as text, with the place `?at=` marked.

    The copy's own HTML is never served from this site (its scripts would run as ours):
    the reader sees the extracted text, escaped, and may download the file as an attachment.
    """
    snapshot = get_object_or_404(
        Snapshot.objects.visible_to(request.user).select_related("source"), pk=pk
    )
    text = snapshot.text
    try:
        at = min(max(int(request.GET.get("at", "")), 0), len(text))
    except ValueError:
        at = None
    context = {"snapshot": snapshot, "source": snapshot.source, "text": text}
    if at is not None:
        end = text.find(" ", at + SNAPSHOT_MARK_LENGTH)
        end = len(text) if end == -1 else end
        context.update(before=text[:at], marked=text[at:end], after=text[end:])
    return render(request, "reader/snapshot_text.html", context)


@require_safe
def snapshot_file(request: HttpRequest, pk: int) -> FileResponse:
    """The stored bytes, as a download with a type no browser renders as a page."""
    snapshot = get_object_or_404(Snapshot.objects.visible_to(request.user), pk=pk)
    try:
        handle = snapshot.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404("The stored file of this copy is missing.") from error
    extension = snapshot.file.name.rsplit(".", 1)[-1]
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{snapshot.source.key}-{snapshot.retrieved_on}.{extension}",
        content_type="application/octet-stream",
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_safe
@content_security_policy
def document_version(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """An earlier (or the latest) text of a document, with its claims where they stood in it.

    The version's anchors name claims of every status: only those the reader may see are
    marked (the visibility rule), each linking to its claim page.
    """
    document = get_object_or_404(Document, slug=slug)
    version = get_object_or_404(document.versions, number=number)
    visible = set(
        Claim.objects.visible_to(request.user)
        .filter(document=document, key__in=list(version.anchors))
        .values_list("key", flat=True)
    )
    spans = sorted(
        (start, end, key)
        for key, (start, end) in version.anchors.items()
        if key in visible and 0 <= start < end <= len(version.body)
    )
    pieces, cursor = [], 0
    for start, end, key in spans:
        if start < cursor:
            continue  # inside a claim already marked: the outer one is shown
        pieces.append((version.body[cursor:start], None))
        pieces.append((version.body[start:end], key))
        cursor = end
    pieces.append((version.body[cursor:], None))
    context = {
        "document": document,
        "version": version,
        "versions": document.versions.order_by("number").only("number", "published_on", "note"),
        "pieces": pieces,
        "marked": len(pieces) // 2,
    }
    return render(request, "reader/document_version.html", context)
