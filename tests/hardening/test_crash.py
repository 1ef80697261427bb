"""Crash durability: gunicorn under load, kill -9 a worker, then the whole server, several times.

Every comment answered 201 must be stored with its verdict and audit entry, and a client retrying
with the same Idempotency-Key (after a dropped connection or a crash) never creates a duplicate.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from moderation import create_app, db, migrate
from moderation.models import Comment, CommentStatus, StatusChange
from moderation.sites import create_site

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("crash")]
ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
ROUNDS = 2  # each round: kill -9 one worker, then the whole server, and restart
CLIENTS = 4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


class Server:
    """A gunicorn master with two workers on 127.0.0.1, restartable on the same port."""

    def __init__(self, tmp: Path, env: dict[str, str]) -> None:
        self.port, self.env, self.proc = _free_port(), env, None
        self.conf = tmp / "gunicorn.conf.py"  # empty: not the repository's own settings
        self.conf.write_text("")
        self.log = (tmp / "gunicorn.log").open("ab")

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [str(GUNICORN), "-c", str(self.conf), "-w", "2", "-b", f"127.0.0.1:{self.port}",
             "--preload", "--graceful-timeout", "1",
             "--control-socket", str(self.conf.with_suffix(".ctl")), "wsgi:app"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log,
        )  # fmt: skip
        deadline = time.monotonic() + 60  # importing scikit-learn is slow on a busy CI
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill_worker(self) -> None:
        assert self.proc is not None
        workers = _children(self.proc.pid)
        if workers:
            os.kill(workers[0], signal.SIGKILL)

    def kill_all(self) -> None:
        """Kill -9 the master and its workers at once, as a power cut would."""
        assert self.proc is not None
        workers = _children(self.proc.pid)
        for pid in [self.proc.pid, *workers]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.proc.wait(timeout=10)


def _client(url_of, key: str, acked: dict[str, int], stop: threading.Event, n: int) -> None:
    """Post comments; retry each with the same Idempotency-Key until it gets an answer."""
    with httpx.Client(timeout=5) as http:
        i = 0
        while not stop.is_set():
            i += 1
            idem = f"c{n}-{i}-{uuid.uuid4().hex[:8]}"
            body = {
                "content": f"Commentaire {idem} sur l'article {uuid.uuid4().hex}",
                "author_name": f"Lecteur {n}",
                "author_email": f"lecteur{n}.{i}@example.org",
            }
            for _attempt in range(200):
                try:
                    resp = http.post(
                        f"{url_of()}/api/v1/comments",
                        json=body,
                        headers={"Authorization": f"Bearer {key}", "Idempotency-Key": idem},
                    )
                except httpx.HTTPError:
                    time.sleep(0.1)  # connection refused or reset: the server is restarting
                    continue
                if resp.status_code in (200, 201):
                    acked[idem] = resp.json()["id"]
                    break
                if resp.status_code in (429, 502, 503):
                    time.sleep(0.2)
                    continue
                raise AssertionError(f"unexpected {resp.status_code}: {resp.text[:300]}")


def test_acknowledged_comments_survive_kill_9(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'palabre.db'}"
    app = create_app({"DATABASE_URL": db_url, "MODEL_PATH": str(tmp_path / "none.skops")})
    migrate.upgrade(db.engine_for(app))
    with app.app_context(), db.transaction() as s:
        _site, key = create_site(s, "crash", "https://crash.example")
    db.dispose(db.engine_for(app))

    env = {
        **os.environ,
        "MODERATION_DATABASE_URL": db_url,
        "MODERATION_MODEL_PATH": str(tmp_path / "none.skops"),
        "MODERATION_SECRET_KEY": "crash-test-" + "k" * 32,
        "MODERATION_LOG_LEVEL": "WARNING",
    }
    server = Server(tmp_path, env)
    server.start()
    acked: dict[str, int] = {}
    stop = threading.Event()
    threads = [
        threading.Thread(target=_client, args=(lambda: server.url, key, acked, stop, n))
        for n in range(CLIENTS)
    ]
    for t in threads:
        t.start()
    try:
        for _round in range(ROUNDS):
            time.sleep(1.5)
            server.kill_worker()  # the master replaces it
            time.sleep(1.5)
            server.kill_all()
            time.sleep(0.3)
            server.start()
        time.sleep(1.0)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert len(acked) >= 20, f"too little load to prove anything: {len(acked)}"

    # Retrying acknowledged requests after all the crashes answers the first id, never a new one.
    with httpx.Client(timeout=5) as http:
        engine = create_engine(db_url)
        with engine.connect() as conn:
            rows = {
                c.idempotency_key: c
                for c in conn.execute(select(Comment.idempotency_key, Comment.id, Comment.status,
                                             Comment.content, Comment.author_name,
                                             Comment.author_email))
            }  # fmt: skip
        for idem in list(acked)[:10]:
            c = rows[idem]
            resp = http.post(
                f"{server.url}/api/v1/comments",
                json={"content": c.content, "author_name": c.author_name,
                      "author_email": c.author_email},
                headers={"Authorization": f"Bearer {key}", "Idempotency-Key": idem},
            )  # fmt: skip
            assert (resp.status_code, resp.json()["id"]) == (200, acked[idem])
    server.kill_all()

    with engine.connect() as conn:
        stored = dict(conn.execute(select(Comment.idempotency_key, Comment.id)).all())
        statuses = dict(conn.execute(select(Comment.id, Comment.status)).all())
        audited = set(conn.scalars(select(StatusChange.comment_id)))
        dupes = conn.execute(
            select(Comment.idempotency_key)
            .group_by(Comment.site_id, Comment.idempotency_key)
            .having(func.count() > 1)
        ).all()
    engine.dispose()
    missing = {k: v for k, v in acked.items() if stored.get(k) != v}
    assert not missing, f"acknowledged but lost: {missing}"
    assert not dupes
    for cid in acked.values():
        assert statuses[cid] in set(CommentStatus)
        assert cid in audited
    print(f"\n{len(acked)} comments acknowledged through {ROUNDS} crash rounds, none lost")
