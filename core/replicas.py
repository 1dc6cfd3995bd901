"""Which read replicas are fit to answer: up, and not lagging beyond the limit.

A replica's health is checked with one small query (its replay lag) at most every
`REPLICA_CHECK_SECONDS` per process, and remembered; a replica that fails a check or a
request is skipped until the next check. When none is fit, reads go to the primary.
"""

from __future__ import annotations

import random
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connections

# On a standby: seconds since the last replayed transaction, but 0 when everything
# received has been replayed (an idle primary is not lag). On a primary: 0.
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
END
"""

_lock = threading.Lock()
_health: dict[str, tuple[float, bool]] = {}  # alias -> (checked at, fit)


def pick() -> str | None:
    """A fit replica's alias (at random among the fit ones), or None for the primary."""
    fit = [alias for alias in settings.DATABASE_REPLICAS if is_fit(alias)]
    return random.choice(fit) if fit else None


def is_fit(alias: str) -> bool:
    now = time.monotonic()
    with _lock:
        checked = _health.get(alias)
    if checked and now - checked[0] < settings.REPLICA_CHECK_SECONDS:
        return checked[1]
    lag = lag_of(alias)
    fit = lag is not None and lag <= settings.REPLICA_MAX_LAG_SECONDS
    _remember(alias, fit)
    return fit


def lag_of(alias: str) -> float | None:
    """The replica's lag in seconds, or None when it cannot be reached."""
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            return float(cursor.fetchone()[0])
    except DatabaseError:
        connection.close()
        return None


def mark_down(alias: str) -> None:
    """A request just failed on this replica: skip it until the next check is due."""
    connections[alias].close()
    _remember(alias, False)


def _remember(alias: str, fit: bool) -> None:
    with _lock:
        _health[alias] = (time.monotonic(), fit)


def forget() -> None:
    """Drop what is remembered (tests; a process that changed its settings)."""
    with _lock:
        _health.clear()
