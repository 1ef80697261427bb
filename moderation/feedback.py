"""Labelled examples from people: moderator decisions and Akismet submit-spam/submit-ham."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from .db import utcnow
from .models import Comment, CommentStatus, Moderator, Role, Site
from .webhook_models import Feedback, Label

# Statuses a person can set that say something about spam; ``rejected`` (off-topic, rude) and
# ``pending`` (undo to the queue) are not spam labels.
LABELS: dict[CommentStatus, Label] = {
    CommentStatus.SPAM: Label.SPAM,
    CommentStatus.APPROVED: Label.HAM,
}


def record_feedback(
    session: Session,
    site: Site,
    label: Label,
    payload: dict[str, Any],
    *,
    source: str,
    actor: str,
    comment: Comment | None = None,
    is_test: bool = False,
    trainable: bool = True,
) -> Feedback:
    """Add a labelled example built from the as-submitted payload; the caller commits.

    Test traffic is stored (for the log) but never trainable.
    """
    row = Feedback(
        site_id=site.id,
        comment_id=comment.id if comment is not None else None,
        label=label,
        source=source,
        actor=actor,
        is_test=is_test,
        trainable=trainable and not is_test,
        payload=payload,
        created_at=utcnow(),
    )
    session.add(row)
    return row


# Roles whose decisions train the model; a role added later (e.g. a read-only reviewer) does not.
TRAINING_ROLES = {Role.ADMIN, Role.MODERATOR}


def from_decision(
    session: Session, comment: Comment, moderator: Moderator, *, undo: bool = False
) -> Feedback | None:
    """Record a moderator's decision as a labelled example; an undo withdraws the last one."""
    if undo:
        session.execute(
            update(Feedback)
            .where(
                Feedback.comment_id == comment.id,
                Feedback.source == "moderator",
                Feedback.trainable.is_(True),
            )
            .values(trainable=False, note="undone")
            .execution_options(synchronize_session=False)
        )
    label = LABELS.get(CommentStatus(comment.status))
    if label is None:
        return None
    site = comment.site if comment.site is not None else session.get(Site, comment.site_id)
    assert site is not None
    return record_feedback(
        session,
        site,
        label,
        dict(comment.payload or {}),
        source="moderator",
        actor=moderator.email,
        comment=comment,
        trainable=Role(moderator.role) in TRAINING_ROLES and moderator.is_active,
    )
