"""Reads on the standbys, everything else on the primary (`DATABASE_REPLICA_URLS`).

Who may read from a replica is decided once per request, by `ReplicaRoutingMiddleware`:

- only safe requests (GET, HEAD, OPTIONS): a write's reads (the ETag / If-Match check,
  `select_for_update`, validation) happen on the primary in the request's transaction;
- not a client that wrote in the last `READ_YOUR_WRITES_SECONDS`: after any unsafe request
  the response carries a signed cookie, and until it expires that client's reads go to the
  primary, so a curator never sees their own edit vanish behind a standby's lag;
- only a replica that answers and lags by at most `REPLICA_MAX_LAG_SECONDS` (checked at
  most every `REPLICA_CHECK_SECONDS` per process, see `core/replicas.py`).

Outside a request (management commands, migrations, the test suite's own queries) every
query goes to the primary. If a replica fails in the middle of a request, the middleware
marks it down and answers the request again from the primary: a standby that stops is
never a 500.
"""

from __future__ import annotations

import contextvars
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections

from core import replicas

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
COOKIE = "cb_wrote"
COOKIE_SALT = "claimbase.read-your-writes"
ROUTE_HEADER = "X-Claimbase-Database"

# None: reads go to the primary. "replica": the request may read from a healthy replica.
_may_use_replica: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "may_use_replica", default=False
)
# The replica this request reads from, chosen at its first read and kept for the request,
# so that one response is built from one consistent snapshot.
_chosen: contextvars.ContextVar[str | None] = contextvars.ContextVar("chosen", default=None)


class PrimaryReplicaRouter:
    """Django database router: writes and migrations on the primary, reads as allowed."""

    def db_for_read(self, model, **hints) -> str:
        return reading_alias()

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS


def reading_alias() -> str:
    """The alias this moment's reads go to."""
    if not _may_use_replica.get() or _in_explicit_transaction():
        return DEFAULT_DB_ALIAS
    chosen = _chosen.get()
    if chosen is None:
        chosen = replicas.pick() or DEFAULT_DB_ALIAS
        _chosen.set(chosen)
    return chosen


def _in_explicit_transaction() -> bool:
    """Inside `transaction.atomic()` opened by the code (not the request's own): primary."""
    primary = connections[DEFAULT_DB_ALIAS]
    own = 1 if primary.settings_dict.get("ATOMIC_REQUESTS") else 0
    return len(primary.atomic_blocks) > own


def _client_wrote_recently(request) -> bool:
    value = request.get_signed_cookie(
        COOKIE, default=None, salt=COOKIE_SALT, max_age=settings.READ_YOUR_WRITES_SECONDS
    )
    return value is not None


class ReplicaRoutingMiddleware:
    """Decides per request whether reads may use a replica; keeps a writer on the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        may_use = bool(settings.DATABASE_REPLICAS) and (
            request.method in SAFE_METHODS and not _client_wrote_recently(request)
        )
        request._replica_retried = False
        may_token = _may_use_replica.set(may_use)
        chosen_token = _chosen.set(None)
        try:
            response = self.get_response(request)
            alias = _chosen.get() or DEFAULT_DB_ALIAS
        finally:
            _may_use_replica.reset(may_token)
            _chosen.reset(chosen_token)
        if settings.DATABASE_REPLICAS and request.method not in SAFE_METHODS:
            response.set_signed_cookie(
                COOKIE,
                str(int(time.time())),
                salt=COOKIE_SALT,
                max_age=settings.READ_YOUR_WRITES_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        if settings.DATABASE_ROUTE_HEADER:
            response[ROUTE_HEADER] = alias
        return response

    def process_exception(self, request, exception):
        """A replica failed mid-request: mark it down and answer again from the primary."""
        alias = _chosen.get()
        if (
            alias in (None, DEFAULT_DB_ALIAS)
            or request._replica_retried
            or not isinstance(exception, OperationalError | InterfaceError)
        ):
            return None
        replicas.mark_down(alias)
        request._replica_retried = True
        _may_use_replica.set(False)
        _chosen.set(None)
        return self.get_response(request)
