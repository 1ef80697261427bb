"""Seal secrets that must be read back (webhook secrets) with the app's SECRET_KEY.

AES-256-GCM with a key derived from SECRET_KEY by HKDF-SHA256; a random 96-bit nonce per
seal. Rotating SECRET_KEY makes sealed secrets unreadable: rotate the webhook secrets then.
Only ``seal`` and ``unseal`` know the scheme, so it can be replaced in one place.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = "v1:"
_INFO = b"palabre secretbox v1"


class UnsealError(ValueError):
    """A sealed value is malformed or was sealed under another key."""


def _key(secret_key: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO)
    return hkdf.derive(secret_key.encode("utf-8"))


def seal(plaintext: str, secret_key: str, purpose: str) -> str:
    """Encrypt ``plaintext``; ``purpose`` is bound to the ciphertext (e.g. ``site:3:webhook``)."""
    nonce = os.urandom(12)
    sealed = AESGCM(_key(secret_key)).encrypt(nonce, plaintext.encode(), purpose.encode())
    return VERSION + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal(token: str, secret_key: str, purpose: str) -> str:
    """Decrypt a value made by ``seal`` with the same key and purpose."""
    if not token.startswith(VERSION):
        raise UnsealError("unknown sealing scheme")
    try:
        raw = base64.urlsafe_b64decode(token[len(VERSION) :])
        plain = AESGCM(_key(secret_key)).decrypt(raw[:12], raw[12:], purpose.encode())
    except (InvalidTag, ValueError):
        raise UnsealError("cannot unseal: wrong key or corrupted value") from None
    return plain.decode()
