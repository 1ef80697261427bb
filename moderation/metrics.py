"""Prometheus metrics: request counts and latency per endpoint, verdicts per site, and
queue gauges read from the database at scrape time (so every worker reports the same).

Under gunicorn, gunicorn.conf.py sets PROMETHEUS_MULTIPROC_DIR so counters and histograms
from every worker are summed at scrape time.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Iterator
from datetime import UTC
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import db
from .errors import Problem
from .models import Comment, CommentStatus, Site
from .webhook_models import EventState, WebhookEvent

bp = Blueprint("metrics", __name__)

REQUESTS = Counter(
    "palabre_http_requests_total", "HTTP requests answered", ["endpoint", "method", "status"]
)
LATENCY = Histogram(
    "palabre_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
VERDICTS = Counter("palabre_verdicts_total", "Automatic verdicts at intake", ["site", "status"])


def record_verdict(site: str, status: str) -> None:
    """Count one automatic verdict for ``site``."""
    VERDICTS.labels(site=site, status=status).inc()


class DatabaseCollector(Collector):
    """Queue size, oldest pending age, callback backlog and model version, read at scrape."""

    def __init__(self, session: Session, model_version: str) -> None:
        self.session, self.model_version = session, model_version

    def collect(self) -> Iterator[Any]:
        queue = GaugeMetricFamily("palabre_queue_size", "Comments by status", labels=["status"])
        for status, count in self.session.execute(
            select(Comment.status, func.count()).group_by(Comment.status)
        ):
            queue.add_metric([str(status)], count)
        yield queue
        oldest = self.session.scalar(
            select(func.min(Comment.created_at)).where(Comment.status == CommentStatus.PENDING)
        )
        age = GaugeMetricFamily(
            "palabre_oldest_pending_age_seconds", "Age of the oldest pending comment"
        )
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        age.add_metric([], (db.utcnow() - oldest).total_seconds() if oldest else 0.0)
        yield age
        # Waiting to be sent; failed and cancelled events will never be, so they are not backlog.
        backlog = self.session.scalar(
            select(func.count())
            .select_from(WebhookEvent)
            .where(WebhookEvent.state == EventState.PENDING)
        )
        gauge = GaugeMetricFamily(
            "palabre_callback_backlog", "Decision callbacks waiting to be delivered"
        )
        gauge.add_metric([], backlog or 0)
        yield gauge
        model = GaugeMetricFamily("palabre_model_info", "Loaded model version", labels=["version"])
        model.add_metric([self.model_version or "none"], 1.0)
        yield model
        sites = GaugeMetricFamily("palabre_sites", "Registered sites")
        sites.add_metric([], self.session.scalar(select(func.count()).select_from(Site)) or 0)
        yield sites


@bp.get("/metrics")
def scrape() -> Response:
    """Expose metrics in the Prometheus text format."""
    token = current_app.config["METRICS_TOKEN"]
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise Problem(401, "unauthorized")
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in (REQUESTS, LATENCY, VERDICTS):
            registry.register(collector)
    from .scoring import scorer

    with db.reading() as s:  # counts over big tables must not hold SQLite's write lock
        registry.register(DatabaseCollector(s, scorer().version))
        body = generate_latest(registry)
    return Response(body, mimetype=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    """Time every request and serve /metrics."""

    @app.before_request
    def _start() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _count(response: Response) -> Response:
        endpoint = request.endpoint or "unknown"
        started = g.get("metrics_started")
        if started is not None:
            LATENCY.labels(endpoint).observe(time.perf_counter() - started)
        REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
        return response

    app.register_blueprint(bp)
