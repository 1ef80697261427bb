"""A site's webhook settings (sealed secret, signature requirement, callback); inbound check."""

from __future__ import annotations

import logging
import time

from flask import current_app, request

from . import secretbox, signing, ssrf
from .bodies import read_body
from .errors import Problem
from .models import Site

log = logging.getLogger(__name__)


def _purpose(site: Site) -> str:
    return f"site:{site.id}:webhook-secret"


def rotate_secret(site: Site, secret_key: str) -> str:
    """Give the site a new webhook secret; return it (shown once, stored sealed)."""
    secret = signing.new_secret()
    site.webhook_secret_sealed = secretbox.seal(secret, secret_key, _purpose(site))
    return secret


def site_secret(site: Site, secret_key: str) -> str | None:
    """Return the site's webhook secret, or None when it has none or it cannot be unsealed."""
    if not site.webhook_secret_sealed:
        return None
    try:
        return secretbox.unseal(site.webhook_secret_sealed, secret_key, _purpose(site))
    except secretbox.UnsealError:
        return None


def set_callback(site: Site, url: str | None, *, allow_private: bool) -> None:
    """Register (and re-enable) or remove the site's callback URL; raise ssrf.UnsafeURL."""
    if url:
        ssrf.check(url, allow_private=allow_private)
    site.callback_url = url or None
    site.callback_disabled_at = None


def verified_webhook_id(site: Site) -> str | None:
    """Check the current request's Standard Webhooks signature if the site requires one.

    Return the signed ``webhook-id`` (None when the site does not require signing); raise
    Problem 401 when the signature is missing, malformed, stale or wrong.
    """
    if not site.require_signature:
        return None
    secret = site_secret(site, current_app.config["SECRET_KEY"])
    if secret is None:
        log.error("site %s requires signatures but its secret is unreadable", site.name)
        raise Problem(401, "unauthorized", detail="signature_unverifiable")
    body = read_body(request)  # raises 413 past MAX_CONTENT_LENGTH, chunked bodies included
    try:
        return signing.verify(
            secret,
            request.headers,
            body,
            time.time(),
            tolerance=int(current_app.config["WEBHOOK_TOLERANCE_SECONDS"]),
        )
    except signing.SignatureError as exc:
        raise Problem(401, "unauthorized", detail=exc.code) from None
