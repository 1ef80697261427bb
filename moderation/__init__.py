"""Palabre: self-hosted comment moderation with spam filtering."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app: config, database, scorer, blueprints, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    from . import config

    app.config.update(config.build(app.instance_path, overrides))
    os.makedirs(app.instance_path, exist_ok=True)

    from . import api, cli, db, errors, health, scoring

    db.init_app(app)
    scoring.init_app(app)
    errors.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(health.bp)
    cli.init_app(app)
    return app
