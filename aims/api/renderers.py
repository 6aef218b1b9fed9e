"""The API's JSON renderer: DRF's JSON, written by orjson."""

from __future__ import annotations

import orjson
from django.utils.functional import Promise
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_ENCODER = JSONEncoder()
_LINE_SEPARATOR, _PARAGRAPH_SEPARATOR = "\u2028".encode(), "\u2029".encode()


class ORJSONRenderer(JSONRenderer):
    """DRF's JSON, written by orjson (decimals and lazy translations go through DRF's encoder, which turns a lazy
    string into the active language's text).

    orjson writes UUIDs, dates and datetimes itself, as DRF's fields and encoder do (``str(uuid)``, ISO 8601, a
    UTC offset as ``Z``); the fast path leaves them in its rows for that (``aims.api.list_plan._representer``).
    The one output that differs is an offset with seconds (local mean time before about 1900), which orjson
    rounds to the minute: the fast path renders those as DRF does, and serializers hand the renderer text, not
    datetimes."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        renderer_context = renderer_context or {}
        if self.get_indent(accepted_media_type, renderer_context):
            return super().render(data, accepted_media_type, renderer_context)
        options = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS
        try:
            text = orjson.dumps(data, default=_ENCODER.default, option=options)
        except TypeError:  # a lazy string as a dict key, which no JSON encoder takes: its text then
            text = orjson.dumps(_text_keys(data), default=_ENCODER.default, option=options)
        # DRF escapes the two line separators JavaScript once refused in a string; so do we, for the same text.
        if _LINE_SEPARATOR in text or _PARAGRAPH_SEPARATOR in text:
            text = text.replace(_LINE_SEPARATOR, b"\\u2028").replace(_PARAGRAPH_SEPARATOR, b"\\u2029")
        return text


def _text_keys(data):
    if isinstance(data, dict):
        return {str(k) if isinstance(k, Promise) else k: _text_keys(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_text_keys(v) for v in data]
    return data
