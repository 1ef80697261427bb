"""The thread-free in-memory rate-limit storage decides exactly as limits' memory:// does."""

from __future__ import annotations

import random
import threading
import time

import pytest
from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from moderation import memory_limits
from moderation.flood import storage_uri
from moderation.memory_limits import SweptMemoryStorage
from tests.clocks import Clock


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(time, "time", c)
    return c


def test_same_decisions_as_limits_memory_storage(clock: Clock) -> None:
    ours = MovingWindowRateLimiter(SweptMemoryStorage())
    theirs = MovingWindowRateLimiter(MemoryStorage())
    rng = random.Random(7)
    items = [RateLimitItemPerSecond(1, 15), RateLimitItemPerSecond(3, 10)]
    decisions = []
    for _ in range(3000):
        clock.now += rng.choice([0.0, 0.5, 2.0, 6.0, 16.0])
        item = rng.choice(items)
        key = rng.choice(["ip-1", "ip-2", "site"])
        allowed = ours.hit(item, key)
        assert allowed == theirs.hit(item, key)
        mine, reference = ours.get_window_stats(item, key), theirs.get_window_stats(item, key)
        assert mine.remaining == reference.remaining
        if mine.remaining == 0:  # a full window: the Retry-After comes from its reset time
            assert mine.reset_time == reference.reset_time
        decisions.append(allowed)
    assert True in decisions and False in decisions  # both outcomes were exercised


def test_expired_keys_are_swept_inline(clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    storage = SweptMemoryStorage()
    limiter = MovingWindowRateLimiter(storage)
    item = RateLimitItemPerSecond(1, 15)
    for n in range(50):
        assert limiter.hit(item, f"commenter-{n}")
    assert len(storage.events) == 50
    clock.now += 20  # every entry has expired
    storage._next_sweep = 0.0  # the next hit may sweep
    assert limiter.hit(item, "newcomer")
    assert len(storage.events) == 1
    assert "newcomer" in next(iter(storage.events))


def test_a_hit_starts_no_thread(clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    limiter = MovingWindowRateLimiter(SweptMemoryStorage())
    item = RateLimitItemPerSecond(1, 15)
    started = []
    real_start = threading.Thread.start

    def spy(self: threading.Thread) -> None:
        started.append(self)
        real_start(self)

    monkeypatch.setattr(threading.Thread, "start", spy)
    for n in range(100):
        clock.now += 0.01
        limiter.hit(item, f"commenter-{n}")
    assert started == []


def test_memory_uri_selects_the_thread_free_storage() -> None:
    assert storage_uri("memory://") == f"{memory_limits.SCHEME}://"
    assert storage_uri("redis://127.0.0.1:6379/15") == "redis://127.0.0.1:6379/15"
