"""Hostile request bodies get the API's JSON error: a body nested deeper than any
operation needs is a 400 (it was a RecursionError, a 500), one larger than
DATA_UPLOAD_MAX_MEMORY_SIZE a 413 (it was read whole) (issue 11)."""

import json

import pytest
from rest_framework.test import APIClient

from claims.models import Claim
from core.parsers import MAX_JSON_DEPTH, depth_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(curator):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(curator)
    return client


def post_raw(client, body: str):
    return client.generic("POST", "/api/claims/", body, content_type="application/json")


def assert_json_error(response, status: int, words: str):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert words in response.json()["detail"]


@pytest.mark.parametrize("depth", [100_000, 2_000])
def test_a_deeply_nested_body_is_a_400(client, depth):
    response = post_raw(client, "[" * depth + "]" * depth)
    assert_json_error(response, 400, "nests lists or objects more than")


def test_a_body_just_too_deep_for_the_api_is_a_400(client, document):
    nested = {"document": document.slug, "key": "N1", "quote": "x"}
    for _ in range(MAX_JSON_DEPTH):
        nested = {"evidence": [nested]}
    response = post_raw(client, json.dumps(nested))
    assert_json_error(response, 400, f"more than {MAX_JSON_DEPTH} levels")
    assert not Claim.objects.exists()


def test_an_oversized_body_is_a_413_with_the_api_error(client, settings, document):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    body = json.dumps({"document": document.slug, "key": "BIG", "quote": "q" * 2_000})
    response = post_raw(client, body)
    assert_json_error(response, 413, "larger than the 1,000 bytes")
    assert not Claim.objects.filter(key="BIG").exists()


def test_a_body_under_the_limit_is_read(client, settings, document):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    quote = document.body[:20]
    response = post_raw(
        client,
        json.dumps(
            {"document": document.slug, "key": "OK", "quote": quote, "claim_type": "statistic"}
        ),
    )
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    ("data", "depth"),
    [(1, 0), ("text", 0), ([], 1), ({"a": [1, {"b": []}]}, 4), ([[[]], []], 3)],
)
def test_depth_of(data, depth):
    assert depth_of(data) == depth
