"""Helpers for the rule tests: change a site's settings, post comments from distinct authors."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from moderation import db
from moderation import settings as site_settings
from moderation.models import Site


def configure(app: Flask, changes: dict[str, Any], name: str = "lemali") -> None:
    """Merge ``changes`` (dotted keys) into the site's settings and save them."""
    with app.app_context(), db.transaction() as s:
        site = s.scalar(select(Site).where(Site.name == name))
        assert site is not None
        site_settings.save(site, site_settings.merge(site_settings.load(site), changes))


def author(**extra: Any) -> dict[str, Any]:
    """Return a comment payload from a fresh author (unique email and IP)."""
    tag = uuid.uuid4().hex[:12]
    body = {
        "content": f"Merci pour cet article {tag}",
        "author_name": f"Awa {tag}",
        "author_email": f"awa-{tag}@example.ml",
        "author_ip": f"2001:db8::{tag[:4]}:{tag[4:8]}:{tag[8:12]}",
    }
    body.update(extra)
    return body


def post(client: FlaskClient, auth: dict[str, str], body: dict[str, Any], **headers: str) -> Any:
    return client.post("/api/v1/comments", json=body, headers={**auth, **headers})
