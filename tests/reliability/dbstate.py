"""The state of the whole database as row counts and checksums, portable across engines."""

import hashlib

from django.db import connection


def database_state() -> dict[str, tuple[int, str]]:
    """Every table's row count and a SHA-256 of all its rows in a fixed order.

    Tables are read with plain SQL (every table the introspection lists, Django's own
    included), ordered by all columns, so the same rows give the same checksum on
    SQLite and on PostgreSQL however they were written.
    """
    state = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")
            columns = len(cursor.description)
            order = ", ".join(str(index) for index in range(1, columns + 1))
            cursor.execute(f"SELECT * FROM {quoted} ORDER BY {order}")
            digest, count = hashlib.sha256(), 0
            for row in cursor.fetchall():
                digest.update(repr(tuple(normalise(value) for value in row)).encode())
                count += 1
            state[table] = (count, digest.hexdigest())
    return state


def normalise(value):
    """Values as comparable text (memoryview from PostgreSQL bytea has no useful repr)."""
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(
        table for table in before.keys() | after.keys() if before.get(table) != after.get(table)
    )
