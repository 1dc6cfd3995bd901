"""Telling a source's own words from a curator's account of them, in text written before
evidence had a summary field (migration claims 0006 and the seed used this once).

The rule is conservative about what it calls an excerpt: an excerpt is the source's own
words or it is not an excerpt, and a rule cannot check words against a page. So:

1. Text wholly enclosed in one pair of quotation marks is an excerpt; the enclosing marks
   were the curator's and are dropped (the reader shows an excerpt as a quotation).
2. Text that is one quotation (or a text in Chinese, Japanese or Korean script without
   quotation marks) followed by a translation in brackets, e.g. “一九四九年……” (1949: ...),
   is split: the quotation is the excerpt, the translation (the curator's words) the summary.
3. Any other text holding a quotation mark mixes the curator's words with the source's
   (Xi's speech “called on both sides ...”): the whole text is a summary, quotation
   marks included, so nothing is lost and nothing is passed off as the source's words.
4. Text without quotation marks that reads as a description (it opens with a reporting
   frame such as "Quotes", "Refers to", "The article", "Document title:", or says what was
   or was not read) is a summary.
5. What is left (plain text with no quotation marks and no description frame, e.g. a
   sentence copied from the page) stays an excerpt: moving it would lose the marking of
   text that is most often verbatim. Whether it really is the page's words is for a
   curator to confirm (the seed's were checked one by one).
"""

import re

# Opening mark -> closing mark.
QUOTE_PAIRS = {"“": "”", "‘": "’", '"': '"', "'": "'", "「": "」", "『": "』", "«": "»", "„": "“"}
QUOTE_MARKS = frozenset("“”‘’\"'「」『』«»„")

# A mark between two letters or digits is an apostrophe (People's, 1940’s), not a quotation.
APOSTROPHE = re.compile(r"(?<=[^\W_])['’](?=[^\W_])")

# Openings that announce a description of the source rather than its words.
DESCRIPTION_OPENINGS = re.compile(
    r"""^(?:
        quot(?:es|ing)\b | refers?\ to\b | document\ title\b | title\b | sources?\ include\b
      | expected\ to\b | describes?\b | reports?\b | records?\b | lists?\b | gives?\b
      | mentions?\b | cites?\b | summar(?:y|ises|izes)\b | according\ to\b
      | (?:the|this|an?)\ (?:article|report|page|source|book|listing|document|entry|catalogue
           |catalog|text|record|post|transcript|table|statement|speech|memoir|account)\b
      | [^.:;]{0,60}\b(?:account|record|report|copy|translation|summary|version|listing)\ of\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)

# Remarks about the reading itself: a curator's words whatever their place.
READING_REMARKS = re.compile(
    r"\bnot (?:read|checked|shown|seen|found)\b|\bwas read\b|\bthe part read\b|\bnot in the (?:copy|page)\b",
    re.IGNORECASE,
)

# Chinese, Japanese and Korean characters: a bracketed text after them is a translation.
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")

# A quotation followed only by a bracketed translation: “...” (…)
QUOTATION_AND_TRANSLATION = re.compile(r"^(?P<quote>.+?)\s*\((?P<translation>[^()]+)\)\.?$", re.S)


def quotation_marks(text: str) -> list[str]:
    """The quotation marks of a text, apostrophes left out."""
    return [mark for mark in APOSTROPHE.sub("", text) if mark in QUOTE_MARKS]


def enclosed(text: str) -> str | None:
    """The inside of a text wholly enclosed in one pair of quotation marks (an ending
    full stop after the closing mark allowed), else None."""
    text = text.strip()
    closing = QUOTE_PAIRS.get(text[:1])
    if closing is None:
        return None
    body = text[:-1] if text.endswith(closing + ".") else text
    if len(body) < 2 or not body.endswith(closing):
        return None
    inside = body[1:-1]
    marks = quotation_marks(inside)
    if text[0] in marks or closing in marks:
        return None  # two quotations, or one closed before the end: not one enclosed text
    return inside.strip()


def split_excerpt(text: str) -> tuple[str, str]:
    """(excerpt, summary) for text written in the old `excerpt` field (rules above)."""
    text = text.strip()
    if not text:
        return "", ""
    inside = enclosed(text)
    if inside is not None:
        return inside, ""
    match = QUOTATION_AND_TRANSLATION.match(text)
    if match and not quotation_marks(match["translation"]) and not CJK.search(match["translation"]):
        quotation = enclosed(match["quote"])
        if quotation is None and CJK.search(match["quote"]) and not quotation_marks(match["quote"]):
            quotation = match["quote"].strip()  # words in another script, then their translation
        if quotation is not None:
            return quotation, match["translation"].strip()
    if quotation_marks(text) or DESCRIPTION_OPENINGS.match(text) or READING_REMARKS.search(text):
        return "", text
    return text, ""
