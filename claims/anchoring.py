"""Finding a quote in a document's text, and describing where it stands (W3C selectors).

Offsets are Python string indexes, i.e. Unicode code points, as the W3C
TextPositionSelector defines them: start included, end excluded.
"""

from dataclasses import dataclass

CONTEXT_LENGTH = 32


class AnchoringError(ValueError):
    """The quote cannot be placed in the text unambiguously."""


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int


def find_quote(body: str, quote: str, *, occurrence: int | None = None) -> Anchor:
    """Return the offsets of `quote` in `body`.

    Refuses an empty quote, a quote that is not in the text, and a quote that
    occurs more than once unless `occurrence` (1-based) says which one is meant.
    """
    if not quote:
        raise AnchoringError("The quote is empty.")
    positions = find_all(body, quote)
    if not positions:
        raise AnchoringError(f"The quote {shorten(quote)!r} does not occur in the document text.")
    if occurrence is None:
        if len(positions) > 1:
            raise AnchoringError(
                f"The quote {shorten(quote)!r} occurs {len(positions)} times "
                f"(at offsets {', '.join(map(str, positions[:5]))}); quote more words to make it unique."
            )
        occurrence = 1
    if not 1 <= occurrence <= len(positions):
        raise AnchoringError(
            f"The quote {shorten(quote)!r} occurs {len(positions)} times; occurrence {occurrence} does not exist."
        )
    start = positions[occurrence - 1]
    return Anchor(start=start, end=start + len(quote))


def find_all(body: str, quote: str) -> list[int]:
    positions, index = [], body.find(quote)
    while index != -1:
        positions.append(index)
        index = body.find(quote, index + 1)
    return positions


def quote_selector(body: str, start: int, end: int, context: int = CONTEXT_LENGTH) -> dict:
    """The W3C TextQuoteSelector for a span: its exact text and a few words either side."""
    return {
        "type": "TextQuoteSelector",
        "exact": body[start:end],
        "prefix": body[max(0, start - context) : start],
        "suffix": body[end : end + context],
    }


def position_selector(start: int, end: int) -> dict:
    return {"type": "TextPositionSelector", "start": start, "end": end}


def shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
