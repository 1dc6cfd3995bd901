"""The OpenAPI schema is valid and the docs are served with local assets only."""

from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_schema_validates_without_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
    assert "/api/claims/" in (tmp_path / "schema.yaml").read_text()


def test_schema_endpoint(anonymous_client):
    response = anonymous_client.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert "/api/claims/{id}/" in response.json()["paths"]


def test_docs_use_no_external_assets(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html
    assert "/static/drf_spectacular_sidecar/" in html


def test_sidecar_asset_is_served(client):
    response = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert response.status_code == 200


OPERATIONS = Path(__file__).resolve().parent / "data" / "openapi_operations.txt"


def test_paths_methods_and_operation_ids_are_the_committed_ones(anonymous_client):
    """The API's addresses do not move when the code does: every operation of the schema
    (method, path, operationId) is the list in tests/data/openapi_operations.txt, no more,
    no less. A new endpoint is added to that file in the same commit."""
    schema = anonymous_client.get("/api/schema/?format=json").json()
    served = sorted(
        f"{method.upper()} {path} {operation['operationId']}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    )
    committed = sorted(OPERATIONS.read_text(encoding="utf-8").splitlines())
    assert served == committed
