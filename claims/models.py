"""Documents, their sections, the claims they make, and the evidence that bears on each claim."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import Truncator
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel, bounded_text
from core.visibility import PUBLIC_CLAIM_STATUSES, VisibleQuerySet
from sources.models import Source

from .choices import (
    CHECKABLE_VERDICTS,
    COUNTER_STANCES,
    ClaimStatus,
    ClaimType,
    CopyKind,
    CorrectionKind,
    Finding,
    Stance,
    Verdict,
)
from .copies import copy_kind
from .querysets import (
    ClaimNoteQuerySet,
    ClaimQuerySet,
    DocumentQuerySet,
    EvidenceQuerySet,
    TopicQuerySet,
)


def choices_valid(field: str, choices) -> models.CheckConstraint:
    """A database check that `field` holds one of `choices` (Django does not add one itself)."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": choices.values}),
        name=f"%(app_label)s_%(class)s_{field}_valid",
    )


class KeptOnRecord:
    """delete() refuses (claims.editing.OnRecordDeletion, the API's 409) when claims on the
    public record would go with the row: a published claim, a document or topic of one."""

    def delete(self, *args, **kwargs):
        from .editing import deletion_refusal  # editing builds on these models

        refusal = deletion_refusal(self)
        if refusal is not None:
            raise refusal
        return super().delete(*args, **kwargs)


class TopicManager(models.Manager.from_queryset(TopicQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Topic(KeptOnRecord, models.Model):
    """A subject that claims are tagged with, e.g. trade or Taiwan."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    history = HistoricalRecords()
    objects = TopicManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


# The longest text a document may have, in characters: a 10,000-claim statement runs to
# about 1.4 million (the benchmark corpus's documents; its export must import again).
DOCUMENT_TEXT_LIMIT = 2_000_000


class DocumentManager(models.Manager.from_queryset(DocumentQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Document(KeptOnRecord, TimeStampedModel):
    """An analysed text, stored verbatim: claim offsets point into `body`, so it is never normalised."""

    title = models.CharField(max_length=500)
    slug = models.SlugField(max_length=200, unique=True)
    author = models.CharField(max_length=300, blank=True, help_text="Who issued or signed it.")
    publisher = models.CharField(max_length=300, blank=True)
    published_on = models.DateField(null=True, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    language = models.CharField(max_length=16, default="en")
    body = bounded_text(DOCUMENT_TEXT_LIMIT, help_text="The full text, exactly as published.")
    body_sha256 = models.CharField(
        max_length=64, editable=False, help_text="Fingerprint of the body, to notice any change."
    )
    notes = bounded_text(
        5_000, blank=True, help_text="Public: a description of the document for readers."
    )

    history = HistoricalRecords(excluded_fields=["body_sha256"])
    objects = DocumentManager()

    # The text and the columns stored after it in the row. SQLite reaches a column only by
    # reading through the ones before it, so a read of a document beside its claims that
    # shows none of these defers all three (`Document.without_text()`); the whole 1.4 MB
    # text of a long document was read for each row of a claims table otherwise.
    TEXT_FIELDS = ("body", "body_sha256", "notes")

    class Meta:
        ordering = ["-published_on", "title"]

    @classmethod
    def without_text(cls, via: str = "") -> list[str]:
        """The names to defer() for the text columns, through the relation `via` if given
        (e.g. "document" for a claim's document)."""
        return [f"{via}__{name}" if via else name for name in cls.TEXT_FIELDS]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body_sha256 = self.compute_sha256()
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        if self.body and not self.body.strip():
            raise ValidationError({"body": "The body is only white space."})
        if "\x00" in self.body:
            raise ValidationError({"body": "The body contains a NUL character."})
        if self.body_sha256 and self.body_sha256 != self.compute_sha256():
            raise ValidationError({"body_sha256": "The fingerprint does not match the body."})

    def compute_sha256(self) -> str:
        return hashlib.sha256(self.body.encode("utf-8")).hexdigest()


class DocumentVersionManager(models.Manager.from_queryset(VisibleQuerySet)):
    def get_by_natural_key(self, document_slug, number):
        return self.get(document__slug=document_slug, number=number)


class DocumentVersion(TimeStampedModel):
    """One text of a document: the one it was first curated on, and each revision since
    (a correction, another release). The document's body is always the latest; earlier
    texts stay readable with where each claim stood in them (`anchors`)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    body = bounded_text(DOCUMENT_TEXT_LIMIT, help_text="This text, exactly as published.")
    body_sha256 = models.CharField(max_length=64)
    published_on = models.DateField(null=True, blank=True)
    url = models.URLField(max_length=1000, blank=True, help_text="Where this text was published.")
    publisher = models.CharField(max_length=300, blank=True)
    note = bounded_text(2_000, blank=True)
    anchors = models.JSONField(
        default=dict, blank=True, help_text="Claim key -> [start, end] in this text."
    )

    history = HistoricalRecords()
    objects = DocumentVersionManager()

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="%(app_label)s_%(class)s_unique_number"
            ),
        ]

    def __str__(self):
        return f"{self.document.slug} version {self.number}"

    def natural_key(self):
        return (*self.document.natural_key(), self.number)

    natural_key.dependencies = ["claims.document"]


class SectionManager(models.Manager.from_queryset(VisibleQuerySet)):
    def get_by_natural_key(self, document_slug, label):
        return self.get(document__slug=document_slug, label=label)


class Section(models.Model):
    """A labelled span of a document (the untitled opening, I, II, ...)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="sections")
    label = models.CharField(max_length=50, help_text="e.g. intro, I, II.")
    title = models.CharField(max_length=300, blank=True)
    order = models.PositiveIntegerField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()

    history = HistoricalRecords()
    objects = SectionManager()

    class Meta:
        ordering = ["document", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "label"], name="%(app_label)s_%(class)s_unique_label"
            ),
            models.UniqueConstraint(
                fields=["document", "order"], name="%(app_label)s_%(class)s_unique_order"
            ),
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="%(app_label)s_%(class)s_start_before_end"
            ),
        ]

    def __str__(self):
        return f"{self.label}" + (f" — {self.title}" if self.title else "")

    def natural_key(self):
        return (*self.document.natural_key(), self.label)

    natural_key.dependencies = ["claims.document"]

    def clean(self):
        if self.document_id is None or self.start is None or self.end is None:
            return
        if self.end > len(self.document.body):
            raise ValidationError(
                {
                    "end": f"Section ends at {self.end}, past the document's end ({len(self.document.body)})."
                }
            )
        if self.start >= self.end:
            raise ValidationError({"end": "A section must end after it starts."})
        overlapping = Section.objects.filter(
            document_id=self.document_id, start__lt=self.end, end__gt=self.start
        ).exclude(pk=self.pk)
        if overlapping.exists():
            other = overlapping.first()
            raise ValidationError(
                {
                    "start": f"Section {self.label} overlaps section {other.label} ({other.start}–{other.end})."
                }
            )


