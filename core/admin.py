"""Admin plumbing shared by the apps: refuse to save over a version someone else saved
meanwhile; history without revert."""

import hashlib
import json

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from simple_history.admin import SimpleHistoryAdmin


def version_token(instance) -> str:
    """A fingerprint of a row's stored values, taken when the change form is opened."""
    values = {
        field.attname: field.value_from_object(instance) for field in instance._meta.concrete_fields
    }
    body = json.dumps(values, sort_keys=True, cls=DjangoJSONEncoder)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]


class VersionedModelForm(forms.ModelForm):
    """A change form that carries the version it was opened on and refuses a stale save.

    The admin wraps the change view in a transaction, so the row is locked
    (SELECT ... FOR UPDATE) from this check until the save.
    """

    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            # From the stored row, not self.instance: a revert form's instance is an old version.
            stored = type(self.instance)._default_manager.filter(pk=self.instance.pk).first()
            if stored is not None:
                self.initial["loaded_version"] = version_token(stored)

    def clean(self):
        cleaned = super().clean()
        loaded = cleaned.get("loaded_version")
        if self.instance.pk and loaded:
            manager = type(self.instance)._default_manager
            current = manager.select_for_update().filter(pk=self.instance.pk).first()
            if current is not None and version_token(current) != loaded:
                raise forms.ValidationError(
                    "Someone else saved this record after you opened it, so your changes were not "
                    "saved (nothing was overwritten). Open it again to see their version, then "
                    "reapply your changes.",
                    code="stale",
                )
        return cleaned


class NoRevertHistoryAdmin(SimpleHistoryAdmin):
    """History to read, without "Revert": for models whose rows a revert must not write.

    A revert saves an old version's every field (a claim's status, verdict and review
    stamps among them) past the workflow and past the rules on published claims, so its
    page shows the old version read-only and a POST to it is refused.
    """

    def has_change_history_permission(self, request, obj=None):
        return False

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied(
                "Reverting is disabled here: change the current version instead (its status "
                "moves through the workflow)."
            )
        return super().history_form_view(request, object_id, version_id, extra_context)


# The curators' side of Claimbase, named as the reader names it ("Curator sign-in").
admin.site.site_header = "Claimbase curation"
admin.site.site_title = "Claimbase curation"
admin.site.index_title = "The curator's desk"
# The lists need the width (a claim's quote, at 1280 px): the breadcrumbs and the home page
# lead to the other tables.
admin.site.enable_nav_sidebar = False
_login = admin.site.login


def curator_sign_in(request, extra_context=None):
    return _login(request, {"title": "Curator sign-in", **(extra_context or {})})


admin.site.login = curator_sign_in
