"""Inserting many rows at the speed of the database: ids allocated first, then the rows
written with COPY (PostgreSQL) or executemany (SQLite).

bulk_create compiles every value through several layers of the ORM and, on SQLite, writes a
statement per few dozen rows (its 999-parameter limit); for a dataset import that was half of
the time. Here each value goes through its field's get_db_prep_save() once (the conversion
bulk_create and save() make) and the rows are sent in one statement. The values are taken as
the instance holds them, as a raw save (loaddata) takes them: the models written this way
have no field that stamps itself on insert (batches.stamps_on_insert).

Ids come from the table's own sequence on PostgreSQL (nextval, so concurrent writers never
collide). On SQLite they continue the table's AUTOINCREMENT sequence: the import's
transaction holds SQLite's single write lock from its first write, and a row inserted with an
explicit id moves the sequence past it, as SQLite documents.
"""

from django.db import connections, models


def insert_rows(model: type[models.Model], instances: list[models.Model], using: str) -> None:
    """INSERT the rows of `instances` (unsaved, without ids), which get their ids."""
    if not instances:
        return
    pk = model._meta.pk
    for instance, new_id in zip(instances, allocate_ids(model, len(instances), using), strict=True):
        setattr(instance, pk.attname, new_id)
    fields = [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]
    attnames = [f.attname for f in fields]
    insert_values(model, fields, [[getattr(row, name) for name in attnames] for row in instances], using)  # fmt: skip
    for instance in instances:
        instance._state.adding, instance._state.db = False, using


def insert_values(model: type[models.Model], fields: list, rows: list[list], using: str) -> None:
    """INSERT `rows` (each the values of `fields`, as a model instance holds them)."""
    connection = connections[using]
    converters = [(i, f) for i, f in enumerate(fields) if not stored_as_held(f)]
    for row in rows:
        for i, model_field in converters:
            row[i] = model_field.get_db_prep_save(row[i], connection)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # psycopg's own cursor, so its errors become Django's (IntegrityError...) here.
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)


# Fields whose values the database driver takes as the model holds them (text, whole
# numbers, booleans, references by id): get_db_prep_save() would return them unchanged.
HELD_AS_STORED = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)


def stored_as_held(model_field) -> bool:
    if model_field.many_to_one:
        return stored_as_held(model_field.target_field)
    return isinstance(model_field, HELD_AS_STORED)


def allocate_ids(model: type[models.Model], count: int, using: str) -> list[int]:
    connection = connections[using]
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        quoted = connection.ops.quote_name(column)
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
            f"COALESCE((SELECT MAX({quoted}) FROM {connection.ops.quote_name(table)}), 0))",
            [table],
        )
        first = cursor.fetchone()[0] + 1
    return list(range(first, first + count))
