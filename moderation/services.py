"""Use cases over a Session: store a scored comment, find retries, read a comment."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Insert, bindparam, insert, or_, select
from sqlalchemy.orm import Session

from .db import one_statement_write, reading, utcnow
from .intake import CommentIn
from .models import ActorType, Comment, CommentStatus, Site, StatusChange
from .outbox import record_event, wants_events
from .policy import Decision, Signal, Thresholds, decide
from .scoring import Scorer, ScoreResult
from .screening import Evaluation
from .signals import record as record_signals
from .signals import records_nothing, stored_columns


class IdempotencyConflict(Exception):
    """The idempotency key or external id was used before for a different comment."""


def site_thresholds(site: Site, default: tuple[float, float]) -> Thresholds:
    """Return the site's thresholds, falling back to the model's."""
    low = site.low_threshold if site.low_threshold is not None else default[0]
    high = site.high_threshold if site.high_threshold is not None else default[1]
    return Thresholds(low=low, high=high)


def find_retry(
    session: Session, site: Site, comment: CommentIn, idempotency_key: str | None
) -> Comment | None:
    """Return the comment this request repeats, or None; raise on a reused key."""
    keys = []
    if idempotency_key:
        keys.append(Comment.idempotency_key == idempotency_key)
    if comment.external_id:
        keys.append(Comment.external_id == comment.external_id)
    if not keys:
        return None
    found = session.scalars(
        select(Comment).where(Comment.site_id == site.id, or_(*keys)).limit(1)
    ).first()
    if found is not None and found.request_hash != comment.fingerprint():
        raise IdempotencyConflict()
    return found


def retry_keys(comment: CommentIn, idempotency_key: str | None) -> tuple[str, ...]:
    """Return what makes a request a retry of another (find_retry's keys), as flood keys."""
    keys = (f"key:{idempotency_key}",) if idempotency_key else ()
    return keys + ((f"external:{comment.external_id}",) if comment.external_id else ())


# A retry that came while its original was being stored waits this long for it (the original
# only has its scoring and one INSERT left), polling every _RETRY_POLL seconds.
RETRY_WAIT = 2.0
_RETRY_POLL = 0.02


def wait_for_retry(
    session: Session, site: Site, comment: CommentIn, idempotency_key: str | None
) -> Comment | None:
    """Return the comment this request repeats once its original is stored, or None in time.

    Each look is its own read transaction, so it sees what was committed meanwhile. Raises
    IdempotencyConflict as find_retry does.
    """
    deadline = time.monotonic() + RETRY_WAIT
    while True:
        with reading():
            found = find_retry(session, site, comment, idempotency_key)
        if found is not None or time.monotonic() >= deadline:
            return found
        time.sleep(_RETRY_POLL)


@dataclass(frozen=True)
class Stored:
    """A comment just written by the intake: what the answer, the outbox and metrics read."""

    id: int
    site: Site
    external_id: str | None
    status: CommentStatus
    score: float | None
    reasons: list[dict[str, Any]]
    intake_response: dict[str, Any]
    campaign_id: int | None

    @property
    def site_id(self) -> int:
        return self.site.id


_COMMENTS = Comment.__table__
_INSERT_COMMENT = insert(_COMMENTS).returning(_COMMENTS.c.id)
_INSERT_CHANGE = insert(StatusChange.__table__)


def store_comment(
    session: Session,
    site: Site,
    comment: CommentIn,
    payload: dict[str, Any],
    idempotency_key: str | None,
    score: ScoreResult,
    decision: Decision,
    model_version: str,
    columns: dict[str, Any] | None = None,
) -> Stored:
    """Insert the comment and its first audit entry; the caller commits.

    ``columns`` are further Comment columns set in the same INSERT (fingerprint, campaign).
    Plain INSERT statements on the session's connection, not the ORM's unit of work: the
    intake writes each row once and never reads it back, and the ORM's work cost more than
    the statements themselves.
    """
    now = utcnow()
    verdict = CommentStatus(decision.verdict)
    # The answer is kept for retries; its id is added on reading, so storing it costs no
    # second UPDATE after the INSERT.
    answer = {
        "status": str(verdict),
        "score": score.probability,
        "reasons": decision.reasons,
        "model_version": model_version,
    }
    values = {
        "site_id": site.id,
        "idempotency_key": idempotency_key or None,
        "external_id": comment.external_id or None,
        "request_hash": comment.fingerprint(),
        "content": comment.content,
        "author_name": comment.author_name,
        "author_email": comment.author_email,
        "author_url": comment.author_url,
        "author_ip": comment.author_ip,
        "user_agent": comment.user_agent,
        "referrer": comment.referrer,
        "permalink": comment.permalink,
        "post_id": comment.post_id,
        "parent_id": comment.parent_id,
        "language": comment.language,
        "submitted_at": comment.submitted_at,
        "payload": payload,
        "score": score.probability,
        "status": str(verdict),
        "reasons": decision.reasons,
        "model_version": model_version,
        "intake_response": answer,
        "created_at": now,
        "updated_at": now,
        **(columns or {}),
    }
    change = {
        "from_status": None,
        "to_status": str(verdict),
        "actor_type": str(ActorType.SYSTEM),
        "actor_label": "classifier" if score.probability is not None else "policy",
        "reason": ", ".join(r["code"] for r in decision.reasons if r.get("source") != "classifier")
        or _summary(decision),
        "created_at": now,
    }
    connection = session.connection()
    if connection.dialect.name == "postgresql":  # one statement, one round trip
        both = {**values, **{f"change_{k}": v for k, v in change.items() if k != "created_at"}}
        comment_id = connection.execute(_comment_with_change(tuple(values)), both).scalar_one()
    else:  # SQLite has no INSERT inside WITH
        comment_id = connection.execute(_INSERT_COMMENT, values).scalar_one()
        connection.execute(_INSERT_CHANGE, {"comment_id": comment_id, **change})
    row = Stored(
        id=comment_id,
        site=site,
        external_id=values["external_id"],
        status=verdict,
        score=score.probability,
        reasons=decision.reasons,
        intake_response=answer,
        campaign_id=values.get("campaign_id"),
    )
    record_event(session, row, actor_type=ActorType.SYSTEM)  # webhook outbox, same transaction
    return row


_CHANGE_COLUMNS = ("from_status", "to_status", "actor_type", "actor_label", "reason")


@lru_cache(maxsize=16)
def _comment_with_change(columns: tuple[str, ...]) -> Insert:
    """Return one PostgreSQL statement inserting a comment and its first audit row.

    ``WITH new AS (INSERT INTO comments ... RETURNING id) INSERT INTO status_changes SELECT
    new.id, ...``: the audit row's values are parameters named ``change_<column>``; both rows
    share ``created_at``. Built once per set of comment columns.
    """
    new = (
        insert(_COMMENTS)
        .values({name: bindparam(name, type_=_COMMENTS.c[name].type) for name in columns})
        .returning(_COMMENTS.c.id)
        .cte("new_comment")
    )
    changes = StatusChange.__table__
    rows = select(
        new.c.id,
        *(bindparam(f"change_{name}", type_=changes.c[name].type) for name in _CHANGE_COLUMNS),
        bindparam("created_at", type_=changes.c.created_at.type),
    )
    return (
        insert(changes)
        .from_select(["comment_id", *_CHANGE_COLUMNS, "created_at"], rows)
        .returning(changes.c.comment_id)
    )


def _summary(decision: Decision) -> str:
    codes = [r["code"] for r in decision.reasons if r["code"].startswith("score_")]
    return codes[0] if codes else ""


def judge(signals: list[Signal], score: ScoreResult, thresholds: Thresholds) -> Decision:
    """Combine rule signals and the score into a decision."""
    return decide(signals, score.probability, thresholds, score.explanation)


@dataclass(frozen=True)
class Assessment:
    """A screened comment's score and decision, before anything is stored."""

    evaluation: Evaluation
    score: ScoreResult
    decision: Decision
    model_version: str


def assess(site: Site, comment: CommentIn, evaluation: Evaluation, model: Scorer) -> Assessment:
    """Score a screened comment with the site's model and decide; touches no database.

    Every entry point (the intake API, Akismet) goes through here, so they cannot drift.
    """
    score = model.score(comment, site.id)
    thresholds = site_thresholds(site, model.thresholds(site.id))
    decision = judge(evaluation.signals, score, thresholds)
    return Assessment(evaluation, score, decision, model.version_for(site.id))


def store_assessed(
    session: Session,
    site: Site,
    comment: CommentIn,
    payload: dict[str, Any],
    idempotency_key: str | None,
    assessment: Assessment,
) -> Stored:
    """Store an assessed comment with its audit row, outbox event and rule hits."""
    a, ev = assessment, assessment.evaluation
    if records_nothing(ev.signals, ev.near) and not wants_events(site):
        # Nothing but the comment and its audit row, one INSERT on PostgreSQL: it may commit
        # by itself (record_signals and record_event write nothing in this case).
        one_statement_write(session)
    row = store_comment(
        session,
        site,
        comment,
        payload,
        idempotency_key,
        a.score,
        a.decision,
        a.model_version,
        stored_columns(ev.fingerprint, ev.near),
    )
    record_signals(session, row, ev.signals, ev.near)
    return row


def original_answer(row: Comment | Stored) -> dict[str, Any]:
    """Return the body the intake endpoint answered when it stored ``row`` (for retries)."""
    return {"id": row.id, **{k: v for k, v in row.intake_response.items() if k != "id"}}


def comment_for_site(session: Session, site: Site, comment_id: int) -> Comment | None:
    """Return the site's comment ``comment_id``; another site's comment is None."""
    return session.scalar(
        select(Comment).where(Comment.id == comment_id, Comment.site_id == site.id)
    )


def describe(row: Comment) -> dict[str, Any]:
    """Return a comment's current state and history for the API."""
    return {
        "id": row.id,
        "external_id": row.external_id,
        "status": str(row.status),
        "score": row.score,
        "reasons": row.reasons,
        "model_version": row.model_version,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
        "history": [
            {
                "from": str(h.from_status) if h.from_status else None,
                "to": str(h.to_status),
                "actor": str(h.actor_type),
                "by": h.actor_label,
                "reason": h.reason,
                "at": h.created_at.isoformat(),
            }
            for h in row.history
        ],
    }


__all__ = [
    "Assessment",
    "assess",
    "store_assessed",
    "CommentStatus",
    "IdempotencyConflict",
    "Stored",
    "comment_for_site",
    "describe",
    "find_retry",
    "retry_keys",
    "wait_for_retry",
    "original_answer",
    "judge",
    "site_thresholds",
    "store_comment",
]
