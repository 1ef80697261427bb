"""Instructions a comment costs in-process, counted by valgrind: a figure the machine's speed
does not move.

On these shared machines the same code answers 430 or 560 requests a second from one minute
to the next, so a change of a few percent cannot be seen in requests/s. Callgrind counts the
instructions a process runs instead: each app handles its comments in-process through Flask's
test client (no gunicorn, no network, no kernel), once with FEW and once with MANY comments
after the same warm-up, and the difference divided by MANY - FEW is the cost of one comment,
start-up excluded. The lean reference (../shared/bench/lean_app.py) is counted the same way in
the same run; `--against REV` also counts Palabre at another git revision (a temporary
worktree), with the same comments, model and schema steps.

    .venv/bin/python bench/instructions.py [--against REV] [--few 50] [--many 250]

Takes several minutes (valgrind runs Python about 50 times slower), two processes at a time.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from servers import BIN, ROOT, SHARED_BENCH, comment, corpus_texts  # noqa: E402

WARM_UP = 100
MODEL = ROOT / "instance" / "model" / "model.skops"


def palabre_database(tree: Path, work: Path) -> tuple[Path, str]:
    """Create the schema (with ``tree``'s migrations) and a site; return the file and key."""
    env = {
        **os.environ,
        "MODERATION_DATABASE_URL": f"sqlite:///{work / 'template.db'}",
        "MODERATION_SECRET_KEY": "bench-" + "k" * 40,
    }

    def flask(*args: str) -> str:
        cmd = [str(BIN / "flask"), "--app", "wsgi", *args]
        done = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"{' '.join(args)} failed in {tree}:\n{done.stderr[-2000:]}")
        return done.stdout

    flask("init-db")
    key = flask("sites", "create", "bench", "--url", "https://bench.example").split()[-1]
    flask("sites", "configure", "bench", "--set", "site_rate.mode=off")  # one fast client
    with sqlite3.connect(work / "template.db") as con:  # every run copies one file
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return work / "template.db", key


def child(app_name: str, tree: Path, template: Path, key: str, count: int) -> None:
    """Handle WARM_UP + count comments in this process (run under valgrind)."""
    work = Path(tempfile.mkdtemp(prefix="palabre-instr-"))
    texts = corpus_texts()
    if app_name == "lean":
        os.environ["LEAN_DB"] = str(work / "lean.db")
        sys.path.insert(0, str(SHARED_BENCH))
        from lean_app import app  # type: ignore[import-not-found]

        headers: dict[str, str] = {}
        path = "/comments"
    else:
        shutil.copy(template, work / "palabre.db")
        os.environ.update(
            {
                "MODERATION_DATABASE_URL": f"sqlite:///{work / 'palabre.db'}",
                "MODERATION_MODEL_PATH": str(MODEL),
                "MODERATION_ENV": "production",
                "MODERATION_SECRET_KEY": "bench-" + "k" * 40,
                "MODERATION_LOG_LEVEL": "WARNING",
                "PROMETHEUS_MULTIPROC_DIR": str(work),
            }
        )
        sys.path.insert(0, str(tree))
        from moderation import create_app

        app = create_app()
        headers = {"Authorization": f"Bearer {key}"}
        path = "/api/v1/comments"
    gc.freeze()  # as wsgi.py does
    client = app.test_client()
    for n in range(WARM_UP + count):
        resp = client.post(path, json=comment(texts, n), headers=headers)
        if resp.status_code != 201:
            sys.exit(f"{app_name} comment {n}: {resp.status_code} {resp.get_data()[:200]!r}")
    shutil.rmtree(work, ignore_errors=True)


def counted(app_name: str, tree: Path, template: Path, key: str, count: int, work: Path) -> int:
    """Run one child under callgrind; return the instructions it executed."""
    log = work / f"{app_name}-{tree.name}-{count}.log"
    cmd = [
        "valgrind",
        "--tool=callgrind",
        f"--callgrind-out-file={work / 'callgrind.%p'}",
        f"--log-file={log}",
        sys.executable,
        __file__,
        "--child",
        app_name,
        str(tree),
        str(template),
        key,
        str(count),
    ]
    # One BLAS thread: valgrind runs a process's threads one at a time, so BLAS threads that
    # spin while they wait for work would be counted as the comment's instructions.
    env = {**os.environ, "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    found = re.search(r"Collected : (\d+)", log.read_text())
    if not found:
        raise RuntimeError(f"no instruction count in {log}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="", metavar="REV")
    parser.add_argument("--few", type=int, default=50)
    parser.add_argument("--many", type=int, default=250)
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        app_name, tree, template, key, count = args.child
        child(app_name, Path(tree), Path(template), key, int(count))
        return
    if not shutil.which("valgrind"):
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    if not MODEL.exists():
        sys.exit("no model: run `make model` first")
    work = Path(tempfile.mkdtemp(prefix="palabre-instructions-"))
    trees = {"palabre": ROOT}
    if args.against:
        other = work / "against"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(other), args.against],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        trees[f"palabre@{args.against}"] = other
    try:
        jobs = {}
        for label, tree in trees.items():
            folder = work / re.sub(r"\W", "_", label)  # "%40" in a URL: older code refuses it
            folder.mkdir()
            template, key = palabre_database(tree, folder)
            for count in (args.few, args.many):
                jobs[label, count] = ("palabre", tree, template, key, count)
        for count in (args.few, args.many):
            jobs["lean", count] = ("lean", ROOT, Path(), "", count)
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {k: pool.submit(counted, *job, work) for k, job in jobs.items()}
            totals = {k: f.result() for k, f in futures.items()}
    finally:
        if args.against:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(work / "against")],
                cwd=ROOT,
                check=False,
            )
    per = {
        label: (totals[label, args.many] - totals[label, args.few]) / (args.many - args.few)
        for label in [*trees, "lean"]
    }
    print(f"instructions a comment (in-process, {args.many} - {args.few} comments):")
    for label, value in per.items():
        print(f"  {label:24s} {value / 1e6:8.3f} M   {value / per['lean']:5.2f} x lean")
    if args.against:
        base = per[f"palabre@{args.against}"]
        print(f"  change against {args.against}: {(per['palabre'] - base) / base:+.1%}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
