"""Engine and session per app; SQLite tuned for several writer processes."""

from __future__ import annotations

import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import DateTime, TypeDecorator

from . import jsonfast, pgstats, wal
from .periodic import Periodic

EXTENSION = "palabre.db"
_P = TypeVar("_P", bound=Periodic)
# Each engine's background maintenance thread: SQLite's WAL checkpoints, PostgreSQL's ANALYZE.
_BACKGROUND: weakref.WeakKeyDictionary[Engine, Periodic] = weakref.WeakKeyDictionary()
# How the next SQLite transaction begins: IMMEDIATE (takes the write lock) unless a block
# declared itself read-only with ``reading()``.
_BEGIN: ContextVar[str] = ContextVar("palabre_sqlite_begin", default="IMMEDIATE")


class Base(DeclarativeBase):
    """Declarative base of every Palabre table."""


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite returns naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """Return the current time, UTC-aware."""
    return datetime.now(UTC)


def make_engine(
    url: str,
    *,
    busy_timeout_ms: int = 30_000,
    synchronous: str = "NORMAL",
    checkpoint_seconds: float = 0.0,
    analyze_seconds: float = 0.0,
) -> Engine:
    """Create an engine; on SQLite enable WAL and make every transaction BEGIN IMMEDIATE.

    BEGIN IMMEDIATE takes the write lock when the transaction starts, so two processes never
    both read and then both try to upgrade to a writer, which SQLite answers with
    "database is locked" however long the busy timeout is. With ``checkpoint_seconds`` > 0 a
    SQLite file's WAL is checkpointed by a background thread, not by requests (`wal`). With
    ``analyze_seconds`` > 0 a PostgreSQL database's stale tables are analysed by a background
    thread (`pgstats`).
    """
    if not url.startswith("sqlite"):
        # connect_timeout: an unreachable server answers 503 in seconds instead of hanging.
        args = {"connect_timeout": 5} if url.startswith("postgresql") else {}
        engine = create_engine(
            url,
            pool_size=5,
            max_overflow=5,
            connect_args=args,
            json_serializer=jsonfast.column_dumps,
        )
        _ping_when_idle(engine)
        if url.startswith("postgresql"):
            if analyze_seconds <= 0:
                event.listen(engine, "connect", _custom_plans)
            event.listen(engine, "before_cursor_execute", _no_write_in_autocommit)
            _analyzer(engine, analyze_seconds)
        return engine
    engine = create_engine(
        url,
        connect_args={"timeout": busy_timeout_ms / 1000},
        pool_use_lifo=True,
        json_serializer=jsonfast.column_dumps,
    )
    checkpointer = _checkpointer(engine, checkpoint_seconds)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" event emit BEGIN
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute(f"PRAGMA synchronous={synchronous.upper()}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA cache_size=-32000")
        # Statement journals (a comment's INSERT spills past 64 KiB) and temporary tables stay
        # in memory: no temp file created, written and unlinked in /var/tmp per comment.
        cur.execute("PRAGMA temp_store=MEMORY")
        if checkpointer is not None:
            cur.execute(f"PRAGMA wal_autocheckpoint={wal.SAFETY_PAGES}")
            checkpointer.ensure_running()
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(f"BEGIN {_BEGIN.get()}")

    return engine


# A pooled connection idle for longer than this is pinged before use (see _ping_when_idle).
PING_AFTER_IDLE_SECONDS = 1.0


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection before use only when it sat idle, not on every checkout.

    ``pool_pre_ping`` sends a ``SELECT 1`` (on psycopg, a BEGIN too) at every checkout, and the
    intake checks out twice per comment (its read and its write transaction): on PostgreSQL
    that was two to four round trips of about ten per comment. A connection used less than a
    second ago is taken as is; if the server went away in that second, the statement fails, the
    request answers 503 and the pool is invalidated, as it would be mid-request anyway.
    """

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return  # a new connection, or one just used
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # any failure: let the pool replace this connection
            raise DisconnectionError(f"pooled connection failed its ping: {exc}") from exc


# Execution option marking the autocommit connection of a ``reading()`` block.
_READING = "palabre_reading"


class WriteWhileReading(RuntimeError):
    """A statement tried to write inside ``reading()``, where it would commit on its own."""


def _no_write_in_autocommit(
    conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool
) -> None:
    """Refuse INSERT, UPDATE and DELETE on a connection that ``reading()`` put in autocommit."""
    if context is None or not (context.isinsert or context.isupdate or context.isdelete):
        return
    if conn.get_execution_options().get(_READING):
        raise WriteWhileReading(f"a write inside db.reading(): {statement[:60]}")


def one_statement_write(s: Session) -> bool:
    """Let the caller's next statement commit by itself, when that statement is its whole write.

    On PostgreSQL a single statement is its own transaction: in autocommit it is committed (and
    its WAL flushed) before its answer arrives, without the BEGIN and COMMIT round trips. The
    caller must write nothing else before ``s.commit()``. Returns False, changing nothing, on
    SQLite (whose write transactions take the lock with BEGIN IMMEDIATE) or inside a transaction.
    """
    if s.in_transaction() or s.get_bind().dialect.name != "postgresql":
        return False
    s.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return True


def _checkpointer(engine: Engine, seconds: float) -> wal.Checkpointer | None:
    """Return the background checkpointer of a SQLite file, or None (memory, or turned off)."""
    database = engine.url.database
    if seconds <= 0 or not database or database == ":memory:" or engine.url.query.get("uri"):
        return None
    return _background(engine, wal.Checkpointer(database, seconds))


def _analyzer(engine: Engine, seconds: float) -> None:
    """Give a PostgreSQL engine its statistics thread, started by its first connection."""
    if seconds <= 0:
        return
    analyzer = _background(engine, pgstats.Analyzer(engine, seconds))
    event.listen(engine, "connect", lambda _conn, _record: analyzer.ensure_running())


def _background(engine: Engine, worker: _P) -> _P:
    _BACKGROUND[engine] = worker
    weakref.finalize(engine, worker.stop)  # the thread ends with its engine
    return worker


def _background_of(engine: Engine, kind: type[_P]) -> _P | None:
    worker = _BACKGROUND.get(engine)
    return worker if isinstance(worker, kind) else None


def checkpointer_of(engine: Engine) -> wal.Checkpointer | None:
    """Return the engine's background WAL checkpointer, if it has one."""
    return _background_of(engine, wal.Checkpointer)


