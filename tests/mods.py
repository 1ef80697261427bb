"""Helpers for the moderators' tests: accounts, comments seeded straight into the database."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from moderation import accounts, db
from moderation.db import utcnow
from moderation.models import ActorType, Comment, CommentStatus, Role, Site, StatusChange
from moderation.sites import create_site

PASSWORD = "correct horse battery"


def add_moderator(
    app: Flask, email: str, role: Role = Role.MODERATOR, sites: tuple[str, ...] = ()
) -> int:
    """Create a moderator granted ``sites`` (created if missing); return its id."""
    with app.app_context(), db.transaction() as s:
        mod = accounts.create_moderator(s, email, role, PASSWORD)
        for name in sites:
            site = s.scalar(select(Site).where(Site.name == name))
            if site is None:
                site, _key = create_site(s, name, f"https://{name}.example")
            accounts.grant(s, mod, site)
        return mod.id


def site_id(app: Flask, name: str) -> int:
    with app.app_context():
        site = db.session().scalar(select(Site).where(Site.name == name))
        if site is None:
            with db.transaction() as s:
                site, _key = create_site(s, name, f"https://{name}.example")
        return site.id


def add_comment(
    app: Flask,
    content: str = "Merci pour cet article",
    *,
    site: str = "lemali",
    status: CommentStatus = CommentStatus.PENDING,
    score: float | None = 0.5,
    email: str = "awa@example.ml",
    ip: str = "192.0.2.1",
    name: str = "Awa",
    url: str = "",
    created_at: datetime | None = None,
    reasons: list[dict] | None = None,
) -> int:
    """Insert a scored comment and its automatic audit entry; return its id."""
    sid = site_id(app, site)
    when = created_at or utcnow()
    with app.app_context(), db.transaction() as s:
        row = Comment(
            site_id=sid,
            request_hash=hashlib.sha256(f"{content}{when}".encode()).hexdigest(),
            content=content,
            author_name=name,
            author_email=email,
            author_url=url,
            author_ip=ip,
            user_agent="Mozilla/5.0 test",
            post_id="post-1",
            permalink="https://lemali.example/post-1",
            payload={},
            score=score,
            status=status,
            reasons=reasons or [],
            created_at=when,
            updated_at=when,
        )
        s.add(row)
        s.flush()
        s.add(
            StatusChange(
                comment_id=row.id,
                from_status=None,
                to_status=status,
                actor_type=ActorType.SYSTEM,
                actor_label="classifier",
                reason="score",
                created_at=when,
            )
        )
        return row.id


def status_of(app: Flask, comment_id: int) -> str:
    with app.app_context():
        return str(db.session().get(Comment, comment_id).status)


def history_of(app: Flask, comment_id: int) -> list[StatusChange]:
    with app.app_context():
        return list(
            db.session().scalars(
                select(StatusChange)
                .where(StatusChange.comment_id == comment_id)
                .order_by(StatusChange.id)
            )
        )


def csrf(client: FlaskClient) -> str:
    """Return the CSRF token of the client's session (opening one if needed)."""
    with client.session_transaction() as sess:
        token = sess.get("csrf")
    if not token:
        client.get("/login")
        with client.session_transaction() as sess:
            token = sess["csrf"]
    return token


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> object:
    """Sign in through the form."""
    client.get("/login")
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf(client)}
    )


def minutes_ago(n: int) -> datetime:
    return utcnow() - timedelta(minutes=n)
