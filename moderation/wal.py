"""SQLite write-ahead-log checkpoints in a background thread, off the request path.

By default SQLite copies the WAL back into the database file (a checkpoint, with an fsync of
the database under ``synchronous=NORMAL``) inside whichever commit pushes the WAL past 1,000
pages. On the intake path that commit was a request: a comment writes about 24 WAL pages, so
one comment in about forty waited for the copy and the fsync (`bench/phases.py`: commits
0.48 ms a comment with them, 0.29 without).

Here each process checkpoints every ``interval`` seconds from a daemon thread, with its own
short-lived connection; the sqlite3 module releases the GIL while SQLite works, so requests
go on meanwhile. The connections keep an automatic checkpoint at a much larger size
(``SAFETY_PAGES``) in case the thread falls behind, so the WAL stays bounded either way.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from urllib.parse import quote

from .periodic import Periodic

log = logging.getLogger(__name__)

# The connections' own automatic checkpoint once the thread runs (SQLite's default is 1,000).
SAFETY_PAGES = 10_000


class Checkpointer(Periodic):
    """Run ``PRAGMA wal_checkpoint(PASSIVE)`` on one database file every ``interval`` seconds."""

    name = "palabre-sqlite-checkpoint"

    def __init__(self, path: str | Path, interval: float) -> None:
        super().__init__(interval)
        self.path = Path(path)

    def checkpoint(self) -> tuple[int, int, int]:
        """Copy what the WAL holds into the database file without waiting for anyone.

        Returns SQLite's (busy, frames in the WAL, frames checkpointed). PASSIVE never blocks
        readers or writers: frames a reader still needs stay for the next round. The file is
        opened read-write without creating it, so a deleted database is not brought back.
        """
        uri = f"file:{quote(str(self.path))}?mode=rw"
        con = sqlite3.connect(uri, uri=True, timeout=1.0, isolation_level=None)
        try:
            busy, frames, done = con.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        finally:
            con.close()
        return int(busy), int(frames), int(done)

    def step(self) -> bool:
        if not self.path.exists():
            log.info("database %s is gone: WAL checkpoints stop", self.path)
            return False
        self.checkpoint()
        return True
