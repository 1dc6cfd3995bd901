"""Full-text indexes kept in step with the claims by the database (claims/search_index.py).

SQLite: an FTS5 table with triggers. PostgreSQL: a stored, weighted tsvector column with
a GIN index, which replaces migration 0004's expression index (ranking then reads the
stored vector instead of recomputing it for every match).
"""

import importlib

from django.db import migrations

from claims import search_index

EXPRESSION_INDEX = "claims_claim_search_gin"  # migration 0004's


def create(apps, schema_editor):
    search_index.ensure(schema_editor.connection)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {EXPRESSION_INDEX}")


def drop(apps, schema_editor):
    search_index.drop(schema_editor.connection)
    if schema_editor.connection.vendor == "postgresql":
        earlier = importlib.import_module("claims.migrations.0004_search_similarity_same_as")
        for model_name, index in earlier.search_indexes():
            if index.name == EXPRESSION_INDEX:
                schema_editor.add_index(apps.get_model("claims", model_name), index)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0008_desk_queue_and_notes"),
    ]

    operations = [migrations.RunPython(create, drop)]
