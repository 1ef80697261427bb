"""Palabre: self-hosted comment moderation with spam filtering."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app: config, database, scorer, blueprints, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    from . import config, jsonfast

    app.json = jsonfast.JSONProvider(app)

    app.config.update(config.build(app.instance_path, overrides))
    os.makedirs(app.instance_path, exist_ok=True)

    from . import (
        api,
        cli,
        db,
        errors,
        flood,
        health,
        limits,
        logs,
        metrics,
        openapi,
        scoring,
        sites,
    )

    logs.init_app(app)
    db.init_app(app)
    sites.init_app(app)
    scoring.init_app(app)
    flood.init_app(app)
    errors.init_app(app)
    limits.init_app(app)
    metrics.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(openapi.bp)
    from . import i18n, moderator_api, queue, reports, security, web

    security.init_app(app)
    i18n.init_app(app)
    web.init_app(app)
    app.register_blueprint(queue.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(moderator_api.bp)
    from . import settings_api, site_pages

    app.register_blueprint(settings_api.bp)
    app.register_blueprint(site_pages.bp)
    from . import akismet

    app.register_blueprint(akismet.bp)
    cli.init_app(app)
    return app
