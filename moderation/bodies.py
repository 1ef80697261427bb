"""Read a request body as a flat dict, with a clear error for anything malformed."""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import parse_qsl

from flask import Request
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge

from .errors import Problem, client_language
from .messages import message

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


def _no_constants(name: str) -> float:
    raise ValueError(f"{name} is not JSON")  # Python's json accepts NaN and Infinity


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999: no database stores it as JSON
        raise ValueError("number out of range")
    return value


def _check_strings(data: dict[str, Any]) -> None:
    """Refuse NUL characters and lone surrogates anywhere in a parsed body (keys included).

    Neither can be stored: PostgreSQL text refuses NUL, and a surrogate escape ("\\ud800")
    is not a character in any encoding.
    """
    stack: list[tuple[str, Any]] = [(k, v) for k, v in data.items()]
    stack += [(k, k) for k in data]
    while stack:
        top, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((top, x) for pair in value.items() for x in pair)
        elif isinstance(value, list):
            stack.extend((top, x) for x in value)
        elif isinstance(value, str):
            if "\x00" in value:
                name = top[:100].replace("\x00", "\\0")
                text = message("nul", client_language())
                errors = [{"field": name, "code": f"{name}.nul", "message": text}]
                raise Problem(422, "validation", errors=errors)
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise Problem(422, "invalid_utf8") from None


def read_body(req: Request) -> bytes:
    """Return the whole body of ``req`` (cached); raise 413 past MAX_CONTENT_LENGTH.

    Werkzeug refuses a Content-Length over the limit up front, but a body without one
    (``Transfer-Encoding: chunked``, which a server passes with ``wsgi.input_terminated``) is
    read through a stream that stops at the limit without raising: the body came back cut at
    the limit, and a cut comment was stored. So when exactly the limit was read, without a
    Content-Length, one more byte is asked of the server's input: if there is one, the body was
    larger than the limit. (Reading the raw input is safe there: without a Content-Length,
    Werkzeug gives a non-empty stream only when the server terminates the input.)
    """
    raw = req.get_data(cache=True)  # raises 413 when Content-Length is past the limit
    limit = req.max_content_length
    if limit is not None and req.content_length is None and len(raw) >= limit:
        try:
            more = req.input_stream.read(1)
        except (OSError, ValueError):  # as Werkzeug's own stream answers a failed read
            raise ClientDisconnected() from None
        if more:
            raise RequestEntityTooLarge()
    return raw


def read_payload(req: Request) -> dict[str, Any]:
    """Return the JSON object or form fields of ``req``; raise Problem otherwise."""
    mimetype = req.mimetype
    is_json = mimetype in JSON_TYPES or (
        mimetype.startswith("application/") and mimetype.endswith("+json")
    )
    if not is_json and mimetype not in FORM_TYPES:
        raise Problem(415, "unsupported_media_type")
    raw = read_body(req)  # raises 413 past MAX_CONTENT_LENGTH, whatever the framing
    charset = req.mimetype_params.get("charset", "utf-8").lower()
    if charset not in {"utf-8", "utf8"}:
        raise Problem(415, "unsupported_media_type", detail="only UTF-8 is accepted")
    if is_json:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Problem(422, "invalid_utf8") from None
        try:
            data = json.loads(
                text,
                object_pairs_hook=_no_duplicates,
                parse_constant=_no_constants,
                parse_float=_finite,
            )
        except (ValueError, RecursionError):
            raise Problem(400, "malformed_json") from None
        if not isinstance(data, dict):
            raise Problem(400, "not_object")
        if len(data) > MAX_FORM_FIELDS:
            raise Problem(400, "bad_request", detail=f"at most {MAX_FORM_FIELDS} fields")
        _check_strings(data)
        return data
    try:
        # Clients should percent-encode every non-ASCII byte, but browsers, PHP and Werkzeug
        # also accept raw UTF-8; either way the bytes must be UTF-8 (parse_qsl checks the
        # percent-encoded ones).
        text = raw.decode("utf-8")
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
    _check_strings(form)
    return form
