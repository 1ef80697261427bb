"""The Akismet-compatible API, driven by the real ``akismet`` client from PyPI."""

from __future__ import annotations

from collections.abc import Iterator

import akismet
import httpx
import pytest
from flask import Flask
from sqlalchemy import func, select

from moderation import db
from moderation.models import Comment
from moderation.webhook_models import Feedback
from tests.conftest import make_site

BLOG = "https://lemali.example"
_n = iter(range(1, 10**6))


def akismet_client(app: Flask, key: str, blog: str = BLOG) -> akismet.SyncClient:
    http = httpx.Client(transport=httpx.WSGITransport(app=app))
    return akismet.SyncClient(config=akismet.Config(key=key, url=blog), http_client=http)


@pytest.fixture
def ak(app: Flask, site_key: str, keyword_model) -> Iterator[akismet.SyncClient]:
    with akismet_client(app, site_key) as client:
        yield client


def comment(content: str, **extra) -> dict:
    n = next(_n)
    return {
        "user_ip": f"203.0.113.{n % 250 + 1}",
        "comment_content": f"{content} ({n})",
        "comment_type": "comment",
        "comment_author": "Awa",
        "comment_author_email": f"awa{n}@example.ml",
        "user_agent": "Mozilla/5.0",
        **extra,
    }


def count(app: Flask, model=Comment) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(model)) or 0


class TestClient:
    def test_verify_key(self, ak) -> None:
        assert ak.verify_key() is True
        assert ak.verify_key(ak._config.key, BLOG + "/") is True

    def test_bad_key_and_wrong_blog(self, app, site_key) -> None:
        with pytest.raises(akismet.APIKeyError), akismet_client(app, "plb_not-a-key"):
            pass
        other = akismet_client(app, site_key, "https://someone-else.example")
        assert other.verify_key() is False
        with pytest.raises(akismet.APIKeyError):
            other.comment_check(**comment("hello"))
        assert count(app) == 0

    def test_ham(self, app, ak) -> None:
        assert ak.comment_check(**comment("Merci pour cet article")) == akismet.CheckResponse.HAM
        assert count(app) == 1

    def test_spam(self, app, ak) -> None:
        assert ak.comment_check(**comment("cheap viagra")) == akismet.CheckResponse.SPAM

    def test_discard_for_blatant_spam(self, app, ak) -> None:
        assert ak.comment_check(**comment("best casino")) == akismet.CheckResponse.DISCARD

    def test_pending_is_held_as_spam_without_discard(self, app, ak) -> None:
        assert ak.comment_check(**comment("maybe")) == akismet.CheckResponse.SPAM
        with app.app_context():
            assert db.session().scalar(select(Comment)).status == "pending"

    def test_recheck_answers_the_current_status_without_storing_again(self, app, ak) -> None:
        fields = comment("maybe")
        ak.comment_check(**fields)
        ak.comment_check(**fields, recheck_reason="edit")
        assert count(app) == 1

    def test_is_test_is_scored_not_stored(self, app, ak) -> None:
        assert ak.comment_check(**comment("cheap viagra"), is_test=True) == 1
        assert count(app) == 0

    def test_missing_author_and_email_are_allowed(self, app, ak) -> None:
        assert ak.comment_check(user_ip="203.0.113.9", comment_content="hello there") == 0
        with app.app_context():
            row = db.session().scalar(select(Comment))
            assert (row.author_name, row.author_email) == ("", "")

    def test_submit_spam_and_ham_become_feedback(self, app, ak) -> None:
        fields = comment("Merci pour cet article")
        ak.comment_check(**fields)
        assert ak.submit_spam(**fields) is True
        assert ak.submit_ham(**comment("cheap viagra")) is True
        assert ak.submit_ham(**comment("test only"), is_test=True) is True
        with app.app_context():
            rows = db.session().scalars(select(Feedback).order_by(Feedback.id)).all()
            assert [(r.label, r.trainable) for r in rows] == [
                ("spam", True),
                ("ham", True),
                ("ham", False),
            ]
            assert rows[0].comment_id is not None and rows[1].comment_id is None
            assert rows[0].payload["comment_content"] == fields["comment_content"]
            assert "api_key" not in rows[0].payload

    def test_usage_limit(self, app, ak) -> None:
        ak.comment_check(**comment("hello"))
        assert ak.usage_limit()["usage"] == 1


class TestWire:
    """What the client does not show: raw answers and headers."""

    def test_invalid_key_has_debug_help(self, client, site_key) -> None:
        resp = client.post(
            "/1.1/comment-check", data={"api_key": "nope", "blog": BLOG, "user_ip": "1.2.3.4"}
        )
        assert resp.text == "invalid" and resp.headers["X-akismet-debug-help"]

    def test_missing_user_ip(self, client, site_key) -> None:
        resp = client.post("/1.1/comment-check", data={"api_key": site_key, "blog": BLOG})
        assert (
            resp.text.startswith("Missing required field")
            and "X-akismet-debug-help" in resp.headers
        )

    @pytest.mark.parametrize(
        ("content", "code"), [("a\x00b", "content.nul"), ("x" * 20_001, "content.too_long")]
    )
    def test_refused_content_says_why(self, client, site_key, content, code) -> None:
        data = {"api_key": site_key, "blog": BLOG, **comment(content)}
        resp = client.post("/1.1/comment-check", data=data)
        assert resp.text == "Invalid comment_content."
        assert code in resp.headers["X-akismet-debug-help"]

    def test_guid_and_key_alias(self, client, site_key, keyword_model) -> None:
        resp = client.post(
            "/1.1/comment-check", data={"key": site_key, "blog": BLOG, **comment("x")}
        )
        assert resp.text == "false" and resp.headers["X-akismet-guid"]

    def test_other_sites_key_does_not_match_blog(self, app, client, site_key) -> None:
        other = make_site(app, "autre", "https://autre.example")
        resp = client.post("/1.1/verify-key", data={"key": other, "blog": BLOG})
        assert resp.text == "invalid"
