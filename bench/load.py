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
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
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
    statuses: dict[str, int] = {}
    limits = httpx.Limits(max_connections=128, max_keepalive_connections=64)
    # At most as many requests in flight as connections: the rest wait here, in O(1), not in
    # httpx's connection pool, whose queue of waiting requests costs CPU quadratic in its
    # length and once starved this very client into sending one request a second.
    gate = asyncio.Semaphore(limits.max_connections or 128)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as client:
        site_headers = {"Authorization": f"Bearer {site_key}"} if site_key else {}
        mod_headers = {"Authorization": f"Bearer {mod_token}"} if mod_token else {}
        start = time.perf_counter() + 0.5

        async def one(i: int) -> None:
            scheduled = start + i / rate
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            try:
                async with gate:
                    if moderator and i % 20 == 19:  # 5%: a moderator reading the queue
                        resp = await client.get(moderator, headers=mod_headers)
                    else:
                        resp = await client.post(
                            intake, json=comment(TEXTS, i), headers=site_headers
                        )
                key = str(resp.status_code)
            except httpx.HTTPError as exc:
                key = type(exc).__name__
            latencies.append(time.perf_counter() - scheduled)
            statuses[key] = statuses.get(key, 0) + 1

        await asyncio.gather(*(one(i) for i in range(total)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    errors = sum(v for k, v in statuses.items() if not k.startswith("2"))
    return {
        "sent": total,
        "throughput": total / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "errors": errors,
        "statuses": statuses,
    }


def fresh_pg_database() -> str:
    url = make_url(PG_URL)
    name = f"{url.database}_bench_load"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


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
            f"p99 {r['p99_ms']:8.2f} ms  errors {r['errors']}  {r['statuses']}",
            flush=True,
        )
    print(f"\ntarget: {args.rate:.0f} req/s held, p99 < 100 ms, no errors, on both databases")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "load.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
