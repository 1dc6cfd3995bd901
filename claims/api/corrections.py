"""Corrections in the API: the reason a reviewer gives for changing a published claim."""

from rest_framework import serializers

from ..choices import CorrectionKind
from ..models import Claim, Correction


class CorrectionFieldsMixin(serializers.Serializer):
    """The reason (and kind) a reviewer gives when a write changes a published claim.

    Write-only; the view passes them to claims.editing (they are no model field, so they
    leave the data before the model validates it).
    """

    correction_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        max_length=2000,
        help_text=(
            "Required when a reviewer changes a published or retracted claim's substance: "
            "why it changes (published with the correction)."
        ),
    )
    correction_kind = serializers.ChoiceField(
        choices=CorrectionKind.choices,
        required=False,
        write_only=True,
        help_text="'update' for a trivial edit (a typo); 'correction' otherwise (the default).",
    )

    def validate(self, attrs):
        self.correction = {
            "reason": attrs.pop("correction_reason", ""),
            "kind": attrs.pop("correction_kind", CorrectionKind.CORRECTION),
        }
        return super().validate(attrs)


class CorrectionSerializer(serializers.ModelSerializer):
    """A correction as the claim shows it: when, what kind, why, and what changed."""

    changes = serializers.SerializerMethodField()
    made_by = serializers.SerializerMethodField(help_text="The reviewer's name, as recorded.")

    class Meta:
        model = Correction
        fields = ["id", "made_at", "kind", "reason", "changes", "made_by"]
        read_only_fields = fields

    def get_changes(self, correction) -> list[dict]:
        """Field by field ({"field", "old", "new"}); a same-as link to a claim this user may
        not see is shown as null, as the claim's own same_as is."""
        user = getattr(self.context.get("request"), "user", None)
        changes = []
        for change in correction.changes:
            if change["field"] == "same_as":
                change = {
                    **change,
                    **{side: visible_claim_id(change[side], user) for side in ("old", "new")},
                }
            changes.append(change)
        return changes

    def get_made_by(self, correction) -> str | None:
        return str(correction.made_by) if correction.made_by_id else None


def visible_claim_id(pk, user):
    if pk is None:
        return None
    return pk if Claim.objects.visible_to(user).filter(pk=pk).exists() else None
