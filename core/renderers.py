"""The API's JSON renderer: DRF's output, written by orjson.

DRF's JSONRenderer spends a noticeable share of a list request in the standard library's
json encoder; orjson writes the same JSON several times faster. The output is kept the
same: DRF's encoder still handles what orjson does not write the DRF way (datetimes,
decimals, lazy strings: `default=`), U+2028/U+2029 are escaped as DRF does, and anything
orjson refuses (an integer beyond 64 bits) is rendered by DRF itself.
"""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_encoder = JSONEncoder()


class FastJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(data, default=_encoder.default, option=_OPTIONS)
        except (orjson.JSONEncodeError, TypeError):
            return super().render(data, accepted_media_type, renderer_context)
        return body.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
