"""Run the rules on an incoming comment: refusals first (duplicate, flood), then signals."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from . import flood, rules
from . import settings as site_settings
from .db import utcnow
from .fingerprint import Fingerprint, fingerprint
from .intake import CommentIn
from .models import Site
from .policy import Effect, Signal
from .settings import Mode, SettingsError, SiteSettings
from .signals import look_up, rule_context

log = logging.getLogger(__name__)
# Refused.key of a retry that came while its original was still being scored and stored.
IN_PROGRESS = "in_progress"


class Refused(Exception):
    """The comment is not taken at all: a duplicate (409) or too fast (429)."""

    def __init__(self, status: int, key: str, detail: str, retry_after: int | None = None) -> None:
        super().__init__(detail)
        self.status, self.key, self.detail, self.retry_after = status, key, detail, retry_after


@dataclass(frozen=True)
class Evaluation:
    """Every signal on a comment, and what ``signals.record`` stores with it."""

    signals: list[Signal]
    fingerprint: Fingerprint
    near: list[tuple[int, str, int | None]]
    settings: SiteSettings


def settings_for(site: Site) -> SiteSettings:
    """Return the site's settings; broken stored settings fall back to the defaults, loudly."""
    try:
        return site_settings.load(site)
    except SettingsError as exc:
        log.error("site %s has invalid settings, using the defaults: %s", site.name, exc)
        return SiteSettings(low_threshold=site.low_threshold, high_threshold=site.high_threshold)


def _duplicate(original: int | None, mode: Mode) -> list[Signal]:
    if original is None:
        return []
    detail = f"same content by the same author on the same post as comment {original}"
    if mode == Mode.ON:
        raise Refused(409, "duplicate", detail)
    return [Signal("duplicate.exact", detail, Effect.BLOCK, shadow=True)]


def evaluate(
    session: Session,
    site: Site,
    comment: CommentIn,
    payload: Mapping[str, Any],
    now: datetime | None = None,
    retry_keys: tuple[str, ...] = (),
) -> Evaluation:
    """Refuse duplicates and floods, then run every rule; raise Refused or return signals.

    Duplicates are checked before flood control, as WordPress does, so a double click is a
    409 and does not count against the commenter's rate. A comment refused as too fast whose
    ``retry_keys`` (idempotency key, external id) a request still in flight carries is
    refused as ``in_progress`` instead: it is a retry sent before the original was stored.
    """
    now = now or utcnow()
    conf = settings_for(site)
    fp = fingerprint(comment.content)
    known = look_up(session, site, comment, fp, conf, now)  # one statement for every lookup
    found: list[Signal] = []
    if conf.duplicate.mode != Mode.OFF:
        found += _duplicate(known.duplicate, conf.duplicate.mode)
    try:
        found += flood.check(site, comment, conf, retry_keys)
    except flood.Flooded as exc:
        if exc.in_flight:
            raise Refused(
                409, IN_PROGRESS, "a request with the same key is being stored", 1
            ) from None
        raise Refused(
            429,
            "flood" if exc.code == "flood.too_fast" else "rate_limited",
            exc.message,
            exc.retry_after,
        ) from None
    ctx = rule_context(comment, payload, conf, known, now)
    return Evaluation(rules.run(comment, ctx, conf) + found, fp, known.near, conf)
