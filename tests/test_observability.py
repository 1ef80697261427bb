"""Metrics after a few requests, request ids, and logs that cannot be forged or leak."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from moderation.logs import JsonFormatter, RequestIdFilter

GOOD = {
    "content": "Bravo pour ce reportage",
    "author_name": "Awa",
    "author_email": "awa@example.ml",
}


def metric(text: str, name: str, **labels: str) -> float:
    """Return the value of one sample in a Prometheus text exposition (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name):
            continue
        match = re.match(r"^([a-zA-Z_:]+)(\{(.*)\})? (\S+)$", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(3) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(match.group(4))
    return 0.0


@pytest.mark.usefixtures("keyword_model")
def test_metrics_count_requests_verdicts_and_queue(client: FlaskClient, auth: dict) -> None:
    before = client.get("/metrics").get_data(as_text=True)
    for n, content in enumerate(("merci", "best casino", "maybe so")):
        body = {**GOOD, "content": content, "author_email": f"reader{n}@example.ml"}
        assert client.post("/api/v1/comments", json=body, headers=auth).status_code == 201
    client.post("/api/v1/comments", json={"content": "x"}, headers=auth)  # 422
    resp = client.get("/metrics")
    assert resp.status_code == 200 and resp.mimetype == "text/plain"
    after = resp.get_data(as_text=True)

    def delta(name: str, **labels: str) -> float:
        return metric(after, name, **labels) - metric(before, name, **labels)

    posted = {"endpoint": "api.submit", "method": "POST"}
    assert delta("palabre_http_requests_total", **posted, status="201") == 3
    assert delta("palabre_http_requests_total", **posted, status="422") == 1
    assert delta("palabre_http_request_duration_seconds_count", endpoint="api.submit") == 4
    for status in ("approved", "spam", "pending"):
        assert delta("palabre_verdicts_total", site="lemali", status=status) == 1
    assert metric(after, "palabre_queue_size", status="pending") == 1
    assert metric(after, "palabre_queue_size", status="spam") == 1
    assert metric(after, "palabre_oldest_pending_age_seconds") >= 0
    assert metric(after, "palabre_model_info", version="test-keywords") == 1


def test_metrics_token_when_configured(app: Flask, client: FlaskClient) -> None:
    app.config["METRICS_TOKEN"] = "scrape-secret"
    assert client.get("/metrics").status_code == 401
    ok = client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"})
    assert ok.status_code == 200


def test_request_id_is_echoed_or_made(client: FlaskClient) -> None:
    assert (
        client.get("/healthz", headers={"X-Request-Id": "abc-123"}).headers["X-Request-Id"]
        == "abc-123"
    )
    made = client.get("/healthz", headers={"X-Request-Id": "bad id\u2028"}).headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)


@pytest.fixture
def log_stream() -> io.StringIO:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    loggers = [logging.getLogger(n) for n in ("moderation", "palabre")]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield stream
    for logger in loggers:
        logger.removeHandler(handler)


@pytest.mark.usefixtures("keyword_model")
def test_logs_are_json_lines_without_text_or_email(client, auth, log_stream) -> None:
    forged = 'x"}\n{"level": "CRITICAL", "msg": "admin logged in"}\r\n\x1b[31m'
    body = {
        **GOOD,
        "content": "SECRET-TEXT " + forged,
        "author_name": forged,
        "author_email": "leak-check@example.ml",
    }
    assert client.post("/api/v1/comments", json=body, headers=auth).status_code == 201
    client.post("/api/v1/comments", json={**body, "author_email": "not an email"}, headers=auth)
    lines = log_stream.getvalue().splitlines()
    assert lines, "the access log wrote nothing"
    for line in lines:
        entry = json.loads(line)  # every line is exactly one JSON object
        assert entry["level"] != "CRITICAL"
    text = log_stream.getvalue()
    assert "SECRET-TEXT" not in text and "leak-check" not in text and "admin logged in" not in text
    access = [json.loads(line) for line in lines if json.loads(line)["logger"] == "palabre.access"]
    assert {a["status"] for a in access} == {201, 422}
    assert all(re.fullmatch(r"[0-9a-f]{32}", a["request_id"]) for a in access)


def test_formatter_escapes_control_characters() -> None:
    record = logging.LogRecord(
        "moderation", logging.WARNING, __file__, 1, "a\nb\rc\x00", None, None
    )
    line = JsonFormatter().format(record)
    assert "\n" not in line and "\r" not in line and "\x00" not in line
    assert json.loads(line)["msg"] == "a\nb\rc\x00"


def test_callback_backlog_counts_only_events_still_to_send(app: Flask, client, site_key) -> None:
    from moderation import db
    from moderation.models import Site
    from moderation.webhook_models import EventState, WebhookEvent

    with app.app_context(), db.transaction() as s:
        site_id = s.query(Site.id).scalar()
        states = [EventState.PENDING, EventState.PENDING, EventState.FAILED]
        states += [EventState.CANCELLED, EventState.DELIVERED]
        for n, state in enumerate(states):
            s.add(WebhookEvent(event_id=f"evt_{n}", site_id=site_id, type="comment.approved",
                               payload={}, state=state))  # fmt: skip
    text = client.get("/metrics").get_data(as_text=True)
    assert metric(text, "palabre_callback_backlog") == 2
