"""Test databases: a migrated SQLite template copied per test, PostgreSQL truncated per test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from moderation import migrate
from moderation.db import Base, make_engine

_migrated: set[str] = set()


def pg_url_for_worker(worker: str) -> str | None:
    """Return a PostgreSQL URL private to this xdist worker, creating the database."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return None
    url = make_url(base)
    if worker == "master":
        return base
    name = f"{url.database}_{worker}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def pg_scratch_url(purpose: str) -> str:
    """A PostgreSQL database of its own for ``purpose`` and this xdist worker, created if absent.

    For tests that drop the whole schema or need tables PostgreSQL has never analysed.
    """
    url = make_url(os.environ["TEST_DATABASE_URL"])
    worker = os.environ.get("PYTEST_XDIST_WORKER", "master")
    name = f"{url.database}_{purpose}_{worker}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def sqlite_template(tmp_root: Path) -> Path:
    """Return a migrated SQLite file to copy for each test."""
    template = tmp_root / "template.db"
    if not template.exists():
        engine = make_engine(f"sqlite:///{template}")
        migrate.upgrade(engine)
        engine.dispose()
    return template


def fresh_sqlite(tmp_root: Path, dest: Path) -> str:
    """Copy the migrated template to ``dest`` and return its URL."""
    shutil.copy(sqlite_template(tmp_root), dest)
    return f"sqlite:///{dest}"


def fresh_postgres(url: str) -> str:
    """Migrate once per run, then empty every table; return the URL."""
    engine = create_engine(url)
    if url not in _migrated:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        migrate.upgrade(engine)
        _migrated.add(url)
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url
