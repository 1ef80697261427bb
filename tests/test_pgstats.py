"""PostgreSQL statistics: the app analyses the tables autovacuum has not caught up with.

On a table PostgreSQL has never analysed, the indexes (created empty) count zero rows, and the
planner may answer the intake's lookups through any index that starts with site_id, filtering
the site's whole history; `pgstats.Analyzer` applies autovacuum's rule itself.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Connection, Engine, text

from moderation import create_app, db, migrate, pgstats
from moderation.config import ConfigError
from moderation.signals import _lookups
from tests import dbs
from tests.conftest import make_site

needs_pg = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="needs TEST_DATABASE_URL (PostgreSQL)"
)
WAIT = 10.0  # upper bound for the background thread to act; never a speed assertion
LOOKUP_INDEXES = (
    "ix_comments_site_content_hash",
    "ix_comments_site_author",
    "ix_comments_site_simhash_b0",
    "ix_comments_site_simhash_b1",
    "ix_comments_site_simhash_b2",
    "ix_comments_site_simhash_b3",
)


@pytest.fixture
def scratch() -> Iterator[Engine]:
    # A database of its own: its tables are new and never analysed. No background thread.
    engine = db.make_engine(dbs.pg_scratch_url("pgstats"))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    with engine.begin() as conn:
        # Where autovacuum runs, it must not analyse the table behind the test's back.
        conn.execute(text("ALTER TABLE comments SET (autovacuum_enabled = false)"))
        conn.execute(
            text(
                "INSERT INTO sites (id, name, url, api_key_hash, api_key_prefix, settings, "
                "created_at, require_signature, share_training) VALUES "
                "(1, 's', 'https://s.example', 'h', 'p', '{}', now(), false, false)"
            )
        )
    yield engine
    db.dispose(engine)


def add_comments(engine: Engine, first: int, count: int) -> None:
    """Insert comments numbered first.. with distinct authors, texts and fingerprints."""
    with engine.begin() as conn:
        conn.execute(
            text(
                """
                INSERT INTO comments (site_id, request_hash, content, author_name, author_email,
                  author_url, author_ip, user_agent, referrer, permalink, post_id, parent_id,
                  language, payload, status, reasons, model_version, intake_response,
                  created_at, updated_at, content_hash, simhash, simhash_b0, simhash_b1,
                  simhash_b2, simhash_b3)
                SELECT 1, 'r' || g, 'texte ' || g, 'Lecteur ' || g, 'l' || g || '@example.org',
                  '', '192.0.2.1', 'ua', '', '', 'p' || (g % 50), '', 'fr', '{}', 'approved',
                  '[]', 'm', '{}', now(), now(), md5(g::text) || md5(g::text), g * 7919,
                  (g * 31) % 65536, (g * 37) % 65536, (g * 41) % 65536, (g * 43) % 65536
                FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS g
                """
            ),
            {"first": first, "last": first + count - 1},
        )
        # Counters reach pg_stat_user_tables when this transaction ends, not up to 1 s later.
        conn.execute(text("SELECT pg_stat_force_next_flush()"))


def analysed(conn: Connection) -> int:
    return int(
        conn.scalar(
            text("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'comments'")
        )
    )


def analyses(engine: Engine) -> int:
    with engine.connect() as conn:
        return analysed(conn)


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {WAIT} s: {what}")
        time.sleep(0.02)


def lookup_plan(engine: Engine) -> str:
    """EXPLAIN the intake's lookups (duplicate, trusted author, near-duplicates) as it runs them."""
    compiled = _lookups(True, True, True).compile(dialect=engine.dialect)
    since = datetime.now(UTC) - timedelta(days=1)
    params = compiled.construct_params(
        {
            "site_id": 1,
            "content_hash": "0" * 64,
            "post_id": "p1",
            "dup_email": "x@example.org",
            "dup_since": since,
            "email": "x@example.org",
            "name": "X",
            "near_since": since,
            **{f"b{i}": 1234 + i for i in range(4)},
        }
    )
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("EXPLAIN " + str(compiled), params)
        return "\n".join(r[0] for r in rows)


@needs_pg
def test_a_never_analysed_table_is_analysed_and_the_lookups_use_their_indexes(
    scratch: Engine,
) -> None:
    add_comments(scratch, 1, 2000)
    with scratch.connect() as conn:
        never = conn.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'comments'"))
    assert never == -1  # as on a fresh installation before autovacuum's first visit
    assert "comments" in pgstats.Analyzer(scratch, 60).analyze_stale()
    plan = lookup_plan(scratch)
    for index in LOOKUP_INDEXES:
        assert index in plan, plan


