"""Trigram GIN indexes for similar claims (PostgreSQL only; claims/research/similarity.py).

The quote, and the paraphrase without its reporting clause (the exact expression the
similarity search compares), indexed with gin_trgm_ops, so candidates are found with
pg_trgm's `%` operator through the index instead of scoring every claim.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import migrations
from django.db.models import F, Func, TextField, Value

from claims.research import similarity

# The index serves only a query comparing the very same expression: if the clause changes,
# a new migration must rebuild this index (tests/claims/test_similar.py checks the plan).
REPORTING_CLAUSE = similarity.REPORTING_CLAUSE


def indexes():
    paraphrase = Func(
        F("paraphrase"),
        Value(REPORTING_CLAUSE),
        Value(""),
        Value("i"),
        function="regexp_replace",
        output_field=TextField(),
    )
    return [
        GinIndex(OpClass(F("quote"), name="gin_trgm_ops"), name="claims_claim_quote_trgm"),
        GinIndex(OpClass(paraphrase, name="gin_trgm_ops"), name="claims_claim_paraphrase_trgm"),
    ]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in indexes():
        schema_editor.add_index(apps.get_model("claims", "Claim"), index)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in indexes():
        schema_editor.remove_index(apps.get_model("claims", "Claim"), index)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0014_correction"),
    ]

    operations = [migrations.RunPython(create, drop)]
