"""Finding a quote in a document's text, and describing where it stands (W3C selectors).

Offsets are Python string indexes, i.e. Unicode code points, as the W3C
TextPositionSelector defines them: start included, end excluded.
"""

from dataclasses import dataclass
from functools import lru_cache

CONTEXT_LENGTH = 32


class AnchoringError(ValueError):
    """The quote cannot be placed in the text unambiguously.

    `candidates` are the closest passages of the text when the quote was not found.
    """

    def __init__(self, message: str, candidates: list["Passage"] | None = None):
        super().__init__(message)
        self.candidates = candidates or []


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int


# What a pasted quote may differ in and still be the document's words: the kind of quote
# mark, dash or ellipsis, and white space (non-breaking, several, or a line break).
FOLDED = {
    **dict.fromkeys("‘’‚‛′`´", "'"),
    **dict.fromkeys("“”„‟″«»", '"'),
    **dict.fromkeys("‐‑‒–—―−", "-"),
    "…": "...",
}
INVISIBLE = {"\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}


@lru_cache(maxsize=8)  # a document's text is folded once for a run of quotes (a CSV import)
def fold(text: str) -> tuple[str, list[int]]:
    """`text` with quotes, dashes and white space made uniform, and for each character of
    the result the offset in `text` it comes from (so a match maps back to the exact span)."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char in INVISIBLE:
            continue
        if char.isspace():
            if chars and chars[-1] == " ":
                continue
            char = " "
        for folded in FOLDED.get(char, char):
            chars.append(folded)
            origin.append(index)
    return "".join(chars), origin


def find_quote(body: str, quote: str, *, occurrence: int | None = None) -> Anchor:
    """Return the offsets of `quote` in `body`: its exact span in the document.

    The quote is matched with quote marks, dashes and white space folded (fold), and the
    span the match covers in `body` is returned, so the caller stores the document's
    words, not the pasted ones (two places that differ only in those are two occurrences).
    Refuses an empty quote, a quote that is not in the text (naming the closest passages
    and where they first differ), and a quote that occurs more than once unless
    `occurrence` (1-based) says which one is meant.
    """
    if not quote.strip():
        raise AnchoringError("The quote is empty.")
    spans = find_folded(body, quote)
    if not spans:
        candidates = closest_passages(body, quote)
        raise AnchoringError(not_found_message(quote, candidates), candidates)
    if occurrence is None:
        if len(spans) > 1:
            raise AnchoringError(
                f"The quote {shorten(quote)!r} occurs {len(spans)} times "
                f"(at offsets {', '.join(f'{start:,}' for start, _ in spans[:5])}); "
                "quote more words to make it unique, or give the occurrence."
            )
        occurrence = 1
    if not 1 <= occurrence <= len(spans):
        raise AnchoringError(
            f"The quote {shorten(quote)!r} occurs {len(spans)} times; occurrence {occurrence} does not exist."
        )
    start, end = spans[occurrence - 1]
    return Anchor(start=start, end=end)


def find_all(body: str, quote: str) -> list[int]:
    positions, index = [], body.find(quote)
    while index != -1:
        positions.append(index)
        index = body.find(quote, index + 1)
    return positions


def find_folded(body: str, quote: str) -> list[tuple[int, int]]:
    """The spans of `body` that read as `quote` once both are folded."""
    folded_body, origin = fold(body)
    folded_quote = fold(quote)[0].strip()
    return [
        (origin[start], origin[start + len(folded_quote) - 1] + 1)
        for start in find_all(folded_body, folded_quote)
    ]


@dataclass(frozen=True)
class Passage:
    """A passage of the document close to a quote that was not found, and where they part."""

    start: int
    end: int
    text: str
    difference_at: int  # offset in the document of the first character that differs
    document_has: str  # that character ("" at the end of the text)
    you_typed: str  # the quote's character there

    def describe(self) -> str:
        where = f"at offset {self.difference_at:,} the document has {spoken(self.document_has)}"
        return f"{where} where you typed {spoken(self.you_typed)}"

    def as_dict(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "difference_at": self.difference_at,
            "document_has": self.document_has,
            "you_typed": self.you_typed,
            "explanation": self.describe(),
        }


SHINGLE = 8  # characters of the quote looked up together when searching for a near match


def closest_passages(body: str, quote: str, limit: int = 3) -> list[Passage]:
    """The passages of `body` that share most pieces with `quote`, best first.

    Each word start of the folded quote votes, through the text that follows it, for the
    places in the folded body where the quote would begin; the most voted places win.
    """
    folded_body, origin = fold(body)
    folded_quote, quote_origin = fold(quote)
    if not folded_body or not folded_quote.strip():
        return []
    length = min(SHINGLE, len(folded_quote))
    votes: dict[int, int] = {}
    word_starts = [0] + [i + 1 for i, char in enumerate(folded_quote) if char == " "]
    for offset in word_starts:
        piece = folded_quote[offset : offset + length]
        if len(piece) < length:
            continue
        for found in find_all(folded_body, piece)[:50]:
            begin = max(0, found - offset)
            votes[begin] = votes.get(begin, 0) + 1
    chosen: list[int] = []
    ranked = sorted(votes.items(), key=lambda item: (-item[1], item[0]))
    # Passages sharing a piece or two by chance (", the US") are noise beside a real match.
    enough = max(2, ranked[0][1] // 2) if ranked else 0
    for begin, count in ranked:
        if chosen and count < enough:
            break
        if all(abs(begin - other) >= len(folded_quote) for other in chosen):
            chosen.append(begin)
        if len(chosen) == limit:
            break
    return [
        passage_at(body, folded_body, origin, quote, folded_quote, quote_origin, begin)
        for begin in chosen
    ]


def common_prefix(folded_body: str, begin: int, folded_quote: str) -> int:
    """How many characters of the quote the body reads from `begin` on."""
    return next(
        (
            i
            for i, char in enumerate(folded_quote)
            if begin + i >= len(folded_body) or folded_body[begin + i] != char
        ),
        len(folded_quote) - 1,
    )


def passage_at(body, folded_body, origin, quote, folded_quote, quote_origin, voted) -> Passage:
    # A word added or dropped early in the quote shifts the voted place a little: start
    # where the body and the quote agree longest, so the first difference is the real one.
    nearby = range(max(0, voted - SHINGLE), min(len(folded_body), voted + SHINGLE + 1))
    begin = max(
        nearby, key=lambda b: (common_prefix(folded_body, b, folded_quote), -abs(b - voted))
    )
    differ = common_prefix(folded_body, begin, folded_quote)
    finish = min(len(folded_body), begin + len(folded_quote))
    at_end = begin + differ >= len(folded_body)
    difference_at = len(body) if at_end else origin[begin + differ]
    start, end = origin[begin], origin[finish - 1] + 1
    return Passage(
        start=start,
        end=end,
        text=body[start:end],
        difference_at=difference_at,
        document_has="" if at_end else body[difference_at],
        you_typed=quote[quote_origin[differ]],
    )


def spoken(char: str) -> str:
    """A character as a message can show it: «’», a space, a line break, the end of the text."""
    names = {"": "the end of the text", " ": "a space", "\n": "a line break", "\t": "a tab"}
    if char in names:
        return names[char]
    if char.isspace():
        return "a special space"
    return f"«{char}»"


def not_found_message(quote: str, candidates: list[Passage]) -> str:
    message = f"The quote {shorten(quote)!r} does not occur in the document text."
    if not candidates:
        return message + " No passage of the text is close to it."
    closest = [f"{shorten(' '.join(p.text.split()), 90)!r} ({p.describe()})" for p in candidates]
    return f"{message} Closest passage{'s' if len(closest) > 1 else ''}: {'; '.join(closest)}."


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
