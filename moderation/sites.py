"""Site API keys: generate, hash, authenticate."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session

from .models import Site

KEY_PREFIX = "plb_"
EXTENSION = "palabre.sites"


def new_api_key() -> str:
    """Return a fresh, high-entropy site key."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    """Hash a key for storage; keys are random, so a plain SHA-256 cannot be brute-forced."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def create_site(session: Session, name: str, url: str) -> tuple[Site, str]:
    """Create a site; return it with its key, which is never stored in clear."""
    key = new_api_key()
    site = Site(name=name, url=url, api_key_hash=hash_key(key), api_key_prefix=key[:10])
    session.add(site)
    session.flush()
    return site, key


def rotate_key(site: Site) -> str:
    """Give the site a new key; the old one stops working at commit (in the workers, within
    SITE_CACHE_SECONDS)."""
    key = new_api_key()
    site.api_key_hash, site.api_key_prefix = hash_key(key), key[:10]
    return key


_BY_KEY_HASH = select(Site).where(Site.api_key_hash == bindparam("key_hash"))


def site_for_key(session: Session, key: str) -> Site | None:
    """Return the site owning ``key``, or None (read on every request: built once)."""
    if not plausible_key(key):
        return None
    return session.scalar(_BY_KEY_HASH, {"key_hash": hash_key(key)})


def plausible_key(key: str) -> bool:
    """Return whether ``key`` is worth looking up (keys have 47 characters; 200 at most)."""
    return bool(key) and len(key) <= 200


# Sites change rarely and are read on every request: this process remembers each key's site
# for SITE_CACHE_SECONDS. A change this process commits (a rotated key, new settings) is seen
# at once: the commit of a session that flushed a site moves the generation on, which retires
# every remembered entry; a change another process commits is seen within the TTL.
_generation = 0
_MAX_ENTRIES = 1024
_CHANGED = "palabre.sites_changed"  # Session.info flag: a site was flushed, not yet committed


@event.listens_for(Session, "after_flush")
def _note_site_change(session: Session, _context: Any) -> None:
    if any(isinstance(o, Site) for o in (*session.dirty, *session.new, *session.deleted)):
        session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _retire_cached_sites(session: Session) -> None:
    global _generation
    if session.info.pop(_CHANGED, False):
        _generation += 1


@event.listens_for(Session, "after_soft_rollback")
def _forget_site_change(session: Session, _previous: Any) -> None:
    session.info.pop(_CHANGED, None)


class SiteCache:
    """Each key's site, detached, for ``ttl`` seconds; unknown keys are never remembered."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.clock = ttl, clock
        self._entries: dict[str, tuple[Site, float, int]] = {}

    def site_for_key(self, session: Session, key: str) -> Site | None:
        """Return the site owning ``key`` (detached, shared by this process's requests)."""
        if self.ttl <= 0 or not plausible_key(key):
            return site_for_key(session, key)
        digest = hash_key(key)
        now = self.clock()
        hit = self._entries.get(digest)
        if hit is not None and hit[1] > now and hit[2] == _generation:
            return hit[0]
        generation = _generation
        site = session.scalar(_BY_KEY_HASH, {"key_hash": digest})
        if site is None:
            self._entries.pop(digest, None)
            return None
        session.expunge(site)  # read-only from now on: never flushed, never lazy-loaded
        if len(self._entries) >= _MAX_ENTRIES:
            self._entries.clear()
        self._entries[digest] = (site, now + self.ttl, generation)
        return site


def init_app(app: Flask) -> None:
    """Give the app a site cache of SITE_CACHE_SECONDS (0: read the site on every request)."""
    app.extensions[EXTENSION] = SiteCache(float(app.config["SITE_CACHE_SECONDS"]))


def authenticated_site(session: Session, key: str) -> Site | None:
    """Return the site owning ``key`` through the current app's cache, or None."""
    cache: SiteCache = current_app.extensions[EXTENSION]
    return cache.site_for_key(session, key)
