"""JSON encoding with orjson where it gives the same JSON, Python's json everywhere else.

Every comment encodes its answer and three JSON columns (payload, reasons, kept answer):
with the standard library that was about 3% of a worker's time per comment, with orjson
a tenth of it. What orjson refuses (keys that are not strings, integers beyond 64 bits) falls
back to `json.dumps`, so nothing that used to encode now fails, and the same values decode
from either output. One difference remains: orjson writes NaN and infinities as null where
`json.dumps` wrote NaN, which is not JSON (and which request bodies refuse on the way in).
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider

_COMPACT = {"separators": (",", ":")}  # what flask.jsonify passes outside debug mode
# Datetimes and dataclasses go to Flask's own `default` (HTTP dates), as with json.dumps.
_PASSTHROUGH = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def column_dumps(value: Any) -> str:
    """Encode a JSON column's value (SQLAlchemy's ``json_serializer``)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value)


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, with the compact answers (`jsonify`) encoded by orjson."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs == _COMPACT:
            option = _PASSTHROUGH | (orjson.OPT_SORT_KEYS if self.sort_keys else 0)
            try:
                return orjson.dumps(obj, default=self.default, option=option).decode()
            except TypeError:
                pass  # the standard encoder decides, and raises the usual error if it must
        return super().dumps(obj, **kwargs)
