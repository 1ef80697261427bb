"""The WSGI entry point as gunicorn loads it, in a process of its own."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import gc, json
import wsgi
print(json.dumps({"app": type(wsgi.app).__name__, "frozen": gc.get_freeze_count(),
                  "tracked": len(gc.get_objects())}))
"""


def test_the_loaded_app_is_frozen_out_of_the_collectors_reach(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "MODERATION_DATABASE_URL": f"sqlite:///{tmp_path / 'palabre.db'}",
        "MODERATION_MODEL_PATH": str(tmp_path / "no-model.skops"),
        "MODERATION_SECRET_KEY": "test-secret-key-" + "x" * 32,
    }
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    probe = json.loads(out.strip().splitlines()[-1])
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


def probe_env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "MODERATION_DATABASE_URL": f"sqlite:///{tmp_path / 'palabre.db'}",
        "MODERATION_MODEL_PATH": str(tmp_path / "no-model.skops"),
        "MODERATION_SECRET_KEY": "test-secret-key-" + "x" * 32,
    }


def test_a_forked_worker_starts_with_an_empty_connection_pool(tmp_path: Path) -> None:
    """Gunicorn forks the workers from the loaded app (preload_app): no shared connection."""
    out = subprocess.run(
        [sys.executable, "-c", FORK_PROBE],
        cwd=ROOT,
        env=probe_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    probe = json.loads(out.strip().splitlines()[-1])
    assert probe == {"inherited": 0, "works": True, "parent_works": True}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_gunicorn_restarts_workers_without_loading_the_app_again(tmp_path: Path) -> None:
    """With gunicorn.conf.py, a worker that max_requests replaces is forked from the loaded
    master: the app (and its model) is loaded once, however many workers start."""
    port = free_port()
    env = {
        **probe_env(tmp_path),
        "PALABRE_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    log = tmp_path / "gunicorn.log"
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "-c",
        "gunicorn.conf.py",
        "--max-requests",
        "3",
        "--max-requests-jitter",
        "0",
        "--log-level",
        "info",
        "wsgi:app",
    ]
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
        try:
            answers = [get_when_up(port, timeout=60.0)]
            answers += [get_when_up(port, timeout=60.0) for _ in range(9)]
        finally:
            server.terminate()
            server.wait(timeout=60)
    text = log.read_text()
    assert answers == [200] * 10, text
    assert text.count("Booting worker") >= 3, text  # 10 requests, 3 per worker
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
