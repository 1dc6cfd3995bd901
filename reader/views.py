"""The reader: server-rendered pages showing each document with its claims in place."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from claims.models import Document
from core.visibility import can_see_unpublished

from .csp import content_security_policy
from .pages import ReaderFilters, documents_for_reader, reader_document, verdict_spread


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


@require_safe
@gzip_page  # the details of every claim ride along (about 0.7 MB, 0.1 MB compressed); no secrets in it
@content_security_policy
def document_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One document as written, each claim the reader may see highlighted by verdict."""
    document = get_object_or_404(Document.objects.visible_to(request.user), slug=slug)
    page = reader_document(document, request.user)
    filters = ReaderFilters.from_query(request.GET)
    matching, total = page.apply_filters(filters)
    return render(
        request,
        "reader/document_detail.html",
        {
            "document": document,
            "page": page,
            "filters": filters,
            "matching": matching,
            "total": total,
            "can_see_unpublished": page.can_see_unpublished,
        },
    )
