"""Where one comment's time goes, in-process: each phase of POST /api/v1/comments timed.

Runs the app in this process (production config, the trained model, a fresh database), sends
comments through Flask's test client (no HTTP server, no network) and times each phase with
wrappers around the functions the intake calls. Figures are per comment, means over the
measured comments; the wrappers add a little time of their own.

    .venv/bin/python bench/phases.py [--comments 1000] [--database-url URL] [--profile N
        [--profile-out FILE]]

The first --comments comments warm up (and fill the table); the next --comments are timed.
With --profile N the timed comments run under cProfile instead and the N functions with the most
time of their own are printed (the phase wrappers are then left out); --profile-out also
saves the statistics for pstats.
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from servers import ROOT, comment, corpus_texts, flask  # noqa: E402

sys.path.insert(0, str(ROOT))


def timed(spent: dict[str, float], owner: Any, name: str, label: str) -> None:
    """Replace ``owner.name`` by a wrapper that adds its duration to ``spent[label]``."""
    original: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - start

    setattr(owner, name, wrapper)


@dataclass
class GcTimer:
    """Runs and seconds of the garbage collector per generation, from gc.callbacks."""

    runs: list[int] = field(default_factory=lambda: [0, 0, 0])
    seconds: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])
    started: float = 0.0

    def callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self.started = time.perf_counter()
        else:
            self.runs[info["generation"]] += 1
            self.seconds[info["generation"]] += time.perf_counter() - self.started


def gc_timer() -> GcTimer:
    timer = GcTimer()
    gc.callbacks.append(timer.callback)
    return timer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=1000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--profile-out", default="", metavar="FILE", help="also save the stats")
    args = parser.parse_args()
    model = ROOT / "instance" / "model" / "model.skops"
    if not model.exists():
        sys.exit("no model: run `make model` first")
    work = Path(tempfile.mkdtemp(prefix="palabre-phases-"))
    env = {
        "MODERATION_DATABASE_URL": args.database_url or f"sqlite:///{work / 'phases.db'}",
        "MODERATION_MODEL_PATH": str(model),
        "MODERATION_ENV": "production",
        "MODERATION_SECRET_KEY": "bench-" + "k" * 40,
        "MODERATION_LOG_LEVEL": "WARNING",
    }
    flask(["init-db"], env)
    key = flask(["sites", "create", "phases", "--url", "https://phases.example"], env).split()[-1]
    # One process sending as fast as it can passes the site's 300/second limit on a fast
    # machine; this measures the intake's work, not the limiter's refusal.
    flask(["sites", "configure", "phases", "--set", "site_rate.mode=off"], env)
    os.environ.update(env)
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(work))

    from sqlalchemy.orm import Session

    from moderation import api, create_app, screening

    app = create_app()
    gc.freeze()  # as wsgi.py does once the app is loaded
    client = app.test_client()
    texts = corpus_texts()
    headers = {"Authorization": f"Bearer {key}"}

    def post(n: int) -> None:
        resp = client.post("/api/v1/comments", json=comment(texts, n), headers=headers)
        if resp.status_code not in (200, 201):
            sys.exit(f"comment {n}: {resp.status_code} {resp.get_data(as_text=True)[:200]}")

    n = args.comments
    for i in range(n):
        post(i)
    if args.profile:
        import cProfile
        import pstats

        with cProfile.Profile() as profile:
            for i in range(n, 2 * n):
                post(i)
        if args.profile_out:
            profile.dump_stats(args.profile_out)
        pstats.Stats(profile).sort_stats("tottime").print_stats(args.profile)
        return
    spent: dict[str, float] = defaultdict(float)
    for owner, name, label in (
        (api, "authenticate", "authentication"),
        (api, "_read_comment", "signature, body, validation"),
        (api.services, "find_retry", "retry lookup"),
        (api.screening, "evaluate", "screening (below)"),
        (screening, "fingerprint", "  fingerprint"),
        (screening, "look_up", "  lookups (one SELECT)"),
        (screening.flood, "check", "  flood limits"),
        (screening.rules, "run", "  rules"),
        (api.services, "assess", "scoring and decision"),
        (api.services, "store_assessed", "storing"),
        (Session, "commit", "commits (all)"),
    ):
        timed(spent, owner, name, label)
    collections = gc_timer()
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(n, 2 * n):
        post(i)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    gc.callbacks.remove(collections.callback)
    print(f"{n} comments after {n} of warm-up, {env['MODERATION_DATABASE_URL'].split(':')[0]}")
    print(f"{'per comment':34} {wall / n * 1000:7.2f} ms wall, {cpu / n * 1000:.2f} ms CPU")
    for label, seconds in spent.items():
        print(f"{label:34} {seconds / n * 1000:7.2f} ms")
    accounted = sum(v for k, v in spent.items() if not k.startswith("  "))
    print(f"{'the rest (Flask, log, response)':34} {(wall - accounted) / n * 1000:7.2f} ms")
    print(f"{'garbage collection (in the above)':34} {sum(collections.seconds) / n * 1000:7.2f} ms")
    for gen in range(3):
        runs = collections.runs[gen]
        if runs:
            each = collections.seconds[gen] / runs * 1000
            print(f"  generation {gen}: {runs} runs, {each:.2f} ms each")
    print(f"objects the collector tracks: {len(gc.get_objects()):,}")


if __name__ == "__main__":
    main()
