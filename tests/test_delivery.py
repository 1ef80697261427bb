"""Decision callbacks: outbox, signed delivery, retries, 410, redirects, leases, a killed worker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import standardwebhooks
from flask import Flask
from sqlalchemy import select, update

from moderation import db, delivery
from moderation.cli_webhooks import settings as worker_settings
from moderation.db import utcnow
from moderation.models import Comment, CommentStatus, Moderator, Role, Site
from moderation.webhook_models import EventState, Feedback, WebhookDelivery, WebhookEvent
from moderation.webhooks import rotate_secret, set_callback
from tests.receiver import Receiver, serve

GOOD = {"content": "Merci pour cet article", "author_name": "Awa", "author_email": "awa@example.ml"}
_n = iter(range(1, 10**6))


def one(content: str = GOOD["content"], **extra: str) -> dict[str, str]:
    """A comment from a new author each time (the flood and duplicate rules stay quiet)."""
    n = next(_n)
    return {
        **GOOD,
        "content": f"{content} ({n})",
        "author_email": f"awa{n}@example.ml",
        "author_ip": f"203.0.113.{n % 250 + 1}",
        **extra,
    }


ROOT = Path(__file__).resolve().parent.parent


def register(app: Flask, url: str) -> str:
    """Point the test site's callback at ``url``; return its webhook secret."""
    app.config["ALLOW_PRIVATE_CALLBACKS"] = True
    with app.app_context(), db.transaction() as s:
        site = s.scalar(select(Site))
        set_callback(site, url, allow_private=True)
        return rotate_secret(site, app.config["SECRET_KEY"])


def deliver(app: Flask, worker: str = "w1") -> int:
    with app.app_context():
        conf = worker_settings()
        with delivery.new_client(conf) as client:
            return delivery.deliver_due(db.session(), client, worker, conf)


def make_due(app: Flask) -> None:
    """Pretend the backoff delay has passed."""
    with app.app_context(), db.transaction() as s:
        s.execute(update(WebhookEvent).values(next_attempt_at=utcnow() - timedelta(seconds=1)))


def events(app: Flask) -> list[WebhookEvent]:
    with app.app_context():
        return list(db.session().scalars(select(WebhookEvent).order_by(WebhookEvent.id)))


