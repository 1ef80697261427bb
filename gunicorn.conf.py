"""Production-like serving: `make serve`, or `gunicorn -c gunicorn.conf.py wsgi:app`.

Settings come from the environment so one file serves every deployment:
PALABRE_BIND (default 127.0.0.1:8000), WEB_CONCURRENCY (workers, default 2),
PROMETHEUS_MULTIPROC_DIR (default: a fresh folder under /tmp).
"""

import os
import shutil
import tempfile

bind = os.environ.get("PALABRE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
timeout = 30
# SIGTERM: stop accepting, finish requests in flight for up to 30 s, then exit.
graceful_timeout = 30
keepalive = 5
max_requests = 20000
max_requests_jitter = 2000
# Load the app and the model once, in the master, and fork the workers from it. Without this,
# each worker imports and loads everything itself: 2.2 to 2.6 s during which it serves
# nothing, at every restart that max_requests schedules (both workers of a pair reach it at
# about the same time): bench/load.py with `--max-requests 3000` stalled for 2.4 s (p99
# 2.2 s). A forked worker serves at once; wsgi.py gives it a connection pool of its own.
preload_app = True
accesslog = None  # the app writes its own JSON access lines with the request id
errorlog = "-"
loglevel = "warning"

# Counters from every worker are summed at scrape time through files in this folder.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if not _metrics_dir:
    _metrics_dir = tempfile.mkdtemp(prefix="palabre-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir


def on_starting(server):  # noqa: ARG001 - gunicorn hook signature
    """Start each server run with empty metric files."""
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    os.makedirs(_metrics_dir, exist_ok=True)


def post_fork(server, worker):  # noqa: ARG001 - gunicorn hook signature
    """Send each answer's headers and body in one write, and close each connection as soon as
    its answer is sent unless the client sent more than was read (moderation/serving.py):
    gunicorn 27 holds the worker until the client closes."""
    from moderation import serving

    serving.install()


def child_exit(server, worker):  # noqa: ARG001 - gunicorn hook signature
    """Drop a dead worker's live gauges."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
