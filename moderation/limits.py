"""Refuse URL ids no row can have, before they reach a query (a DataError, not a 404)."""

from __future__ import annotations

from typing import Any

from flask import Flask, abort

MAX_ID = 2**31 - 1  # ids are INTEGER columns: 32-bit on PostgreSQL


def _bounded_ids(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    for value in (values or {}).values():
        if isinstance(value, int) and not isinstance(value, bool) and value > MAX_ID:
            abort(404)


def init_app(app: Flask) -> None:
    """Answer 404 for an ``<int:...>`` URL value larger than any row id."""
    app.url_value_preprocessor(_bounded_ids)
