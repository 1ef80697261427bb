"""Site API keys: generate, hash, authenticate."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from .models import Site

KEY_PREFIX = "plb_"


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
    """Give the site a new key; the old one stops working at commit."""
    key = new_api_key()
    site.api_key_hash, site.api_key_prefix = hash_key(key), key[:10]
    return key


_BY_KEY_HASH = select(Site).where(Site.api_key_hash == bindparam("key_hash"))


def site_for_key(session: Session, key: str) -> Site | None:
    """Return the site owning ``key``, or None (read on every request: built once)."""
    if not key or len(key) > 200:
        return None
    return session.scalar(_BY_KEY_HASH, {"key_hash": hash_key(key)})
