"""Secrets never rest in clear, HTML pages send security headers, bandit finds no high issue."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

from moderation import accounts, db
from moderation.models import Base, Role
from moderation.sites import rotate_key
from tests.conftest import make_site

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Secret-Password-Hardening-42"


def _dump(app: Flask) -> str:
    """Return every row of every table as text."""
    out = []
    with app.app_context():
        s = db.session()
        for table in Base.metadata.sorted_tables:
            out += [repr(tuple(r)) for r in s.execute(text(f'SELECT * FROM "{table.name}"'))]
    return "\n".join(out)


@pytest.mark.usefixtures("keyword_model")
def test_no_secret_in_database_or_logs(
    app: Flask, client, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets = []
    first = make_site(app, name="secret-site")
    secrets.append(first)
    with app.app_context(), db.transaction() as s:
        mod = accounts.create_moderator(s, "admin@example.org", Role.ADMIN, PASSWORD)
        secrets += [PASSWORD, accounts.issue_token(mod)]
        from sqlalchemy import select

        from moderation.models import Site

        site = s.scalar(select(Site).where(Site.name == "secret-site"))
        rotated = rotate_key(site)
        secrets.append(rotated)
        try:
            from moderation import webhooks

            secrets.append(webhooks.rotate_secret(site, app.config["SECRET_KEY"]))
        except (ImportError, AttributeError):
            pass  # webhook secrets not in this checkout
    for key in (first, rotated, "plb_wrong"):
        client.post(
            "/api/v1/comments",
            json={"content": "Merci", "author_name": "Awa", "author_email": "awa@example.ml"},
            headers={"Authorization": f"Bearer {key}", "Idempotency-Key": key[:20]},
        )
    client.post("/login", data={"email": "admin@example.org", "password": PASSWORD})
    dumped = _dump(app)
    logs = caplog.text + "\n".join(capfd.readouterr())
    for secret in secrets:
        assert secret not in dumped, "a secret is stored in clear"
        assert secret[8:] not in logs, "a secret reached the logs"


def _html_routes(app: Flask) -> list[str]:
    return sorted(
        r.rule
        for r in app.url_map.iter_rules()
        if "GET" in (r.methods or ())
        and not r.arguments
        and not r.rule.startswith(("/api/", "/static"))
        and r.rule not in {"/healthz", "/readyz", "/metrics"}
    )


def test_every_html_page_sends_security_headers(app: Flask, client) -> None:
    with app.app_context(), db.transaction() as s:
        accounts.create_moderator(s, "head@example.org", Role.ADMIN, PASSWORD)
    client.post("/login", data={"email": "head@example.org", "password": PASSWORD})
    checked = 0
    for rule in _html_routes(app):
        resp = client.get(rule)
        if resp.mimetype != "text/html":
            continue
        checked += 1
        csp = resp.headers.get("Content-Security-Policy", "")
        directives = {d.split()[0]: d for d in csp.split(";") if d.strip() for d in [d.strip()]}
        assert "'unsafe-inline'" not in directives.get("script-src", "'unsafe-inline'"), rule
        assert directives.get("object-src") == "object-src 'none'", rule
        assert directives.get("frame-ancestors") == "frame-ancestors 'none'", rule
        assert resp.headers.get("X-Content-Type-Options") == "nosniff", rule
        assert resp.headers.get("Referrer-Policy"), rule
    assert checked, "no HTML page found"


def test_bandit_finds_no_high_severity_issue() -> None:
    bandit = Path(sys.executable).with_name("bandit")
    result = subprocess.run(
        [str(bandit), "-q", "-r", "moderation", "classifier", "-lll"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
