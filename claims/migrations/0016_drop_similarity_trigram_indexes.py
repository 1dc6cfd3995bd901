"""Similar claims find their candidates through the full-text index instead (rarest words;
claims/research/similarity.py): the trigram GIN indexes of 0015 let most rows through to
a recheck on a corpus whose words share syllables, and only slowed every write."""

import importlib

from django.db import migrations

EARLIER = "claims.migrations.0015_similarity_indexes"


def drop(apps, schema_editor):
    importlib.import_module(EARLIER).drop(apps, schema_editor)


def create(apps, schema_editor):
    importlib.import_module(EARLIER).create(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0015_similarity_indexes"),
    ]

    operations = [migrations.RunPython(drop, create)]
