"""Research features: the same-as link between claims, full-text indexes, pg_trgm.

On PostgreSQL this creates the pg_trgm extension (trigram similarity for similar
claims) and two GIN indexes over tsvector expressions: the claim's weighted search
vector and the evidence excerpt's vector. The expressions must stay identical to
claims.querysets.claim_search_vector() and to the excerpt vector of
sources.querysets.SourceQuerySet.search() for the planner to use the indexes
(tests/claims/test_search.py checks that it does). On SQLite the
PostgreSQL-only steps do nothing.
"""

import django.db.models.deletion
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import TrigramExtension
from django.contrib.postgres.search import SearchVector
from django.db import migrations, models

CONFIG = "english"


def search_indexes():
    claim_vector = (
        SearchVector("quote", config=CONFIG, weight="A")
        + SearchVector("paraphrase", config=CONFIG, weight="B")
        + SearchVector("attributed_to", config=CONFIG, weight="B")
        + SearchVector("verdict_summary", config=CONFIG, weight="C")
    )
    return [
        ("Claim", GinIndex(claim_vector, name="claims_claim_search_gin")),
        (
            "Evidence",
            GinIndex(SearchVector("excerpt", config=CONFIG), name="claims_evidence_excerpt_gin"),
        ),
    ]


def create_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, index in search_indexes():
        schema_editor.add_index(apps.get_model("claims", model_name), index)


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, index in search_indexes():
        schema_editor.remove_index(apps.get_model("claims", model_name), index)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0003_roles"),
    ]

    operations = [
        # CreateExtension runs on PostgreSQL only (it checks the vendor itself).
        TrigramExtension(),
        migrations.AddField(
            model_name="claim",
            name="same_as",
            field=models.ForeignKey(
                blank=True,
                help_text="A curator confirmed that this claim states the same thing as that one (often in another document), so the statement is tracked once, under that claim.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="restatements",
                to="claims.claim",
                verbose_name="same claim as",
            ),
        ),
        migrations.AddField(
            model_name="historicalclaim",
            name="same_as",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="A curator confirmed that this claim states the same thing as that one (often in another document), so the statement is tracked once, under that claim.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="claims.claim",
                verbose_name="same claim as",
            ),
        ),
        migrations.RunPython(create_search_indexes, drop_search_indexes),
    ]
