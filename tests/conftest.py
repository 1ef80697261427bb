"""Fixtures: an app per test on a fresh database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from moderation import create_app, db
from moderation.sites import create_site
from tests import dbs

pytest_plugins = ["tests.leaks"]

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("template")


@pytest.fixture(scope="session")
def worker_id_safe(request: pytest.FixtureRequest) -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "master")


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, template_dir: Path, worker_id_safe: str
) -> str:
    if request.param == "sqlite":
        return dbs.fresh_sqlite(template_dir, tmp_path / "palabre.db")
    url = dbs.pg_url_for_worker(worker_id_safe)
    assert url is not None
    return dbs.fresh_postgres(url)


@dataclass
class KeywordModel:
    """A test double of the spam model: a fixed probability per keyword."""

    rules: dict[str, float] = field(
        default_factory=lambda: {"casino": 0.99, "viagra": 0.97, "maybe": 0.5}
    )
    default: float = 0.02
    version: str = "test-keywords"
    low_threshold: float = 0.2
    high_threshold: float = 0.9

    def score(self, comment: Any) -> Any:
        from types import SimpleNamespace

        prob = next((p for k, p in self.rules.items() if k in comment.content), self.default)
        return SimpleNamespace(probability=prob, reasons=[])


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "MODEL_PATH": str(tmp_path / "no-model.skops"),
            "SECRET_KEY": "test-secret-key-" + "x" * 32,
        }
    )
    app.instance_path = str(tmp_path / "instance")
    yield app
    db.dispose(db.engine_for(app))


@pytest.fixture
def keyword_model(app: Flask) -> KeywordModel:
    """Install the keyword test double as the app's model."""
    model = KeywordModel()
    app.extensions["palabre.scorer"].model = model
    app.extensions["palabre.scorer"].error = ""
    return model


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def make_site(app: Flask, name: str = "lemali", url: str = "https://lemali.example") -> str:
    """Create a site and return its API key."""
    with app.app_context(), db.transaction() as s:
        _site, key = create_site(s, name, url)
    return key


@pytest.fixture
def site_key(app: Flask) -> str:
    return make_site(app)


@pytest.fixture
def auth(site_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {site_key}"}
