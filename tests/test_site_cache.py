"""Sites read by their API key are reused for SITE_CACHE_SECONDS, and never longer."""

from __future__ import annotations

import itertools

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, update
from werkzeug.test import TestResponse

from moderation import config, create_app, db
from moderation.models import Site
from moderation.sites import EXTENSION, SiteCache, hash_key, new_api_key
from tests.clocks import Clock
from tests.conftest import make_site


@pytest.fixture
def clock(app: Flask) -> Clock:
    """Give the app a one-second site cache driven by a clock the test moves."""
    fake = Clock()
    app.extensions[EXTENSION] = SiteCache(1.0, clock=fake)
    return fake


@pytest.fixture
def site_reads(app: Flask) -> list[str]:
    """Every statement that reads a site by its key hash."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, _params, _context, _many) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "api_key_hash =" in statement:
            seen.append(statement)

    event.listen(db.engine_for(app), "before_cursor_execute", note)
    yield seen
    event.remove(db.engine_for(app), "before_cursor_execute", note)


_SENT = itertools.count()


def post(client: FlaskClient, key: str) -> int:
    """Send a comment of its own (the same text twice would be a duplicate, 409)."""
    return send(client, key, f"Merci pour cet article, point {next(_SENT)}").status_code


def send(client: FlaskClient, key: str, content: str) -> TestResponse:
    """Post ``content`` from a commenter of its own (flood limits count per commenter)."""
    n = next(_SENT)
    body = {"content": content, "author_name": f"Awa {n}", "author_email": f"awa{n}@example.ml"}
    return client.post("/api/v1/comments", json=body, headers={"Authorization": f"Bearer {key}"})


def sneak_update(app: Flask, **values: object) -> None:
    """Change the site the way another process would: no flush in this process."""
    with app.app_context(), db.transaction() as s:
        s.execute(update(Site).values(**values))


@pytest.mark.usefixtures("keyword_model")
class TestSiteCache:
    def test_a_key_is_read_once_per_period(self, app, client, site_key, clock, site_reads) -> None:
        assert [post(client, site_key) for _ in range(3)] == [201, 201, 201]
        assert len(site_reads) == 1
        clock.now += 1.01
        assert post(client, site_key) == 201
        assert len(site_reads) == 2

    def test_a_change_from_elsewhere_is_seen_within_the_period(
        self, app, client, site_key, clock
    ) -> None:
        assert post(client, site_key) == 201
        sneak_update(app, api_key_hash=hash_key(new_api_key()))  # the key was rotated elsewhere
        clock.now += 0.99
        assert post(client, site_key) == 201  # the documented delay
        clock.now += 0.02
        assert post(client, site_key) == 401

    def test_a_change_made_here_is_seen_at_once(self, app, client, site_key, clock, runner) -> None:
        assert post(client, site_key) == 201
        new_key = runner.invoke(args=["sites", "rotate-key", "lemali"]).output.split()[-1]
        assert post(client, site_key) == 401
        assert post(client, new_key) == 201

    def test_new_settings_made_here_apply_to_the_next_comment(
        self, app, client, site_key, clock, runner
    ) -> None:
        assert send(client, site_key, "maybe").get_json()["status"] == "pending"
        runner.invoke(
            args=["sites", "update", "lemali", "--low-threshold", "0.6", "--high-threshold", "0.9"]
        )
        assert send(client, site_key, "maybe again").get_json()["status"] == "approved"

    def test_unknown_keys_are_never_remembered(self, app, client, site_key, clock) -> None:
        for n in range(20):
            assert post(client, f"plb_wrong{n}") == 401
        assert app.extensions[EXTENSION]._entries == {}

    def test_two_sites_keep_their_own_entries(self, app, client, site_key, clock) -> None:
        other = make_site(app, "other", "https://other.example")
        first = send(client, site_key, "Merci").get_json()
        second = send(client, other, "Merci").get_json()
        lookup = {"Authorization": f"Bearer {other}"}
        assert client.get(f"/api/v1/comments/{first['id']}", headers=lookup).status_code == 404
        assert client.get(f"/api/v1/comments/{second['id']}", headers=lookup).status_code == 200

    def test_zero_reads_the_site_on_every_request(self, app, client, site_key, site_reads) -> None:
        app.extensions[EXTENSION] = SiteCache(0.0)
        assert [post(client, site_key) for _ in range(3)] == [201, 201, 201]
        assert len(site_reads) == 3
        sneak_update(app, api_key_hash=hash_key(new_api_key()))
        assert post(client, site_key) == 401


@pytest.mark.parametrize("value", ["-1", "nan"])
def test_a_negative_period_is_refused(monkeypatch, tmp_path, value) -> None:
    monkeypatch.setenv("MODERATION_SITE_CACHE_SECONDS", value)
    with pytest.raises(config.ConfigError, match="SITE_CACHE_SECONDS"):
        create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
