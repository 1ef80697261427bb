"""Human decisions over a Session: decide, undo, bulk, claim. The caller commits.

Every human status change passes through ``change_status``, a compare-and-set UPDATE on the
expected current status, so of two moderators racing on one comment exactly one wins and the
other gets a Conflict naming who decided and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session, aliased

from .accounts import visible_site_ids
from .db import utcnow
from .feedback import from_decision
from .models import ActorType, Comment, CommentStatus, Moderator, StatusChange
from .outbox import record_event

ACTIONS: dict[str, CommentStatus] = {
    "approve": CommentStatus.APPROVED,
    "spam": CommentStatus.SPAM,
    "reject": CommentStatus.REJECTED,
}
MAX_REASON = 1000
MAX_BULK = 200


class DecisionError(Exception):
    """A decision the service refuses, with an HTTP status and a stable code."""

    status = 400

    def __init__(
        self, code: str, *, by: str = "", at: datetime | None = None, current: str = ""
    ) -> None:
        super().__init__(code)
        self.code, self.by, self.at, self.current = code, by, at, current
        self.comment_id: int | None = None  # set where the caller cannot know it


class NotFound(DecisionError):
    """No such comment among the sites this moderator may see."""

    status = 404


class Conflict(DecisionError):
    """Someone else changed or holds the comment; ``by`` and ``at`` say who and when."""

    status = 409


class Invalid(DecisionError):
    """The request itself is wrong (unknown action, reason too long...)."""

    status = 422


def latest_change(session: Session, comment_id: int) -> StatusChange | None:
    """Return the comment's most recent audit entry."""
    return session.scalar(
        select(StatusChange)
        .where(StatusChange.comment_id == comment_id)
        .order_by(StatusChange.id.desc())
        .limit(1)
    )


def _conflict(session: Session, comment: Comment, code: str = "conflict") -> Conflict:
    last = latest_change(session, comment.id)
    by = (last.actor_label or str(last.actor_type)) if last is not None else ""
    return Conflict(code, by=by, at=last.created_at if last else None, current=str(comment.status))


