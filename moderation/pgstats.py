"""PostgreSQL planner statistics kept fresh by the application, not only by autovacuum.

The intake's lookups (moderation/signals.py) each have an index that answers them in a
fraction of a millisecond, but PostgreSQL only knows it once ANALYZE has run. Until then the
indexes, created on an empty table, count zero rows, and the planner takes whichever index
starts with ``site_id`` and filters the site's whole history through it: 6 ms a lookup at
1,250 comments, growing with each new one (seen with auto_explain under `bench/phases.py`).
Autovacuum analyses a table once 50 rows plus 10% of it have changed, but it visits each
database at most once a minute (``autovacuum_naptime``), and a server may run without it
(the one these benchmarks run on does).

``Analyzer`` checks from a background thread in each process, every few seconds, for tables
of the current schema changed by more than ``BASE_ROWS`` plus ``SCALE`` times their rows since
their last analysis, and analyses them. With autovacuum's rule (50 rows + 10%) the thread
analysed the comments table every 3 to 5 s under `bench/load.py` (200 comments/s), each time
for 60 to 220 ms of a core (PostgreSQL's log, up to 12,000 rows). Plans depend on the
statistics' shape far more than on their age (the planner scales row counts by the table's
current size), so the thread waits until a table has about doubled; autovacuum, where it
runs, still refreshes more often. An advisory lock lets one process analyse at a time;
ANALYZE reads a sample of the table, blocks neither reads nor writes, and gives way to DDL
(``Analyzer._analyze``).
"""

from __future__ import annotations

import weakref

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError

from .periodic import Periodic

BASE_ROWS = 50  # autovacuum_analyze_threshold's default
SCALE = 1.0  # autovacuum_analyze_scale_factor's default is 0.1: see above
LOCK_KEY = 0x50_61_6C_61  # "Pala": one process analyses at a time
LOCK_TIMEOUT = "100ms"  # the longest ANALYZE waits for a table another transaction locked
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout expires

_STALE = text(
    """
    SELECT s.relname FROM pg_stat_user_tables AS s JOIN pg_class AS c ON c.oid = s.relid
    WHERE s.schemaname = current_schema()
      AND s.n_mod_since_analyze > :base + :scale * greatest(c.reltuples, 0)
    ORDER BY s.relname
    """
)
_RULE = {"base": BASE_ROWS, "scale": SCALE}


class Analyzer(Periodic):
    """ANALYZE the tables whose statistics have fallen behind, every ``interval`` seconds."""

    name = "palabre-pg-analyze"

    def __init__(self, engine: Engine, interval: float) -> None:
        super().__init__(interval)
        self._engine = weakref.ref(engine)  # the thread must not keep a dropped engine alive

    def analyze_stale(self) -> list[str]:
        """Analyse every stale table now; return the names of those analysed."""
        engine = self._engine()
        if engine is None:
            return []
        with engine.connect() as conn:
            candidates = list(conn.scalars(_STALE, _RULE))
            conn.commit()
            return [table for table in candidates if self._analyze(conn, table)]

    @staticmethod
    def _analyze(conn: Connection, table: str) -> bool:
        """ANALYZE one table in a transaction of its own; False if it was not done now.

        The transaction takes the advisory lock first (another process analysing: not now)
        and checks the table is still stale (that process may just have analysed it). Its
        ANALYZE waits at most ``LOCK_TIMEOUT`` for the table: the thread never holds one
        table while waiting for another, nor queues behind a migration's DDL (which would
        make every statement after it queue too); a locked table waits for the next round.
        Transaction-level locks only, so a pooler in transaction mode cannot strand one.
        """
        try:
            with conn.begin():
                if not conn.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": LOCK_KEY}):
                    return False
                if table not in conn.scalars(_STALE, _RULE).all():
                    return False
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
                conn.exec_driver_sql(f"ANALYZE {conn.dialect.identifier_preparer.quote(table)}")
        except OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
            return False
        return True

    def step(self) -> bool:
        if self._engine() is None:
            return False
        self.analyze_stale()
        return True
