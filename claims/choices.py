"""Choice lists for claims and evidence."""

from django.db import models


class ClaimType(models.TextChoices):
    STATISTIC = "statistic", "Statistic"
    HISTORICAL_EVENT = "historical_event", "Historical event"
    QUOTATION = "quotation", "Quotation"
    ATTRIBUTION = "attribution", "Attribution"
    CAUSAL = "causal", "Causal claim"
    PREDICTION = "prediction", "Prediction"
    NORMATIVE = "normative", "Normative statement"
    CHARACTERIZATION = "characterization", "Characterization"


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    RETRACTED = "retracted", "Retracted"


class Verdict(models.TextChoices):
    SUPPORTED = "supported", "Supported"
    PARTLY_SUPPORTED = "partly_supported", "Partly supported"
    DISPUTED = "disputed", "Disputed"
    CONTRADICTED = "contradicted", "Contradicted"
    UNVERIFIABLE = "unverifiable", "Unverifiable"
    NOT_CHECKABLE = "not_checkable", "Not checkable (opinion)"


class Stance(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    CONTRADICTS = "contradicts", "Contradicts"
    QUALIFIES = "qualifies", "Qualifies"


# Evidence that is not support: what the design calls a claim's counter-sources.
COUNTER_STANCES = (Stance.CONTRADICTS, Stance.QUALIFIES)

# Verdicts that rate a checkable claim (everything but "not checkable").
CHECKABLE_VERDICTS = tuple(v for v in Verdict.values if v != Verdict.NOT_CHECKABLE)


# What each choice means, for readers: the methodology page (/about/) and the claim pages
# read these, next to the choices themselves, so the explanation cannot drift from the model.
CLAIM_TYPE_MEANINGS = {
    ClaimType.STATISTIC: "A figure: an amount, a rate, a ranking or a change over time.",
    ClaimType.HISTORICAL_EVENT: "That something happened, at a time or in a way the text says.",
    ClaimType.QUOTATION: "Words the text puts in someone's mouth, in quotation marks or not.",
    ClaimType.ATTRIBUTION: "That a person, body or country said, did or holds something.",
    ClaimType.CAUSAL: "That one thing caused, led to or prevented another.",
    ClaimType.PREDICTION: "What will happen; checked against what is known when reviewed.",
    ClaimType.NORMATIVE: "What should be done or is right: an opinion or an exhortation.",
    ClaimType.CHARACTERIZATION: "A description or label given to someone or something.",
}

VERDICT_MEANINGS = {
    Verdict.SUPPORTED: "The sources bear the claim out as stated.",
    Verdict.PARTLY_SUPPORTED: (
        "Part of the claim is borne out; part of it is overstated, imprecise or missing context."
    ),
    Verdict.DISPUTED: "Reliable sources disagree with one another about it.",
    Verdict.CONTRADICTED: "Reliable sources show the claim to be wrong as stated.",
    Verdict.UNVERIFIABLE: (
        "It could be checked in principle, but no source available to the curators settles it."
    ),
    Verdict.NOT_CHECKABLE: (
        "An opinion, a value judgement or an exhortation: nothing a source could confirm."
    ),
}

STANCE_MEANINGS = {
    Stance.SUPPORTS: "The source bears out the claim (a source).",
    Stance.CONTRADICTS: "The source says otherwise (a counter-source).",
    Stance.QUALIFIES: (
        "The source adds a limit, a condition or missing context (a counter-source)."
    ),
}

STATUS_MEANINGS = {
    ClaimStatus.DRAFT: "Being analysed; not public.",
    ClaimStatus.IN_REVIEW: "Awaiting a reviewer's verdict; not public.",
    ClaimStatus.PUBLISHED: "Reviewed and public.",
    ClaimStatus.RETRACTED: "Withdrawn after publication; kept on the record and marked as such.",
}


class CopyKind(models.TextChoices):
    """Where an evidence row's text was read (derived from its consulted_url, claims/copies.py)."""

    PUBLISHER = "publisher", "At the publisher"
    ARCHIVE = "archive", "In an archive"
    THIRD_PARTY = "third_party", "In a third-party copy"


class CorrectionKind(models.TextChoices):
    """How a change to a published claim is shown: a correction, or an update (a typo fixed)."""

    CORRECTION = "correction", "Correction"
    UPDATE = "update", "Update (a trivial edit)"


class Finding(models.TextChoices):
    """What the machine found when it looked for an excerpt in the stored copies of its
    source (claims/excerpt_finding.py); apart from a curator's "verified"."""

    FOUND = "found", "Found in a stored copy"
    NOT_FOUND = "not_found", "Not found in the stored copies"
    NO_SNAPSHOT = "no_snapshot", "No stored copy to check"
