"""Moderator accounts: argon2id passwords, hashed API tokens, login throttling, site grants."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.strategies import RateLimiter
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import flood
from .db import utcnow
from .models import Moderator, Role, Site, SiteGrant

TOKEN_PREFIX = "plm_"  # noqa: S105 - a public prefix, not a secret
FREE_FAILURES = 5  # failures per email before each new one locks the account for a while
MAX_LOCK_SECONDS = 15 * 60
IP_WINDOW_SECONDS = 15 * 60
IP_MAX_FAILURES = 30

log = logging.getLogger(__name__)

_hasher = PasswordHasher()  # argon2id with the library's current defaults
# A hash to verify against when the email is unknown, so timing does not reveal accounts.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """An account cannot be created or changed as asked."""


class Throttled(Exception):
    """Too many failed logins; retry after ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = max(1, retry_after)


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    """Return whether ``password`` matches the stored argon2 hash."""
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def new_password() -> str:
    """Return a random password a person can type."""
    return secrets.token_urlsafe(12)


def new_token() -> str:
    """Return a fresh, high-entropy moderator API token."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Hash a token for storage (random tokens need no slow hash)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def normalize_email(email: str) -> str:
    """Return the email as accounts store it: trimmed, lower case."""
    return email.strip().lower()


def create_moderator(session: Session, email: str, role: Role, password: str) -> Moderator:
    """Add a moderator; the caller commits."""
    email = normalize_email(email)
    if "@" not in email or len(email) > 320:
        raise AccountError(f"not an email address: {email!r}")
    if len(password) < 8:
        raise AccountError("the password must have at least 8 characters")
    if find_moderator(session, email) is not None:
        raise AccountError(f"a moderator {email} exists already")
    mod = Moderator(email=email, role=role, password_hash=hash_password(password))
    mod.failed_logins, mod.is_active, mod.language = 0, True, ""
    session.add(mod)
    session.flush()
    return mod


def find_moderator(session: Session, email: str) -> Moderator | None:
    """Return the moderator with this email, or None."""
    return session.scalar(select(Moderator).where(Moderator.email == normalize_email(email)))


def issue_token(moderator: Moderator) -> str:
    """Give the moderator a new API token (the old one stops working) and return it."""
    token = new_token()
    moderator.api_token_hash = hash_token(token)
    return token


def moderator_for_token(session: Session, token: str) -> Moderator | None:
    """Return the active moderator owning ``token``, or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    mod = session.scalar(select(Moderator).where(Moderator.api_token_hash == hash_token(token)))
    return mod if mod is not None and mod.is_active else None


@dataclass
class IpThrottle:
    """Failed logins per client IP in a moving window, counted in the rate-limit storage.

    The storage is flood control's (moderation.flood): in memory per process by default,
    shared by every worker and host with MODERATION_RATELIMIT_STORAGE_URI=redis://... A
    storage failure lets the attempt through, loudly: the per-account lock still applies.
    """

    window: int = IP_WINDOW_SECONDS
    limit: int = IP_MAX_FAILURES

    def _item(self) -> RateLimitItem:
        return RateLimitItemPerSecond(self.limit, self.window)

    @staticmethod
    def _key(ip: str) -> tuple[str, ...]:
        return (flood.PREFIX, "login", ip)

    def check(self, limiter: RateLimiter, ip: str) -> None:
        """Raise Throttled when ``ip`` failed too often lately."""
        item, key = self._item(), self._key(ip)
        try:
            if limiter.test(item, *key):
                return
            wait = flood.retry_after(limiter, item, *key)
        except Exception as exc:  # noqa: BLE001 - any storage error: fail open, loudly
            log.warning("login throttle storage unavailable: %s", type(exc).__name__)
            return
        raise Throttled(wait)

    def fail(self, limiter: RateLimiter, ip: str) -> None:
        """Record a failed login from ``ip``."""
        try:
            limiter.hit(self._item(), *self._key(ip))
        except Exception as exc:  # noqa: BLE001 - as in check()
            log.warning("login throttle storage unavailable: %s", type(exc).__name__)


def authenticate(session: Session, email: str, password: str) -> Moderator | None:
    """Return the moderator if the password matches; count failures; raise Throttled.

    Past FREE_FAILURES failures, each new failure locks the account for twice as long
    (2 s, 4 s, ... up to 15 min). A success resets the count. The caller commits.
    """
    mod = find_moderator(session, email)
    now = utcnow()
    if mod is not None and mod.locked_until is not None and mod.locked_until > now:
        raise Throttled(int((mod.locked_until - now).total_seconds()) + 1)
    if mod is None or not mod.is_active:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(mod.password_hash, password):
        mod.failed_logins = (mod.failed_logins or 0) + 1
        extra = mod.failed_logins - FREE_FAILURES - 1
        if extra >= 0:
            seconds = min(MAX_LOCK_SECONDS, 2 ** (extra + 1))
            mod.locked_until = now + timedelta(seconds=seconds)
        return None
    if _hasher.check_needs_rehash(mod.password_hash):
        mod.password_hash = hash_password(password)
    mod.failed_logins, mod.locked_until = 0, None
    return mod


def visible_site_ids(session: Session, moderator: Moderator) -> list[int]:
    """Return the ids of the sites this moderator may see: all for an admin, else granted."""
    if moderator.role == Role.ADMIN:
        return list(session.scalars(select(Site.id).order_by(Site.id)))
    return list(
        session.scalars(
            select(SiteGrant.site_id)
            .where(SiteGrant.moderator_id == moderator.id)
            .order_by(SiteGrant.site_id)
        )
    )


def visible_sites(session: Session, moderator: Moderator) -> list[Site]:
    """Return the sites this moderator may see, by name."""
    ids = visible_site_ids(session, moderator)
    return list(session.scalars(select(Site).where(Site.id.in_(ids)).order_by(Site.name)))


def grant(session: Session, moderator: Moderator, site: Site) -> bool:
    """Grant a site to a moderator; return False if it was granted already."""
    if session.get(SiteGrant, (moderator.id, site.id)) is not None:
        return False
    session.add(SiteGrant(moderator_id=moderator.id, site_id=site.id))
    return True


def revoke(session: Session, moderator: Moderator, site: Site) -> bool:
    """Withdraw a site from a moderator; return False if it was not granted."""
    found = session.get(SiteGrant, (moderator.id, site.id))
    if found is None:
        return False
    session.delete(found)
    return True