class ClaimManager(models.Manager.from_queryset(ClaimQuerySet)):
    def get_by_natural_key(self, document_slug, key):
        return self.get(document__slug=document_slug, key=key)


class Claim(KeptOnRecord, TimeStampedModel):
    """One statement a document makes, anchored by its exact words and their offsets."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="claims")
    # RESTRICT, not PROTECT: a section with claims is not deleted on its own, but deleting
    # its document takes both (PROTECT refused that too, as a 500).
    section = models.ForeignKey(
        Section, on_delete=models.RESTRICT, related_name="claims", null=True, blank=True
    )
    key = models.CharField(
        max_length=20, help_text="Stable per document, e.g. C001; used in links such as #C001."
    )
    quote = bounded_text(5_000, help_text="The exact words of the document.")
    start = models.PositiveIntegerField(
        help_text="Offset of the quote's first character (filled in from the quote when left empty)."
    )
    end = models.PositiveIntegerField(help_text="Offset just past the quote's last character.")
    paraphrase = bounded_text(2_000, blank=True, help_text="A neutral restatement.")
    claim_type = models.CharField(max_length=32, choices=ClaimType.choices)
    attributed_to = models.CharField(
        max_length=200, blank=True, help_text="Who is quoted or reported, for quotations."
    )
    topics = models.ManyToManyField(Topic, related_name="claims", blank=True)
    checkable = models.BooleanField(default=True, help_text="False for opinions and exhortations.")
    status = models.CharField(
        max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT, db_index=True
    )
    verdict = models.CharField(max_length=32, choices=Verdict.choices, blank=True)
    verdict_summary = bounded_text(10_000, blank=True)
    review_note = bounded_text(
        5_000, blank=True, help_text="Internal: what is still missing or must be checked."
    )
    # People, not accounts (accounts.Person): who did what travels with the data in datasets.
    reviewed_by = models.ForeignKey(
        "accounts.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_claims",
        help_text="Who published it after review.",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        "accounts.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="status_changed_claims",
        help_text="Who made the last workflow transition.",
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # The desk's working state (internal: never public, never in a published export).
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_claims",
        help_text="The curator checking this claim now.",
    )
    due_on = models.DateField(null=True, blank=True, help_text="When the check should be done.")
    same_as = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="restatements",
        verbose_name="same claim as",
        help_text=(
            "A curator confirmed that this claim states the same thing as that one (often in "
            "another document), so the statement is tracked once, under that claim."
        ),
    )

    anchored_version = models.ForeignKey(
        "DocumentVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="lost_claims",
        help_text="Set when a revision of the text lost this claim: it stays anchored in "
        "this earlier version's text until a curator places it again.",
    )

    history = HistoricalRecords(m2m_fields=[topics])
    objects = ClaimManager()

    class Meta:
        ordering = ["document", "start", "key"]
        permissions = [
            ("publish_claim", "Can publish a claim"),
            ("retract_claim", "Can retract a published claim"),
            ("set_verdict_claim", "Can set a claim's verdict"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "key"], name="%(app_label)s_%(class)s_unique_key"
            ),
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="%(app_label)s_%(class)s_start_before_end"
            ),
            choices_valid("claim_type", ClaimType),
            choices_valid("status", ClaimStatus),
            models.CheckConstraint(
                condition=Q(verdict="") | Q(verdict__in=Verdict.values),
                name="%(app_label)s_%(class)s_verdict_valid",
            ),
            # An opinion cannot be rated true or false; a checkable claim is never "not checkable".
            models.CheckConstraint(
                condition=Q(checkable=True, verdict__in=["", *CHECKABLE_VERDICTS])
                | Q(checkable=False, verdict__in=["", Verdict.NOT_CHECKABLE]),
                name="%(app_label)s_%(class)s_verdict_matches_checkable",
            ),
        ]
        indexes = [
            models.Index(fields=["document", "start"], name="claims_claim_doc_start"),
            # The faceted columns behind the visibility rule's status: facets (and filtered
            # counts) read this narrow index instead of the wide rows.
            models.Index(
                fields=["status", "claim_type", "verdict", "section", "attributed_to"],
                name="claims_claim_facets",
            ),
            # The public claims in the list's order: a deep page of a reader's list counts
            # its offset down this narrow index (core/pagination.py reads the page's ids
            # first) instead of walking the wide rows. The condition is the visibility
            # rule's own, written alike, so SQLite and PostgreSQL see that it applies.
            models.Index(
                fields=["document", "start", "id"],
                name="claims_claim_public_order",
                condition=Q(status__in=PUBLIC_CLAIM_STATUSES),
            ),
        ]

    def __str__(self):
        # Cut with an ellipsis, so a title or a breadcrumb never reads as the whole quote.
        return f"{self.key}: {Truncator(self.quote).chars(60)}"

    def natural_key(self):
        return (*self.document.natural_key(), self.key)

    natural_key.dependencies = ["claims.document", "claims.section"]

    def clean(self):
        errors = {}
        if self.document_id is not None and self.start is not None and self.end is not None:
            # A claim lost in a revision stays anchored in the text it was made on.
            version = self.anchored_version if self.anchored_version_id else None
            body = version.body if version is not None else self.document.body
            if self.end > len(body) or body[self.start : self.end] != self.quote:
                errors["quote"] = (
                    f"The document text at {self.start}–{self.end} is not the quote "
                    f"(it reads {body[self.start : self.end][:60]!r})."
                )
            section = self.section if self.section_id else None
            if section is not None:
                if section.document_id != self.document_id:
                    errors["section"] = "The section belongs to another document."
                elif not (section.start <= self.start and self.end <= section.end):
                    errors["section"] = (
                        f"The quote ({self.start}–{self.end}) lies outside section "
                        f"{section.label} ({section.start}–{section.end})."
                    )
            if "quote" not in errors:
                errors.update(self.duplicate_problems())
        errors.update(self.same_as_problems())
        if not self.checkable and self.verdict not in ("", Verdict.NOT_CHECKABLE):
            errors["verdict"] = "A claim that is not checkable can only be 'not checkable'."
        if self.checkable and self.verdict == Verdict.NOT_CHECKABLE:
            errors["verdict"] = "A checkable claim cannot be 'not checkable'; untick 'checkable'."
        if errors:
            raise ValidationError(errors)

    def duplicate_problems(self) -> dict[str, str]:
        """Two claims never hold the same span of a document: the second is the first again."""
        twin = (
            Claim.objects.filter(document_id=self.document_id, start=self.start, end=self.end)
            .exclude(pk=self.pk)
            .only("key", "status")
            .first()
        )
        if twin is None:
            return {}
        return {
            "quote": f"These words are already claim {twin.key} ({twin.get_status_display().lower()}) "
            f"of this document; open {twin.key} to edit it instead of adding it again."
        }

    def overlapping(self) -> "models.QuerySet[Claim]":
        """The other claims of the document whose spans share text with this one's."""
        return (
            Claim.objects.filter(
                document_id=self.document_id, start__lt=self.end, end__gt=self.start
            )
            .exclude(pk=self.pk)
            .only("pk", "key", "start", "end", "quote", "status")
            .order_by("start")
        )

    def same_as_problems(self) -> dict[str, str]:
        """A same-as link points at a claim that is itself no restatement (links stay one step)."""
        if self.same_as_id is None:
            return {}
        if self.pk is not None and self.same_as_id == self.pk:
            return {"same_as": "A claim cannot be a restatement of itself."}
        target = self.same_as
        if target.same_as_id is not None:
            return {
                "same_as": f"{target.document.slug} {target.key} is itself recorded as the same "
                f"as claim {target.same_as_id}; link to that claim instead."
            }
        if self.pk is not None and self.restatements.exists():
            return {
                "same_as": "Other claims are recorded as the same as this one; link them to "
                "the new claim first (the API's same-as action does this for you)."
            }
        return {}


