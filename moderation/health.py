"""Liveness and readiness probes."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from . import db
from .scoring import scorer

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """Answer 200 while the process lives."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Answer 200 only when the database and the model are usable; say what is wrong."""
    problems: dict[str, str] = {}
    try:
        with db.reading() as s:
            s.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session().rollback()
        problems["database"] = f"unreachable ({type(exc).__name__})"
    model = scorer()
    if not model.ready:
        problems["model"] = f"unavailable ({model.error})"
    body = {"status": "ready" if not problems else "not ready", "problems": problems}
    body["model_version"] = model.version
    return jsonify(body), (200 if not problems else 503)
