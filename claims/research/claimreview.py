"""schema.org ClaimReview (JSON-LD) for reviewed claims, with the evidence behind each verdict.

Each ClaimReview carries what Google's fact-check guidelines require and recommend
(claimReviewed, reviewRating with ratingValue/bestRating/worstRating/alternateName,
itemReviewed as a Claim with author, datePublished and appearance, author,
datePublished, url) and, beyond them, the evidence: every source and counter-source
as a `citation` whose stance, excerpt (the source's words), summary (the curator's),
copyKind and locator are Claimbase extension terms.
schema.org has no property for a citation's stance, and a term a JSON-LD context does
not define is dropped on expansion, so the context maps ours to project-local IRIs in
the `urn:claimbase:` namespace (URNs identify without pretending to be a web
vocabulary someone could look up). Citations are blank nodes on purpose: a source cited
by two claims with opposite stances must not become one node holding both stances when
a feed is flattened.

Rating scale (numbers rise with support; documented in the README):

    1 = Contradicted, 2 = Disputed, 3 = Partly supported, 4 = Supported
    (worstRating 1, bestRating 4)

"Unverifiable" has no place on that scale: its reviewRating carries the textual
verdict (alternateName) and the explanation only. Opinions ("not checkable") and
retracted claims get no ClaimReview (see ClaimQuerySet.reviewed).
"""

import re
from collections.abc import Callable, Iterable

from django.urls import NoReverseMatch, reverse

from ..choices import CHECKABLE_VERDICTS, ClaimStatus, Stance, Verdict
from ..models import Claim, Document
from .similarity import without_reporting_clause

ORGANISATION = "Claimbase"
NAMESPACE = "urn:claimbase:"
EXTENSION_TERMS = {
    "stance": {"@id": f"{NAMESPACE}stance"},
    # The source's own words, verbatim; `summary` is the curator's account of them.
    "excerpt": {"@id": f"{NAMESPACE}excerpt"},
    "summary": {"@id": f"{NAMESPACE}summary"},
    # Where the text was read: publisher, archive or third_party (claims/copies.py).
    "copyKind": {"@id": f"{NAMESPACE}copyKind"},
    "locator": {"@id": f"{NAMESPACE}locator"},
    "verified": {"@id": f"{NAMESPACE}verified"},
}
CONTEXT = ["https://schema.org", EXTENSION_TERMS]

RATING_VALUES = {
    Verdict.CONTRADICTED: 1,
    Verdict.DISPUTED: 2,
    Verdict.PARTLY_SUPPORTED: 3,
    Verdict.SUPPORTED: 4,
}
WORST_RATING, BEST_RATING = 1, 4
CLAIM_REVIEWED_LENGTH = 75  # Google: keep claimReviewed under 75 characters

Absolute = Callable[[str], str]


def claim_reviewed_text(claim: Claim, limit: int = CLAIM_REVIEWED_LENGTH) -> str:
    """The claim in at most `limit` characters: the paraphrase (neutral, no rating in it;
    its reporting clause "The statement says that" left out) or the quote, whichever
    fits, else the first of them cut at a word and marked with …"""
    paraphrase = without_reporting_clause(" ".join(claim.paraphrase.split()))
    paraphrase = paraphrase[:1].upper() + paraphrase[1:]
    candidates = [text for text in (paraphrase, " ".join(claim.quote.split())) if text]
    for text in candidates:
        if len(text) <= limit:
            return text
    text = candidates[0]
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.-–—")
    return cut + "…"


def review_rating(claim: Claim) -> dict:
    rating = {
        "@type": "Rating",
        "alternateName": Verdict(claim.verdict).label,
    }
    if claim.verdict in RATING_VALUES:
        rating |= {
            "ratingValue": RATING_VALUES[claim.verdict],
            "bestRating": BEST_RATING,
            "worstRating": WORST_RATING,
        }
    if claim.verdict_summary:
        rating["ratingExplanation"] = claim.verdict_summary
    return rating


def claim_page_url(slug: str, key: str, pk: int, absolute: Absolute) -> str:
    """A claim's own reader page (the `url` of its API record, CSV row and ClaimReview)."""
    try:
        path = reverse("reader:claim-detail", kwargs={"slug": slug, "key": key})
    except NoReverseMatch:  # no reader pages in this deployment: the API record instead
        path = reverse("claim-detail", kwargs={"pk": pk})
    return absolute(path)


class ClaimPageUrls:
    """claim_page_url for the many claims of a list or an export: one reverse() and one
    absolute address, then each claim's by joining its slug and key in (reverse() and
    build_absolute_uri cost ~20 us a claim: a tenth of a 3,000-row CSV export). A slug or
    key with a character reverse() would quote goes through claim_page_url itself."""

    _PLAIN = re.compile(r"[A-Za-z0-9_-]+")

    def __init__(self, absolute: Absolute | None = None):
        self.absolute = absolute or (lambda path: path)
        try:
            path = reverse("reader:claim-detail", kwargs={"slug": "SLUGX", "key": "KEYX"})
        except NoReverseMatch:
            self.parts = None
            return
        before_key, _, after_key = self.absolute(path).rpartition("KEYX")
        before_slug, _, between = before_key.rpartition("SLUGX")
        self.parts = (before_slug, between, after_key)

    def __call__(self, slug: str, key: str, pk: int) -> str:
        if self.parts is None or not (self._PLAIN.fullmatch(slug) and self._PLAIN.fullmatch(key)):
            return claim_page_url(slug, key, pk, self.absolute)
        before_slug, between, after_key = self.parts
        return f"{before_slug}{slug}{between}{key}{after_key}"