class ClaimNote(models.Model):
    """One message of a claim's notes thread: the desk's conversation, never public.

    The author is a person (accounts.Person), as for every record of who did something.
    """

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        "accounts.Person", on_delete=models.PROTECT, related_name="claim_notes"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    text = bounded_text(5_000)

    history = HistoricalRecords()
    objects = ClaimNoteQuerySet.as_manager()

    class Meta:
        ordering = ["claim", "created_at", "id"]

    def __str__(self):
        return f"{self.claim.key}, {self.author}: {self.text[:40]}"

    def natural_key(self):
        return (*self.claim.natural_key(), self.created_at.isoformat())

    natural_key.dependencies = ["claims.claim"]

    def clean(self):
        if not self.text.strip():
            raise ValidationError({"text": "A note needs some text."})


class EvidenceManager(models.Manager.from_queryset(EvidenceQuerySet)):
    def get_by_natural_key(self, document_slug, claim_key, source_key, stance):
        return self.get(
            claim__document__slug=document_slug,
            claim__key=claim_key,
            source__key=source_key,
            stance=stance,
        )


class Evidence(TimeStampedModel):
    """The link between a claim and a source: what the source says and which way it cuts."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="evidence")
    stance = models.CharField(max_length=16, choices=Stance.choices)
    excerpt = bounded_text(
        10_000,
        blank=True,
        help_text="The source's own words, exactly as they stand there; nothing else (or empty).",
    )
    summary = bounded_text(
        10_000, blank=True, help_text="What the source says, in the curator's words."
    )
    locator = models.CharField(max_length=200, blank=True, help_text="Page, table, paragraph.")
    note = bounded_text(
        5_000, blank=True, help_text="A curator's comment, public: shown with the evidence."
    )
    verified = models.BooleanField(
        default=False,
        help_text="A curator read the source itself and found the excerpt (or what the summary says) there.",
    )
    consulted_url = models.URLField(
        max_length=1000, blank=True, help_text="The address actually read when verifying."
    )
    copy_kind = models.CharField(
        max_length=16,
        choices=CopyKind.choices,
        blank=True,
        editable=False,
        help_text="Where the text was read, derived from the address read (claims/copies.py).",
    )
    # The machine's finding (manage.py verify_excerpts), kept apart from `verified`.
    found = models.CharField(max_length=16, choices=Finding.choices, blank=True, editable=False)
    found_in = models.ForeignKey(
        "sources.Snapshot",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="The stored copy the excerpt was found in.",
    )
    found_at = models.PositiveIntegerField(
        null=True, blank=True, editable=False, help_text="Where in that copy's text."
    )
    checked_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords()
    objects = EvidenceManager()

    class Meta:
        ordering = ["claim", "stance", "source__key"]
        verbose_name_plural = "evidence"
        # The evidence list's order (the API's): a page is read down this index instead of
        # sorting every public claim's evidence (200,000 rows: 62 ms to 13 ms on SQLite).
        indexes = [
            models.Index(fields=["claim", "stance", "id"], name="claims_evidence_list_order")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "source", "stance"], name="%(app_label)s_%(class)s_unique_link"
            ),
            choices_valid("stance", Stance),
            models.CheckConstraint(
                condition=Q(copy_kind="") | Q(copy_kind__in=CopyKind.values),
                name="%(app_label)s_%(class)s_copy_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.claim.key} {self.stance} {self.source.key}"

    def save(self, *args, **kwargs):
        self.copy_kind = self.derive_copy_kind()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "consulted_url" in update_fields:
            kwargs["update_fields"] = {*update_fields, "copy_kind"}
        super().save(*args, **kwargs)

    def derive_copy_kind(self) -> str:
        """Where the text was read: publisher, archive or third-party copy (claims/copies.py)."""
        source_url = self.source.url if self.source_id is not None else ""
        return copy_kind(self.consulted_url, source_url)

    def natural_key(self):
        return (*self.claim.natural_key(), *self.source.natural_key(), self.stance)

    natural_key.dependencies = ["claims.claim", "sources.source"]

    def clean(self):
        if self.stance in COUNTER_STANCES and not (self.excerpt.strip() or self.summary.strip()):
            raise ValidationError(
                {
                    "excerpt": "A counter-source needs an excerpt or a summary: what does the "
                    "source say instead?"
                }
            )


class SupportingEvidence(Evidence):
    """Evidence that supports its claim (a proxy, so the admin can show it as its own inline)."""

    class Meta:
        proxy = True
        verbose_name = "source"
        verbose_name_plural = "sources (supporting)"


class CounterEvidence(Evidence):
    """Evidence that contradicts or qualifies its claim: the claim's counter-sources."""

    class Meta:
        proxy = True
        verbose_name = "counter-source"
        verbose_name_plural = "counter-sources (contradicting or qualifying)"


