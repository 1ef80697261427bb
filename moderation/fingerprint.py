"""Text fingerprints: an exact hash and a 64-bit SimHash of the normalised words.

Near-duplicates are found with the pigeonhole trick: split the 64 bits into four 16-bit bands;
two fingerprints within Hamming distance 3 share at least one band exactly, so an indexed
equality query on the bands finds every candidate, and the exact distance is checked after.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from classifier.normalize import normalize_text

BANDS = 4
BAND_BITS = 64 // BANDS
MIN_WORDS = 8  # shorter texts ("Thanks!", "Great post") repeat honestly; no SimHash for them
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Fingerprint:
    """What the database keeps to find duplicates and near-duplicates of a comment."""

    content_hash: str
    simhash: int | None  # unsigned 64-bit, None for short texts
    bands: tuple[int, ...] | None

    @property
    def signed(self) -> int | None:
        """Return the SimHash as a signed 64-bit integer, the way a BIGINT column stores it."""
        return None if self.simhash is None else to_signed(self.simhash)


def to_signed(value: int) -> int:
    """Map an unsigned 64-bit value onto the signed range."""
    return value - (1 << 64) if value >= 1 << 63 else value


def to_unsigned(value: int) -> int:
    """Map a signed 64-bit value back onto the unsigned range."""
    return value + (1 << 64) if value < 0 else value


def _hash64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def simhash(words: list[str]) -> int:
    """Return the 64-bit SimHash of ``words``, each occurrence weighing one.

    Single words rather than shingles: comments are short, and a changed word then moves only
    one feature in ``len(words)``, which keeps light edits within a few bits.
    """
    weights = [0] * 64
    for word in words:
        h = _hash64(word)
        for bit in range(64):
            weights[bit] += 1 if h >> bit & 1 else -1
    return sum(1 << bit for bit in range(64) if weights[bit] > 0)


def bands(value: int) -> tuple[int, ...]:
    """Split a 64-bit fingerprint into its four 16-bit bands."""
    mask = (1 << BAND_BITS) - 1
    return tuple(value >> (BAND_BITS * i) & mask for i in range(BANDS))


def hamming(a: int, b: int) -> int:
    """Return the number of differing bits of two 64-bit values."""
    return (to_unsigned(a) ^ to_unsigned(b)).bit_count()


def fingerprint(content: str) -> Fingerprint:
    """Fingerprint a comment's content after the classifier's normalisation."""
    normal = normalize_text(content)
    words = _WORD.findall(normal)
    digest = hashlib.sha256(" ".join(words).encode()).hexdigest()
    if len(words) < MIN_WORDS:
        return Fingerprint(digest, None, None)
    value = simhash(words)
    return Fingerprint(digest, value, bands(value))