def change_status(
    session: Session,
    comment: Comment,
    to: CommentStatus,
    *,
    expected: CommentStatus,
    moderator: Moderator,
    reason: str = "",
    undoes: StatusChange | None = None,
) -> StatusChange:
    """Move ``comment`` from ``expected`` to ``to`` and audit it; raise Conflict if it moved.

    The single path of every human status change (decisions, bulk, undo).
    """
    now = utcnow()
    decided = to != CommentStatus.PENDING
    result = session.execute(
        update(Comment)
        .where(Comment.id == comment.id, Comment.status == expected)
        .values(
            status=to,
            decided_by_id=moderator.id if decided else None,
            decided_at=now if decided else None,
            claimed_by_id=None,
            claimed_until=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    session.refresh(comment)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise _conflict(session, comment)
    change = StatusChange(
        comment_id=comment.id,
        from_status=expected,
        to_status=to,
        actor_type=ActorType.MODERATOR,
        moderator_id=moderator.id,
        actor_label=moderator.email,
        reason=reason,
        created_at=now,
        undoes_id=undoes.id if undoes is not None else None,
    )
    session.add(change)
    # Webhook outbox, in this same transaction.
    record_event(
        session,
        comment,
        actor_type=ActorType.MODERATOR,
        moderator=moderator.email,
        previous=expected,
    )
    from_decision(session, comment, moderator, undo=undoes is not None)  # training feedback
    session.flush()
    return change


def visible_comment(session: Session, moderator: Moderator, comment_id: int) -> Comment:
    """Return the comment if the moderator may see its site, else raise NotFound."""
    comment = session.get(Comment, comment_id)
    if comment is None or comment.site_id not in visible_site_ids(session, moderator):
        raise NotFound("not_found")
    return comment


def _claimed_by_other(comment: Comment, moderator: Moderator, now: datetime) -> bool:
    return (
        comment.claimed_by_id is not None
        and comment.claimed_by_id != moderator.id
        and comment.claimed_until is not None
        and comment.claimed_until > now
    )


def decide(
    session: Session,
    comment_id: int,
    moderator: Moderator,
    action: str,
    reason: str = "",
    expected_status: CommentStatus | None = None,
) -> Comment:
    """Apply ``action`` (approve, spam, reject) if the comment is still as the moderator saw it.

    ``expected_status`` defaults to pending: deciding a comment someone already decided
    needs the moderator to say which status they saw.
    """
    to = ACTIONS.get(action)
    if to is None:
        raise Invalid("unknown_action")
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise Invalid("reason_too_long")
    comment = visible_comment(session, moderator, comment_id)
    expected = expected_status or CommentStatus.PENDING
    if comment.status != expected:
        raise _conflict(session, comment)
    if to == expected:
        raise Invalid("no_change")
    if _claimed_by_other(comment, moderator, utcnow()):
        claimer = session.get(Moderator, comment.claimed_by_id)
        raise Conflict(
            "claimed",
            by=claimer.email if claimer else "",
            at=comment.claimed_until,
            current=str(comment.status),
        )
    change_status(session, comment, to, expected=expected, moderator=moderator, reason=reason)
    return comment


@dataclass(frozen=True)
class BulkResult:
    """One comment's outcome in a bulk decision: the comment, or the error."""

    comment_id: int
    comment: Comment | None = None
    error: DecisionError | None = None


def decide_many(
    session: Session,
    comment_ids: list[int],
    moderator: Moderator,
    action: str,
    reason: str = "",
    expected_status: CommentStatus | None = None,
) -> list[BulkResult]:
    """Decide each comment independently; one refusal does not stop the others."""
    if len(comment_ids) > MAX_BULK:
        raise Invalid("too_many")
    out: list[BulkResult] = []
    for cid in dict.fromkeys(comment_ids):  # unique, in order
        try:
            comment = decide(session, cid, moderator, action, reason, expected_status)
        except DecisionError as exc:
            out.append(BulkResult(cid, error=exc))
        else:
            out.append(BulkResult(cid, comment=comment))
    return out


def last_decision(session: Session, moderator: Moderator) -> StatusChange | None:
    """Return the moderator's most recent decision that was not undone (undos excluded)."""
    later = aliased(StatusChange)
    return session.scalar(
        select(StatusChange)
        .where(
            StatusChange.moderator_id == moderator.id,
            StatusChange.actor_type == ActorType.MODERATOR,
            StatusChange.undoes_id.is_(None),
            ~exists().where(later.undoes_id == StatusChange.id),
        )
        .order_by(StatusChange.id.desc())
        .limit(1)
    )


def _unchanged_since(session: Session, change: StatusChange) -> bool:
    """Whether every later change of the comment was undone, or undoes one of those.

    A decision made after ``change`` and then undone leaves the status where ``change`` put
    it: pressing undo twice walks back two decisions on the same comment.
    """
    later = session.scalars(
        select(StatusChange).where(
            StatusChange.comment_id == change.comment_id, StatusChange.id > change.id
        )
    ).all()
    ids = {c.id for c in later}
    undone = {c.undoes_id for c in later if c.undoes_id is not None}
    return all(c.id in undone or c.undoes_id in ids for c in later)


def undo(session: Session, moderator: Moderator) -> Comment:
    """Restore the status before the moderator's last decision, if nobody changed it since."""
    last = last_decision(session, moderator)
    if last is None or last.from_status is None:
        raise Conflict("nothing_to_undo")
    comment = visible_comment(session, moderator, last.comment_id)
    if not _unchanged_since(session, last):
        exc = _conflict(session, comment, "changed_since")
        exc.comment_id = comment.id
        raise exc
    change_status(
        session,
        comment,
        CommentStatus(last.from_status),
        expected=CommentStatus(last.to_status),
        moderator=moderator,
        reason="undo",
        undoes=last,
    )
    return comment


def claim(session: Session, moderator: Moderator, comment: Comment, minutes: int) -> bool:
    """Claim a pending comment for ``minutes``; return False if another moderator holds it.

    On PostgreSQL the row is read FOR UPDATE SKIP LOCKED: a row another transaction is
    claiming right now counts as held. SQLite serialises writers (BEGIN IMMEDIATE).
    """
    if comment.status != CommentStatus.PENDING:
        return False
    now = utcnow()
    row = session.scalar(
        select(Comment)
        .where(Comment.id == comment.id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    if row is None or _claimed_by_other(row, moderator, now):
        return False
    row.claimed_by_id, row.claimed_until = moderator.id, now + timedelta(minutes=minutes)
    session.flush()
    return True


def claim_next(
    session: Session, moderator: Moderator, site_ids: list[int], minutes: int
) -> Comment | None:
    """Claim the most uncertain pending comment nobody else holds, or return None."""
    from .queries import UNCERTAINTY  # local: queries imports this module's names

    now = utcnow()
    row = session.scalar(
        select(Comment)
        .where(
            Comment.site_id.in_(site_ids),
            Comment.status == CommentStatus.PENDING,
            (Comment.claimed_until.is_(None))
            | (Comment.claimed_until <= now)
            | (Comment.claimed_by_id == moderator.id),
        )
        .order_by(UNCERTAINTY, Comment.created_at, Comment.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if row is None:
        return None
    row.claimed_by_id, row.claimed_until = moderator.id, now + timedelta(minutes=minutes)
    session.flush()
    return row


def release(session: Session, moderator: Moderator, comment: Comment) -> None:
    """Give up the moderator's claim on a comment."""
    if comment.claimed_by_id == moderator.id:
        comment.claimed_by_id, comment.claimed_until = None, None
        session.flush()
