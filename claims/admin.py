"""The curator's desk: claims with their sources and counter-sources, documents, topics.

The admin decides nothing itself: anchoring is services.anchor_claim, status moves are
workflow.claim_transition (buttons and list actions both come from workflow.TRANSITIONS).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from simple_history.admin import SimpleHistoryAdmin

from core.admin import NoRevertHistoryAdmin, VersionedModelForm
from sources.models import Source

from . import bulk, desk, editing, roles, services, workflow
from .anchoring import shorten
from .choices import COUNTER_STANCES, ClaimStatus, CorrectionKind, Stance
from .models import (
    Claim,
    ClaimNote,
    CounterEvidence,
    Document,
    Evidence,
    Section,
    SupportingEvidence,
    Topic,
)
from .querysets import has_counter_sources


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    fields = ["order", "label", "title", "start", "end"]


class OnRecordDeletionMixin:
    """The delete page says why a row claims on the record depend on cannot go (instead of
    the pre_delete refusal of claims.editing surfacing as an error page)."""

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        refusals = [refusal for refusal in map(self.deletion_refusal, objs) if refusal]
        if refusals:
            # The page shows missing permissions before protected rows; the reason comes first.
            return deleted, counts, set(), [*refusals, *protected]
        return deleted, counts, perms_needed, protected

    def deletion_refusal(self, obj) -> str | None:
        refusal = editing.deletion_refusal(obj)
        return f"{obj}: {refusal.detail}" if refusal else None


class CorrectionFormMixin(forms.Form):
    """The reason a reviewer gives for changing a claim on the record (claims.editing)."""

    correction_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason for the correction",
        help_text=(
            "This claim is on the public record: say why it changes. Readers see the reason "
            "with the date and what changed."
        ),
    )
    correction_kind = forms.ChoiceField(
        choices=CorrectionKind.choices,
        initial=CorrectionKind.CORRECTION,
        required=False,
        label="Kind",
        help_text="An update is a trivial edit (a typo); anything else is a correction.",
    )

    def correction(self) -> dict:
        return {
            "reason": self.cleaned_data.get("correction_reason", ""),
            "kind": self.cleaned_data.get("correction_kind") or CorrectionKind.CORRECTION,
        }


REASON_NEEDED = (
    "This claim is on the public record: give the reason for the correction (in the "
    "Correction section below)."
)


@admin.register(Document)
class DocumentAdmin(OnRecordDeletionMixin, SimpleHistoryAdmin):
    object_history_list_template = "admin/history_list.html"  # "(none)", not "None"
    form = VersionedModelForm
    list_display = ["short_title", "author", "published_on", "claim_count"]
    search_fields = ["title", "author", "publisher", "slug"]

    @admin.display(description="title", ordering="title")
    def short_title(self, document):
        return shorten(document.title, 90)

    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["body_sha256", "created_at", "updated_at"]
    inlines = [SectionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_claim_counts(request.user).defer("body")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "body":
            # The text exactly as published: a form strips white space at both ends by
            # default, which changes the body's fingerprint and shifts every claim's offsets.
            field.strip = False
        return field

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, document):
        return document.claim_count

    def get_urls(self):
        progress = path(
            "<path:object_id>/progress/",
            self.admin_site.admin_view(self.progress_view),
            name="claims_document_progress",
        )
        return [progress, *super().get_urls()]

    def progress_view(self, request, object_id):
        document = self.get_object(request, object_id)
        if document is None:
            raise Http404(f"No document with id {object_id!r}.")
        if not self.has_view_permission(request, document):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": f"Progress: {document.title}",
            "opts": self.model._meta,
            "original": document,
            "progress": desk.document_progress(document),
        }
        return TemplateResponse(request, "admin/claims/document/progress.html", context)


class EvidenceInlineFormSet(forms.BaseInlineFormSet):
    """A change to the evidence of a claim on the record needs the correction's reason,
    given in the claim's form (the formset reads it from the same POST)."""

    def clean(self):
        super().clean()
        claim = self.instance
        reason = self.data.get("correction_reason", "").strip()
        if claim.pk and editing.is_on_record(claim) and self.has_changed() and not reason:
            raise forms.ValidationError(REASON_NEEDED)


