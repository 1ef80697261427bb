"""Standard Webhooks signatures: sign a message, verify one, never crash on garbage.

The scheme (https://www.standardwebhooks.com): ``webhook-signature`` carries one or more
space-separated ``v1,<base64 HMAC-SHA256(secret, "<id>.<timestamp>.<body>")>`` entries.
We verify ourselves rather than through the ``standardwebhooks`` package, which raises
ValueError, binascii.Error or UnicodeDecodeError on some malformed headers.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Mapping

SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
TOLERANCE_SECONDS = 5 * 60
MAX_ID_LENGTH = 255
MAX_SIGNATURE_HEADER = 4096
MAX_SIGNATURES = 16


class SignatureError(Exception):
    """A request's signature headers are missing, malformed, stale or wrong."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def new_secret() -> str:
    """Return a fresh ``whsec_`` secret holding 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def secret_bytes(secret: str) -> bytes:
    """Return the key bytes of a ``whsec_`` secret; raise ValueError if it is not one."""
    body = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not a base64 webhook secret") from None
    if len(key) < 16:
        raise ValueError("webhook secret shorter than 16 bytes")
    return key


def _digest(key: bytes, msg_id: str, timestamp: int, body: bytes) -> bytes:
    signed = msg_id.encode("utf-8") + b"." + str(timestamp).encode("ascii") + b"." + body
    return hmac.new(key, signed, hashlib.sha256).digest()


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """Return the ``webhook-signature`` value for a message."""
    digest = _digest(secret_bytes(secret), msg_id, timestamp, body)
    return "v1," + base64.b64encode(digest).decode("ascii")


def headers_for(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Return the three Standard Webhooks headers for a message."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
    }


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if not value:
        raise SignatureError(f"missing_{name.replace('-', '_')}")
    return value


def _timestamp(raw: str, now: float, tolerance: int) -> int:
    # ASCII digits only: int() would also accept "١٢٣", "+5", " 5" and "1_000".
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
        raise SignatureError("bad_timestamp")
    value = int(raw)
    if abs(now - value) > tolerance:
        raise SignatureError("stale_timestamp")
    return value


def _candidates(raw: str) -> list[bytes]:
    if len(raw) > MAX_SIGNATURE_HEADER:
        raise SignatureError("bad_signature")
    found: list[bytes] = []
    for entry in raw.split(" ")[:MAX_SIGNATURES]:
        version, sep, encoded = entry.partition(",")
        if not sep or version != "v1" or not encoded.isascii():
            continue
        try:
            found.append(base64.b64decode(encoded, validate=True))
        except (binascii.Error, ValueError):
            continue
    return found


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    now: float,
    tolerance: int = TOLERANCE_SECONDS,
) -> str:
    """Check a message's signature and freshness; return its ``webhook-id``.

    Raise SignatureError (never anything else) when a header is missing or malformed, the
    timestamp is more than ``tolerance`` seconds away from ``now``, or no v1 signature
    matches. Every candidate is compared in constant time.
    """
    msg_id = _header(headers, "webhook-id")
    # ASCII only: a WSGI server hands headers over decoded as latin-1, so an id sent as UTF-8
    # could never match what its sender signed; refusing says why instead of bad_signature.
    if len(msg_id) > MAX_ID_LENGTH or not (msg_id.isascii() and msg_id.isprintable()):
        raise SignatureError("bad_id")
    timestamp = _timestamp(_header(headers, "webhook-timestamp"), now, tolerance)
    candidates = _candidates(_header(headers, "webhook-signature"))
    try:
        expected = _digest(secret_bytes(secret), msg_id, timestamp, body)
    except (ValueError, UnicodeEncodeError):
        raise SignatureError("bad_id") from None
    ok = False
    for candidate in candidates:
        ok |= hmac.compare_digest(expected, candidate)
    if not ok:
        raise SignatureError("bad_signature")
    return msg_id
