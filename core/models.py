"""Abstract model pieces shared by the apps (infrastructure, no domain logic)."""

from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone


def bounded_text(max_length: int, **options) -> models.TextField:
    """A TextField with a maximum length that is enforced, not only shown.

    Django puts a TextField's max_length on the form's textarea only; the validator makes
    full_clean() (the admin, the API's ModelCleanMixin, the dataset import) refuse longer
    text with a message naming the field, and DRF's ModelSerializer reads max_length too.
    Every free-text field has one: unbounded text is unbounded work for every reader of it.
    """
    return models.TextField(
        max_length=max_length, validators=[MaxLengthValidator(max_length)], **options
    )


class TimeStampedModel(models.Model):
    """created_at / updated_at that also work for fixture loads.

    auto_now fields are not filled on raw (fixture) saves, so a fixture without
    timestamps would fail with NOT NULL; defaults fill them instead, and save()
    stamps updated_at on every ordinary save.
    """

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)