class EvidenceInlineBase(admin.StackedInline):
    model = Evidence
    formset = EvidenceInlineFormSet
    extra = 0
    autocomplete_fields = ["source"]
    fields = [
        ("source", "stance"), "excerpt", "summary", ("locator", "verified"),
        ("consulted_url", "copy_kind"), "note",
    ]  # fmt: skip
    readonly_fields = ["copy_kind"]
    stances: tuple = ()

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(stance__in=self.stances).select_related("source")
        )

    # The two inlines are proxies of Evidence, for the admin's sake only: the roles grant
    # Evidence's permissions (claims/roles.py), so those decide, not the proxies' own.
    # `obj` is the claim: on the record, its evidence is read-only but for reviewers.
    def evidence_permission(self, request, action: str, claim=None) -> bool:
        if claim is not None and not editing.may_change_substance(request.user, claim):
            return False
        return request.user.has_perm(f"claims.{action}_evidence")

    def has_view_permission(self, request, obj=None):
        return self.evidence_permission(request, "view") or self.has_change_permission(request)

    def has_add_permission(self, request, obj=None):
        return self.evidence_permission(request, "add", obj)

    def has_change_permission(self, request, obj=None):
        return self.evidence_permission(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return self.evidence_permission(request, "delete", obj)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "stance":
            kwargs["choices"] = [
                (value, label) for value, label in Stance.choices if value in self.stances
            ]
            kwargs["initial"] = self.stances[0]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


class SupportingEvidenceInline(EvidenceInlineBase):
    model = SupportingEvidence
    stances = (Stance.SUPPORTS,)
    verbose_name = "source"
    verbose_name_plural = "Sources (supporting)"


class CounterEvidenceInline(EvidenceInlineBase):
    model = CounterEvidence
    stances = COUNTER_STANCES
    verbose_name = "counter-source"
    verbose_name_plural = "Counter-sources (contradicting or qualifying)"


class ClaimsCsvForm(forms.Form):
    document = forms.ModelChoiceField(queryset=Document.objects.defer("body", "notes"))
    file = forms.FileField(help_text="UTF-8, with a header row; at most 5 MB.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError("The file is larger than 5 MB; split it.")
        try:
            self.cleaned_data["text"] = upload.read().decode("utf-8")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(
                f"The file is not UTF-8 text (byte {error.start}); save it as “CSV UTF-8”."
            ) from error
        return upload


class NotesInline(admin.TabularInline):
    """The claim's notes thread, read-only: a note is a record (NewNoteInline adds one)."""

    model = ClaimNote
    extra = 0
    fields = ["created_at", "author", "text"]
    readonly_fields = fields
    verbose_name = "note"
    verbose_name_plural = "Notes (the desk's thread, never public)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NewNoteInline(admin.StackedInline):
    """A new note to the thread; its author is who saves it (ClaimAdmin.save_formset)."""

    model = ClaimNote
    extra = 1
    max_num = 1
    fields = ["text"]
    verbose_name = "new note"
    verbose_name_plural = "Add a note"
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)


class ClaimAdminForm(CorrectionFormMixin, VersionedModelForm):
    """Offsets are optional: left empty, or no longer matching the quote, they are found from it."""

    accept_overlaps = forms.BooleanField(
        required=False,
        label="Accept overlaps",
        help_text="Save a quote that shares words with other claims of the document.",
    )
    occurrence = forms.IntegerField(
        required=False,
        min_value=1,
        help_text="When the quote occurs more than once in the document: which occurrence (1, 2, ...).",
    )

    class Meta:
        model = Claim
        fields = [
            "document", "section", "key", "quote", "start", "end", "paraphrase", "claim_type",
            "checkable", "attributed_to", "topics", "verdict", "verdict_summary",
            "review_note", "loaded_version", "same_as", "assignee", "due_on",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("start", "end"):
            if name in self.fields:  # read-only on a claim on the record
                self.fields[name].required = False
        if "key" in self.fields:
            self.fields["key"].required = False
            self.fields[
                "key"
            ].help_text = "Left empty: the document's next free key (C001, C002, …)."
        self.limit_sections()

    def limit_sections(self) -> None:
        """Sections read "document › I", and only the chosen document's are offered."""
        field = self.fields.get("section")
        if field is None:
            return
        document_id = self.data.get("document") or self.initial.get("document")
        if self.instance.pk and not document_id:
            document_id = self.instance.document_id
        sections = Section.objects.select_related("document").only(
            "label", "title", "order", "document__title"
        )
        if str(document_id or "").isdigit():
            sections = sections.filter(document_id=document_id)
        field.queryset = sections.order_by("document__title", "order")
        field.label_from_instance = lambda section: (
            f"{shorten(section.document.title, 40)} › {section.label}"
            + (f" — {shorten(section.title, 40)}" if section.title else "")
        )

    move_refusal = None  # set by ClaimAdmin.get_form when a workflow button's move was refused

    def clean(self):
        cleaned = super().clean()
        if self.move_refusal is not None:
            self.show_move_refusal(self.move_refusal)
        self.check_correction_reason(cleaned)
        key_typed = "key" in self.fields  # read-only (not in the form) on a claim on the record
        if key_typed and not cleaned.get("key") and cleaned.get("document") is not None:
            cleaned["key"] = desk.next_claim_key(cleaned["document"])
            self.instance.key = cleaned["key"]
        if cleaned.get("document") is None or not cleaned.get("quote"):
            return cleaned  # the missing field has its own error
        placed = Claim(
            document=cleaned["document"],
            quote=cleaned["quote"],
            start=cleaned.get("start"),
            end=cleaned.get("end"),
            section=cleaned.get("section"),
        )
        try:
            services.anchor_claim(placed, occurrence=cleaned.get("occurrence"))
        except ValidationError as error:
            self.add_error(None, error)
            return cleaned
        cleaned.update(
            start=placed.start, end=placed.end, section=placed.section, quote=placed.quote
        )
        self.warn_of_overlaps(placed, cleaned)
        return cleaned

    def warn_of_overlaps(self, placed: Claim, cleaned: dict) -> None:
        """A new span that shares words with other claims is saved only once accepted."""
        stored = self.instance
        if stored.pk and (stored.start, stored.end) == (placed.start, placed.end):
            return  # the span did not move: it was accepted before
        placed.pk = stored.pk
        others = list(placed.overlapping().exclude(start=placed.start, end=placed.end))
        if not others or cleaned.get("accept_overlaps"):
            return
        links = format_html_join(
            ", ",
            '<a href="{}" target="_blank">{}</a> ({}–{})',
            (
                (reverse("admin:claims_claim_change", args=[o.pk]), o.key, o.start, o.end)
                for o in others
            ),
        )
        self.add_error(
            "accept_overlaps",
            format_html(
                "These words (offsets {}–{}) overlap {}. Tick “Accept overlaps” and save "
                "again to keep them, or shorten the quote.",
                placed.start,
                placed.end,
                links,
            ),
        )

    def show_move_refusal(self, refused) -> None:
        """The refusal's reasons beside the fields they concern, the rest above the form."""
        label = status_label(refused.target)
        self.add_error(None, f"Nothing was saved: the claim cannot be {label} yet.")
        error = refused.error
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            for field, problems in error.message_dict.items():
                self.add_error(field if field in self.fields else None, problems)
        else:
            self.add_error(None, workflow.refusal_sentences(error))

    def check_correction_reason(self, cleaned) -> None:
        substance = set(self.changed_data) & set(editing.CLAIM_SUBSTANCE_FIELDS)
        claim = self.instance
        reason = cleaned.get("correction_reason", "").strip()
        if claim.pk and editing.is_on_record(claim) and substance and not reason:
            self.add_error("correction_reason", REASON_NEEDED)


class HasCounterSourcesFilter(admin.SimpleListFilter):
    title = "counter-sources"
    parameter_name = "has_counter_sources"

    def lookups(self, request, model_admin):
        return [("yes", "Has counter-sources"), ("no", "No counter-sources")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(has_counter_sources())
        if self.value() == "no":
            return queryset.filter(~has_counter_sources())
        return queryset


def evidence_history(claim_id) -> list:
    """Every recorded version of a claim's evidence rows, newest first, each with what changed
    from the version before it (fields the curator sees, not timestamps)."""
    if not str(claim_id).isdigit():
        return []
    records = list(
        Evidence.history.filter(claim_id=int(claim_id))
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    sources = dict(
        Source.objects.filter(pk__in={r.source_id for r in records}).values_list("pk", "key")
    )
    previous = {}
    for record in records:
        record.source_key = sources.get(record.source_id, "(deleted source)")
        before = previous.get(record.id)
        record.changes = []
        if before is not None:
            delta = record.diff_against(before, excluded_fields=["updated_at", "created_at"])
            record.changes = [{"field": c.field, "old": c.old, "new": c.new} for c in delta.changes]
        previous[record.id] = record
    return sorted(records, key=lambda r: (r.history_date, r.history_id), reverse=True)


class MoveRefused(Exception):
    """A workflow button's move was refused: raised inside the admin's transaction to undo the save."""

    def __init__(self, target: str, error: ValidationError | PermissionDenied):
        super().__init__(target)
        self.target, self.error = target, error


def status_label(status: str) -> str:
    return ClaimStatus(status).label.lower() if status in ClaimStatus.values else status


def transition_action(transition: workflow.Transition):
    """A changelist action making one workflow move on every selected claim."""

    @admin.action(description=f"{transition.label} (selected claims)", permissions=["change"])
    def move(modeladmin, request, queryset):
        modeladmin.transition_action(request, queryset, transition.target)

    move.__name__ = transition.name
    return move


@admin.register(Claim)
class ClaimAdmin(OnRecordDeletionMixin, NoRevertHistoryAdmin):
    form = ClaimAdminForm
    # Fits 1280 px without scrolling: the quote is the wide column; the document is a filter.
    list_display = [
        "key", "short_quote", "claim_type", "status", "verdict", "source_count",
        "counter_source_count",
    ]  # fmt: skip
    list_filter = [
        "document", "claim_type", "status", "verdict", "assignee", "topics",
        HasCounterSourcesFilter, "checkable",
    ]  # fmt: skip
    list_select_related = ["document", "section"]
    # What the API's search reads (claims/api/views.py ClaimViewSet.search_fields).
    search_fields = ["key", "quote", "paraphrase", "attributed_to", "verdict_summary"]
    autocomplete_fields = ["topics", "same_as"]
    readonly_fields = [
        "quote_in_context", "reviewed_by", "reviewed_at", "created_at", "updated_at",
        "restatements", "published_corrections",
    ]  # fmt: skip
    actions = [transition_action(transition) for transition in workflow.TRANSITIONS]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "document",
                    "section",
                    "key",
                    "quote",
                    "accept_overlaps",
                    "quote_in_context",
                    "loaded_version",
                ]
            },
        ),
        ("Offsets", {"fields": [("start", "end", "occurrence")], "classes": ["collapse"]}),
        (
            "Analysis",
            {"fields": ["paraphrase", ("claim_type", "checkable"), "attributed_to", "topics"]},
        ),
        ("Desk", {"fields": [("assignee", "due_on")]}),
        (
            "Review",
            {
                "fields": [
                    "verdict",
                    "verdict_summary",
                    "review_note",
                    ("reviewed_by", "reviewed_at"),
                    ("created_at", "updated_at"),
                    "published_corrections",
                ]
            },
        ),  # fmt: skip
        (
            "Same claim elsewhere",
            {
                "fields": ["same_as", "restatements"],
                "description": (
                    "Confirm that this claim states the same thing as another (find candidates "
                    "at /api/claims/&lt;id&gt;/similar/), so the statement is tracked once."
                ),
            },
        ),
    ]
    inlines = [SupportingEvidenceInline, CounterEvidenceInline, NotesInline, NewNoteInline]

    class Media:
        css = {"all": ["claims/admin.css"]}

    @admin.display(description="corrections (public)")
    def published_corrections(self, claim):
        """What readers see of the claim's corrections, newest first (claims.editing)."""
        if not claim.pk:
            return "—"
        rows = claim.corrections.order_by("-made_at", "-id")
        items = format_html_join(
            "",
            "<li>{} {} by {}: {}</li>",
            (
                (c.get_kind_display(), f"{c.made_at:%Y-%m-%d}", c.made_by or "—", c.reason)
                for c in rows.select_related("made_by")
            ),
        )
        return format_html("<ul>{}</ul>", items) if items else "—"

    @admin.display(description="claims recorded as the same as this one")
    def restatements(self, claim):
        if not claim.pk:
            return "—"
        rows = claim.restatements.select_related("document").order_by("document__slug", "key")
        links = format_html_join(
            ", ",
            '<a href="{}">{} {}</a>',
            (
                (reverse("admin:claims_claim_change", args=[row.pk]), row.document.slug, row.key)
                for row in rows
            ),
        )
        return links or "—"

    def get_queryset(self, request):
        queryset = super().get_queryset(request).with_evidence_counts()
        return queryset.defer("document__body") if self._is_changelist(request) else queryset

    @staticmethod
    def _is_changelist(request):
        return request.resolver_match and request.resolver_match.url_name.endswith("changelist")

    def get_actions(self, request):
        """Only the moves this user may make (the workflow still checks each claim)."""
        actions = super().get_actions(request)
        for transition in workflow.TRANSITIONS:
            if not request.user.has_perm(transition.permission):
                actions.pop(transition.name, None)
        return actions

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not editing.may_change_substance(request.user, obj):
            # Published means reviewed: the substance is read-only (claims.editing).
            return [*fields, *(f for f in editing.CLAIM_SUBSTANCE_FIELDS if f not in fields)]
        if not workflow.verdict_change_allowed(request.user):
            fields += ["verdict", "verdict_summary"]  # reviewers set verdicts
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not (editing.is_on_record(obj) or editing.was_published(obj)):
            return fieldsets
        if not editing.may_change_substance(request.user, obj):
            # The offsets are read-only: no occurrence to choose. Corrections go through a
            # reviewer (a note on the claim, or a reviewer sending it back to review).
            locked = []
            for name, options in fieldsets:
                fields = [f for f in options["fields"] if f != "accept_overlaps"]
                if name == "Offsets":
                    fields = [("start", "end")]
                locked.append((name, {**options, "fields": fields}))
            name, options = locked[0]
            notice = f"{editing.refusal_message(obj)} (Notes: at the bottom of this page.)"
            locked[0] = (name, {**options, "description": notice})
            return locked
        correction = (
            "Correction",
            {
                "fields": ["correction_reason", "correction_kind"],
                "description": (
                    "This claim is on the public record: a change to what readers see is "
                    "published as a correction, with its date, what changed and this reason."
                ),
            },
        )
        return [*fieldsets, correction]

    def save_model(self, request, obj, form, change):
        # The edit spans the claim and its evidence inlines: begun here, finished in
        # save_related, inside the admin's transaction.
        request.substance_edit = editing.SubstanceEdit(
            [obj.pk] if change else [], user=request.user, **form.correction()
        ).begin()
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status in workflow.UNDELETABLE_STATUSES:
            return False  # published claims stay on the record; retract instead
        return super().has_delete_permission(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        """A published or retracted claim stays on the record: say so and how to withdraw it,
        on its page, instead of a bare 403 (the list's bulk delete: OnRecordDeletionMixin)."""
        claim = self.get_object(request, object_id)
        refusal = editing.deletion_refusal(claim) if claim is not None else None
        if refusal is not None:
            self.message_user(request, refusal.detail, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:claims_claim_change", args=[claim.pk]))
        return super().delete_view(request, object_id, extra_context)

    def get_changeform_initial_data(self, request):
        """From "Add a claim" on a document's page: its next free key is filled in."""
        initial = super().get_changeform_initial_data(request)
        raw = str(initial.get("document", ""))[:12]
        # A hand-edited address (?document=abc) is no document: never a query on it.
        document = Document.objects.filter(pk=raw).only("pk").first() if raw.isdigit() else None
        if document is not None:
            initial["key"] = desk.next_claim_key(document)
        return initial

    def delete_queryset(self, request, queryset):
        for claim in queryset:  # the list's bulk delete: every claim through the workflow
            workflow.claim_delete(claim=claim, user=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assignee":
            kwargs["queryset"] = roles.desk_users()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_formset(self, request, form, formset, change):
        if formset.model is not ClaimNote:
            return super().save_formset(request, form, formset, change)
        # The construct_change_message of the admin's history reads these three.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for note_form in formset.forms:
            text = note_form.cleaned_data.get("text", "") if note_form.has_changed() else ""
            if text.strip():
                note = services.claim_note_add(claim=form.instance, user=request.user, text=text)
                formset.new_objects.append(note)
        return None

    def get_urls(self):
        pages = [
            path(
                "my-queue/",
                self.admin_site.admin_view(self.my_queue_view),
                name="claims_claim_my_queue",
            ),
            path(
                "import-csv/",
                self.admin_site.admin_view(self.import_csv_view),
                name="claims_claim_import",
            ),
            path(
                "waiting-for-review/",
                self.admin_site.admin_view(self.waiting_view),
                name="claims_claim_waiting",
            ),
        ]
        return [*pages, *super().get_urls()]

    def my_queue_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        groups = desk.my_queue(request.user)
        return self.queue_page(request, "My queue", groups, "No claim is assigned to you.")

    def waiting_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        claims = desk.waiting_for_review()
        groups = [("In review, longest waiting first", claims)] if claims else []
        return self.queue_page(request, "Waiting for review", groups, "No claim waits for review.")

    def import_csv_view(self, request):
        """Many claims for one document from a CSV: all rows or none (claims/bulk.py)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ClaimsCsvForm(request.POST or None, request.FILES or None)
        problems = []
        if request.method == "POST" and form.is_valid():
            document = form.cleaned_data["document"]
            try:
                created = bulk.claims_from_csv(
                    document=document, text=form.cleaned_data["text"], user=request.user
                )
            except bulk.BulkRefused as refused:
                problems = refused.problems
            else:
                keys = ", ".join(claim.key for claim in created)
                self.message_user(
                    request,
                    f"{len(created)} draft claims added to {document}: {keys}.",
                    messages.SUCCESS,
                )
                changelist = reverse("admin:claims_claim_changelist")
                return HttpResponseRedirect(f"{changelist}?document__id__exact={document.pk}")
        context = {
            **self.admin_site.each_context(request),
            "title": "Add claims from a CSV",
            "opts": self.model._meta,
            "form": form,
            "problems": problems,
            "required": bulk.REQUIRED,
            "optional": bulk.OPTIONAL,
        }
        return TemplateResponse(request, "admin/claims/claim/import_csv.html", context)

    def queue_page(self, request, title, groups, empty):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "groups": groups,
            "empty": empty,
            "today": timezone.localdate(),
        }
        return TemplateResponse(request, "admin/claims/claim/queue.html", context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "my_queue_count": Claim.objects.filter(assignee=request.user)
            .exclude(status__in=workflow.UNDELETABLE_STATUSES)
            .count(),
            "waiting_count": Claim.objects.filter(status=ClaimStatus.IN_REVIEW).count(),
        }
        return super().changelist_view(request, extra_context)

    object_history_list_template = "admin/history_list.html"

    def history_view(self, request, object_id, extra_context=None):
        """The claim's history, and below it its evidence's (added, changed, removed)."""
        extra_context = {
            **(extra_context or {}),
            "evidence_history": evidence_history(object_id),
            "evidence_history_shown": True,
        }
        return super().history_view(request, object_id, extra_context)

    # A workflow button on the change page is a submit button named MOVE_FIELD: the form is
    # saved and the claim moved in one transaction (changeform_view), or neither happens.
    MOVE_FIELD = "_move"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        target = request.POST.get(self.MOVE_FIELD) if request.method == "POST" else None
        if not target or object_id is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        request.claim_move = target
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except MoveRefused as refused:
            # Everything was rolled back; show the form again with what was typed and why.
            request.claim_move, request.move_refusal = None, refused
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "move_refusal", None)
        if refusal is None:
            return form
        return type(form.__name__, (form,), {"move_refusal": refusal})

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        edit = getattr(request, "substance_edit", None)
        if edit is not None:
            edit.finish()  # refuses, or records the correction, before any move
        target = getattr(request, "claim_move", None)
        if target:
            try:
                workflow.claim_transition(
                    claim=form.instance, target=target, user=request.user, **form.correction()
                )
            except (ValidationError, PermissionDenied) as error:
                raise MoveRefused(target, error) from error

    def response_change(self, request, obj):
        target = getattr(request, "claim_move", None)
        if not target:
            return super().response_change(request, obj)
        self.message_user(
            request, f"{obj.key} was saved and is now {status_label(target)}.", messages.SUCCESS
        )
        return HttpResponseRedirect(request.path)

    def apply_transition(self, request, claim, target) -> bool:
        try:
            workflow.claim_transition(claim=claim, target=target, user=request.user)
        except (ValidationError, PermissionDenied) as error:
            reason = workflow.refusal_sentences(error)
            self.message_user(
                request,
                f"{claim.key} was not moved to {status_label(target)}: {reason}",
                messages.ERROR,
            )
            return False
        self.message_user(request, f"{claim.key} is now {status_label(target)}.", messages.SUCCESS)
        return True

    def transition_action(self, request, queryset, target):
        moved = sum(self.apply_transition(request, claim, target) for claim in queryset)
        self.message_user(
            request, f"{moved} of {queryset.count()} claims moved to {status_label(target)}."
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """The change page offers the workflow moves this user may make on the claim, as
        "Save and …" buttons of the form itself (template admin/claims/claim/change_form.html)."""
        if obj is not None and obj.pk:
            context["workflow_moves"] = [
                (f"Save and {move.label[0].lower()}{move.label[1:]}", move.target)
                for move in workflow.available_transitions(obj, request.user)
            ]
            context["move_field"] = self.MOVE_FIELD
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="quote")
    def short_quote(self, claim):
        return shorten(claim.quote, 160)

    @admin.display(description="sources", ordering="source_count")
    def source_count(self, claim):
        return claim.source_count

    @admin.display(description="counter-sources", ordering="counter_source_count")
    def counter_source_count(self, claim):
        return claim.counter_source_count

    @admin.display(description="quote in its text")
    def quote_in_context(self, claim):
        """The quote marked in its text, with the neighbouring claims' spans underlined."""
        if not claim.pk or claim.start is None or claim.end is None:
            return "Shown once the claim is saved with its quote anchored."
        body = claim.document.body
        window = (max(0, claim.start - CONTEXT), min(len(body), claim.end + CONTEXT))
        neighbours = list(
            Claim.objects.filter(
                document_id=claim.document_id, start__lt=window[1], end__gt=window[0]
            )
            .exclude(pk=claim.pk)
            .only("pk", "key", "start", "end")
            .order_by("start")
        )
        text = format_html_join(
            "", "{}", ((piece,) for piece in marked(body, window, claim, neighbours))
        )
        listing = format_html_join(
            " · ",
            '<a href="{}">{}</a> ({}–{})',
            (
                (reverse("admin:claims_claim_change", args=[n.pk]), n.key, n.start, n.end)
                for n in neighbours
            ),
        )
        return format_html(
            '<div class="quote-in-context">…{}…</div><p class="help">{}</p>',
            text,
            format_html("Neighbouring claims, underlined: {}", listing)
            if neighbours
            else "No other claim nearby.",
        )


CONTEXT = 240  # characters of text shown either side of a quote on its claim's page


def marked(body: str, window: tuple[int, int], claim: Claim, neighbours: list[Claim]):
    """The text of `window` in pieces: the claim's own span in <mark>, others' underlined."""
    cuts = {window[0], window[1], claim.start, claim.end}
    for other in neighbours:
        cuts.update({other.start, other.end})
    edges = sorted(cut for cut in cuts if window[0] <= cut <= window[1])
    for begin, finish in zip(edges, edges[1:], strict=False):
        keys = [o.key for o in neighbours if o.start <= begin and finish <= o.end]
        piece = body[begin:finish]
        if keys:
            piece = format_html('<u title="{}">{}</u>', ", ".join(keys), piece)
        if claim.start <= begin and finish <= claim.end:
            piece = format_html("<mark>{}</mark>", piece)
        yield piece


@admin.register(Section)
class SectionAdmin(OnRecordDeletionMixin, SimpleHistoryAdmin):
    object_history_list_template = "admin/history_list.html"  # "(none)", not "None"
    form = VersionedModelForm
    list_display = ["label", "title", "document", "order", "start", "end"]
    list_filter = ["document"]
    list_select_related = ["document"]
    search_fields = ["label", "title"]


class ReadOnThirdPartyCopyFilter(admin.SimpleListFilter):
    """A high-reliability source whose text was read only on a mirror or reproduction:
    the rows a curator should re-read at the publisher or in an archive."""

    title = "high-reliability source read on a third-party copy"
    parameter_name = "third_party_copy"

    def lookups(self, request, model_admin):
        return [("yes", "Yes: re-read at the publisher or in an archive")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.high_reliability_third_party()
        return queryset


class EvidenceAdminForm(CorrectionFormMixin, VersionedModelForm):
    """Evidence of a claim on the record changes only by a reviewer, who gives a reason."""

    user = None  # set by EvidenceAdmin.get_form

    def clean(self):
        cleaned = super().clean()
        claims = {self.instance.claim if self.instance.claim_id else None, cleaned.get("claim")}
        for claim in filter(None, claims):
            if not editing.may_change_substance(self.user, claim):
                raise forms.ValidationError(editing.refusal_message(claim))
            reason = cleaned.get("correction_reason", "").strip()
            if editing.is_on_record(claim) and self.has_changed() and not reason:
                self.add_error("correction_reason", REASON_NEEDED)
        return cleaned


@admin.register(Evidence)
class EvidenceAdmin(OnRecordDeletionMixin, NoRevertHistoryAdmin):
    object_history_list_template = "admin/history_list.html"  # "(none)", not "None"
    form = EvidenceAdminForm
    # Short columns (a claim's or source's full name runs to hundreds of characters): the
    # list fits 1280 px; the change page shows everything.
    list_display = [
        "claim_key", "stance", "source_key", "short_locator", "verified", "copy_kind", "found",
    ]  # fmt: skip
    list_filter = [
        "stance", "verified", "copy_kind", "found", ReadOnThirdPartyCopyFilter, "claim__document",
    ]  # fmt: skip
    list_select_related = ["claim", "source"]
    search_fields = ["excerpt", "summary", "note", "source__title", "claim__key"]
    autocomplete_fields = ["source", "claim"]
    readonly_fields = ["copy_kind"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    @admin.display(description="claim", ordering="claim__key")
    def claim_key(self, obj):
        return obj.claim.key

    @admin.display(description="source", ordering="source__key")
    def source_key(self, obj):
        return Truncator(obj.source.key).chars(40)

    @admin.display(description="where in the source", ordering="locator")
    def short_locator(self, obj):
        return Truncator(obj.locator).chars(50)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and editing.is_on_record(obj.claim):
            fields = [f for f in fieldsets[0][1]["fields"] if not f.startswith("correction_")]
            return [
                (None, {"fields": fields}),
                ("Correction", {"fields": ["correction_reason", "correction_kind"]}),
            ]
        fields = [f for f in fieldsets[0][1]["fields"] if not f.startswith("correction_")]
        return [(None, {"fields": fields})]

    def has_change_permission(self, request, obj=None):
        if obj is not None and not editing.may_change_substance(request.user, obj.claim):
            return False  # on the record: read-only but for reviewers
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and editing.is_on_record(obj.claim):
            return False  # reviewers remove it from the claim's page, giving the reason
        return super().has_delete_permission(request, obj)

    def deletion_refusal(self, obj) -> str | None:
        if editing.is_on_record(obj.claim):
            return (
                f"{obj}: the evidence of a {obj.claim.status} claim is removed from the "
                "claim's page by a reviewer, who gives the correction's reason."
            )
        return None

    def save_model(self, request, obj, form, change):
        old_claim = form.initial.get("claim") if change else None
        with editing.substance_edit(
            [old_claim, obj.claim_id], user=request.user, **form.correction()
        ):
            super().save_model(request, obj, form, change)


@admin.register(Topic)
class TopicAdmin(OnRecordDeletionMixin, SimpleHistoryAdmin):
    object_history_list_template = "admin/history_list.html"  # "(none)", not "None"
    form = VersionedModelForm
    list_display = ["name", "slug", "claim_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).with_claim_counts(request.user)

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, topic):
        return topic.claim_count
