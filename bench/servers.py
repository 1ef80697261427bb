"""Start Palabre and the lean reference under gunicorn for benchmarks; stop them cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_BENCH = ROOT.parent / "shared" / "bench"
BIN = Path(sys.executable).parent


def corpus_texts(limit: int = 2000) -> list[str]:
    """Return comment texts from our own corpus: ham and spam as a site receives them."""
    import csv
    import zlib

    texts = []
    for path in sorted((ROOT / "data" / "bootstrap").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            texts += [row["text"] for row in csv.DictReader(f)]
    # Interleave the files, the same way in every run (str hashes change between processes).
    texts.sort(key=lambda t: zlib.crc32(t.encode("utf-8")))
    return texts[:limit]


def comment(texts: list[str], n: int) -> dict[str, str]:
    """The n-th request's comment: its own commenter, two corpus texts joined (bench/intake.lua
    builds the same pairs). The lean reference reads ``name`` and ``email``; Palabre reads
    ``author_*`` (and takes ``email`` as its WordPress alias, with the same value).
    """
    size = len(texts)
    # The second index also moves with n // size, so a pair does not come back every size
    # requests (identical texts from different commenters are a campaign).
    return {
        "content": f"{texts[n % size]} {texts[(n * 7919 + n // size) % size]}",
        "author_name": f"Lecteur {n}",
        "name": f"Lecteur {n}",
        "author_email": f"lecteur{n}@example.ml",
        "email": f"lecteur{n}@example.ml",
        "author_ip": f"10.{(n >> 16) % 256}.{(n >> 8) % 256}.{n % 256}",
        "post_id": str(n % 40),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(port: int, path: str, timeout: float = 240.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}{path}", timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not become ready")


@contextmanager
def gunicorn(
    app: str,
    port: int,
    env: dict[str, str],
    cwd: Path,
    workers: int = 2,
    ready_path: str = "/healthz",
    log: Path | None = None,
) -> Iterator[subprocess.Popen]:
    """Run ``gunicorn app`` on 127.0.0.1:port until the block ends."""
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app,
        ],
        cwd=cwd,
        env={**os.environ, **env},
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_ready(port, ready_path)
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log:
            out.close()


def flask(args: list[str], env: dict[str, str]) -> str:
    """Run a ``flask --app wsgi`` command and return its output."""
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout
