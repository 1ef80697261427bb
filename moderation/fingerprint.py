"""Text fingerprints: an exact hash and a 64-bit SimHash of the normalised words.

Near-duplicates are found with the pigeonhole trick: split the 64 bits into four 16-bit bands;
two fingerprints within Hamming distance 3 share at least one band exactly, so an indexed
equality query on the bands finds every candidate, and the exact distance is checked after.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np

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


def simhash(words: list[str]) -> int:
    """Return the 64-bit SimHash of ``words``, each occurrence weighing one.

    Single words rather than shingles: comments are short, and a changed word then moves only
    one feature in ``len(words)``, which keeps light edits within a few bits.
    """
    if not words:
        return 0
    digests = b"".join(hashlib.blake2b(w.encode(), digest_size=8).digest() for w in words)
    # Row i: the 64 bits of word i's 8-byte BLAKE2b hash read as a big-endian integer, most
    # significant bit first.
    bits = np.unpackbits(np.frombuffer(digests, dtype=np.uint8).reshape(len(words), 8), axis=1)
    votes = 2 * bits.sum(axis=0, dtype=np.int64) - len(words)  # +1 per set bit, -1 per clear
    return sum(1 << (63 - i) for i in np.flatnonzero(votes > 0).tolist())


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
