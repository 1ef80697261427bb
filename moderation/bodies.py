"""Read a request body as a flat dict, with a clear error for anything malformed."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from flask import Request

from .errors import Problem

MAX_FORM_FIELDS = 200
JSON_TYPES = {"application/json"}
FORM_TYPES = {"application/x-www-form-urlencoded"}


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise Problem(400, "malformed_json", detail=f"duplicate key {key[:50]!r}")
        result[key] = value
    return result


def read_payload(req: Request) -> dict[str, Any]:
    """Return the JSON object or form fields of ``req``; raise Problem otherwise."""
    mimetype = req.mimetype
    is_json = mimetype in JSON_TYPES or (
        mimetype.startswith("application/") and mimetype.endswith("+json")
    )
    if not is_json and mimetype not in FORM_TYPES:
        raise Problem(415, "unsupported_media_type")
    raw = req.get_data(cache=True)  # raises 413 past MAX_CONTENT_LENGTH
    charset = req.mimetype_params.get("charset", "utf-8").lower()
    if charset not in {"utf-8", "utf8"}:
        raise Problem(415, "unsupported_media_type", detail="only UTF-8 is accepted")
    if is_json:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Problem(422, "invalid_utf8") from None
        try:
            data = json.loads(text, object_pairs_hook=_no_duplicates)
        except (ValueError, RecursionError):
            raise Problem(400, "malformed_json") from None
        if not isinstance(data, dict):
            raise Problem(400, "not_object")
        return data
    try:
        text = raw.decode("ascii")  # a urlencoded body is ASCII; bytes are percent-encoded
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FORM_FIELDS,
        )
    except UnicodeDecodeError:
        raise Problem(422, "invalid_utf8") from None
    except ValueError:
        raise Problem(400, "bad_request", detail=f"at most {MAX_FORM_FIELDS} form fields") from None
    form: dict[str, Any] = {}
    for key, value in pairs:
        form.setdefault(key, value)  # the first of repeated fields wins
    return form
