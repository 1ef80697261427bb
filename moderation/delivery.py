"""Deliver outbox events: claim with a lease, POST signed JSON, log every attempt, back off.

At-least-once: an event is marked delivered only after a 2xx; a worker that dies mid-send
leaves its lease to expire and another worker sends the same event (same ``webhook-id``)
again. Claims are a compare-and-set UPDATE of the lease (after FOR UPDATE SKIP LOCKED on
PostgreSQL), so two workers never send the same attempt.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from . import signing, ssrf
from .db import utcnow
from .models import Site
from .outbox import event_body, wants_events
from .webhook_models import EventState, WebhookDelivery, WebhookEvent
from .webhooks import site_secret

log = logging.getLogger(__name__)
# Seconds to wait after failed attempt n (1-based); 11 attempts over about 36 hours.
BACKOFF = (5, 30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600)
JITTER = 0.2  # each delay is scaled by a random factor in [0.8, 1.2]
USER_AGENT = "Palabre-Webhooks/1.0"


@dataclass(frozen=True)
class Settings:
    """What a worker needs from the app config."""

    secret_key: str
    timeout: float = 10.0
    lease_seconds: int = 60
    allow_private: bool = False


@dataclass(frozen=True)
class Outcome:
    """What one attempt produced."""

    status_code: int | None
    error: str
    duration_ms: int
    url: str


def next_delay(attempt: int, rng: random.Random | None = None) -> float | None:
    """Return the seconds before retrying after failed attempt ``attempt``, or None: give up."""
    if attempt < 1 or attempt > len(BACKOFF):
        return None
    factor = 1 + (rng or random).uniform(-JITTER, JITTER)
    return BACKOFF[attempt - 1] * factor


def claim(session: Session, worker: str, lease_seconds: int, limit: int = 10) -> list[int]:
    """Lease up to ``limit`` due events to ``worker`` and commit; return their ids."""
    now = utcnow()
    free = or_(WebhookEvent.locked_until.is_(None), WebhookEvent.locked_until < now)
    due = (
        select(WebhookEvent.id)
        .where(WebhookEvent.state == EventState.PENDING, WebhookEvent.next_attempt_at <= now, free)
        .order_by(WebhookEvent.next_attempt_at, WebhookEvent.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed: list[int] = []
    for event_id in session.scalars(due).all():
        result = session.execute(
            update(WebhookEvent)
            .where(WebhookEvent.id == event_id, WebhookEvent.state == EventState.PENDING, free)
            .values(
                locked_by=worker,
                locked_until=now + timedelta(seconds=lease_seconds),
                attempts=WebhookEvent.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(event_id)
    session.commit()
    return claimed


def send(client: httpx.Client, event: WebhookEvent, site: Site, settings: Settings) -> Outcome:
    """POST one event to the site's callback, pinned to the address we checked."""
    url = site.callback_url or ""
    started = time.monotonic()

    def done(code: int | None, error: str = "") -> Outcome:
        return Outcome(code, error[:500], int((time.monotonic() - started) * 1000), url)

    secret = site_secret(site, settings.secret_key)
    if secret is None:
        return done(None, "no readable webhook secret: rotate it")
    try:
        target = ssrf.check(url, allow_private=settings.allow_private)
    except ssrf.UnsafeURL as exc:
        return done(None, f"refused: {exc}")
    body = event_body(event)
    headers = {
        "Host": target.host_header(),
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **signing.headers_for(secret, event.event_id, int(time.time()), body),
    }
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    request = client.build_request(
        "POST", target.pinned_url(), content=body, headers=headers, extensions=extensions
    )
    try:
        response = client.send(request, stream=True)
        response.close()  # the body is not needed; do not let a receiver stream us forever
    except httpx.HTTPError as exc:
        return done(None, f"{type(exc).__name__}: {exc}")
    return done(response.status_code)


def finish(
    session: Session, event_id: int, worker: str, outcome: Outcome, rng: random.Random | None
) -> None:
    """Log the attempt and move the event on; the caller commits."""
    now = utcnow()
    event = session.get(WebhookEvent, event_id, populate_existing=True)
    if event is None:
        return
    session.add(
        WebhookDelivery(
            event_id=event.id,
            site_id=event.site_id,
            attempt=event.attempts,
            worker=worker,
            url=outcome.url,
            status_code=outcome.status_code,
            error=outcome.error,
            duration_ms=outcome.duration_ms,
            created_at=now,
        )
    )
    if event.locked_by != worker:
        return  # our lease ran out and another worker owns the event now
    event.locked_by, event.locked_until = None, None
    code = outcome.status_code
    if code is not None and 200 <= code < 300:
        event.state, event.delivered_at, event.last_error = EventState.DELIVERED, now, ""
        return
    event.last_error = outcome.error or f"HTTP {code}"
    if code == 410:
        disable_endpoint(session, event.site_id, now)
        return
    delay = next_delay(event.attempts, rng)
    if delay is None:
        event.state = EventState.FAILED
    else:
        event.next_attempt_at = now + timedelta(seconds=delay)


def disable_endpoint(session: Session, site_id: int, now: datetime) -> None:
    """Answer a 410: disable the site's callback and cancel its undelivered events."""
    site = session.get(Site, site_id)
    if site is not None:
        site.callback_disabled_at = now
    session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.site_id == site_id, WebhookEvent.state == EventState.PENDING)
        .values(state=EventState.CANCELLED, locked_by=None, locked_until=None)
        .execution_options(synchronize_session=False)
    )


def deliver_one(
    session: Session,
    client: httpx.Client,
    event_id: int,
    worker: str,
    settings: Settings,
    rng: random.Random | None = None,
) -> Outcome:
    """Send a claimed event and record the outcome."""
    event = session.get(WebhookEvent, event_id)
    assert event is not None
    site = session.get(Site, event.site_id)
    assert site is not None
    session.commit()  # no transaction (no lock on SQLite) while we wait on the network
    if not wants_events(site):
        outcome = Outcome(None, "endpoint removed or disabled", 0, site.callback_url or "")
        finish(session, event_id, worker, outcome, rng)
        event.state = EventState.CANCELLED
    else:
        outcome = send(client, event, site, settings)
        finish(session, event_id, worker, outcome, rng)
    session.commit()
    log.info(
        "webhook %s attempt %s: %s",
        event.event_id,
        event.attempts,
        outcome.status_code or outcome.error,
    )
    return outcome


def new_client(settings: Settings) -> httpx.Client:
    """Return the HTTP client of a worker: no redirects, no proxies from the environment."""
    return httpx.Client(
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(settings.timeout, connect=min(settings.timeout, 5.0)),
    )


def deliver_due(
    session: Session, client: httpx.Client, worker: str, settings: Settings, limit: int = 10
) -> int:
    """Claim and deliver due events; return how many were attempted."""
    ids = claim(session, worker, settings.lease_seconds, limit)
    for event_id in ids:
        deliver_one(session, client, event_id, worker, settings)
    return len(ids)


def redeliver(session: Session, event: WebhookEvent) -> None:
    """Queue an event for one more attempt now (manual redelivery); the caller commits."""
    event.state = EventState.PENDING
    event.next_attempt_at = utcnow()
    event.locked_by = event.locked_until = None
