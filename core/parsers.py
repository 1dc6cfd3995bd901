"""The API's JSON parser: bounded in size and depth, so a hostile body is a 400 or 413
with the API's JSON error, never a 500 or an unbounded read."""

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser

# No request of the API nests deeper than a few levels (a claim, its evidence, a
# source's authors); 32 leaves room and stops a body built to exhaust the stack.
MAX_JSON_DEPTH = 32


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"

    def __init__(self, limit: int):
        super().__init__(
            f"The request body is larger than the {limit:,} bytes the API accepts: "
            "send less at a time (e.g. one document or a few claims per request), "
            "or import large datasets with manage.py import_dataset."
        )


def depth_of(data) -> int:
    """How deeply lists and objects nest in parsed JSON (a scalar is 0), without recursion."""
    deepest, pending = 0, [(data, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            pending.extend((child, depth + 1) for child in children)
    return deepest


class BoundedJSONParser(JSONParser):
    """DRF's JSONParser reads the whole body whatever its size (it bypasses Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE) and lets Python's json module recurse until the stack
    runs out (RecursionError, a 500). This one refuses both, with the API's JSON error."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if request is not None and limit is not None:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                raise PayloadTooLarge(limit)
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(self.too_deep()) from None
        if depth_of(data) > MAX_JSON_DEPTH:
            raise exceptions.ParseError(self.too_deep())
        return data

    @staticmethod
    def too_deep() -> str:
        return (
            f"JSON parse error - the body nests lists or objects more than "
            f"{MAX_JSON_DEPTH} levels deep; no operation of the API needs that."
        )
