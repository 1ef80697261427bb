"""Migrations: upgrade from empty and from every revision, downgrade, and agree with models."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text

from moderation import migrate
from moderation.db import Base, make_engine
from tests import dbs

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(params=BACKENDS)
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    else:
        engine = create_engine(dbs.pg_scratch_url("migrations"))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    yield engine
    engine.dispose()


def revisions(engine: Engine) -> list[str]:
    """Return every revision id, oldest first."""
    script = ScriptDirectory.from_config(migrate.alembic_config(engine))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def differences(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_upgrade_from_empty_matches_the_models(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    assert differences(empty_engine) == []
    tables = set(inspect(empty_engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables


def test_upgrade_is_idempotent(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    migrate.upgrade(empty_engine)
    assert differences(empty_engine) == []


def test_downgrade_to_empty_and_back(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    migrate.downgrade(empty_engine, "base")
    left = set(inspect(empty_engine).get_table_names()) - {"alembic_version"}
    assert left == set()
    migrate.upgrade(empty_engine)
    assert differences(empty_engine) == []


def test_upgrade_from_each_earlier_revision(empty_engine: Engine) -> None:
    revs = revisions(empty_engine)
    assert revs, "no migrations found"
    for rev in revs:
        migrate.upgrade(empty_engine, rev)
        migrate.upgrade(empty_engine)
        assert differences(empty_engine) == [], f"upgrade from {rev} drifted"
        migrate.downgrade(empty_engine, "base")


def test_revisions_form_one_chain(empty_engine: Engine) -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config(empty_engine))
    assert len(script.get_heads()) == 1, f"several heads: {script.get_heads()}"


def test_a_url_with_percent_signs_migrates(tmp_path: Path) -> None:
    # A folder named "a@b" is percent-encoded in the URL ("a%40b"), as is a password with
    # special characters; Alembic's ConfigParser used to refuse the "%" ("invalid
    # interpolation syntax").
    folder = tmp_path / "a@b%c"
    folder.mkdir()
    engine = create_engine(f"sqlite:///{folder / 'p.db'}")
    try:
        assert "%" in engine.url.render_as_string()
        migrate.upgrade(engine)
        assert "comments" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
