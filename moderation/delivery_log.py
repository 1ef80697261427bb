"""A site's webhook delivery log for the UI: events, newest first, each with every attempt."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .webhook_models import WebhookDelivery, WebhookEvent

PER_PAGE = 20


@dataclass
class LogPage:
    """One page of events and their attempts (oldest attempt first)."""

    events: list[tuple[WebhookEvent, list[WebhookDelivery]]]
    page: int
    pages: int
    total: int


def delivery_page(
    session: Session, site_id: int, page: int = 1, per_page: int = PER_PAGE
) -> LogPage:
    """Return one page of the site's events, newest first, with their delivery attempts."""
    where = WebhookEvent.site_id == site_id
    total = session.scalar(select(func.count()).select_from(WebhookEvent).where(where)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    events = list(
        session.scalars(
            select(WebhookEvent)
            .where(where)
            .order_by(WebhookEvent.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    attempts: dict[int, list[WebhookDelivery]] = {e.id: [] for e in events}
    if events:
        rows = session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.event_id.in_(list(attempts)))
            .order_by(WebhookDelivery.event_id, WebhookDelivery.attempt, WebhookDelivery.id)
        )
        for row in rows:
            attempts[row.event_id].append(row)
    return LogPage([(e, attempts[e.id]) for e in events], page, pages, total)


def find_event(session: Session, site_id: int, event_id: str) -> WebhookEvent | None:
    """Return the site's event with this ``evt_`` id, or None."""
    return session.scalar(
        select(WebhookEvent).where(
            WebhookEvent.site_id == site_id, WebhookEvent.event_id == event_id
        )
    )
