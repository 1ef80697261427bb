"""Flood control and per-site rate limits: per process in memory, or shared through Redis.

The ``limits`` library provides the storage (``memory://`` by default, served by
moderation.memory_limits, which starts no threads; Redis when
MODERATION_RATELIMIT_STORAGE_URI is ``redis://...``) and the moving-window strategy. The keys
name the site and the commenter from the payload (author_ip, author_email), never the
address of the site's server that sends the webhook. (Flask-Limiter, which wraps the same
library, is not used: its per-request hooks cost time on every request and we decorate no
view with its limits.)
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from flask import Flask, current_app
from limits import RateLimitItem, RateLimitItemPerSecond, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter, RateLimiter

from . import memory_limits
from .intake import CommentIn
from .models import Site
from .policy import Effect, Signal
from .settings import Mode, SiteSettings

log = logging.getLogger(__name__)
EXTENSION = "palabre.limiter"
PREFIX = "palabre"
# How long a comment that passed flood control marks its retry keys as in flight: longer than
# scoring and storing take, short enough that a crashed request does not hold its key for long.
IN_FLIGHT = RateLimitItemPerSecond(1, 10)


@dataclass(frozen=True)
class Check:
    """One limit to apply: what it limits, the rate and the storage key."""

    code: str
    mode: Mode
    item: RateLimitItem
    keys: tuple[str, ...]
    message: str


class Flooded(Exception):
    """A limit was reached; retry after ``retry_after`` seconds.

    ``in_flight``: a request with the same idempotency key or external id passed flood control
    moments ago, so this one is most likely its retry, sent before it was stored.
    """

    def __init__(self, code: str, message: str, retry_after: int, in_flight: bool = False) -> None:
        super().__init__(message)
        self.code, self.message, self.retry_after = code, message, retry_after
        self.in_flight = in_flight


def storage_uri(configured: str) -> str:
    """Return the storage to use: ``memory://`` is served by our thread-free equivalent."""
    if configured.split("://", 1)[0] == "memory":
        return f"{memory_limits.SCHEME}://"
    return configured


def init_app(app: Flask) -> None:
    """Create the app's moving-window limiter on the configured storage."""
    storage = storage_from_string(storage_uri(app.config["RATELIMIT_STORAGE_URI"]))
    app.extensions[EXTENSION] = MovingWindowRateLimiter(storage)


def strategy() -> RateLimiter:
    """Return the current app's rate-limit strategy."""
    limiter: RateLimiter = current_app.extensions[EXTENSION]
    return limiter


def checks(site: Site, comment: CommentIn, settings: SiteSettings) -> list[Check]:
    """Return the limits that apply to this comment, flood checks first."""
    out: list[Check] = []
    seconds = settings.flood.seconds
    if settings.flood.mode != Mode.OFF and seconds > 0:
        item = RateLimitItemPerSecond(1, seconds)
        message = f"another comment from this {{}} less than {seconds} s ago"
        for kind, value in (("IP", comment.author_ip), ("email", comment.author_email.lower())):
            if value:
                keys = (PREFIX, "flood", str(site.id), kind, value)
                out.append(
                    Check("flood.too_fast", settings.flood.mode, item, keys, message.format(kind))
                )
    if settings.site_rate.mode != Mode.OFF:
        for item in parse_many(settings.site_rate.limit):
            keys = (PREFIX, "site", str(site.id))
            message = f"the site sent more than {item} comments"
            out.append(Check("flood.site_rate", settings.site_rate.mode, item, keys, message))
    return out


def retry_after(limiter: RateLimiter, item: RateLimitItem, *keys: str) -> int:
    """Return the whole seconds until the limit ``item`` on ``keys`` lets a hit through."""
    stats = limiter.get_window_stats(item, *keys)
    return max(1, math.ceil(stats.reset_time - time.time()))


def check(
    site: Site, comment: CommentIn, settings: SiteSettings, retry_keys: tuple[str, ...] = ()
) -> list[Signal]:
    """Count this comment against its limits; raise Flooded, or return shadow signals.

    ``retry_keys`` (idempotency key, external id) are marked as in flight once the comment
    passes, so that a concurrent retry of it, refused for coming too fast, is told apart from
    another comment (``Flooded.in_flight``). A storage failure (Redis down) lets the comment
    through: flood control is a guard, and losing comments would be worse than letting a burst
    in.
    """
    limiter = strategy()
    signals: list[Signal] = []
    limits = checks(site, comment, settings)
    if not limits:  # nothing can refuse this comment or its retry: nothing to count or mark
        return signals
    for item in limits:
        try:
            allowed = limiter.hit(item.item, *item.keys)
            retry = 0 if allowed else retry_after(limiter, item.item, *item.keys)
        except Exception as exc:  # noqa: BLE001 - any storage error: fail open, loudly
            log.warning("rate-limit storage unavailable, not limiting: %s", type(exc).__name__)
            return signals
        if allowed:
            continue
        if item.mode == Mode.ON:
            raise Flooded(item.code, item.message, retry, _in_flight(limiter, site, retry_keys))
        signals.append(Signal(item.code, item.message, Effect.HOLD, shadow=True))
    _mark_in_flight(limiter, site, retry_keys)
    return signals


def _in_flight_keys(site: Site, key: str) -> tuple[str, ...]:
    return (PREFIX, "inflight", str(site.id), key)


def _mark_in_flight(limiter: RateLimiter, site: Site, retry_keys: tuple[str, ...]) -> None:
    for key in retry_keys:
        try:
            limiter.hit(IN_FLIGHT, *_in_flight_keys(site, key))
        except Exception as exc:  # noqa: BLE001 - the mark is a courtesy to retries
            log.warning("rate-limit storage unavailable, retry not marked: %s", type(exc).__name__)
            return


def _in_flight(limiter: RateLimiter, site: Site, retry_keys: tuple[str, ...]) -> bool:
    """Whether a request with one of these keys passed flood control in the last seconds."""
    try:
        return any(not limiter.test(IN_FLIGHT, *_in_flight_keys(site, k)) for k in retry_keys)
    except Exception:  # noqa: BLE001 - unknown: answer as a flood, as before
        return False
