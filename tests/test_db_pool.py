"""PostgreSQL connection pool: a connection is pinged before use only after sitting idle."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from psycopg.pq import TransactionStatus
from sqlalchemy import Engine, create_engine, func, insert, select, text
from sqlalchemy.exc import OperationalError

from moderation import create_app, db
from moderation.models import Site
from tests import dbs

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="needs TEST_DATABASE_URL (PostgreSQL)"
)


@pytest.fixture
def engine(worker_id_safe: str) -> Iterator[Engine]:
    url = dbs.pg_url_for_worker(worker_id_safe)
    assert url is not None
    engine = db.make_engine(url)
    yield engine
    db.dispose(engine)


@pytest.fixture
def app_pg(worker_id_safe: str, tmp_path: Path) -> Iterator[Flask]:
    url = dbs.fresh_postgres(dbs.pg_url_for_worker(worker_id_safe) or "")
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "MODEL_PATH": str(tmp_path / "none.skops"),
            "SECRET_KEY": "pool-" + "x" * 32,
        }
    )
    yield app
    db.dispose(db.engine_for(app))


@pytest.fixture
def pings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    seen: list[object] = []
    real = engine.dialect.do_ping

    def counted(dbapi_conn: object) -> bool:
        seen.append(dbapi_conn)
        return real(dbapi_conn)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return seen


def backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(text("SELECT pg_backend_pid()")))


def terminate(engine: Engine, pid: int) -> None:
    """End one server session from outside, as a restart or an idle timeout would."""
    admin = create_engine(engine.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        assert conn.scalar(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
    admin.dispose()


def test_a_connection_just_used_is_not_pinged(
    engine: Engine, pings: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    # "Just used" made generous, so that a stalled machine cannot make it sit idle meanwhile.
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 600.0)
    first = backend_pid(engine)  # a new connection: never pinged
    for _ in range(5):
        assert backend_pid(engine) == first  # the same pooled connection, taken as is
    assert pings == []


def test_an_idle_connection_is_pinged_and_replaced_when_dead(
    engine: Engine, pings: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = backend_pid(engine)
    terminate(engine, dead)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # as if it sat idle a while
    assert backend_pid(engine) != dead  # the ping failed and the pool connected anew
    assert len(pings) == 1


def test_without_the_ping_a_dead_connection_fails_its_statement(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What the idle ping is for: a recently used connection is trusted, so a server that went
    # away within the last second shows as one failed statement (the intake answers 503).
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 600.0)  # "recently", even if stalled
    dead = backend_pid(engine)
    terminate(engine, dead)
    with pytest.raises(OperationalError):
        backend_pid(engine)
    assert backend_pid(engine) != dead  # the pool was invalidated: the next one works


def test_reads_run_without_a_transaction_and_refuse_to_write(app_pg: Flask) -> None:
    with app_pg.app_context():
        with db.reading() as s:
            assert s.scalar(text("SELECT 1")) == 1
            dbapi = s.connection().connection.dbapi_connection
            assert dbapi.autocommit  # no BEGIN was sent: the server sees no open transaction
            assert dbapi.info.transaction_status == TransactionStatus.IDLE
            with pytest.raises(db.WriteWhileReading):
                s.execute(
                    insert(Site.__table__).values(
                        name="x", url="u", api_key_hash="h", api_key_prefix="p", settings={}
                    )
                )
        with db.transaction() as s:  # the next transaction is a real one again
            s.execute(text("SELECT 1"))
            dbapi = s.connection().connection.dbapi_connection
            assert not dbapi.autocommit
            assert dbapi.info.transaction_status == TransactionStatus.INTRANS
            assert s.scalar(select(func.count()).select_from(Site)) == 0
