"""The webhook outbox: an event per status change, written in the change's own transaction.

Callers: services.store_comment (automatic verdicts) and decisions.change_status (every human
decision and undo). The delivery worker (delivery.py) sends what is written here.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from .db import utcnow
from .models import ActorType, CommentStatus, Site
from .webhook_models import EventState, WebhookEvent

EVENT_TYPES: dict[CommentStatus, str] = {
    CommentStatus.APPROVED: "comment.approved",
    CommentStatus.SPAM: "comment.spam",
    CommentStatus.REJECTED: "comment.rejected",
    CommentStatus.PENDING: "comment.pending",
}


class EventSubject(Protocol):
    """What is read of a comment just changed: a Comment, or the intake's services.Stored.

    The outbox event reads all of it; signals.record, the id, site id and campaign.
    """

    @property
    def id(self) -> int: ...
    @property
    def site(self) -> Site | None: ...
    @property
    def site_id(self) -> int: ...
    @property
    def external_id(self) -> str | None: ...
    @property
    def status(self) -> CommentStatus: ...
    @property
    def score(self) -> float | None: ...
    @property
    def reasons(self) -> list[dict[str, Any]]: ...
    @property
    def campaign_id(self) -> int | None: ...


def new_event_id() -> str:
    """Return a unique, unguessable event id (the ``webhook-id`` receivers de-duplicate on)."""
    return "evt_" + secrets.token_urlsafe(18)


def wants_events(site: Site) -> bool:
    """True when the site has a callback endpoint that is not disabled."""
    return bool(site.callback_url) and site.callback_disabled_at is None


def record_event(
    session: Session,
    comment: EventSubject,
    *,
    actor_type: ActorType,
    moderator: str = "",
    previous: CommentStatus | None = None,
    at: datetime | None = None,
) -> WebhookEvent | None:
    """Add an event for the comment's current status; the caller's transaction commits it.

    Return None (and write nothing) when the comment's site has no active callback.
    """
    site = comment.site if comment.site is not None else session.get(Site, comment.site_id)
    if site is None or not wants_events(site):
        return None
    now = at or utcnow()
    status = CommentStatus(comment.status)
    body: dict[str, Any] = {
        "type": EVENT_TYPES[status],
        "timestamp": now.isoformat(),
        "data": {
            "comment_id": comment.id,
            "external_id": comment.external_id,
            "site": site.name,
            "status": str(status),
            "previous_status": str(previous) if previous is not None else None,
            "score": comment.score,
            "reasons": comment.reasons or [],
            "actor": str(actor_type),
            "moderator": moderator or None,
            "changed_at": now.isoformat(),
        },
    }
    event = WebhookEvent(
        event_id=new_event_id(),
        site_id=site.id,
        comment_id=comment.id,
        type=body["type"],
        payload=body,
        state=EventState.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(event)
    return event


def event_body(event: WebhookEvent) -> bytes:
    """Return the exact bytes sent (and signed) for an event."""
    return json.dumps(event.payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
