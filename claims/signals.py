"""Keeping derived values true when what they derive from changes in another app."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from sources.models import Source
from sources.snapshots import snapshot_added

from .copies import copy_kind
from .models import Evidence


@receiver(post_save, sender=Source, dispatch_uid="claims.copy_kind_follows_source_url")
def copy_kind_follows_source_url(sender, instance: Source, raw=False, **kwargs):
    """A source's address moved: whether its evidence was read "at the publisher" may change."""
    if raw:
        return  # a dataset import derives copy_kind on each evidence row it writes
    rows = Evidence.objects.filter(source=instance).only("pk", "consulted_url", "copy_kind")
    for evidence in rows:
        kind = copy_kind(evidence.consulted_url, instance.url)
        if kind != evidence.copy_kind:
            Evidence.objects.filter(pk=evidence.pk).update(copy_kind=kind)


@receiver(snapshot_added, dispatch_uid="claims.verify_excerpts_on_new_snapshot")
def verify_excerpts_on_new_snapshot(sender, snapshot, **kwargs):
    """Every new copy of a source is searched for the excerpts of that source's evidence."""
    from .excerpt_finding import verify_excerpts

    verify_excerpts(source_key=snapshot.source.key)
