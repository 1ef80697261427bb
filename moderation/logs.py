"""Structured JSON logs with a request id; never comment text, emails or secrets at INFO."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import sys
import time
import uuid
from typing import Any

from flask import Flask, Response, g, request

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
access_log = logging.getLogger("palabre.access")


class JsonFormatter(logging.Formatter):
    """One JSON object per line; json escaping keeps control characters from forging lines."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=True, default=str)


class RequestIdFilter(logging.Filter):
    """Attach the current request's id to every record logged during a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        with contextlib.suppress(RuntimeError):  # outside a request or app context
            record.request_id = g.get("request_id", "-")
        return True


def configure(level: str = "INFO", fmt: str = "json") -> None:
    """Send the app's logs to stderr, one JSON object per line (or plain text)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
        logging.Formatter.converter = time.gmtime
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)r"))
    for name in ("moderation", "classifier", "palabre"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level.upper())
        logger.propagate = False


def init_app(app: Flask) -> None:
    """Give every request an id (X-Request-Id) and log one access line per request."""
    if not app.testing:
        configure(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])

    @app.before_request
    def _start() -> None:
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["X-Request-Id"] = g.get("request_id", "")
        started = g.get("request_started")
        duration = (time.perf_counter() - started) * 1000 if started else 0.0
        site = g.get("site")
        access_log.info(
            "request",
            extra={
                "method": request.method,
                "endpoint": request.endpoint or "unknown",
                "status": response.status_code,
                "duration_ms": round(duration, 2),
                "site_id": getattr(site, "id", None),
            },
        )
        return response
