"""Retention, and commenters' access and erasure requests."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from moderation import db
from moderation.db import utcnow
from moderation.models import Comment, Site, StatusChange
from moderation.privacy import anonymise_ip
from moderation.webhook_models import WebhookEvent

GOOD = {
    "content": "Un avis personnel",
    "author_name": "Fatou Sow",
    "author_email": "fatou@example.sn",
    "author_ip": "196.200.12.34",
    "user_agent": "Mozilla/5.0",
}


@pytest.fixture
def comments(app: Flask, client, auth, keyword_model) -> dict[str, int]:
    with app.app_context(), db.transaction() as s:  # one commenter posts twice in a row
        s.execute(update(Site).values(settings={"flood": {"mode": "off"}}))
    ids = {}
    for label, body in {
        # Spam first: once Fatou has an approved comment, she is a trusted author.
        "fatou_spam": {**GOOD, "content": "casino bonus"},
        "fatou": GOOD,
        "other": {**GOOD, "author_email": "moussa@example.sn", "author_name": "Moussa"},
    }.items():
        ids[label] = client.post("/api/v1/comments", json=body, headers=auth).get_json()["id"]
    return ids


def test_export_returns_every_comment_of_the_email(runner, comments) -> None:
    result = runner.invoke(args=["privacy", "export", "Fatou@Example.SN"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert sorted(c["id"] for c in data["comments"]) == sorted(
        [comments["fatou"], comments["fatou_spam"]]
    )
    assert data["comments"][0]["author_ip"] == "196.200.12.34"


def test_erase_removes_personal_data_and_keeps_decisions(app, runner, comments) -> None:
    result = runner.invoke(args=["privacy", "erase", "fatou@example.sn", "--yes"])
    assert result.exit_code == 0 and "2 comment" in result.output
    with app.app_context():
        s = db.session()
        for cid in (comments["fatou"], comments["fatou_spam"]):
            c = s.get(Comment, cid)
            assert (c.content, c.author_email, c.author_ip, c.user_agent) == ("", "", "", "")
            assert c.author_name == "[erased]" and c.payload == {"erased": True}
            assert "Fatou" not in json.dumps(c.reasons) and "casino" not in json.dumps(c.reasons)
            assert s.scalar(select(func.count()).where(StatusChange.comment_id == cid)) == 1
        assert s.get(Comment, comments["other"]).author_name == "Moussa"
    exported = json.loads(runner.invoke(args=["privacy", "export", "fatou@example.sn"]).output)
    assert exported["comments"] == []


def test_retention_purges_old_spam_and_anonymises_old_ips(app, runner, comments) -> None:
    with app.app_context(), db.transaction() as s:
        s.execute(update(Comment).values(created_at=utcnow() - timedelta(days=40)))
    result = runner.invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    assert "purged 1 spam" in result.output and "anonymised 2 IP" in result.output
    with app.app_context():
        s = db.session()
        assert s.get(Comment, comments["fatou_spam"]) is None
        kept = s.get(Comment, comments["fatou"])
        assert kept.author_ip == "196.200.12.0" and kept.payload["author_ip"] == "196.200.12.0"


def test_recent_comments_are_left_alone(app, runner, comments) -> None:
    result = runner.invoke(args=["retention", "run"])
    assert "purged 0 spam" in result.output and "anonymised 0 IP" in result.output


@pytest.mark.parametrize(
    ("ip", "masked"),
    [("196.200.12.34", "196.200.12.0"), ("2001:db8:abcd:12::1", "2001:db8:abcd::"), ("junk", "")],
)
def test_anonymise_ip(ip: str, masked: str) -> None:
    assert anonymise_ip(ip) == masked


def test_erase_scrubs_the_reasons_in_recorded_webhook_events(app, client, auth, runner) -> None:
    with app.app_context(), db.transaction() as s:
        s.execute(
            update(Site).values(
                callback_url="https://lemali.example/palabre-callback",
                settings={"flood": {"mode": "off"}, "words": {"moderated": ["tontine"]}},
            )
        )
    body = {**GOOD, "content": "Rejoignez ma tontine, Fatou vous attend"}
    assert client.post("/api/v1/comments", json=body, headers=auth).status_code == 201

    def event_payloads() -> list[str]:
        with app.app_context():
            return [json.dumps(p) for p in db.session().scalars(select(WebhookEvent.payload))]

    before = event_payloads()
    assert before and any("tontine" in p for p in before)  # the reason quotes the word
    assert runner.invoke(args=["privacy", "erase", "fatou@example.sn", "--yes"]).exit_code == 0
    after = event_payloads()
    assert len(after) == len(before)
    for payload in after:
        assert "tontine" not in payload and "Fatou" not in payload
        reasons = json.loads(payload)["data"]["reasons"]
        assert reasons and all(set(r) == {"source", "code"} for r in reasons)