@needs_pg
def test_only_tables_that_about_doubled_are_analysed(scratch: Engine) -> None:
    analyzer = pgstats.Analyzer(scratch, 60)
    add_comments(scratch, 1, 2000)
    assert "comments" in analyzer.analyze_stale()
    with scratch.connect() as conn:  # what a second process finds once the first has done it
        assert not pgstats.Analyzer._analyze(conn, "comments")  # noqa: SLF001
    # 50 rows + 100% of 2,000 = 2,050 changed rows before the next ANALYZE.
    add_comments(scratch, 2001, 2000)
    assert "comments" not in analyzer.analyze_stale()
    add_comments(scratch, 4001, 100)
    assert "comments" in analyzer.analyze_stale()
    with scratch.connect() as conn:
        assert analysed(conn) == 2


@needs_pg
def test_one_process_analyses_at_a_time(scratch: Engine) -> None:
    add_comments(scratch, 1, 500)
    with scratch.connect() as other:
        other.execute(text("SELECT pg_advisory_lock(:k)"), {"k": pgstats.LOCK_KEY})
        assert pgstats.Analyzer(scratch, 60).analyze_stale() == []
        assert analysed(other) == 0
        other.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": pgstats.LOCK_KEY})
        other.commit()
    assert "comments" in pgstats.Analyzer(scratch, 60).analyze_stale()


@needs_pg
def test_a_table_locked_by_a_migration_is_left_for_the_next_round(scratch: Engine) -> None:
    """ANALYZE gives up on a locked table quickly instead of queueing behind the DDL."""
    add_comments(scratch, 1, 500)
    analyzer = pgstats.Analyzer(scratch, 60)
    done: list[list[str]] = []
    with scratch.connect() as migration:
        # What ALTER TABLE or CREATE INDEX hold until their transaction ends.
        migration.execute(text("LOCK TABLE comments IN ACCESS EXCLUSIVE MODE"))
        thread = threading.Thread(target=lambda: done.append(analyzer.analyze_stale()))
        thread.start()
        thread.join(WAIT)
        blocked = thread.is_alive()
        migration.rollback()  # releases the lock (and a blocked analyzer, if any)
    thread.join(WAIT)
    assert not blocked, "the analyzer waited for the migration's lock"
    assert done == [[]]
    assert "comments" in analyzer.analyze_stale()


def app_with(database_url: str, tmp_path: Path, **config: object) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "MODEL_PATH": str(tmp_path / "none.skops"),
            "SECRET_KEY": "test-secret-key-" + "x" * 32,
            **config,
        }
    )


@contextlib.contextmanager
def pg_app(worker: str, tmp_path: Path, **config: object) -> Iterator[tuple[Flask, Engine]]:
    """An app on this worker's emptied PostgreSQL database; its engine is disposed after."""
    url = dbs.fresh_postgres(dbs.pg_url_for_worker(worker) or "")
    app = app_with(url, tmp_path, **config)
    engine = db.engine_for(app)
    try:
        yield app, engine
    finally:
        db.dispose(engine)


def plan_cache_mode(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SHOW plan_cache_mode")).scalar())


@needs_pg
def test_the_app_keeps_statistics_and_lets_postgresql_reuse_plans(
    worker_id_safe: str, tmp_path: Path
) -> None:
    with pg_app(worker_id_safe, tmp_path, PG_ANALYZE_SECONDS=0.05) as (app, engine):
        # Statistics are kept fresh, so PostgreSQL may keep generic plans (and replans them
        # after each ANALYZE).
        assert plan_cache_mode(engine) == "auto"
        before = analyses(engine)
        analyzer = db.analyzer_of(engine)
        assert analyzer is not None and analyzer.running
        make_site(app)  # site 1: fresh_postgres restarts the identities
        add_comments(engine, 1, 300)
        wait_until(lambda: analyses(engine) > before, "the thread analyses the table")
    wait_until(lambda: not analyzer.running, "dispose stops the thread")


@needs_pg
def test_without_the_thread_each_execution_is_planned_for_its_parameters(
    worker_id_safe: str, tmp_path: Path
) -> None:
    """With statistics left to autovacuum, custom plans keep a stale generic plan away."""
    with pg_app(worker_id_safe, tmp_path, PG_ANALYZE_SECONDS=0) as (_app, engine):
        assert db.analyzer_of(engine) is None
        assert plan_cache_mode(engine) == "force_custom_plan"


def test_a_negative_interval_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="PG_ANALYZE_SECONDS"):
        app_with(f"sqlite:///{tmp_path / 'p.db'}", tmp_path, PG_ANALYZE_SECONDS=-1)


@needs_pg
def test_analyze_skips_the_columns_no_query_uses(scratch: Engine) -> None:
    """Migration 0008: ANALYZE keeps statistics for the columns the lookups and the queue
    filter on, and none for the large texts and documents (payload, reasons, ...)."""
    add_comments(scratch, 1, 500)
    with scratch.begin() as conn:
        conn.execute(text("ANALYZE comments"))
        kept = set(conn.scalars(text("SELECT attname FROM pg_stats WHERE tablename = 'comments'")))
    assert {"site_id", "status", "created_at", "content_hash", "author_email"} <= kept
    assert not kept & {"payload", "reasons", "intake_response", "content", "user_agent"}
