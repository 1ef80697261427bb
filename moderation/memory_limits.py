"""An in-process rate-limit storage for `limits` that runs no background threads.

``limits``' own ``memory://`` storage starts a ``threading.Timer`` after nearly every hit to
sweep expired entries, and each sweep walks every key it holds. On the intake, where every
commenter has keys of their own, that is a new thread per comment and a sweep that holds the
GIL while the request thread waits for it: about 2.3 ms per comment in-process, and the
intake benchmark's latency spikes. This storage keeps the same moving-window semantics and
sweeps inline, at most once every ``SWEEP_SECONDS``.

Like ``memory://`` it counts per process; Redis shares the counts across workers and hosts.
"""

from __future__ import annotations

import threading
import time

from limits.storage.memory import Entry, MemoryStorage

SCHEME = "palabre-memory"
SWEEP_SECONDS = 30.0


class SweptMemoryStorage(MemoryStorage):
    """``memory://`` without the sweeper thread: expired keys are dropped inline."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **_: str) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self._sweep_lock = threading.Lock()
        self._next_sweep = time.monotonic() + SWEEP_SECONDS

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        """Take ``amount`` entries of ``key``'s moving window if there is room."""
        if amount > limit:
            return False
        self._sweep_now_and_then()
        with self.locks[key]:
            events = self.events.setdefault(key, [])  # newest first
            now = time.time()
            entry = events[limit - amount] if len(events) > limit - amount else None
            if entry is not None and entry.atime >= now - expiry:
                return False
            events[:0] = [Entry(expiry)] * amount
            # Only the newest `limit` entries can ever decide or be counted.
            del events[limit:]
            return True

    def _sweep_now_and_then(self) -> None:
        now = time.monotonic()
        if now < self._next_sweep or not self._sweep_lock.acquire(blocking=False):
            return
        try:
            self._next_sweep = now + SWEEP_SECONDS
            wall = time.time()
            for key in list(self.events):
                with self.locks[key]:
                    events = self.events.get(key)
                    if not events or events[0].expiry <= wall:  # the newest has expired
                        self.events.pop(key, None)
                        self.locks.pop(key, None)
        finally:
            self._sweep_lock.release()