class CorrectionManager(models.Manager.from_queryset(VisibleQuerySet)):
    def get_by_natural_key(self, document_slug, claim_key, made_at):
        return self.get(claim__document__slug=document_slug, claim__key=claim_key, made_at=made_at)


class Correction(models.Model):
    """A change to a claim on the public record, as readers see it: when, what and why.

    Recorded by claims.editing when a reviewer changes a published or retracted claim's
    substance; public with its claim (core.visibility), listed newest first (IFCN's open
    corrections). `changes` lists {"field", "old", "new"} (an evidence row's as a whole).
    """

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="corrections")
    made_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(
        max_length=16, choices=CorrectionKind.choices, default=CorrectionKind.CORRECTION
    )
    reason = bounded_text(2_000, help_text="Why the claim changed, for readers.")
    changes = models.JSONField(default=list, blank=True, encoder=DjangoJSONEncoder)
    made_by = models.ForeignKey(
        "accounts.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        help_text="The reviewer who made the change.",
    )

    history = HistoricalRecords()
    objects = CorrectionManager()

    class Meta:
        ordering = ["-made_at", "-id"]
        constraints = [
            choices_valid("kind", CorrectionKind),
            models.CheckConstraint(
                condition=~Q(reason=""), name="%(app_label)s_%(class)s_reason_given"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.claim.key}, {self.made_at:%Y-%m-%d}"

    def natural_key(self):
        return (*self.claim.natural_key(), self.made_at.isoformat())

    natural_key.dependencies = ["claims.claim"]

    @property
    def described_changes(self) -> list[dict]:
        """The changes as readers read them: {"what", "old", "new"} in words."""
        return [describe_change(change) for change in self.changes]


CHANGE_LABELS = {
    "quote": "Quote", "start": "Start offset", "end": "End offset", "paraphrase": "Paraphrase",
    "claim_type": "Type", "checkable": "Checkable", "attributed_to": "Attributed to",
    "verdict": "Verdict", "verdict_summary": "Summary", "same_as": "Same claim as",
    "document": "Document", "section": "Section", "key": "Key",
}  # fmt: skip
CHOICE_LABELS = {"verdict": dict(Verdict.choices), "claim_type": dict(ClaimType.choices)}


def describe_change(change: dict) -> dict:
    field, old, new = change["field"], change["old"], change["new"]
    if field != "evidence":
        labels = CHOICE_LABELS.get(field, {})
        return {
            "what": CHANGE_LABELS.get(field, field),
            "old": labels.get(old, old),
            "new": labels.get(new, new),
        }
    row = new or old
    kind = "counter-source" if row.get("stance") in COUNTER_STANCES else "source"
    what = f"{kind.capitalize()} {row.get('source')}"
    if old is None:
        return {"what": what, "old": "", "new": f"added: {new.get('excerpt') or '(no excerpt)'}"}
    if new is None:
        return {"what": what, "old": old.get("excerpt") or "", "new": "removed"}
    names = [name for name in new if new.get(name) != old.get(name)]
    return {
        "what": f"{what}: " + ", ".join(names),
        "old": "; ".join(str(old.get(name)) for name in names),
        "new": "; ".join(str(new.get(name)) for name in names),
    }
