"""RFC 9457 problem details for every error a client can cause, never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from .messages import TITLES, message

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
_STATUS_KEYS = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
}


def client_language() -> str:
    """Return 'fr' when the client prefers French, else 'en'."""
    try:
        best = request.accept_languages.best_match(["en", "fr"], default="en")
    except RuntimeError:
        return "en"
    return best or "en"


class Problem(Exception):
    """An error answered as problem+json."""

    def __init__(
        self,
        status: int,
        key: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(key)
        self.status, self.key, self.errors = status, key, errors
        self.headers, self.detail = headers or {}, detail


def problem_response(
    status: int,
    key: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    detail: str | None = None,
) -> Response:
    """Build a problem+json response titled in the client's language."""
    lang = client_language()
    body: dict[str, Any] = {
        "type": f"https://palabre.invalid/problems/{key.replace('_', '-')}",
        "title": message(key, lang) if key in TITLES else key,
        "status": status,
        "code": key,
    }
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    resp = jsonify(body)
    resp.status_code = status
    resp.mimetype = PROBLEM
    resp.headers["Content-Language"] = lang
    for name, value in (headers or {}).items():
        resp.headers[name] = value
    return resp


def init_app(app: Flask) -> None:
    """Answer every error as problem+json on the API, and database outages as 503."""

    @app.errorhandler(Problem)
    def _problem(exc: Problem) -> Response:
        return problem_response(
            exc.status, exc.key, errors=exc.errors, headers=exc.headers, detail=exc.detail
        )

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def _database_down(exc: Exception) -> Response:
        outage = isinstance(exc, OperationalError | InterfaceError) or getattr(
            exc, "connection_invalidated", False
        )
        if not outage:  # a DataError or ProgrammingError is a bug: retrying will not help
            log.exception("database error")
            return problem_response(500, "internal")
        log.error("database error: %s", type(exc).__name__)
        retry = str(app.config["RETRY_AFTER_SECONDS"])
        return problem_response(503, "unavailable", headers={"Retry-After": retry})

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        key = _STATUS_KEYS.get(status)
        if key is None:
            resp = exc.get_response()
            return resp
        # Keep the headers HTTP requires, e.g. Allow on a 405 (RFC 9110).
        kept = {k: v for k, v in exc.get_headers() if k.lower() in {"allow", "retry-after"}}
        return problem_response(status, key, headers=kept)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error")
        return problem_response(500, "internal")
