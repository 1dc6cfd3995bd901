"""Planner statistics: ANALYZE after writes that change a table's size by orders of magnitude.

Without statistics SQLite's planner assumes every index is selective: on 100,000 claims
it read the claim list through the `status` index (nearly every claim is published) and
sorted them all for a page of 50 (32 ms of SQL instead of under 1 ms through the
document-order index). PostgreSQL's autovacuum analyzes eventually, but a bulk import is
read at once. So statistics are refreshed after `migrate`, after a dataset import and
after the benchmark's corpus is loaded. An empty table gets no statistics (SQLite writes
none for it), so running this on a fresh database does no harm.
"""

from collections.abc import Iterable

from django.db import connections


def refresh_planner_statistics(using: str = "default", models: Iterable = ()) -> None:
    """ANALYZE the tables of `models` (every table when none are given) in the database
    `using`, SQLite and PostgreSQL alike."""
    connection = connections[using]
    tables = [connection.ops.quote_name(model._meta.db_table) for model in models]
    with connection.cursor() as cursor:
        for table in tables or [""]:
            cursor.execute(f"ANALYZE {table}".strip())


def refresh_after_migrate(sender, using: str = "default", **kwargs) -> None:
    """post_migrate receiver (connected once, for the core app)."""
    refresh_planner_statistics(using)
