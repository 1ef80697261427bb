"""The WSGI entry point as gunicorn loads it, in a process of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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
