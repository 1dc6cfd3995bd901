"""The data version: one token that changes whenever published content may have changed.

Caches of what readers read (facet counts, conditional GETs of public responses) key on
it, so a write anywhere invalidates them all at once, across every app server, without
tracking which rows a cached answer depended on. The token lives in the default cache:
Redis when `REDIS_URL` is set (shared by every server), else the process's memory (one
server only; see the README's deployment section).

The token is bumped after the writing transaction commits (a reader must never cache the
old answer under the new token), by signals on every model of the apps listed in
`settings.DATA_VERSION_APPS`, so a new model is covered without registering it.
"""

import hashlib
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

CACHE_KEY = "claimbase:data-version"


def new_token() -> str:
    """The time of the change (whole seconds, for Last-Modified) and a random part."""
    return f"{int(time.time())}.{uuid.uuid4().hex[:12]}"


def current() -> str:
    """The current token; a new one if the cache lost it (so no stale entry can match)."""
    token = cache.get(CACHE_KEY)
    if token is None:
        cache.add(CACHE_KEY, new_token(), timeout=None)
        token = cache.get(CACHE_KEY)
    # A cache that keeps nothing (DummyCache): a new token each time, so nothing matches.
    return token or new_token()


def changed_at(token: str) -> int:
    """When the data last changed (seconds since the epoch), as the token records it."""
    return int(token.split(".", 1)[0])


def bump() -> None:
    """Give the data a new token once the current transaction commits."""
    transaction.on_commit(lambda: cache.set(CACHE_KEY, new_token(), timeout=None))


def _on_change(sender, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # loaddata: the import command bumps once at the end
    if sender._meta.app_label in settings.DATA_VERSION_APPS:
        bump()


def connect_signals() -> None:
    """Called from CoreConfig.ready(): listen to writes of every content model."""
    post_save.connect(_on_change, dispatch_uid="data_version_save")
    post_delete.connect(_on_change, dispatch_uid="data_version_delete")
    m2m_changed.connect(_on_m2m_change, dispatch_uid="data_version_m2m")


def _on_m2m_change(sender, action, instance, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        _on_change(type(instance))


def cached(parts: tuple, compute, *, timeout: int = 24 * 3600):
    """`compute()`, cached under the current token and `parts` (e.g. a query's SQL and
    parameters): derived data (facet counts, list totals) recomputed only after a write.

    Off when settings.CACHE_DERIVED_DATA is false (the tests: their transactions never
    commit, so the token never moves within a test).
    """
    if not getattr(settings, "CACHE_DERIVED_DATA", False):
        return compute()
    digest = hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:40]
    key = f"claimbase:derived:{current()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=timeout)
    return value
