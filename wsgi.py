"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

import gc
import os

from moderation import create_app, db

app = create_app()

# Under `preload_app` the workers are forked from this process: a connection opened here must
# never be used by two processes, so each child starts with an empty pool (the parent's
# connections are left open for the parent, not closed from the child).
os.register_at_fork(after_in_child=lambda: db.engine_for(app).dispose(close=False))

# What exists now (the libraries, the app, the loaded model) lives as long as the process:
# move it out of the collector's reach, so that a full collection walks the objects requests
# create, not these 200,000 (`bench/phases.py`: a full collection took 122 ms before).
gc.freeze()