def analyzer_of(engine: Engine) -> pgstats.Analyzer | None:
    """Return the engine's background statistics thread, if it has one."""
    return _background_of(engine, pgstats.Analyzer)


def dispose(engine: Engine) -> None:
    """Close the engine's pooled connections and stop its background thread."""
    engine.dispose()
    worker = _BACKGROUND.pop(engine, None)
    if worker is not None:
        worker.stop()


def _custom_plans(dbapi_conn: Any, _record: Any) -> None:
    """Plan each execution of a prepared statement for its own parameter values.

    Used when no statistics thread runs (``PG_ANALYZE_SECONDS`` = 0). psycopg prepares a
    statement on its fifth execution and PostgreSQL may then keep a generic plan; before the
    comments table has been analysed, the near-duplicate lookup's generic plan walked the
    site's whole window (6 ms at 2,000 rows, growing with the table; `bench/load.py --only
    postgresql` gave 83 requests/s with custom plans, 34 without). Custom plans do not fully
    protect either (`pgstats`: unanalysed indexes count zero rows), but they replan each time.
    With the thread keeping statistics fresh, generic plans are kept and replanned after each
    ANALYZE, which saves the planning of every lookup (`bench/phases.py` on PostgreSQL: the
    lookups 0.94 ms a comment with custom plans, 0.59 ms with generic ones).
    """
    with dbapi_conn.cursor() as cur:
        cur.execute("SET plan_cache_mode = force_custom_plan")
    dbapi_conn.commit()


def init_app(app: Flask) -> None:
    """Create the app's engine and session factory and close sessions at teardown."""
    engine = make_engine(
        app.config["DATABASE_URL"],
        busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"],
        synchronous=app.config["SQLITE_SYNCHRONOUS"],
        checkpoint_seconds=app.config["SQLITE_CHECKPOINT_SECONDS"],
        analyze_seconds=app.config["PG_ANALYZE_SECONDS"],
    )
    app.extensions[EXTENSION] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def engine_for(app: Flask) -> Engine:
    """Return the app's engine."""
    factory: sessionmaker[Session] = app.extensions[EXTENSION]
    bind = factory.kw["bind"]
    assert isinstance(bind, Engine)
    return bind


def session() -> Session:
    """Return this request's (or app context's) session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions[EXTENSION]()
    s: Session = g.db_session
    return s


@contextmanager
def transaction() -> Iterator[Session]:
    """Run a block in a transaction of the current session: commit on success."""
    s = session()
    try:
        yield s
        s.commit()
    except BaseException:
        s.rollback()
        raise


@contextmanager
def reading() -> Iterator[Session]:
    """Run a read-only block in its own transaction, ended when the block ends.

    On SQLite the transaction begins DEFERRED, so concurrent workers read without queueing
    for the write lock; on PostgreSQL the block runs in autocommit mode (each statement sees
    what was committed when it ran), which spares the BEGIN and COMMIT round trips. The block
    must not write: a deferred SQLite transaction that reads and then writes can fail when
    another worker committed meanwhile, which BEGIN IMMEDIATE prevents.
    """
    s = session()
    if s.in_transaction():
        s.commit()
    token = _BEGIN.set("DEFERRED")
    try:
        if s.get_bind().dialect.name == "postgresql":
            # Each statement reads committed rows on its own: no BEGIN and COMMIT round trips.
            s.connection(execution_options={"isolation_level": "AUTOCOMMIT", _READING: True})
        with transaction() as s:
            yield s
    finally:
        _BEGIN.reset(token)


def _close_session(_exc: BaseException | None) -> None:
    s = g.pop("db_session", None)
    if s is not None:
        s.close()
