"""SQLite WAL checkpoints: a background thread copies the WAL back, not the requests' commits."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from moderation import create_app, db, periodic, wal
from moderation.config import ConfigError
from tests.conftest import make_site

WAIT = 10.0  # upper bound for a background thread to act; never a speed assertion


def sqlite_app(tmp_path: Path, **config: object) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'palabre.db'}",
            "MODEL_PATH": str(tmp_path / "no-model.skops"),
            "SECRET_KEY": "test-secret-key-" + "x" * 32,
            **config,
        }
    )


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = sqlite_app(tmp_path)
    with app.app_context():
        db.Base.metadata.create_all(db.engine_for(app))
    yield app
    db.dispose(db.engine_for(app))


def autocheckpoint(app: Flask) -> int:
    with db.engine_for(app).connect() as conn:
        return int(conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())


def wait_until(condition: object, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"not within {WAIT} s: {what}")
        time.sleep(0.01)


def test_connections_leave_the_checkpoints_to_the_thread(app: Flask) -> None:
    assert autocheckpoint(app) == wal.SAFETY_PAGES  # SQLite's own default is 1000
    checkpointer = db.checkpointer_of(db.engine_for(app))
    assert checkpointer is not None and checkpointer.running
    assert checkpointer.interval == app.config["SQLITE_CHECKPOINT_SECONDS"] == 0.5


def test_turned_off_the_commits_checkpoint_as_sqlite_does(tmp_path: Path) -> None:
    app = sqlite_app(tmp_path, SQLITE_CHECKPOINT_SECONDS=0)
    try:
        assert autocheckpoint(app) == 1000
        assert db.checkpointer_of(db.engine_for(app)) is None
    finally:
        db.dispose(db.engine_for(app))


def test_a_negative_interval_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SQLITE_CHECKPOINT_SECONDS"):
        sqlite_app(tmp_path, SQLITE_CHECKPOINT_SECONDS=-1)


def test_the_thread_copies_committed_writes_into_the_database_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results: list[tuple[int, int, int]] = []
    real = wal.Checkpointer.checkpoint

    def recorded(self: wal.Checkpointer) -> tuple[int, int, int]:
        result = real(self)
        results.append(result)
        return result

    monkeypatch.setattr(wal.Checkpointer, "checkpoint", recorded)
    app = sqlite_app(tmp_path, SQLITE_CHECKPOINT_SECONDS=0.02)
    try:
        with app.app_context():
            db.Base.metadata.create_all(db.engine_for(app))
        for n in range(5):
            make_site(app, f"site{n}", f"https://site{n}.example")
        # One thread runs the rounds in turn: the second round to end after the writes began
        # after them.
        after = len(results) + 2
        wait_until(lambda: len(results) >= after, "two checkpoint rounds")
        _busy, frames, done = results[after - 1]
        assert frames > 0 and done == frames
        # The database file alone (no WAL beside it) holds the sites.
        copy = tmp_path / "copy.db"
        copy.write_bytes((tmp_path / "palabre.db").read_bytes())
        with sqlite3.connect(copy) as con:
            assert con.execute("SELECT count(*) FROM sites").fetchone()[0] == 5
    finally:
        db.dispose(db.engine_for(app))


def test_dispose_stops_the_thread(tmp_path: Path) -> None:
    app = sqlite_app(tmp_path, SQLITE_CHECKPOINT_SECONDS=0.02)
    engine = db.engine_for(app)
    with engine.connect():
        pass
    checkpointer = db.checkpointer_of(engine)
    assert checkpointer is not None and checkpointer.running
    thread = checkpointer._thread  # noqa: SLF001
    db.dispose(engine)
    assert thread is not None
    thread.join(WAIT)
    assert not thread.is_alive()
    checkpointer.ensure_running()  # a stopped checkpointer stays stopped
    assert not checkpointer.running


def test_a_deleted_database_is_not_brought_back(tmp_path: Path) -> None:
    path = tmp_path / "gone.db"
    sqlite3.connect(path).close()
    checkpointer = wal.Checkpointer(path, 0.01)
    checkpointer.ensure_running()
    thread = checkpointer._thread  # noqa: SLF001
    path.unlink()
    assert thread is not None
    thread.join(WAIT)
    assert not thread.is_alive()
    with pytest.raises(sqlite3.OperationalError):
        checkpointer.checkpoint()
    assert not path.exists()


def test_a_forked_worker_starts_its_own_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.db"
    sqlite3.connect(path).close()
    checkpointer = wal.Checkpointer(path, 60)
    try:
        checkpointer.ensure_running()
        parent = checkpointer._thread  # noqa: SLF001
        checkpointer.ensure_running()
        assert checkpointer._thread is parent  # noqa: SLF001 - one thread per process
        # After a fork the child has the object but not the thread: it must start one.
        monkeypatch.setattr(periodic.os, "getpid", lambda: -1)
        assert not checkpointer.running
        checkpointer.ensure_running()
        assert checkpointer._thread is not parent  # noqa: SLF001
        assert isinstance(checkpointer._thread, threading.Thread)  # noqa: SLF001
    finally:
        checkpointer.stop()


def test_statement_journals_stay_in_memory(app: Flask) -> None:
    # A comment's INSERT touches about 24 pages, past SQLite's 64 KiB statement-journal
    # spill: with temp files on disk, each comment created, wrote and unlinked one in
    # /var/tmp (seen with strace: about ten writes and six other system calls a comment).
    with db.engine_for(app).connect() as conn:
        assert conn.exec_driver_sql("PRAGMA temp_store").scalar_one() == 2  # MEMORY
