"""Tokens in the admin: created here (the secret is shown once), revoked by an action.

Who sees what: a superuser manages every token; anyone else holding the token
permissions manages only their own (lists, creates for themselves, revokes). A token
acts with its owner's rights, so issuing one for someone else would be acting as them.
"""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from .models import DEFAULT_LIFETIME_DAYS, MAX_LIFETIME_DAYS, ApiToken, Person


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["user", "name", "expires_at"]
        help_texts = {
            "expires_at": (
                f"Empty: {DEFAULT_LIFETIME_DAYS} days from now. At most "
                f"{MAX_LIFETIME_DAYS} days; every token expires."
            )
        }

    def clean_expires_at(self):
        expires_at = self.cleaned_data.get("expires_at")
        now = timezone.now()
        if expires_at is None:
            return now + timezone.timedelta(days=DEFAULT_LIFETIME_DAYS)
        if expires_at <= now:
            raise forms.ValidationError("The expiry must be in the future.")
        if expires_at > now + timezone.timedelta(days=MAX_LIFETIME_DAYS):
            raise forms.ValidationError(
                f"At most {MAX_LIFETIME_DAYS} days from now: issue a new token when it ends."
            )
        return expires_at


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = [
        "prefix",
        "name",
        "user",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    list_filter = ["revoked_at"]
    list_select_related = ["user"]
    search_fields = ["prefix", "name", "user__username"]
    fields = ["user", "name", "expires_at", "prefix", "created_at", "revoked_at", "last_used_at"]
    readonly_fields = ["prefix", "created_at", "revoked_at", "last_used_at"]
    autocomplete_fields = ["user"]
    actions = ["revoke"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(user=request.user)

    def get_fields(self, request, obj=None):
        if request.user.is_superuser:
            return self.fields
        return [name for name in self.fields if name != "user"]  # always their own

    def get_readonly_fields(self, request, obj=None):
        # A token's owner and expiry are fixed once issued; revoke it and issue another instead.
        return [*self.readonly_fields, "user", "expires_at"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            if not request.user.is_superuser:
                obj.user = request.user
            raw = obj.set_secret()
            # The message lives in the session (settings.MESSAGE_STORAGE), never in a cookie.
            messages.warning(
                request, f"Token created. Copy it now, it will not be shown again: {raw}"
            )
        super().save_model(request, obj, form, change)

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset:
            token.revoke()
        messages.success(request, f"Revoked {queryset.count()} token(s).")


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    """People named in the data. Linking one to an account changes no permission: a person
    cannot sign in; the account does, with its own password or token."""

    list_display = ["username", "display_name", "user"]
    search_fields = ["username", "display_name", "user__username"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]


def superusers_only(model_admin: admin.ModelAdmin) -> None:
    """Login attempts (django-axes) name addresses and usernames: superusers' business only."""

    def allowed(request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    for name in ("has_module_permission", "has_view_permission", "has_change_permission"):
        setattr(model_admin, name, allowed)


def restrict_login_attempt_tables() -> None:
    for model, model_admin in list(admin.site._registry.items()):
        if model._meta.app_label == "axes":
            superusers_only(model_admin)
