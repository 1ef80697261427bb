"""A PostgreSQL outage: 503 + Retry-After as problem+json, /readyz not ready, recovery by itself.

The real server is never touched: the app reaches it through a TCP proxy that the test cuts.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.engine import make_url

from moderation import create_app, db
from tests import dbs
from tests.conftest import KeywordModel, make_site
from tests.hardening.tcpproxy import Proxy

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="needs TEST_DATABASE_URL (PostgreSQL)"
)
GOOD = {"content": "Merci", "author_name": "Awa", "author_email": "awa@example.ml"}


@pytest.fixture
def proxied(tmp_path: Path, worker_id_safe: str) -> Iterator[tuple[Flask, Proxy]]:
    url = make_url(dbs.fresh_postgres(dbs.pg_url_for_worker(worker_id_safe) or ""))
    proxy = Proxy((url.host or "127.0.0.1", url.port or 5432))
    through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": through,
            "MODEL_PATH": str(tmp_path / "none.skops"),
            "SECRET_KEY": "outage-" + "x" * 32,
            "RETRY_AFTER_SECONDS": 7,
        }
    )
    app.extensions["palabre.scorer"].model = KeywordModel()
    yield app, proxy
    proxy.cut()
    db.dispose(db.engine_for(app))


def test_outage_answers_503_then_recovers(proxied: tuple[Flask, Proxy]) -> None:
    app, proxy = proxied
    auth = {"Authorization": f"Bearer {make_site(app)}"}
    client = app.test_client()
    assert client.post("/api/v1/comments", json=GOOD, headers=auth).status_code == 201
    assert client.get("/readyz").status_code == 200

    proxy.cut()
    for attempt in range(3):  # pooled connections and new ones alike
        resp = client.post(
            "/api/v1/comments",
            json={**GOOD, "content": f"pendant la panne {attempt}"},
            headers={**auth, "Idempotency-Key": f"outage-{attempt}"},
        )
        assert resp.status_code == 503, resp.get_data(as_text=True)
        assert resp.mimetype == "application/problem+json"
        assert resp.headers["Retry-After"] == "7"
        assert resp.get_json()["code"] == "unavailable"
        assert "Traceback" not in resp.get_data(as_text=True)
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert "database" in ready.get_json()["problems"]
    assert client.get("/healthz").status_code == 200  # alive, just not ready

    proxy.restore()
    resp = client.post(
        "/api/v1/comments", json={**GOOD, "content": "après", "author_email": "moussa@example.sn"},
        headers={**auth, "Idempotency-Key": "outage-0"},
    )  # fmt: skip
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert client.get("/readyz").status_code == 200
    got = client.get(resp.headers["Location"], headers=auth)
    assert got.status_code == 200 and got.get_json()["status"] == "approved"
