"""Helpers for API tests: writes carry the If-Match the API requires."""


def current_etag(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response["ETag"]


def patch(client, url: str, data: dict):
    return client.patch(url, data, format="json", HTTP_IF_MATCH=current_etag(client, url))


def put(client, url: str, data: dict):
    return client.put(url, data, format="json", HTTP_IF_MATCH=current_etag(client, url))


def delete(client, url: str):
    return client.delete(url, HTTP_IF_MATCH=current_etag(client, url))
