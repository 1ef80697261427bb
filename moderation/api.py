"""The site-facing JSON API: submit a comment, read it back."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import db, metrics, screening, services
from .bodies import read_payload
from .errors import Problem, client_language
from .intake import CommentIn, InvalidComment, parse_comment
from .messages import message
from .models import Site
from .scoring import scorer
from .sites import authenticated_site
from .webhooks import verified_webhook_id

bp = Blueprint("api", __name__, url_prefix="/api/v1")
F = TypeVar("F", bound=Callable[..., Any])
MAX_IDEMPOTENCY_KEY = 255


def authenticate(session: Session) -> Site:
    """Return the site named by ``Authorization: Bearer <key>``; raise 401 otherwise."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    site = authenticated_site(session, key.strip()) if scheme.lower() == "bearer" else None
    if site is None:
        raise Problem(401, "unauthorized", headers={"WWW-Authenticate": 'Bearer realm="palabre"'})
    g.site = site
    return site


def site_required(view: F) -> F:
    """Authenticate the site from ``Authorization: Bearer <key>`` and put it in ``g.site``."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with db.reading() as s:
            authenticate(s)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _validation_problem(exc: InvalidComment) -> Problem:
    lang = client_language()
    errors = [
        {"field": e.field, "code": e.code, "message": message(e.message_key, lang, **e.params)}
        for e in exc.errors
    ]
    return Problem(422, "validation", errors=errors)


@bp.post("/comments")
def submit() -> Response:
    """Validate, score, decide and store one comment; answer with the verdict.

    Authentication, the retry lookup and the rules' reads share one read transaction; the
    comment is then written in a second, short one.
    """
    session = db.session()
    try:
        with db.reading():
            site = authenticate(session)
            comment, payload, key = _read_comment(site)
            retry = services.find_retry(session, site, comment, key)
            if retry is not None:
                return _answer(services.original_answer(retry), 200)
            evaluation = screening.evaluate(  # 409, 429, signals
                session, site, comment, payload, retry_keys=services.retry_keys(comment, key)
            )
        assessment = services.assess(site, comment, evaluation, scorer())
        row = services.store_assessed(session, site, comment, payload, key, assessment)
        session.commit()
    except IntegrityError:
        # A concurrent request with the same key won the race: answer as a retry.
        session.rollback()
        try:
            retry = services.find_retry(session, site, comment, key)
        except services.IdempotencyConflict:
            # The winner stored another comment under this key: the same answer as when it
            # had been stored before this request came.
            session.rollback()
            raise Problem(422, "idempotency_mismatch") from None
        session.commit()
        if retry is None:
            raise
        return _answer(services.original_answer(retry), 200)
    except services.IdempotencyConflict:
        session.rollback()
        raise Problem(422, "idempotency_mismatch") from None
    except screening.Refused as exc:
        session.rollback()
        if exc.key == screening.IN_PROGRESS:
            # A retry sent while its original was being stored: once stored, the same answer.
            try:
                retry = services.wait_for_retry(session, site, comment, key)
            except services.IdempotencyConflict:
                raise Problem(422, "idempotency_mismatch") from None
            if retry is not None:
                return _answer(services.original_answer(retry), 200)
        retry_after = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
        raise Problem(exc.status, exc.key, detail=exc.detail, headers=retry_after) from None
    metrics.record_verdict(site.name, str(row.status))
    resp = _answer(services.original_answer(row), 201)
    resp.headers["Location"] = url_for("api.show", comment_id=row.id)
    return resp


def _read_comment(site: Site) -> tuple[CommentIn, dict[str, Any], str | None]:
    """Check the signature, read and validate the body; return it with its idempotency key."""
    signed_id = verified_webhook_id(site)  # None unless the site requires signatures
    payload = read_payload(request)
    key = request.headers.get("Idempotency-Key", "").strip() or None
    if key is not None and (len(key) > MAX_IDEMPOTENCY_KEY or not key.isprintable()):
        raise Problem(400, "bad_request", detail="Idempotency-Key must be printable, ≤255 chars")
    if signed_id is not None:
        key = signed_id  # the signed id, not the unsigned header: a replay answers as a retry
    try:
        comment = parse_comment(
            payload,
            max_chars=current_app.config["MAX_COMMENT_CHARS"],
            check_deliverability=current_app.config["CHECK_EMAIL_DELIVERABILITY"],
        )
    except InvalidComment as exc:
        raise _validation_problem(exc) from None
    return comment, payload, key


def _answer(body: dict[str, Any], status: int) -> Response:
    resp = jsonify(body)
    resp.status_code = status
    return resp


@bp.get("/comments/<int:comment_id>")
@site_required
def show(comment_id: int) -> Response:
    """Return a comment's status, score, reasons and history."""
    with db.reading() as s:
        row = services.comment_for_site(s, g.site, comment_id)
        if row is None:
            raise Problem(404, "not_found")
        return jsonify(services.describe(row))