def attempts(app: Flask) -> list[WebhookDelivery]:
    with app.app_context():
        return list(db.session().scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


@pytest.mark.usefixtures("keyword_model")
class TestOutbox:
    def test_automatic_verdict_writes_one_event(self, app, client, auth) -> None:
        register(app, "http://127.0.0.1:9/hook")
        body = client.post("/api/v1/comments", json=one(external_id="wp-7"), headers=auth)
        [event] = events(app)
        assert event.type == "comment.approved"
        data = event.payload["data"]
        assert data["comment_id"] == body.get_json()["id"]
        assert data["external_id"] == "wp-7"
        assert data["status"] == "approved" and data["actor"] == "system"
        assert data["score"] == pytest.approx(0.02) and data["reasons"]

    def test_no_callback_no_event(self, app, client, auth) -> None:
        client.post("/api/v1/comments", json=one(), headers=auth)
        assert events(app) == []

    def test_moderator_decision_and_undo_write_events(self, app, client, auth) -> None:
        from moderation import decisions

        register(app, "http://127.0.0.1:9/hook")
        cid = client.post("/api/v1/comments", json=one("maybe"), headers=auth).get_json()["id"]
        with app.app_context(), db.transaction() as s:
            mod = Moderator(email="mod@example.org", password_hash="x", role=Role.ADMIN)
            s.add(mod)
            s.flush()
            comment = s.get(Comment, cid)
            first = decisions.change_status(
                s, comment, CommentStatus.SPAM, expected=CommentStatus.PENDING, moderator=mod
            )
            decisions.change_status(
                s,
                comment,
                CommentStatus.PENDING,
                expected=CommentStatus.SPAM,
                moderator=mod,
                undoes=first,
            )
        with app.app_context():
            [fb] = db.session().scalars(select(Feedback)).all()
            assert (fb.label, fb.source, fb.actor) == ("spam", "moderator", "mod@example.org")
            assert fb.payload["content"].startswith("maybe")  # the as-submitted payload
            assert fb.trainable is False and fb.note == "undone"
        types = [(e.type, e.payload["data"]["moderator"]) for e in events(app)]
        assert types == [
            ("comment.pending", None),
            ("comment.spam", "mod@example.org"),
            ("comment.pending", "mod@example.org"),
        ]


@pytest.mark.usefixtures("keyword_model")
class TestDelivery:
    def test_retried_until_delivered_with_the_same_event_id(self, app, client, auth) -> None:
        with serve(Receiver(script=[500, 503])) as rx:
            secret = register(app, rx.url)
            client.post("/api/v1/comments", json=one(), headers=auth)
            assert deliver(app) == 1
            assert events(app)[0].state == EventState.PENDING
            assert deliver(app) == 0  # backing off: not due yet
            make_due(app)
            deliver(app)
            make_due(app)
            deliver(app)
        [event] = events(app)
        assert event.state == EventState.DELIVERED
        assert [r.headers["webhook-id"] for r in rx.requests] == [event.event_id] * 3
        last = rx.requests[-1]
        payload = standardwebhooks.Webhook(secret).verify(last.body, last.headers)
        assert payload["type"] == "comment.approved"
        assert last.headers["content-type"] == "application/json"
        log = attempts(app)
        assert [(a.attempt, a.status_code) for a in log] == [(1, 500), (2, 503), (3, 200)]
        assert all(a.duration_ms >= 0 and a.url == rx.url for a in log)

    def test_410_disables_the_endpoint(self, app, client, auth) -> None:
        with serve(Receiver(script=[410])) as rx:
            register(app, rx.url)
            client.post("/api/v1/comments", json=one(), headers=auth)
            client.post("/api/v1/comments", json=one("casino"), headers=auth)
            deliver(app)
            client.post("/api/v1/comments", json=one("later"), headers=auth)
            make_due(app)
            deliver(app)
        assert len(rx.requests) == 1
        assert [e.state for e in events(app)] == [EventState.CANCELLED] * 2
        with app.app_context():
            assert db.session().scalar(select(Site)).callback_disabled_at is not None

    def test_redirects_are_not_followed(self, app, client, auth) -> None:
        with serve(Receiver(script=[302])) as rx:
            register(app, rx.url)
            client.post("/api/v1/comments", json=one(), headers=auth)
            deliver(app)
        assert [r.path for r in rx.requests] == ["/hooks/palabre"]
        [event] = events(app)
        assert event.state == EventState.PENDING and event.next_attempt_at > utcnow()
        assert attempts(app)[0].status_code == 302

    def test_gives_up_after_the_schedule(self, app, client, auth) -> None:
        with serve(Receiver(default=500)) as rx:
            register(app, rx.url)
            client.post("/api/v1/comments", json=one(), headers=auth)
            for _ in range(len(delivery.BACKOFF) + 3):
                make_due(app)
                deliver(app)
        assert len(rx.requests) == len(delivery.BACKOFF) + 1
        assert events(app)[0].state == EventState.FAILED

    def test_manual_redelivery(self, app, client, auth, runner) -> None:
        with serve(Receiver()) as rx:
            register(app, rx.url)
            client.post("/api/v1/comments", json=one(), headers=auth)
            deliver(app)
            event_id = events(app)[0].event_id
            assert "queued" in runner.invoke(args=["webhooks", "redeliver", event_id]).output
            deliver(app)
            log = runner.invoke(args=["webhooks", "log", "lemali"]).output
        assert [r.headers["webhook-id"] for r in rx.requests] == [event_id, event_id]
        assert log.count(event_id) == 2 and "#2\t200" in log


def test_backoff_spans_more_than_a_day_with_jitter() -> None:
    import random

    rng = random.Random(1)
    delays = [delivery.next_delay(n, rng) for n in range(1, len(delivery.BACKOFF) + 1)]
    assert sum(delays) > 24 * 3600
    assert all(0.8 * b <= d <= 1.2 * b for d, b in zip(delays, delivery.BACKOFF, strict=True))
    assert len({round(d / b, 6) for d, b in zip(delays, delivery.BACKOFF, strict=True)}) > 1
    assert delivery.next_delay(len(delivery.BACKOFF) + 1) is None


@pytest.mark.usefixtures("keyword_model")
def test_concurrent_workers_never_claim_the_same_event(app, client, auth) -> None:
    register(app, "http://127.0.0.1:9/hook")
    for i in range(30):
        client.post("/api/v1/comments", json=one(f"n{i}"), headers=auth)
    claimed: dict[str, list[int]] = {}
    barrier = threading.Barrier(3)

    def work(name: str) -> None:
        with app.app_context():
            barrier.wait()
            got: list[int] = []
            while ids := delivery.claim(db.session(), name, 60, limit=4):
                got.extend(ids)
            claimed[name] = got

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = [i for ids in claimed.values() for i in ids]
    assert len(everything) == len(set(everything)) == 30


@pytest.mark.slow
@pytest.mark.usefixtures("keyword_model")
def test_killed_worker_mid_delivery_is_delivered_again(
    app, client, auth, database_url, tmp_path
) -> None:
    hang = threading.Event()
    with serve(Receiver(hang=hang)) as rx:
        register(app, rx.url)
        client.post("/api/v1/comments", json=one(), headers=auth)
        env = {
            **os.environ,
            "MODERATION_DATABASE_URL": database_url,
            "MODERATION_SECRET_KEY": app.config["SECRET_KEY"],
            "MODERATION_ALLOW_PRIVATE_CALLBACKS": "1",
            "MODERATION_WEBHOOK_LEASE_SECONDS": "2",
            "MODERATION_MODEL_PATH": app.config["MODEL_PATH"],
        }
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "webhooks", "deliver"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(tmp_path / "worker.log").open("wb"),
        )
        try:
            called = rx.got_request.wait(60)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(30)
        assert called, (tmp_path / "worker.log").read_text()
        hang.set()
        [event] = events(app)
        assert event.state == EventState.PENDING and event.locked_by  # leased to the dead worker
        assert deliver(app, "w2") == 0  # the lease still holds
        deadline = time.monotonic() + 10
        while deliver(app, "w2") == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
    [event] = events(app)
    assert event.state == EventState.DELIVERED
    assert [r.headers["webhook-id"] for r in rx.requests] == [event.event_id] * 2
    assert json.loads(rx.requests[0].body) == json.loads(rx.requests[1].body)
