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
