"""The document's text as HTML: its blocks, headings and claim spans.

Written in Python rather than as a template loop because a document may hold 10,000
claims: the template engine took about 1.5 ms per span (most of a large page's time),
this takes a few microseconds. Every text and attribute value goes through escape();
tests/reader/test_reader.py reads the result back and checks that it is the stored
text, character for character, with each claim at its offsets.
"""

from urllib.parse import quote

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .pages import Block, Piece, ReaderDocument


def document_text_html(page: ReaderDocument) -> SafeString:
    """The part of the text the page shows; in a text of several parts, wrapped in an
    element naming its part, so reader.js can add the parts before and after it."""
    html = "".join(_block(block) for block in page.blocks)
    if page.is_in_parts:
        part = page.part
        html = (
            f'<div class="doc-part" id="part-{part.number}" data-part="{part.number}" '
            f'data-start="{part.start}" data-end="{part.end}">{html}</div>'
        )
    return mark_safe(html)


def _block(block: Block) -> str:
    attributes = ""
    if block.continued:
        attributes += ' data-continued=""'
    if block.section is not None:
        attributes += f' data-section="{escape(block.section.label)}"'
    if block.heading:
        attributes += f' aria-labelledby="{block.heading_id}"'
    parts = [f'<section class="doc-block"{attributes}>']
    if block.added_heading:
        parts.append(
            f'<h2 class="section-heading section-heading-added" id="{block.heading_id}" '
            f"data-not-in-text>{escape(block.added_heading)}</h2>"
        )
    if block.heading:
        parts.append(
            f'<h2 class="section-heading" id="{block.heading_id}">{escape(block.heading)}</h2>'
        )
    parts.extend(_piece(piece) for piece in block.pieces)
    parts.append("</section>")
    return "".join(parts)


def _piece(piece: Piece) -> str:
    claim = piece.claim
    if claim is None:
        return escape(piece.text)
    anchors = "".join(
        f'<span class="claim-anchor" id="{escape(key)}" data-key="{escape(key)}"></span>'
        for key in piece.anchors
    )
    classes = ["claim", f"verdict-{claim.verdict}"]
    status = ""
    title = f"{claim.key} · {claim.verdict_label}"
    if not claim.is_public:
        classes.append("is-unpublished")
        status = claim.claim.get_status_display()
        title += f" · {status}"
    if claim.is_retracted:
        classes.append("is-retracted")
        title += " · retracted"
    if claim.overlaps:
        classes.append("has-overlaps")
    if not claim.matching:
        classes.append("is-dimmed")
    if not piece.is_first:
        classes.append("is-continued")
    key = escape(claim.key)
    own_id = f'id="{key}" ' if piece.is_first else ""
    status_attribute = f' data-status="{escape(status)}"' if status else ""
    return (
        f'{anchors}<a class="{" ".join(classes)}" {own_id}href="#{escape(quote(claim.key, safe=""))}" '
        f'role="button" aria-pressed="false" aria-controls="claim-panel" '
        f'data-key="{key}" data-start="{piece.start}" data-end="{piece.end}"{status_attribute} '
        f'title="{escape(title)}">{escape(piece.text)}</a>'
    )
