"""Flood control and site rate limits: 429 with Retry-After, per commenter, across workers."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from moderation import create_app, db, flood, services
from moderation.models import Comment, Site
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


class TestRetryInFlight:
    """A retry sent while its original is being scored and stored (a client timeout, a double
    submit) is not a flood: it waits for the original and gets the original's answer."""

    def race(
        self, app, monkeypatch, send: Callable[[Any, dict], Any], original: dict, retry: dict
    ) -> dict[str, Any]:
        """Send `retry` after `original` passed flood control and before it was stored, each
        with `send(client, body)`."""
        scoring, release, retry_checked = threading.Event(), threading.Event(), threading.Event()
        real_assess, real_check = services.assess, flood.check
        checks: list[int] = []

        def slow_assess(*args: Any, **kwargs: Any) -> Any:
            if not scoring.is_set():  # the original: hold it before its INSERT
                scoring.set()
                release.wait(10)
            return real_assess(*args, **kwargs)

        def watched_check(*args: Any, **kwargs: Any) -> Any:
            checks.append(1)
            try:
                return real_check(*args, **kwargs)
            finally:
                if len(checks) == 2:
                    retry_checked.set()

        monkeypatch.setattr(services, "assess", slow_assess)
        monkeypatch.setattr(flood, "check", watched_check)
        answers: dict[str, Any] = {}

        def sender(name: str, body: dict) -> None:
            with app.test_client() as c:
                answers[name] = send(c, body)

        first = threading.Thread(target=sender, args=("original", original))
        first.start()
        assert scoring.wait(10)
        second = threading.Thread(target=sender, args=("retry", retry))
        second.start()
        assert retry_checked.wait(10)  # the retry met flood control before the original stored
        release.set()
        first.join(10)
        second.join(10)
        return answers

    @staticmethod
    def keyed(auth: dict[str, str]) -> Callable[[Any, dict], Any]:
        return lambda c, body: post(c, auth, body, **{"Idempotency-Key": "k-race"})

    @pytest.mark.usefixtures("keyword_model")
    def test_the_retry_gets_the_original_answer(self, app, auth, monkeypatch) -> None:
        body = author()
        answers = self.race(app, monkeypatch, self.keyed(auth), body, body)
        assert answers["original"].status_code == 201
        assert answers["retry"].status_code == 200  # was 429 flood
        assert answers["retry"].get_json() == answers["original"].get_json()
        with app.app_context():
            assert db.session().scalar(select(func.count(Comment.id))) == 1

    @pytest.mark.usefixtures("keyword_model")
    def test_another_comment_under_the_same_key_is_a_mismatch(self, app, auth, monkeypatch) -> None:
        body = author()
        answers = self.race(
            app, monkeypatch, self.keyed(auth), body, {**body, "content": "autre chose"}
        )
        assert answers["original"].status_code == 201
        assert answers["retry"].status_code == 422
        assert answers["retry"].get_json()["code"] == "idempotency_mismatch"

    @pytest.mark.usefixtures("keyword_model")
    def test_an_akismet_check_sent_twice_gets_one_answer(self, app, site_key, monkeypatch) -> None:
        # Akismet has no key: the comment's own fingerprint is one (moderation.akismet).
        form = {
            "api_key": site_key,
            "blog": "https://lemali.example",
            "user_ip": "203.0.113.9",
            "comment_content": "Merci pour ce reportage sur Ségou.",
            "comment_author": "Awa",
            "comment_author_email": "awa@example.ml",
        }

        def check(c: Any, body: dict) -> Any:
            return c.post("/1.1/comment-check", data=body)

        answers = self.race(app, monkeypatch, check, form, form)
        assert answers["original"].text == "false"
        assert answers["retry"].text == "false"  # was "true" (spam), refused as a flood
        assert "X-Palabre-Refused" not in answers["retry"].headers
        with app.app_context():
            assert db.session().scalar(select(func.count(Comment.id))) == 1

    @pytest.mark.usefixtures("keyword_model")
    def test_without_a_key_it_is_still_a_flood(self, client, auth) -> None:
        body = author()
        assert post(client, auth, body, **{"Idempotency-Key": "k-a"}).status_code == 201
        resp = post(client, auth, {**body, "content": "encore"})
        assert (resp.status_code, resp.get_json()["code"]) == (429, "flood")

    @pytest.mark.usefixtures("keyword_model")
    def test_an_original_that_never_stores_ends_in_409_in_progress(
        self, client, auth, monkeypatch
    ) -> None:
        # The key is marked in flight but no row ever appears (the original crashed).
        monkeypatch.setattr(services, "RETRY_WAIT", 0.1)
        body = author()
        assert post(client, auth, body).status_code == 201  # the commenter's flood window opens
        with client.application.app_context():
            site = db.session().scalar(select(Site))  # the one site of this test
            assert site is not None
            flood._mark_in_flight(flood.strategy(), site, ("key:k-lost",))
        body = {**body, "content": "le même auteur, une autre fois"}
        resp = post(client, auth, body, **{"Idempotency-Key": "k-lost"})
        assert resp.status_code == 409
        assert resp.get_json()["code"] == "in_progress"
        assert resp.headers["Retry-After"] == "1"


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
