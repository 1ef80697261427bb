"""The SQL a new comment runs uses indexes, not scans of the site's comments.

SQLite plans from default estimates until ANALYZE has run, as on a fresh installation; a
lookup that falls back to a scan grows slower with every stored comment, so the intake's
throughput would decay with the site's age. PostgreSQL plans from its own statistics.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, select, text

from moderation import db, queries
from moderation.models import Site
from moderation.queries import QueueFilter
from tests.rules_helpers import author, configure, post


@pytest.fixture
def statements(app, database_url) -> list[tuple[str, Any]]:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite query plans")
    seen: list[tuple[str, Any]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:
        seen.append((statement, parameters))

    event.listen(db.engine_for(app), "before_cursor_execute", record)
    return seen


def plan(app, statement: str, parameters: Any) -> str:
    with app.app_context():
        rows = (
            db.session()
            .execute(text("SELECT 1"))
            .connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        )
        return "\n".join(str(r[-1]) for r in rows)


@pytest.mark.usefixtures("keyword_model")
def test_intake_lookups_use_their_indexes(app, client, auth, statements) -> None:
    configure(app, {"flood.mode": "off", "trusted_authors.mode": "on", "campaign.mode": "on"})
    for n in range(3):
        content = (
            f"Merci pour cet article numéro {n}, il explique bien la situation à Bamako et les "
            "difficultés des commerçants du grand marché depuis la hausse des prix du carburant"
        )
        body = author(content=content, external_id=f"wp-{n}")
        assert post(client, auth, body, **{"Idempotency-Key": f"k-{n}"}).status_code == 201
    lookups = [
        (s, p)
        for s, p in statements
        if "FROM comments" in s and not s.lstrip().upper().startswith("INSERT")
    ]
    kinds = {
        "duplicate": "content_hash =",
        "near-duplicate": "simhash_b0 =",
        "trusted author": "count(comments.id)",
        "retry": "external_id =",
    }
    for kind, marker in kinds.items():
        assert any(marker in s for s, _p in lookups), f"no {kind} lookup was run"
    # The rules' three lookups travel together: one statement, one round trip per comment.
    together = [s for s, _p in lookups if all(m in s for m in list(kinds.values())[:3])]
    assert len(together) == 3, [s[:80] for s, _p in lookups]
    for statement, parameters in lookups:
        how = plan(app, statement, parameters)
        assert "SCAN comments" not in how, (statement, how)
        assert "ix_comments_site_created" not in how, (statement, how)


@pytest.mark.usefixtures("keyword_model")
@pytest.mark.parametrize("order", ["uncertain", "oldest", "newest"])
def test_the_queue_reads_only_the_status_it_lists(app, client, auth, statements, order) -> None:
    """A site's pending comments are found through (site_id, status), not among all of its
    comments: the listing would otherwise grow with the site's history, not its queue."""
    for n in range(3):
        body = author(content=f"maybe a question {n} about the article")  # pending
        assert post(client, auth, body).status_code == 201
    with app.app_context():
        site_ids = list(db.session().scalars(select(Site.id)))
        statements.clear()
        page = queries.list_queue(db.session(), site_ids, QueueFilter(order=order))
    assert page.total == 3 and len(page.items) == 3
    listing = [(s, p) for s, p in statements if "FROM comments" in s and "GROUP BY" not in s]
    assert len(listing) == 2, [s[:80] for s, _p in statements]  # the counts and the page
    for statement, parameters in listing:
        how = plan(app, statement, parameters)
        assert "ix_comments_site_status_created (site_id=? AND status=?)" in how, how


@pytest.mark.parametrize(
    ("statement", "index"),
    [
        ("SELECT id FROM comments WHERE campaign_id = 7", "ix_comments_campaign"),
        (
            "SELECT id FROM comments WHERE site_id = 1 AND simhash_b2 = 5 "
            "AND created_at >= '2026-11-01'",
            "ix_comments_site_simhash_b2",
        ),
        (
            "SELECT id FROM status_changes WHERE moderator_id = 3 ORDER BY id DESC",
            "ix_status_changes_moderator",
        ),
        (
            "SELECT s.id FROM status_changes s WHERE NOT EXISTS "
            "(SELECT 1 FROM status_changes u WHERE u.undoes_id = s.id)",
            "ix_status_changes_undoes_id",
        ),
    ],
)
def test_partial_indexes_serve_equality_lookups(app, database_url, statement, index) -> None:
    # Migration 0009 made them partial (IS NOT NULL), so a comment (the bands: a short one)
    # and the intake's audit row write no entry in them; a lookup by equality still uses them.
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite query plans")
    with app.app_context():
        sql = (
            db.session()
            .execute(text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": index})
            .scalar_one()
        )
    assert "IS NOT NULL" in sql
    assert index in plan(app, statement, ())
