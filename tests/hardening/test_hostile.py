"""Hostile input: every case of the corpus gets exactly its answer, and leaks nothing.

Rejections are 4xx problem+json with nothing stored; the valid-but-nasty cases are stored
verbatim as text. No answer ever carries a traceback or a file path.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from moderation import db
from moderation.models import Comment, Site, StatusChange
from tests.hardening.hostile import CASES, Case

LEAKS = ("Traceback", 'File "', "/work/", ".py", "sqlalchemy", "psycopg", "sqlite3")


def _count(app: Flask) -> int:
    with app.app_context():
        s = db.session()
        return (s.scalar(select(func.count()).select_from(Comment)) or 0) + (
            s.scalar(select(func.count()).select_from(StatusChange)) or 0
        )


def _send(client: FlaskClient, auth: dict[str, str], case: Case):
    headers = {**auth, **case.headers}
    if case.content_type:
        headers["Content-Type"] = case.content_type
    return client.post("/api/v1/comments", data=case.body, headers=headers)


@pytest.mark.usefixtures("keyword_model")
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_case(app: Flask, client: FlaskClient, auth: dict[str, str], case: Case) -> None:
    resp = _send(client, auth, case)
    text = resp.get_data(as_text=True)
    assert resp.status_code == case.status, text[:500]
    for leak in LEAKS:
        assert leak not in text, f"{leak!r} leaked: {text[:300]}"
    if case.status != 201:
        assert resp.mimetype == "application/problem+json"
        if case.code:
            assert resp.get_json()["code"] == case.code
        assert _count(app) == 0, "a rejected request stored something"
        return
    body = resp.get_json()
    with app.app_context():
        row = db.session().get(Comment, body["id"])
        for name, value in case.stored.items():
            assert getattr(row, name) == value, name
        assert db.session().scalar(select(func.count()).select_from(Site)) == 1  # no DROP


@pytest.mark.usefixtures("keyword_model")
def test_hostile_retry_with_reused_key_is_refused(app: Flask, client: FlaskClient, auth) -> None:
    """The same Idempotency-Key with a different comment is refused, the first kept."""
    first = client.post(
        "/api/v1/comments",
        json={"content": "ham", "author_name": "a", "author_email": "a@example.org"},
        headers={**auth, "Idempotency-Key": "k1"},
    )
    second = client.post(
        "/api/v1/comments",
        json={"content": "casino", "author_name": "a", "author_email": "a@example.org"},
        headers={**auth, "Idempotency-Key": "k1"},
    )
    assert (first.status_code, second.status_code) == (201, 422)
    with app.app_context():
        assert [c.content for c in db.session().scalars(select(Comment))] == ["ham"]


def test_unknown_site_key_leaks_nothing(client: FlaskClient) -> None:
    resp = client.post("/api/v1/comments", data=b"{", headers={"Authorization": "Bearer plb_nope"})
    assert resp.status_code == 401
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
