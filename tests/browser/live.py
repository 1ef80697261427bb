"""A real HTTP server for browser tests: the app on a SQLite file, served from a thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from werkzeug.serving import make_server

from moderation import create_app
from tests import dbs

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def make_app(tmp: Path, template_dir: Path | None = None) -> Flask:
    """Return an app on a fresh, migrated SQLite database under ``tmp``."""
    url = dbs.fresh_sqlite(template_dir or tmp, tmp / "browser.db")
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "MODEL_PATH": str(tmp / "no-model.skops"),
            "SECRET_KEY": "browser-test-secret-" + "x" * 32,
        }
    )
    app.instance_path = str(tmp / "instance")
    return app


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free local port; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
