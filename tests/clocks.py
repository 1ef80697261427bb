"""A clock that tests move by hand, in place of time.time or time.monotonic."""

from __future__ import annotations


class Clock:
    """Return ``now``; a test advances it with ``clock.now += seconds``."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