def review_url(claim: Claim, absolute: Absolute) -> str:
    """The claim's own reader page, which embeds this ClaimReview."""
    return claim_page_url(claim.document.slug, claim.key, claim.pk, absolute)


def citation(evidence, absolute: Absolute) -> dict:
    source = evidence.source
    node = {
        "@type": "CreativeWork",
        "name": source.title,
        "stance": evidence.stance,
        "verified": evidence.verified,
        "identifier": source.key,
    }
    if source.url:
        node["url"] = source.url
    if source.archived_url:
        node["archivedAt"] = source.archived_url
    if source.authors:
        node["author"] = [
            {"@type": "Person", "name": " ".join(filter(None, [n.get("given"), n["family"]]))}
            if "family" in n
            else {"@type": "Organization", "name": n["literal"]}
            for n in source.authors
        ]
    if source.publisher:
        node["publisher"] = {"@type": "Organization", "name": source.publisher}
    if source.published_on:
        node["datePublished"] = "-".join(f"{part:02d}" for part in source.date_parts)
    if evidence.excerpt:
        node["excerpt"] = evidence.excerpt
    if evidence.summary:
        node["summary"] = evidence.summary
    if evidence.copy_kind:
        node["copyKind"] = evidence.copy_kind
    if evidence.locator:
        node["locator"] = evidence.locator
    return node


def document_author(document: Document) -> dict:
    # Document.author records a name without saying whether a person or a body issued the
    # text; schema.org asks for one of the two. Statements are issued and signed by people
    # (the seed's is Yang Jiechi's) and the publisher is recorded as an Organization.
    author = {"@type": "Person", "name": document.author}
    if document.publisher:
        author["affiliation"] = {"@type": "Organization", "name": document.publisher}
    return author


def appearance(document: Document, absolute: Absolute) -> dict:
    """Where the claim appears: the document at its own address, else Claimbase's copy."""
    work = {"@type": "CreativeWork", "name": document.title}
    if document.url:
        work["url"] = document.url
    else:
        try:
            work["url"] = absolute(
                reverse("reader:document-detail", kwargs={"slug": document.slug})
            )
        except NoReverseMatch:
            work["url"] = absolute(reverse("document-detail", kwargs={"slug": document.slug}))
    if document.published_on:
        work["datePublished"] = document.published_on.isoformat()
    if document.publisher:
        work["publisher"] = {"@type": "Organization", "name": document.publisher}
    return work


def claim_review(claim: Claim, absolute: Absolute) -> dict:
    """One ClaimReview node (no @context): the claim, its verdict, and its evidence.

    `claim` should come with document and evidence__source loaded
    (Claim.objects.with_related()) so that a feed costs a fixed number of queries.
    """
    document = claim.document
    item = {
        "@type": "Claim",
        "text": claim.quote,
        "appearance": appearance(document, absolute),
    }
    if document.author:
        item["author"] = document_author(document)
    if document.published_on:
        item["datePublished"] = document.published_on.isoformat()
        item["firstAppearance"] = item["appearance"]
    if claim.attributed_to:
        item["mentions"] = {"@type": "Thing", "name": claim.attributed_to}
    evidence = sorted(
        claim.evidence.all(),
        key=lambda row: (row.stance != Stance.SUPPORTS, row.stance, row.source.key),
    )
    # The day of the review (or of publication): never the day the row was written, which
    # for an imported claim is the day it was loaded. Unknown, it is left out. The earlier
    # of the two stamps: a correction re-stamps reviewed_at, publication stays put.
    published = min(filter(None, [claim.reviewed_at, claim.status_changed_at]), default=None)
    corrections = list(claim.corrections.all())  # newest first (with_related's prefetch)
    modified = corrections[0].made_at if corrections else published
    review = {
        "@type": "ClaimReview",
        "url": review_url(claim, absolute),
        "identifier": f"{document.slug}/{claim.key}",
        "name": f"Claim {claim.key} of “{document.title}”",
        "claimReviewed": claim_reviewed_text(claim),
        "reviewRating": review_rating(claim),
        "itemReviewed": item,
        "author": {"@type": "Organization", "name": ORGANISATION, "url": absolute("/")},
        "inLanguage": document.language,
        "citation": [citation(row, absolute) for row in evidence],
    }
    if published is not None:
        review["datePublished"] = published.date().isoformat()
    if modified is not None:
        review["dateModified"] = max(filter(None, [modified, published])).date().isoformat()
    if claim.verdict_summary:
        review["reviewBody"] = claim.verdict_summary
    if corrections:
        review["correction"] = [correction_note(correction) for correction in corrections]
    return review


def correction_note(correction) -> dict:
    """schema.org CorrectionComment: what readers are told changed, and when."""
    kind = "Updated" if correction.kind == "update" else "Corrected"
    changed = ", ".join(
        dict.fromkeys(c["what"].split(":")[0] for c in correction.described_changes)
    )
    return {
        "@type": "CorrectionComment",
        "datePublished": correction.made_at.date().isoformat(),
        "text": f"{kind} ({changed}): {correction.reason}",
    }


def claim_review_document(claim: Claim, absolute: Absolute) -> dict:
    return {"@context": CONTEXT, **claim_review(claim, absolute)}


def claim_review_feed(document: Document, claims: Iterable[Claim], absolute: Absolute) -> dict:
    """All of a document's ClaimReviews as one JSON-LD graph."""
    return {
        "@context": CONTEXT,
        "@graph": [claim_review(claim, absolute) for claim in claims],
    }


def is_reviewed(claim: Claim) -> bool:
    """Whether a ClaimReview describes this claim; mirrors ClaimQuerySet.reviewed()."""
    return claim.status == ClaimStatus.PUBLISHED and claim.verdict in CHECKABLE_VERDICTS
