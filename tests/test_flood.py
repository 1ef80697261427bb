"""Flood control and site rate limits: 429 with Retry-After, per commenter, across workers."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from moderation import create_app, db, flood
from tests.conftest import KeywordModel, make_site
from tests.rules_helpers import author, configure, post

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except Exception:  # noqa: BLE001 - any failure means "no Redis here"
        return False


needs_redis = pytest.mark.skipif(not redis_answers(), reason=f"no Redis at {REDIS_URL}")


@pytest.mark.usefixtures("keyword_model")
class TestFlood:
    def test_same_email_too_soon_is_429_with_retry_after(self, client, auth) -> None:
        first = author()
        assert post(client, auth, first).status_code == 201
        again = author(author_email=first["author_email"])
        resp = post(client, auth, again)
        assert resp.status_code == 429
        assert resp.mimetype == "application/problem+json"
        assert resp.get_json()["code"] == "flood"
        assert 1 <= int(resp.headers["Retry-After"]) <= 15

    def test_same_ip_too_soon_is_429(self, client, auth) -> None:
        first = author()
        assert post(client, auth, first).status_code == 201
        resp = post(client, auth, author(author_ip=first["author_ip"]))
        assert resp.status_code == 429

    def test_commenters_behind_one_webhook_server_are_apart(self, client, auth) -> None:
        # Every request comes from the test client's address, like a site's server would.
        for _ in range(5):
            assert post(client, auth, author()).status_code == 201

    def test_flood_off_or_zero_seconds(self, app, client, auth) -> None:
        configure(app, {"flood.seconds": 0})
        first = author()
        assert post(client, auth, first).status_code == 201
        assert post(client, auth, author(author_email=first["author_email"])).status_code == 201
        configure(app, {"flood.seconds": 15, "flood.mode": "off"})
        assert post(client, auth, author(author_email=first["author_email"])).status_code == 201

    def test_shadow_flood_records_instead_of_refusing(self, app, client, auth) -> None:
        configure(app, {"flood.mode": "shadow"})
        first = author()
        assert post(client, auth, first).status_code == 201
        resp = post(client, auth, author(author_email=first["author_email"]))
        assert resp.status_code == 201
        body = resp.get_json()
        assert body["status"] == "approved"
        [reason] = [r for r in body["reasons"] if r["code"] == "flood.too_fast"]
        assert reason["shadow"] is True

    def test_site_rate_limit(self, app, client, auth) -> None:
        configure(app, {"site_rate.limit": "2/minute"})
        assert post(client, auth, author()).status_code == 201
        assert post(client, auth, author()).status_code == 201
        resp = post(client, auth, author())
        assert resp.status_code == 429
        assert resp.get_json()["code"] == "rate_limited"
        assert int(resp.headers["Retry-After"]) >= 1

    def test_limits_are_per_site(self, app, client, auth) -> None:
        other = {"Authorization": f"Bearer {make_site(app, 'autre', 'https://autre.example')}"}
        first = author()
        assert post(client, auth, first).status_code == 201
        assert post(client, other, {**first, "content": "ailleurs aussi"}).status_code == 201

    def test_idempotent_retry_is_not_a_flood(self, client, auth) -> None:
        first = author()
        one = post(client, auth, first, **{"Idempotency-Key": "k-1"})
        two = post(client, auth, first, **{"Idempotency-Key": "k-1"})
        assert (one.status_code, two.status_code) == (201, 200)
        assert two.get_json() == one.get_json()


def _worker(database_url: str, tmp_path: Path, storage: str) -> Flask:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "MODEL_PATH": str(tmp_path / "no-model.skops"),
            "SECRET_KEY": "test-secret-key-" + "x" * 32,
            "RATELIMIT_STORAGE_URI": storage,
        }
    )
    app.extensions["palabre.scorer"].model = KeywordModel()
    app.extensions["palabre.scorer"].error = ""
    return app


@needs_redis
def test_two_workers_share_the_flood_limit_in_redis(app, database_url, tmp_path) -> None:
    key = make_site(app)
    auth = {"Authorization": f"Bearer {key}"}
    one, two = (_worker(database_url, tmp_path, REDIS_URL) for _ in range(2))
    try:
        first = author()
        assert post(one.test_client(), auth, first).status_code == 201
        resp = post(two.test_client(), auth, author(author_email=first["author_email"]))
        assert resp.status_code == 429
        assert 1 <= int(resp.headers["Retry-After"]) <= 15
        # and the other way round, by IP
        second = author()
        assert post(two.test_client(), auth, second).status_code == 201
        resp = post(one.test_client(), auth, author(author_ip=second["author_ip"]))
        assert resp.status_code == 429
    finally:
        for worker in (one, two):
            db.dispose(db.engine_for(worker))


@needs_redis
def test_two_workers_share_the_site_rate_in_redis(app, database_url, tmp_path, monkeypatch) -> None:
    # Keys of this run's own: the site ids repeat between tests, runs and checkouts that share
    # this Redis, and an earlier or concurrent run's hits on "site/1" must not count here.
    prefix = f"palabre-test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setattr(flood, "PREFIX", prefix)
    key = make_site(app, "rate", "https://rate.example")
    auth = {"Authorization": f"Bearer {key}"}
    configure(app, {"site_rate.limit": "2/minute"}, name="rate")
    one, two = (_worker(database_url, tmp_path, REDIS_URL) for _ in range(2))
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        for worker, expected in ((one, 201), (two, 201), (one, 429)):
            resp = post(worker.test_client(), auth, author())
            assert resp.status_code == expected, (
                resp.get_data(as_text=True),
                _keys(client, prefix),
            )
    finally:
        for stale in client.scan_iter(f"LIMITS:*{prefix}/*"):
            client.delete(stale)
        for worker in (one, two):
            db.dispose(db.engine_for(worker))


def _keys(client: Any, prefix: str) -> dict[str, int]:
    """This run's keys in Redis and their entries (a failure message's evidence)."""
    return {k.decode(): client.llen(k) for k in client.scan_iter(f"LIMITS:*{prefix}/*")}


def test_in_memory_limits_are_per_worker(app, database_url, tmp_path) -> None:
    """Why Redis: with memory:// each worker counts alone."""
    auth = {"Authorization": f"Bearer {make_site(app)}"}
    one, two = (_worker(database_url, tmp_path, "memory://") for _ in range(2))
    try:
        first = author()
        assert post(one.test_client(), auth, first).status_code == 201
        again = author(author_email=first["author_email"])
        assert post(two.test_client(), auth, again).status_code == 201
        assert (
            post(one.test_client(), auth, author(author_email=first["author_email"])).status_code
            == 429
        )
    finally:
        for worker in (one, two):
            db.dispose(db.engine_for(worker))


def test_unreachable_storage_lets_comments_through(app, database_url, tmp_path) -> None:
    auth = {"Authorization": f"Bearer {make_site(app)}"}
    worker = _worker(database_url, tmp_path, "redis://127.0.0.1:1/0")
    try:
        first = author()
        assert post(worker.test_client(), auth, first).status_code == 201
        again = author(author_email=first["author_email"])
        assert post(worker.test_client(), auth, again).status_code == 201
    finally:
        db.dispose(db.engine_for(worker))
