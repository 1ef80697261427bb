"""Body reading (moderation/bodies.py): the size limit whatever the framing, and UTF-8 forms.

A body sent with ``Transfer-Encoding: chunked`` has no Content-Length: Werkzeug cannot refuse it
up front, and the stream it gives (the server sets ``wsgi.input_terminated``) stops at
MAX_CONTENT_LENGTH without raising, so the body used to be silently cut at the limit.
"""

from __future__ import annotations

import io
import json
import time
from urllib.parse import quote_plus

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from moderation import db
from moderation.models import Comment, Site
from moderation.signing import headers_for
from moderation.webhooks import rotate_secret

FORM = "application/x-www-form-urlencoded"
HEAD = "author=Chunk&email=chunk1%40example.org&comment=D%C3%A9but+"


def count(app: Flask) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Comment)) or 0


def stored_content(app: Flask, comment_id: int) -> str:
    with app.app_context():
        return db.session().get(Comment, comment_id).content


def limit(app: Flask) -> int:
    return int(app.config["MAX_CONTENT_LENGTH"])


def post_chunked(
    client: FlaskClient, headers: dict, body: bytes, content_type: str = FORM
) -> object:
    """POST ``body`` as a WSGI server passes a chunked one: no Content-Length, terminated input."""
    return client.post(
        "/api/v1/comments",
        input_stream=io.BytesIO(body),
        headers={**headers, "Content-Type": content_type, "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


def form_of_size(size: int, tail: str = "+FIN") -> tuple[bytes, str]:
    """A form body of exactly ``size`` bytes (percent-encoded "é"s) and the comment it carries."""
    body = HEAD + "x" * ((size - len(HEAD) - len(tail)) % 6)
    body += "%C3%A9" * ((size - len(body) - len(tail)) // 6) + tail
    assert len(body) == size
    comment = body.split("comment=", 1)[1]
    return body.encode("ascii"), comment.replace("+", " ").replace("%C3%A9", "é")


def assert_too_large(resp: object) -> None:
    assert resp.status_code == 413, resp.get_data(as_text=True)[:300]
    assert resp.mimetype == "application/problem+json"
    assert resp.get_json()["code"] == "too_large"


@pytest.mark.usefixtures("keyword_model")
class TestChunkedBodyLimit:
    def test_qa_reproduction_is_413_and_stores_nothing(self, app, client, auth) -> None:
        head = HEAD + "x" * ((65536 - len(HEAD)) % 6)
        body = (head + "%C3%A9" * 15000 + "+FIN").encode("ascii")
        assert len(body) > limit(app)
        assert_too_large(post_chunked(client, auth, body))
        assert count(app) == 0

    @pytest.mark.parametrize("extra", [1, 2, 6, 1000, 200_000])
    def test_any_form_over_the_limit_is_413(self, app, client, auth, extra) -> None:
        body, _ = form_of_size(limit(app) + extra)
        assert_too_large(post_chunked(client, auth, body))
        assert count(app) == 0

    def test_json_over_the_limit_is_413_not_malformed(self, app, client, auth) -> None:
        payload = {"content": "x" * 10, "author_name": "A", "author_email": "a@example.org"}
        payload["padding"] = "y" * limit(app)
        body = json.dumps(payload).encode()
        assert_too_large(post_chunked(client, auth, body, "application/json"))
        assert count(app) == 0

    def test_json_cut_inside_a_character_is_413_not_invalid_utf8(self, app, client, auth) -> None:
        # The limit falls inside a two-byte "é": a cut body was not valid UTF-8 (422).
        start = '{"author_name": "A", "author_email": "a@example.org", "content": "'
        pad = "x" * ((limit(app) - len(start) + 1) % 2)
        body = (start + pad + "é" * limit(app) + '"}').encode()
        assert body[: limit(app)].decode("utf-8", errors="replace").endswith("\ufffd")
        assert_too_large(post_chunked(client, auth, body, "application/json"))
        assert count(app) == 0

    def test_a_body_exactly_at_the_limit_is_stored_whole(self, app, client, auth) -> None:
        body, comment = form_of_size(limit(app))
        resp = post_chunked(client, auth, body)
        assert resp.status_code == 201, resp.get_data(as_text=True)[:300]
        assert stored_content(app, resp.get_json()["id"]) == comment
        assert comment.startswith("Début ") and comment.endswith(" FIN")

    @pytest.mark.parametrize("size", [200, 4096, 65_535])
    def test_bodies_under_the_limit_are_stored_whole(self, app, client, auth, size) -> None:
        body, comment = form_of_size(min(size, limit(app) - 1))
        resp = post_chunked(client, auth, body)
        assert resp.status_code == 201, resp.get_data(as_text=True)[:300]
        assert stored_content(app, resp.get_json()["id"]) == comment
        assert count(app) == 1

    def test_with_content_length_over_the_limit_is_still_413(self, app, client, auth) -> None:
        body, _ = form_of_size(limit(app) + 1)
        resp = client.post("/api/v1/comments", data=body, content_type=FORM, headers=auth)
        assert_too_large(resp)
        assert count(app) == 0

    def test_signed_site_gets_413_not_a_signature_error(self, app, client, auth) -> None:
        # The signature is checked first, on the same body: it must not see a cut copy.
        with app.app_context(), db.transaction() as s:
            site = s.scalar(select(Site))
            site.require_signature = True
            secret = rotate_secret(site, app.config["SECRET_KEY"])
        body, comment = form_of_size(limit(app) + 10)
        signed = headers_for(secret, "msg_big", int(time.time()), body)
        assert_too_large(post_chunked(client, {**auth, **signed}, body))
        assert count(app) == 0
        body, comment = form_of_size(limit(app))
        signed = headers_for(secret, "msg_fits", int(time.time()), body)
        resp = post_chunked(client, {**auth, **signed}, body)
        assert resp.status_code == 201, resp.get_data(as_text=True)[:300]
        assert stored_content(app, resp.get_json()["id"]) == comment


@pytest.mark.usefixtures("keyword_model")
class TestFormEncoding:
    def test_raw_utf8_form_is_accepted_as_is(self, app, client, auth) -> None:
        body = "comment=café au lait&author=René&email=rene1@example.org".encode()
        resp = client.post("/api/v1/comments", data=body, content_type=FORM, headers=auth)
        assert resp.status_code == 201, resp.get_data(as_text=True)[:300]
        assert stored_content(app, resp.get_json()["id"]) == "café au lait"
        with app.app_context():
            assert db.session().get(Comment, resp.get_json()["id"]).author_name == "René"

    def test_raw_and_percent_encoded_utf8_mix(self, app, client, auth) -> None:
        text = "Ça coûte 5 € — d'accord ? 😀"
        body = f"comment={quote_plus('Déjà vu : ')}{text}&author=Zoé&email=z%40example.org"
        resp = client.post("/api/v1/comments", data=body.encode(), content_type=FORM, headers=auth)
        assert resp.status_code == 201, resp.get_data(as_text=True)[:300]
        assert stored_content(app, resp.get_json()["id"]) == "Déjà vu : " + text

    def test_raw_utf8_form_sent_chunked(self, app, client, auth) -> None:
        body = "comment=crème brûlée&author=René&email=rene2@example.org".encode()
        resp = post_chunked(client, auth, body)
        assert resp.status_code == 201, resp.get_data(as_text=True)[:300]
        assert stored_content(app, resp.get_json()["id"]) == "crème brûlée"

    @pytest.mark.parametrize(
        "body",
        [
            b"comment=caf\xe9&author=Ren\xe9&email=rene3%40example.org",  # raw Latin-1
            b"comment=\xff\xfe&author=a&email=a%40example.org",
            b"comment=ok&author=\xc3&email=a%40example.org",  # a truncated raw sequence
            b"comment=%FF%FE&author=a&email=a%40example.org",  # percent-encoded invalid bytes
            b"comment=caf%C3&author=a&email=a%40example.org",
            b"comment=%C3\xa9&author=a&email=a%40example.org",  # a lead byte split by encoding
            b"comment=\xed\xa0\x80&author=a&email=a%40example.org",  # an encoded surrogate
            b"comment=%ED%A0%80&author=a&email=a%40example.org",
        ],
    )
    def test_invalid_bytes_are_422_invalid_utf8(self, app, client, auth, body) -> None:
        resp = client.post("/api/v1/comments", data=body, content_type=FORM, headers=auth)
        assert resp.status_code == 422
        assert resp.mimetype == "application/problem+json"
        problem = resp.get_json()
        assert problem["code"] == "invalid_utf8"
        assert problem["title"] == "The body is not valid UTF-8."
        assert "errors" not in problem and "detail" not in problem
        assert count(app) == 0

    @pytest.mark.parametrize(
        "body", [b"comment=a\x00b&author=a&email=a%40example.org", b"comment=a%00b&author=a"]
    )
    def test_nul_is_still_a_validation_error(self, app, client, auth, body) -> None:
        resp = client.post("/api/v1/comments", data=body, content_type=FORM, headers=auth)
        assert resp.status_code == 422
        assert resp.get_json()["code"] == "validation"
        assert resp.get_json()["errors"][0]["code"] == "comment.nul"
        assert count(app) == 0


def test_akismet_form_over_the_limit_sent_chunked_is_413(app, client, site_key) -> None:
    # The Akismet routes read request.form, whose parser also stopped at the limit silently.
    head = (
        f"api_key={site_key}&blog={quote_plus('https://lemali.example')}&user_ip=10.0.0.1"
        "&comment_author=Chunk&comment_author_email=chunk1%40example.org&comment_content=D"
    ).encode("ascii")

    def check(size: int) -> object:
        body = head + b"%C3%A9" * ((size - len(head) - 4) // 6) + b"+FIN"
        return client.post(
            "/1.1/comment-check",
            input_stream=io.BytesIO(body),
            headers={"Content-Type": FORM, "Transfer-Encoding": "chunked"},
            environ_overrides={"wsgi.input_terminated": True},
        )

    assert check(limit(app) + 100).status_code == 413
    assert count(app) == 0
    resp = check(limit(app) - 10)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    with app.app_context():
        stored = db.session().scalar(select(Comment.content))
    assert stored.startswith("Dé") and stored.endswith("é FIN")
