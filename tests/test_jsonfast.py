"""JSON written by orjson where it matches the standard library, by json.dumps elsewhere."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from flask import Flask, jsonify

from moderation.jsonfast import JSONProvider, column_dumps

VALUES = [
    {"content": "Très bien ! \u2028 <b>&</b>", "n": 3, "x": 0.1, "ok": True, "none": None},
    [{"code": "word", "spans": [{"start": 0, "end": 4}], "weight": 1.2345}],
    "é",
    12,
]


@pytest.mark.parametrize("value", VALUES)
def test_columns_decode_to_the_same_value(value) -> None:
    assert json.loads(column_dumps(value)) == value


@pytest.mark.parametrize("value", [{1: "int key"}, {"big": 2**70}, [2**64]])
def test_columns_fall_back_where_orjson_refuses(value) -> None:
    assert column_dumps(value) == json.dumps(value)


def test_jsonify_matches_flasks_own_encoder() -> None:
    fast, plain = Flask("fast"), Flask("plain")
    fast.json = JSONProvider(fast)
    value = {
        "b": [3, 2.5, "ç"],
        "a": {"z": 1, "y": None},
        "when": datetime(2026, 11, 29, 12, 0, tzinfo=UTC),  # Flask writes an HTTP date
        "money": Decimal("1.10"),  # and a string for a Decimal
    }
    with fast.app_context():
        body = jsonify(value).get_data(as_text=True)
        assert fast.json.dumps({"b": 1, "a": 2}, separators=(",", ":")) == '{"a":2,"b":1}'
    with plain.app_context():
        expected = jsonify(value).get_data(as_text=True)
    assert json.loads(body) == json.loads(expected)
    assert "Sun, 29 Nov 2026 12:00:00 GMT" in body and '"1.10"' in body


def test_jsonify_falls_back_and_refuses_what_flask_refuses() -> None:
    app = Flask("fast")
    app.json = JSONProvider(app)
    with app.app_context():
        assert json.loads(jsonify({1: "a"}).get_data()) == {"1": "a"}
        with pytest.raises(TypeError):
            jsonify({"x": object()})


def test_the_app_uses_it(app) -> None:
    assert isinstance(app.json, JSONProvider)


def test_nan_is_written_as_null_not_as_invalid_json() -> None:
    assert json.loads(column_dumps({"x": float("nan")})) == {"x": None}
