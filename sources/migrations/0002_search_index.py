"""A GIN index over the source's search vector, on PostgreSQL only.

The expression must stay identical to sources.querysets.source_search_vector() for
the planner to use the index (tests/sources/test_search.py checks that it does).
Authors are indexed through to_tsvector(config, jsonb), which reads the names and
not the JSON keys.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import (
    SearchConfig,
    SearchVector,
    SearchVectorCombinable,
    SearchVectorField,
)
from django.db import migrations
from django.db.models import F, Func, Value

CONFIG = "english"


class WeightedJSONVector(SearchVectorCombinable, Func):
    function = "setweight"
    output_field = SearchVectorField()
    config = None

    def __init__(self, field, *, config, weight):
        vector = Func(
            SearchConfig(config), F(field), function="to_tsvector", output_field=SearchVectorField()
        )
        super().__init__(vector, Value(weight))


def search_index():
    vector = (
        SearchVector("title", config=CONFIG, weight="A")
        + WeightedJSONVector("authors", config=CONFIG, weight="B")
        + SearchVector("container_title", config=CONFIG, weight="C")
        + SearchVector("publisher", config=CONFIG, weight="C")
    )
    return GinIndex(vector, name="sources_source_search_gin")


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("sources", "Source"), search_index())


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("sources", "Source"), search_index())


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_search_index, drop_search_index)]
