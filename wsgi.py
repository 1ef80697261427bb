"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

import gc

from moderation import create_app

app = create_app()

# What exists now (the libraries, the app, the loaded model) lives as long as the process:
# move it out of the collector's reach, so that a full collection walks the objects requests
# create, not these 200,000 (`bench/phases.py`: a full collection took 122 ms before).
gc.freeze()
