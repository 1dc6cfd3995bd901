"""Tokens in the admin: created here (the secret is shown once), revoked by an action."""

from django.contrib import admin, messages

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
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

    def get_readonly_fields(self, request, obj=None):
        # A token's owner and expiry are fixed once issued; revoke it and issue another instead.
        return [*self.readonly_fields, "user", "expires_at"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            raw = obj.set_secret()
            messages.warning(
                request, f"Token created. Copy it now, it will not be shown again: {raw}"
            )
        super().save_model(request, obj, form, change)

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset:
            token.revoke()
        messages.success(request, f"Revoked {queryset.count()} token(s).")
