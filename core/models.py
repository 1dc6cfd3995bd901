"""Abstract model pieces shared by the apps (infrastructure, no domain logic)."""

from django.db import models
from django.utils import timezone


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
