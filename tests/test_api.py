"""The intake API end to end through the test client, on every configured database."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from moderation import db
from moderation.models import Comment, CommentStatus, Site, StatusChange
from tests.conftest import make_site

GOOD = {
    "content": "Merci pour cet article",
    "author_name": "Awa Traoré",
    "author_email": "awa@example.ml",
}


def count(app: Flask) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Comment)) or 0


def post(client: FlaskClient, auth: dict, body: dict | None = None, **kw) -> object:
    return client.post("/api/v1/comments", json=GOOD if body is None else body, headers=auth, **kw)


@pytest.mark.usefixtures("keyword_model")
class TestVerdicts:
    @pytest.mark.parametrize(
        ("content", "status"),
        [
            ("Merci pour cet article", "approved"),
            ("maybe a borderline one", "pending"),
            ("best casino bonus", "spam"),
        ],
    )
    def test_answer_carries_the_verdict(self, app, client, auth, content, status) -> None:
        resp = post(client, auth, {**GOOD, "content": content})
        assert resp.status_code == 201
        body = resp.get_json()
        assert body["status"] == status
        assert set(body) == {"id", "status", "score", "reasons", "model_version"}
        assert body["model_version"] == "test-keywords"
        assert any(r["code"].startswith("score_") for r in body["reasons"])
        assert resp.headers["Location"].endswith(f"/api/v1/comments/{body['id']}")

    def test_stored_durably_with_payload_and_audit(self, app, client, auth) -> None:
        payload = {**GOOD, "author_email": "Awa@Example.ML", "unknown_field": "kept in payload"}
        body = post(client, auth, payload).get_json()
        with app.app_context():
            row = db.session().get(Comment, body["id"])
            assert row.status == CommentStatus.APPROVED
            assert row.author_email == "Awa@example.ml"
            assert row.payload == payload
            assert row.created_at.tzinfo is not None
            history = db.session().scalars(select(StatusChange)).all()
            assert [(h.from_status, h.to_status) for h in history] == [(None, "approved")]

    def test_site_thresholds_override_the_model(self, app, client, auth, runner) -> None:
        result = runner.invoke(args=["sites", "update", "lemali", "--high-threshold", "0.4"])
        assert result.exit_code == 0, result.output
        assert post(client, auth, {**GOOD, "content": "maybe"}).get_json()["status"] == "spam"

    def test_form_post_with_wordpress_names(self, client, auth) -> None:
        form = {"comment": "Bravo", "author": "Moussa", "email": "moussa@example.sn", "url": ""}
        resp = client.post(
            "/api/v1/comments",
            data=urlencode(form),
            content_type="application/x-www-form-urlencoded",
            headers=auth,
        )
        assert resp.status_code == 201, resp.get_json()

    def test_get_returns_status_and_history(self, client, auth) -> None:
        created = post(client, auth).get_json()
        resp = client.get(f"/api/v1/comments/{created['id']}", headers=auth)
        assert resp.status_code == 200
        body = resp.get_json()
        assert body["status"] == "approved" and body["score"] == created["score"]
        assert body["history"][0]["to"] == "approved"

    def test_client_cannot_set_server_fields(self, app, client, auth) -> None:
        body = {**GOOD, "content": "best casino", "status": "approved", "score": 0.0, "site_id": 99}
        answer = post(client, auth, body).get_json()
        assert answer["status"] == "spam" and answer["score"] == 0.99


class TestAuthentication:
    @pytest.mark.parametrize(
        "header", [None, "Bearer", "Bearer wrong", "Basic abc", "bearer  ", "Bearer " + "x" * 5000]
    )
    def test_missing_or_wrong_key_is_401_json(self, app, client, site_key, header) -> None:
        headers = {"Authorization": header} if header else {}
        resp = client.post("/api/v1/comments", json=GOOD, headers=headers)
        assert resp.status_code == 401
        assert resp.mimetype == "application/problem+json"
        assert resp.get_json()["status"] == 401
        assert count(app) == 0

    def test_a_site_never_sees_another_sites_comments(self, app, client, auth) -> None:
        created = post(client, auth).get_json()
        other = {"Authorization": "Bearer " + make_site(app, "other", "https://other.example")}
        assert client.get(f"/api/v1/comments/{created['id']}", headers=other).status_code == 404
        assert client.get("/api/v1/comments/999999", headers=auth).status_code == 404

    def test_rotated_key_replaces_the_old_one(self, app, client, auth, runner) -> None:
        result = runner.invoke(args=["sites", "rotate-key", "lemali"])
        new_key = result.output.strip().splitlines()[-1]
        assert post(client, auth).status_code == 401
        assert post(client, {"Authorization": f"Bearer {new_key}"}).status_code == 201


class TestClientErrors:
    def test_invalid_fields_are_listed_with_codes(self, app, client, auth) -> None:
        resp = post(client, auth, {"content": "x", "author_name": " ", "author_email": "nope"})
        assert resp.status_code == 422
        assert resp.mimetype == "application/problem+json"
        errors = {e["code"]: e["message"] for e in resp.get_json()["errors"]}
        assert set(errors) == {"author_name.blank", "author_email.invalid"}
        assert count(app) == 0

    def test_messages_in_french_when_preferred(self, client, auth) -> None:
        headers = {**auth, "Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}
        resp = post(client, headers, {"content": "x", "author_email": "a@example.com"})
        body = resp.get_json()
        assert body["title"] == "Le commentaire n'est pas valide."
        assert body["errors"][0]["message"] == "Ce champ est obligatoire."
        assert resp.headers["Content-Language"] == "fr"

    @pytest.mark.parametrize(
        ("data", "content_type", "status"),
        [
            (b'{"content": "x",', "application/json", 400),
            (b"[1, 2]", "application/json", 400),
            (b'"just a string"', "application/json", 400),
            (b'{"content": "a", "content": "b"}', "application/json", 400),
            (b"[" * 100_000 + b"]" * 100_000, "application/json", 413),
            (b'{"content": "\xff\xfe"}', "application/json", 422),
            (
                b"content=%FF%FE&author=a&email=a%40example.com",
                "application/x-www-form-urlencoded",
                422,
            ),
            (b"<comment/>", "application/xml", 415),
            (b"content=x", "text/plain", 415),
            (b'{"content": "x"}', "application/json; charset=latin-1", 415),
        ],
    )
    def test_malformed_bodies(self, app, client, auth, data, content_type, status) -> None:
        resp = client.post("/api/v1/comments", data=data, content_type=content_type, headers=auth)
        assert resp.status_code == status
        assert resp.mimetype == "application/problem+json"
        assert "Traceback" not in resp.get_data(as_text=True)
        assert count(app) == 0

    def test_body_over_the_limit_is_413(self, app, client, auth) -> None:
        resp = post(client, auth, {**GOOD, "content": "x" * 70_000})
        assert resp.status_code == 413
        assert count(app) == 0

    def test_content_over_20000_characters_is_422(self, app, client, auth) -> None:
        resp = post(client, auth, {**GOOD, "content": "x" * 20_001})
        assert resp.status_code == 422
        assert resp.get_json()["errors"][0]["code"] == "content.too_long"

    def test_20000_accented_characters_fit_in_the_body_limit(self, client, auth) -> None:
        data = json.dumps({**GOOD, "content": "é" * 20_000}, ensure_ascii=False).encode()
        resp = client.post(
            "/api/v1/comments", data=data, content_type="application/json", headers=auth
        )
        assert resp.status_code == 201

    def test_nul_bytes_are_422(self, app, client, auth) -> None:
        data = json.dumps({**GOOD, "content": "a\u0000b"})
        resp = client.post(
            "/api/v1/comments", data=data, content_type="application/json", headers=auth
        )
        assert resp.status_code == 422
        assert count(app) == 0

    def test_unknown_route_and_method_are_json(self, client, auth) -> None:
        assert client.get("/api/v1/nope", headers=auth).status_code == 404
        resp = client.delete("/api/v1/comments", headers=auth)
        assert resp.status_code == 405 and resp.mimetype == "application/problem+json"


@pytest.mark.usefixtures("keyword_model")
class TestIdempotency:
    def test_same_key_returns_the_original_answer(self, app, client, auth) -> None:
        headers = {**auth, "Idempotency-Key": "abc-123"}
        first = post(client, headers)
        again = post(client, headers)
        assert (first.status_code, again.status_code) == (201, 200)
        assert again.get_json() == first.get_json()
        assert count(app) == 1

    def test_same_key_different_body_is_422(self, app, client, auth) -> None:
        headers = {**auth, "Idempotency-Key": "abc-123"}
        post(client, headers)
        resp = post(client, headers, {**GOOD, "content": "autre chose"})
        assert resp.status_code == 422
        assert resp.get_json()["code"] == "idempotency_mismatch"
        assert count(app) == 1

    def test_external_id_makes_retries_safe(self, app, client, auth) -> None:
        body = {**GOOD, "external_id": "wp-42"}
        assert post(client, auth, body).status_code == 201
        assert post(client, auth, body).status_code == 200
        assert post(client, auth, {**body, "content": "changed"}).status_code == 422
        assert count(app) == 1

    @pytest.mark.parametrize("how", ["header", "external_id"])
    def test_a_lost_race_with_another_body_is_422(self, app, client, auth, monkeypatch, how):
        # Two requests with one key and different bodies: the loser did not see the winner's
        # row when it looked (not committed yet), so its INSERT fails on the unique key.
        headers = {**auth, "Idempotency-Key": "k-race"} if how == "header" else auth
        body = {**GOOD, "external_id": "wp-7"} if how == "external_id" else GOOD
        assert post(client, headers, body).status_code == 201
        from moderation import services

        real, calls = services.find_retry, []

        def not_yet_visible(*args, **kwargs):
            calls.append(1)
            return None if len(calls) == 1 else real(*args, **kwargs)

        monkeypatch.setattr(services, "find_retry", not_yet_visible)
        other = {**body, "content": "une autre version", "author_email": "fatou@example.ml"}
        resp = post(client, headers, other)
        assert len(calls) == 2, resp.get_json()  # the lookup after the failed INSERT ran
        assert resp.status_code == 422
        assert resp.get_json()["code"] == "idempotency_mismatch"
        assert count(app) == 1

    def test_keys_are_per_site(self, app, client, auth) -> None:
        other = {"Authorization": "Bearer " + make_site(app, "other", "https://o.example")}
        assert post(client, {**auth, "Idempotency-Key": "k"}).status_code == 201
        assert post(client, {**other, "Idempotency-Key": "k"}).status_code == 201
        assert count(app) == 2


class TestFailSafe:
    def test_without_a_model_every_comment_is_pending(self, app, client, auth) -> None:
        body = post(client, auth, {**GOOD, "content": "best casino"}).get_json()
        assert body["status"] == "pending" and body["score"] is None
        assert [r["code"] for r in body["reasons"]] == ["classifier_unavailable"]

    def test_healthz_and_readyz(self, client) -> None:
        assert client.get("/healthz").status_code == 200
        resp = client.get("/readyz")
        assert resp.status_code == 503
        assert "model" in resp.get_json()["problems"]

    @pytest.mark.usefixtures("keyword_model")
    def test_readyz_is_200_when_database_and_model_work(self, client) -> None:
        resp = client.get("/readyz")
        assert resp.status_code == 200, resp.get_json()

    @pytest.mark.usefixtures("keyword_model")
    @pytest.mark.parametrize("callback", [False, True])
    def test_how_a_comment_is_written(self, app, client, auth, callback) -> None:
        from sqlalchemy import event

        if callback:
            with app.app_context(), db.transaction() as s:
                s.execute(update(Site).values(callback_url="https://lemali.example/hook"))
        writes: list[tuple[str, str | None]] = []

        def note(conn, _cursor, statement, _params, context, _many) -> None:
            if context is not None and (context.isinsert or context.isupdate or context.isdelete):
                level = conn.get_execution_options().get("isolation_level")
                writes.append((statement.split("(")[0].strip(), level))

        event.listen(db.engine_for(app), "before_cursor_execute", note)
        assert post(client, auth).status_code == 201
        event.remove(db.engine_for(app), "before_cursor_execute", note)
        if app.config["DATABASE_URL"].startswith("postgresql"):
            head = "WITH new_comment AS"  # the comment and its audit row in one INSERT
            lone = [(head, "AUTOCOMMIT")]  # committed by itself: no BEGIN, no COMMIT
            together = [(head, None), ("INSERT INTO webhook_events", None)]  # one transaction
        else:
            lone = [("INSERT INTO comments", None), ("INSERT INTO status_changes", None)]
            together = [*lone, ("INSERT INTO webhook_events", None)]
        assert writes == (together if callback else lone)
        with app.app_context():
            assert db.session().scalar(select(func.count()).select_from(StatusChange)) == 1

    @pytest.mark.usefixtures("keyword_model")
    @pytest.mark.parametrize("failing", ["statement", "commit"])
    def test_a_failed_write_never_yields_201(self, app, client, auth, monkeypatch, failing) -> None:
        from sqlalchemy import event
        from sqlalchemy.exc import OperationalError
        from sqlalchemy.orm import Session

        if failing == "commit":
            # A COMMIT that can fail: with a callback the outbox event is written too, so the
            # write is a transaction on every database (alone, PostgreSQL's single INSERT
            # commits by itself and fails, if it does, as the statement).
            with app.app_context(), db.transaction() as s:
                s.execute(update(Site).values(callback_url="https://lemali.example/hook"))
        real_commit = Session.commit
        inserted: list[str] = []

        def note_insert(_conn, _cursor, statement, _params, _context, _many) -> None:
            if "INSERT INTO comments" in statement:  # alone, or inside WITH on PostgreSQL
                if failing == "statement":
                    raise OperationalError(statement, {}, Exception("disk I/O error"))
                inserted.append(statement)

        def failing_commit(self: Session) -> None:
            if inserted:
                inserted.clear()
                self.rollback()  # what a real failed COMMIT leaves behind
                raise OperationalError("COMMIT", {}, Exception("disk I/O error"))
            real_commit(self)

        event.listen(db.engine_for(app), "before_cursor_execute", note_insert)
        monkeypatch.setattr(Session, "commit", failing_commit)
        resp = post(client, auth)
        event.remove(db.engine_for(app), "before_cursor_execute", note_insert)
        assert resp.status_code == 503
        assert resp.headers["Retry-After"] == "5"
        assert resp.mimetype == "application/problem+json"
        monkeypatch.setattr(Session, "commit", real_commit)
        assert count(app) == 0
