"""Storing a new document verbatim and finding its sections."""

import re
from datetime import date

from django.db import transaction
from django.utils.text import slugify

from .models import Document, Section

# A heading is a Roman numeral alone on its line ("I", "II", "IV"), as in official statements.
HEADING = re.compile(r"^(?P<label>[IVXLC]{1,7})[ \t]*$", re.MULTILINE)
OPENING_LABEL = "intro"


def detect_sections(body: str) -> list[dict]:
    """Spans of the text: the untitled opening (if any text precedes the first heading), then each heading."""
    headings = list(HEADING.finditer(body))
    spans = []
    if not headings or body[: headings[0].start()].strip():
        spans.append({"label": OPENING_LABEL, "start": 0})
    spans += [{"label": match["label"], "start": match.start()} for match in headings]
    for index, span in enumerate(spans):
        span["order"] = index
        span["end"] = spans[index + 1]["start"] if index + 1 < len(spans) else len(body)
    return [span for span in spans if span["end"] > span["start"]]


def document_create(
    *,
    title: str,
    body: str,
    slug: str = "",
    published_on: date | None = None,
    **fields,
) -> Document:
    """Store a document's text exactly as given, with the sections found in it."""
    with transaction.atomic():
        document = Document(
            title=title,
            slug=slug or slugify(title)[:200],
            body=body,
            published_on=published_on,
            **fields,
        )
        document.full_clean()
        document.save()
        for span in detect_sections(body):
            section = Section(document=document, **span)
            section.full_clean()
            section.save()
    return document
