"""Run a hang guard's code in a child process, so that a real hang fails the test (the child
is killed after CHILD_TIMEOUT seconds) instead of stalling the whole run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD_TIMEOUT = 120


def seconds_in_a_child(code: str, stdin: str = "") -> float:
    """Run `code` (which prints the seconds its timed part took) with `stdin`; return them."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    return float(done.stdout.strip())
