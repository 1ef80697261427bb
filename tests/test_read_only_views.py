"""Pages and endpoints that only read never take SQLite's write lock.

On SQLite a write transaction (BEGIN IMMEDIATE) makes every comment arriving meanwhile wait,
and SQLite's busy handler sleeps in growing steps: a dashboard or a metrics scrape held in one
stalled the intake under load. Each read-only view must begin its transactions DEFERRED.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event

from moderation import db
from moderation.models import Role
from tests.mods import add_comment, add_moderator, login
from tests.test_moderator_api import token_for


@pytest.fixture
def begins(app, database_url) -> list[str]:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite transaction modes")
    seen: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _many) -> None:
        if statement.startswith("BEGIN"):
            seen.append(statement)

    event.listen(db.engine_for(app), "before_cursor_execute", record)
    return seen


def test_read_only_views_never_begin_immediate(app, client, auth, begins) -> None:
    admin = add_moderator(app, "admin@example.org", Role.ADMIN, sites=("lemali",))
    token = token_for(app, admin)
    cid = add_comment(app)
    login(client, "admin@example.org")
    views = [
        ("/api/v1/queue", token),
        (f"/api/v1/comments/{cid}", auth),
        ("/api/v1/sites/lemali/rule-stats", token),
        ("/queue", {}),
        ("/dashboard", {}),
        ("/dashboard/learning", {}),
        ("/audit", {}),
        ("/sites", {}),
        ("/sites/lemali/rules", {}),
        ("/sites/lemali/deliveries", {}),
        ("/metrics", {}),
        ("/readyz", {}),  # 503 here: the test app has no model; the database check still runs
    ]
    for path, headers in views:
        begins.clear()
        resp = client.get(path, headers=headers)
        if path == "/readyz":
            assert "database" not in resp.get_json()["problems"]
        else:
            assert resp.status_code == 200, (path, resp.status_code)
        assert begins, f"{path} read nothing"
        assert "BEGIN IMMEDIATE" not in begins, (path, begins)
