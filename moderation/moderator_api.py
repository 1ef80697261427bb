"""The moderators' JSON API: the queue and decisions, with a per-moderator Bearer token."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, Response, g, jsonify, request

from . import db, decisions, queries
from .accounts import moderator_for_token, visible_site_ids
from .bodies import read_payload
from .errors import Problem
from .limits import MAX_ID
from .models import Comment, CommentStatus, Moderator

bp = Blueprint("moderator_api", __name__, url_prefix="/api/v1")
F = TypeVar("F", bound=Callable[..., Any])


def moderator_required(view: F) -> F:
    """Authenticate ``Authorization: Bearer <moderator token>``; site keys are refused."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        with db.reading() as s:  # a read: on SQLite it must not queue for the write lock
            mod = moderator_for_token(s, token.strip()) if scheme.lower() == "bearer" else None
        if mod is None:
            raise Problem(
                401,
                "unauthorized",
                headers={"WWW-Authenticate": 'Bearer realm="palabre-moderators"'},
            )
        g.api_moderator = mod
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _mod() -> Moderator:
    mod: Moderator = g.api_moderator
    return mod


def comment_json(c: Comment) -> dict[str, Any]:
    """Return what a moderator needs to decide on a comment."""
    return {
        "id": c.id,
        "site_id": c.site_id,
        "status": str(c.status),
        "score": c.score,
        "reasons": c.reasons,
        "content": c.content,
        "author": {
            "name": c.author_name,
            "email": c.author_email,
            "url": c.author_url,
            "ip": c.author_ip,
            "user_agent": c.user_agent,
        },
        "post_id": c.post_id,
        "permalink": c.permalink,
        "created_at": c.created_at.isoformat(),
        "decided_at": c.decided_at.isoformat() if c.decided_at else None,
        "claimed_until": c.claimed_until.isoformat() if c.claimed_until else None,
    }


def problem_for(exc: decisions.DecisionError, comment_id: int | None = None) -> Problem:
    """Turn a refused decision into problem+json, naming who decided and when."""
    detail = _detail(exc)
    problem = Problem(exc.status, exc.code, detail=detail)
    problem.errors = None
    if exc.by or exc.at or exc.current:
        problem.errors = [
            {
                "comment_id": comment_id if comment_id is not None else exc.comment_id,
                "current_status": exc.current or None,
                "by": exc.by or None,
                "at": exc.at.isoformat() if exc.at else None,
            }
        ]
    return problem


def _detail(exc: decisions.DecisionError) -> str:
    at = exc.at.isoformat() if exc.at else "?"
    if exc.code == "claimed":
        return f"claimed by {exc.by} until {at}"
    if exc.code in ("conflict", "changed_since"):
        return f"status is {exc.current}, set by {exc.by} at {at}"
    return exc.code.replace("_", " ")


def _expected(raw: Any) -> CommentStatus | None:
    if raw is None:
        return None
    if not isinstance(raw, str) or raw not in set(CommentStatus):
        raise Problem(422, "validation", errors=[{"field": "expected_status", "code": "invalid"}])
    return CommentStatus(raw)


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name, "")
    if not isinstance(value, str):
        raise Problem(422, "validation", errors=[{"field": name, "code": "type"}])
    return value


@bp.get("/queue")
@moderator_required
def queue() -> Response:
    """List comments with the same filters as the HTML queue.

    A read-only transaction: on SQLite a listing held in a write transaction would make
    every comment arriving meanwhile wait for it.
    """
    f = queries.parse_filter(request.args)
    with db.reading() as s:
        page = queries.list_queue(s, visible_site_ids(s, _mod()), f)
        body = {
            "items": [comment_json(c) for c in page.items],
            "total": page.total,
            "page": page.page,
            "pages": page.pages,
            "counts": page.counts,
            "counts_capped": sorted(page.capped),
        }
    return jsonify(body)


@bp.post("/comments/<int:comment_id>/decision")
@moderator_required
def decision(comment_id: int) -> Response:
    """Approve, spam or reject one comment: {"action", "reason"?, "expected_status"?}."""
    body = read_payload(request)
    s = db.session()
    try:
        comment = decisions.decide(
            s,
            comment_id,
            _mod(),
            _text(body, "action"),
            _text(body, "reason"),
            _expected(body.get("expected_status")),
        )
    except decisions.DecisionError as exc:
        s.rollback()
        raise problem_for(exc, comment_id) from None
    s.commit()
    return jsonify(comment_json(comment))


def _is_id(value: Any) -> bool:
    # JSON true is a Python int; ids past INTEGER overflow the database (500, not 422).
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_ID


@bp.post("/decisions")
@moderator_required
def bulk() -> Response:
    """Decide several comments: {"action", "ids": [...], "reason"?, "expected_status"?}."""
    body = read_payload(request)
    ids = body.get("ids")
    if not isinstance(ids, list) or not ids or not all(_is_id(i) for i in ids):
        raise Problem(422, "validation", errors=[{"field": "ids", "code": "type"}])
    if _text(body, "action") not in decisions.ACTIONS:  # refuse the batch, not each item
        raise Problem(422, "validation", errors=[{"field": "action", "code": "invalid"}])
    if len(_text(body, "reason")) > decisions.MAX_REASON:
        raise Problem(422, "validation", errors=[{"field": "reason", "code": "too_long"}])
    s = db.session()
    try:
        results = decisions.decide_many(
            s,
            ids,
            _mod(),
            _text(body, "action"),
            _text(body, "reason"),
            _expected(body.get("expected_status")),
        )
    except decisions.DecisionError as exc:
        s.rollback()
        raise problem_for(exc) from None
    s.commit()
    out = []
    for r in results:
        if r.comment is not None:
            out.append({"id": r.comment_id, "status": 200, "comment": comment_json(r.comment)})
        else:
            assert r.error is not None
            p = problem_for(r.error, r.comment_id)
            problem = {"status": p.status, "code": p.key, "detail": p.detail, "errors": p.errors}
            out.append({"id": r.comment_id, "status": p.status, "problem": problem})
    return jsonify(results=out, decided=sum(1 for r in results if r.error is None))


@bp.post("/undo")
@moderator_required
def undo() -> Response:
    """Undo the token owner's last decision."""
    s = db.session()
    try:
        comment = decisions.undo(s, _mod())
    except decisions.DecisionError as exc:
        s.rollback()
        raise problem_for(exc) from None
    s.commit()
    return jsonify(comment_json(comment))
