"""The WSGI entry point as gunicorn loads it, in a process of its own."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from moderation import create_app, db, migrate
from moderation.models import Comment
from moderation.sites import create_site

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import gc, json
import wsgi
print(json.dumps({"app": type(wsgi.app).__name__, "frozen": gc.get_freeze_count(),
                  "tracked": len(gc.get_objects())}))
"""


def test_the_loaded_app_is_frozen_out_of_the_collectors_reach(tmp_path: Path) -> None:
    probe = run_probe(PROBE, tmp_path)
    assert probe["app"] == "Flask"
    # The libraries and the app are frozen: a full collection sees only what came after.
    assert probe["frozen"] > 10 * probe["tracked"]


FORK_PROBE = """
import json, os
from sqlalchemy import text
import wsgi
from moderation import db

engine = db.engine_for(wsgi.app)
with engine.connect() as conn:  # the parent now has a pooled connection
    conn.execute(text("SELECT 1"))
read, write = os.pipe()
pid = os.fork()
if pid == 0:
    inherited = engine.pool.checkedin()
    with engine.connect() as conn:
        works = conn.execute(text("SELECT 1")).scalar() == 1
    os.write(write, json.dumps({"inherited": inherited, "works": works}).encode())
    os._exit(0)
os.waitpid(pid, 0)
child = json.loads(os.read(read, 1000))
with engine.connect() as conn:  # the parent's own connection survived the child
    child["parent_works"] = conn.execute(text("SELECT 1")).scalar() == 1
print(json.dumps(child))
"""


def run_probe(code: str, tmp_path: Path) -> dict[str, Any]:
    """Run ``code`` in a fresh Python process beside the project; return its last JSON line."""
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=probe_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    found: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return found


def probe_env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "MODERATION_DATABASE_URL": f"sqlite:///{tmp_path / 'palabre.db'}",
        "MODERATION_MODEL_PATH": str(tmp_path / "no-model.skops"),
        "MODERATION_SECRET_KEY": "test-secret-key-" + "x" * 32,
    }


def test_a_forked_worker_starts_with_an_empty_connection_pool(tmp_path: Path) -> None:
    """Gunicorn forks the workers from the loaded app (preload_app): no shared connection."""
    probe = run_probe(FORK_PROBE, tmp_path)
    assert probe == {"inherited": 0, "works": True, "parent_works": True}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_gunicorn_restarts_workers_without_loading_the_app_again(tmp_path: Path) -> None:
    """With gunicorn.conf.py, a worker that max_requests replaces is forked from the loaded
    master: the app (and its model) is loaded once, however many workers start."""
    env = {**probe_env(tmp_path), "WEB_CONCURRENCY": "1"}
    restarts = ("--max-requests", "3", "--max-requests-jitter", "0", "--log-level", "info")
    with gunicorn_conf_server(tmp_path, env, *restarts) as (_server, port):
        answers = [get_when_up(port, timeout=60.0) for _ in range(9)]
    text = (tmp_path / "gunicorn.log").read_text()
    assert answers == [200] * 9, text
    assert text.count("Booting worker") >= 3, text  # 10 requests (with readiness), 3 per worker
    assert text.count("spam model unavailable") == 1, text  # the app was loaded once


def get_when_up(port: int, timeout: float) -> int:
    """GET /healthz, retrying while no worker accepts (bounded by ``timeout``)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as r:
                return int(r.status)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_sigterm_lets_the_request_in_flight_finish(tmp_path: Path) -> None:
    """SIGTERM to the master: the worker finishes the comment it is reading, then exits."""
    env = {**probe_env(tmp_path), "WEB_CONCURRENCY": "1"}
    app, key = migrated_site(env)
    body = json.dumps(
        {"content": "Merci pour cet article", "author_name": "Awa", "author_email": "a@example.org"}
    ).encode()
    head = (
        "POST /api/v1/comments HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {key}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with gunicorn_conf_server(tmp_path, env) as (server, port):
        with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
            conn.sendall(head + body[:10])  # the worker is now reading this request's body
            time.sleep(0.5)
            server.send_signal(signal.SIGTERM)
            time.sleep(0.5)  # the master has passed SIGTERM on; the request is still in flight
            conn.sendall(body[10:])
            answer = b""
            while chunk := conn.recv(65536):
                answer += chunk
        assert server.wait(timeout=60) == 0
    assert answer.startswith(b"HTTP/1.1 201"), answer[:200]
    with app.app_context():
        assert db.session().scalar(select(func.count(Comment.id))) == 1


@contextlib.contextmanager
def gunicorn_conf_server(tmp_path: Path, env: dict[str, str], *args: str) -> Iterator[Any]:
    """Run gunicorn with the repository's gunicorn.conf.py on a free port until ready."""
    port = free_port()
    env = {
        **env,
        "PALABRE_BIND": f"127.0.0.1:{port}",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    command = [str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py"]
    with (tmp_path / "gunicorn.log").open("w") as out:
        server = subprocess.Popen(
            [*command, *args, "wsgi:app"], cwd=ROOT, env=env, stdout=out, stderr=out
        )
        try:
            assert get_when_up(port, timeout=60.0) == 200
            yield server, port
        finally:
            if server.poll() is None:
                server.terminate()
            server.wait(timeout=60)


def test_a_body_refused_unread_still_gets_its_whole_answer(tmp_path: Path) -> None:
    """A body over the limit is refused (413) before it is read: the worker lingers and drains
    it (moderation/serving.py), so the client's sending does not turn into a reset that would
    lose the answer."""
    env = {**probe_env(tmp_path), "WEB_CONCURRENCY": "1"}
    _app, key = migrated_site(env)
    body = b"x" * (1024 * 1024)
    head = (
        f"POST /api/v1/comments HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    with gunicorn_conf_server(tmp_path, env) as (_server, port):
        for _ in range(3):
            with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
                conn.sendall(head + body)
                answer = read_to_end(conn)
            assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
            assert answer.rstrip().endswith(b"}"), answer[-200:]  # the whole problem document


def test_gunicorn_conf_makes_workers_write_at_once_and_close_promptly() -> None:
    import runpy

    from gunicorn import util
    from gunicorn.http.wsgi import Response

    from moderation import serving

    before, write = util.close_graceful, Response.write
    try:
        runpy.run_path(str(ROOT / "gunicorn.conf.py"))["post_fork"](None, None)
        assert util.close_graceful is serving.close_promptly
        assert Response.write is serving.write_at_once
    finally:
        util.close_graceful, Response.write = before, write


def migrated_site(env: dict[str, str]) -> tuple[Flask, str]:
    """Create the schema and a site in ``env``'s database; return an app on it and the key."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": env["MODERATION_DATABASE_URL"],
            "MODEL_PATH": env["MODERATION_MODEL_PATH"],
            "SECRET_KEY": env["MODERATION_SECRET_KEY"],
        }
    )
    migrate.upgrade(db.engine_for(app))
    with app.app_context(), db.transaction() as s:
        _site, key = create_site(s, "serving", "https://serving.example")
    db.dispose(db.engine_for(app))
    return app, key


def read_to_end(conn: socket.socket) -> bytes:
    answer = b""
    while chunk := conn.recv(65536):
        answer += chunk
    return answer
