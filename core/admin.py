"""Admin plumbing shared by the apps: refuse to save over a version someone else saved meanwhile."""

import hashlib
import json

from django import forms
from django.core.serializers.json import DjangoJSONEncoder


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
