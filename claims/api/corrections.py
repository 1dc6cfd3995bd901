"""Corrections in the API: the reason a reviewer gives for changing a published claim."""

from rest_framework import serializers

from ..choices import CorrectionKind


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
