"""Derived choices that may be empty say so in the schema (a response with "" is valid)."""

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def components():
    return SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]


@pytest.mark.parametrize(
    ("component", "field"),
    [
        ("Evidence", "copy_kind"),
        ("NewEvidence", "copy_kind"),
    ],
)
def test_an_empty_value_is_allowed(components, component, field):
    schema = components[component]["properties"][field]
    refs = {option.get("$ref", "").rsplit("/", 1)[-1] for option in schema.get("oneOf", [])}
    assert "BlankEnum" in refs, schema


@pytest.mark.parametrize("field", ["found_in", "found_at"])
def test_where_it_was_found_may_be_null(components, field):
    assert components["Evidence"]["properties"][field].get("nullable") is True
