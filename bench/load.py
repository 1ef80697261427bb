"""Mixed load at a fixed rate: 95% intake, 5% moderator API, against 2 gunicorn workers.

Open-loop: requests are sent on a fixed schedule (200/s by default) whatever the answers,
and latency is measured from the scheduled time, so a slow server cannot hide its queueing.
Runs Palabre on SQLite, Palabre on PostgreSQL and the lean reference (intake only) in the
same run and prints them side by side.

    .venv/bin/python bench/load.py [--rate 200] [--duration 60] [--only sqlite,postgresql,lean]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from servers import (  # noqa: E402
    ROOT,
    SHARED_BENCH,
    comment,
    corpus_texts,
    flask,
    free_port,
    gunicorn,
)

PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


TEXTS = corpus_texts()
MAX_IN_FLIGHT = 128
TIMEOUT = 10.0  # seconds for one exchange, connection included


async def drive(
    base: str,
    intake: str,
    moderator: str | None,
    site_key: str,
    mod_token: str,
    rate: float,
    duration: float,
) -> dict[str, Any]:
    total = int(rate * duration)
    latencies: list[float] = []
    by_second: dict[int, list[float]] = {}  # latencies by the second their request was due
    statuses: dict[str, int] = {}
    url = urlsplit(base)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    site_auth = f"Bearer {site_key}" if site_key else ""
    mod_auth = f"Bearer {mod_token}" if mod_token else ""
    # At most this many requests in flight; the others wait here, still on the clock.
    gate = asyncio.Semaphore(MAX_IN_FLIGHT)
    start = time.perf_counter() + 0.5
    cpu = time.process_time()

    async def one(i: int) -> None:
        scheduled = start + i / rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        if moderator and i % 20 == 19:  # 5%: a moderator reading the queue
            raw = http_request("GET", host, port, moderator, mod_auth)
        else:
            raw = http_request("POST", host, port, intake, site_auth, comment(TEXTS, i))
        try:
            async with gate:
                status = await asyncio.wait_for(exchange(host, port, raw), TIMEOUT)
            key = str(status)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            key = type(exc).__name__
        latencies.append(time.perf_counter() - scheduled)
        by_second.setdefault(int(i / rate), []).append(latencies[-1])
        statuses[key] = statuses.get(key, 0) + 1

    await asyncio.gather(*(one(i) for i in range(total)))
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    latencies.sort()
    errors = sum(v for k, v in statuses.items() if not k.startswith("2"))
    return {
        "sent": total,
        "throughput": total / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "errors": errors,
        "statuses": statuses,
        "client_cpu_ms": cpu / total * 1000,
        "max_ms_by_second": [round(max(v) * 1000, 1) for _s, v in sorted(by_second.items())],
    }


def http_request(
    method: str, host: str, port: int, path: str, auth: str, body: dict[str, Any] | None = None
) -> bytes:
    """Return one HTTP/1.1 request, closed after its answer (gunicorn's sync workers do)."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    if auth:
        lines.append(f"Authorization: {auth}")
    payload = b""
    if body is not None:
        payload = json.dumps(body, ensure_ascii=False).encode()
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


async def exchange(host: str, port: int, raw: bytes) -> int:
    """Send one request on a new connection; return the answer's status once it is read."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(raw)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = re.search(rb"\r\ncontent-length:\s*(\d+)", head, re.IGNORECASE)
        if length:
            await reader.readexactly(int(length.group(1)))
        else:
            await reader.read()  # until the server closes
        return status
    finally:
        writer.close()


def fresh_pg_database() -> str:
    url = make_url(PG_URL)
    name = f"{url.database}_bench_load"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def checkpoint(db_url: str) -> None:
    """Write PostgreSQL's dirty pages out before the run, as pgbench does before its own.

    Dropping the previous run's database requests a checkpoint whose writes (every page dirtied
    by earlier runs or tests) otherwise land in the first seconds of this run.
    """
    admin = create_engine(db_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CHECKPOINT"))
    admin.dispose()


def run_palabre(db_url: str, work: Path, rate: float, duration: float) -> dict[str, Any]:
    env = {
        "MODERATION_DATABASE_URL": db_url,
        "MODERATION_MODEL_PATH": str(ROOT / "instance" / "model" / "model.skops"),
        "MODERATION_ENV": "production",
        "MODERATION_SECRET_KEY": "bench-" + "k" * 40,
        "MODERATION_LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
    }
    flask(["init-db"], env)
    site_key = flask(["sites", "create", "load", "--url", "https://load.example"], env).split()[-1]
    flask(
        [
            "moderators",
            "create",
            "load@example.org",
            "--role",
            "admin",
            "--password",
            "load-bench-password-1",
        ],
        env,
    )
    mod_token = flask(["moderators", "token", "load@example.org"], env).split()[-1]
    if db_url.startswith("postgresql"):
        checkpoint(db_url)
    port = free_port()
    with gunicorn("wsgi:app", port, env, ROOT, log=work / "palabre.log"):
        return asyncio.run(
            drive(
                f"http://127.0.0.1:{port}",
                "/api/v1/comments",
                "/api/v1/queue",
                site_key,
                mod_token,
                rate,
                duration,
            )
        )


def run_lean(work: Path, rate: float, duration: float) -> dict[str, Any]:
    port = free_port()
    with gunicorn(
        "lean_app:app", port, {"LEAN_DB": str(work / "lean.db")}, SHARED_BENCH, ready_path="/hello"
    ):
        return asyncio.run(
            drive(f"http://127.0.0.1:{port}", "/comments", "/hello", "", "", rate, duration)
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--only", default="lean,sqlite,postgresql")
    parser.add_argument(
        "--timeline", action="store_true", help="also print the worst latency of each second"
    )
    args = parser.parse_args()
    if not (ROOT / "instance" / "model" / "model.skops").exists():
        sys.exit("no model: run `make model` first")
    wanted = args.only.split(",")
    work = Path(tempfile.mkdtemp(prefix="palabre-load-"))
    results: dict[str, dict[str, Any]] = {}
    for name in wanted:
        if name == "lean":
            results[name] = run_lean(work, args.rate, args.duration)
        elif name == "sqlite":
            results[name] = run_palabre(
                f"sqlite:///{work / 'load.db'}", work, args.rate, args.duration
            )
        elif name == "postgresql":
            results[name] = run_palabre(fresh_pg_database(), work, args.rate, args.duration)
        r = results[name]
        print(
            f"{name:11s} {r['throughput']:7.1f} req/s  p50 {r['p50_ms']:7.2f} ms  "
            f"p99 {r['p99_ms']:8.2f} ms  errors {r['errors']}  {r['statuses']}  "
            f"(load client: {r['client_cpu_ms']:.2f} ms CPU a request)",
            flush=True,
        )
        if args.timeline:
            print("  worst ms by second due:", " ".join(f"{v:.0f}" for v in r["max_ms_by_second"]))
    print(f"\ntarget: {args.rate:.0f} req/s held, p99 < 100 ms, no errors, on both databases")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "load.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
