"""An Akismet-compatible API (1.1/1.2), so Akismet clients work by changing the endpoint.

The Akismet key is the site's API key and ``blog`` must be the site's URL. comment-check
scores, decides and stores the comment exactly like the JSON intake (docs/akismet.md says how
a ``pending`` verdict is answered); submit-spam and submit-ham become labelled feedback.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from . import db, screening, services
from .bodies import read_body
from .feedback import record_feedback
from .intake import REQUIRED, CommentIn, InvalidComment, parse_comment
from .models import Comment, CommentStatus, Site
from .scoring import scorer
from .sites import authenticated_site
from .webhook_models import Label

bp = Blueprint("akismet", __name__)
THANKS = "Thanks for making the web a better place."
FIELDS = {  # intake field <- Akismet field
    "content": "comment_content",
    "author_name": "comment_author",
    "author_email": "comment_author_email",
    "author_url": "comment_author_url",
    "author_ip": "user_ip",
    "user_agent": "user_agent",
    "referrer": "referrer",
    "permalink": "permalink",
    "language": "blog_lang",
    "submitted_at": "comment_date_gmt",
}
PLACEHOLDERS = {"content": "-", "author_name": "-", "author_email": "akismet@example.com"}
SECRET_FIELDS = {"api_key", "key"}
TRUE_VALUES = {"1", "true", "yes", "on"}


def _text(body: str, status: int = 200, **headers: str) -> Response:
    resp = Response(body, status=status, mimetype="text/plain")
    for name, value in headers.items():
        resp.headers[name.replace("_", "-")] = value
    return resp


def _invalid(help_text: str) -> Response:
    return _text("invalid", X_akismet_debug_help=help_text)


def _form() -> dict[str, str]:
    read_body(request)  # 413 past the limit, chunked bodies too; request.form reads the cache
    fields = {k: v for k, v in request.args.items()}
    fields.update(request.form.items())
    return fields


def _same_site(blog: str, site_url: str) -> bool:
    def norm(url: str) -> tuple[str, str, str]:
        try:
            parts = urlsplit(url.strip())
            host = (parts.hostname or "").lower().rstrip(".")
            port = parts.port
        except ValueError:
            return ("", "", "")
        default = {"http": 80, "https": 443}.get(parts.scheme.lower())
        netloc = host if port in (None, default) else f"{host}:{port}"
        return parts.scheme.lower(), netloc, parts.path.rstrip("/")

    return bool(blog) and norm(blog) == norm(site_url)


def _site(form: dict[str, str]) -> Site | None:
    key = (form.get("api_key") or form.get("key") or "").strip()
    site = authenticated_site(db.session(), key) if key else None
    if site is None or not _same_site(form.get("blog", ""), site.url):
        return None
    return site


def _is_test(form: dict[str, str]) -> bool:
    return form.get("is_test", "").strip().lower() in TRUE_VALUES


def to_comment(form: dict[str, str]) -> CommentIn:
    """Map Akismet fields to a CommentIn; missing required fields are stored empty.

    Akismet accepts comments without an author, email or even content (signups), and its
    clients cannot handle a validation error, so invalid optional fields are dropped.
    """
    mapped: dict[str, Any] = {k: form[v] for k, v in FIELDS.items() if form.get(v, "").strip()}
    if "language" in mapped:  # "en_us, fr_fr" -> "en-us"
        mapped["language"] = mapped["language"].split(",")[0].strip().replace("_", "-")
    placeholders = {k: v for k, v in PLACEHOLDERS.items() if k not in mapped}
    for _ in range(2):
        try:
            comment = parse_comment(
                {**mapped, **placeholders}, max_chars=current_app.config["MAX_COMMENT_CHARS"]
            )
        except InvalidComment as exc:
            bad = {e.field for e in exc.errors}
            if "content" in bad:
                raise
            mapped = {k: v for k, v in mapped.items() if k not in bad}
            placeholders.update({k: PLACEHOLDERS[k] for k in bad if k in REQUIRED})
            continue
        return dataclasses.replace(comment, **{k: "" for k in placeholders})
    raise InvalidComment([])


def _idempotency_key(comment: CommentIn) -> str:
    # Akismet has no comment id: the same comment checked again (recheck_reason, retries)
    # finds the stored one and answers its current status.
    return "akismet:" + comment.fingerprint()[:48]


def _answer(status: CommentStatus, score: float | None, reasons: list[dict[str, Any]]) -> Response:
    headers = {"X_akismet_guid": str(uuid.uuid4()), "X_Palabre_Status": str(status)}
    if status == CommentStatus.APPROVED:
        return _text("false", **headers)
    blocked = any(r.get("effect") == "block" and not r.get("shadow") for r in reasons)
    sure = score is not None and score >= float(current_app.config["AKISMET_DISCARD_SCORE"])
    if status == CommentStatus.SPAM and (blocked or sure):
        headers["X_akismet_pro_tip"] = "discard"
    return _text("true", **headers)  # spam, rejected, and pending: hold it (docs/akismet.md)


@bp.post("/1.1/verify-key")
def verify_key() -> Response:
    """Answer ``valid`` when the key is a site key and ``blog`` is that site's URL."""
    form = _form()
    site = _site(form)
    db.session().commit()
    if site is None:
        return _invalid("The key or blog URL is not a Palabre site key and site URL.")
    return _text("valid")


@bp.post("/1.1/comment-check")
def comment_check() -> Response:
    """Score a comment: ``true`` is spam (or held for review), ``false`` is ham."""
    form = _form()
    site = _site(form)
    if site is None:
        db.session().commit()
        return _invalid("The key or blog URL is not a Palabre site key and site URL.")
    if not form.get("user_ip", "").strip():
        db.session().commit()
        return _text("Missing required field: user_ip.", X_akismet_debug_help="Send user_ip.")
    try:
        comment = to_comment(form)
    except InvalidComment as exc:
        db.session().commit()
        codes = ", ".join(e.code for e in exc.errors)
        return _text("Invalid comment_content.", X_akismet_debug_help=f"Refused: {codes}.")
    payload = {k: v for k, v in form.items() if k not in SECRET_FIELDS}
    return _check(site, comment, payload, _is_test(form))


def _check(site: Site, comment: CommentIn, payload: dict[str, Any], is_test: bool) -> Response:
    session = db.session()
    key = _idempotency_key(comment)
    try:
        with db.reading():
            stored = services.find_retry(session, site, comment, key)
            if stored is not None:
                return _answer(stored.status, stored.score, stored.reasons)
            evaluation = screening.evaluate(
                session, site, comment, payload, retry_keys=services.retry_keys(comment, key)
            )
        assessment = services.assess(site, comment, evaluation, scorer())
        if is_test:  # scored, never stored, never learned from
            decision = assessment.decision
            return _answer(decision.verdict, assessment.score.probability, decision.reasons)
        row = services.store_assessed(session, site, comment, payload, key, assessment)
        session.commit()
    except screening.Refused as exc:  # duplicate or flood: Akismet clients only know spam
        session.rollback()
        if exc.key == screening.IN_PROGRESS:  # the same check, sent again while being stored
            try:
                stored = services.wait_for_retry(session, site, comment, key)
            except services.IdempotencyConflict:
                stored = None
            if stored is not None:
                return _answer(stored.status, stored.score, stored.reasons)
        return _text("true", X_akismet_guid=str(uuid.uuid4()), X_Palabre_Refused=exc.key)
    except (IntegrityError, services.IdempotencyConflict):
        session.rollback()
        stored = services.find_retry(session, site, comment, key)
        session.commit()
        if stored is None:
            raise
        return _answer(stored.status, stored.score, stored.reasons)
    resp = _answer(row.status, row.score, row.reasons)
    resp.headers["X-Palabre-Comment-Id"] = str(row.id)
    return resp


def _submit(label: Label) -> Response:
    form = _form()
    site = _site(form)
    if site is None:
        db.session().commit()
        return _invalid("The key or blog URL is not a Palabre site key and site URL.")
    session = db.session()
    try:
        key: str | None = _idempotency_key(to_comment(form))
    except InvalidComment:
        key = None
    stored = (
        session.scalar(
            select(Comment).where(Comment.site_id == site.id, Comment.idempotency_key == key)
        )
        if key
        else None
    )
    payload = {k: v for k, v in form.items() if k not in SECRET_FIELDS}
    record_feedback(
        session,
        site,
        label,
        payload,
        source="akismet",
        actor=f"site:{site.name}",
        comment=stored,
        is_test=_is_test(form),
    )
    session.commit()
    return _text(THANKS)


@bp.post("/1.1/submit-spam")
def submit_spam() -> Response:
    """Record a missed spam as a labelled example."""
    return _submit(Label.SPAM)


@bp.post("/1.1/submit-ham")
def submit_ham() -> Response:
    """Record a false positive as a labelled example."""
    return _submit(Label.HAM)


@bp.get("/1.2/usage-limit")
def usage_limit() -> Response:
    """Report this month's checks; Palabre sets no limit."""
    key = (request.args.get("api_key") or request.args.get("key") or "").strip()
    site = authenticated_site(db.session(), key) if key else None
    if site is None:
        db.session().commit()
        return _invalid("Unknown API key.")
    now = datetime.now().astimezone()
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    used = db.session().scalar(
        select(func.count())
        .select_from(Comment)
        .where(Comment.site_id == site.id, Comment.created_at >= start)
    )
    db.session().commit()
    return jsonify({"limit": "none", "usage": used or 0, "percentage": "0.00", "throttled": False})
