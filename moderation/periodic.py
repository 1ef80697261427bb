"""A daemon thread per process that runs one maintenance step every few seconds.

Gunicorn forks its workers after the app is loaded, and a forked process does not inherit its
parent's threads: ``ensure_running()`` is therefore called on each new database connection and
starts the thread in the current process if it is not running there yet.
"""

from __future__ import annotations

import logging
import os
import threading

log = logging.getLogger(__name__)


class Periodic:
    """Call ``step()`` every ``interval`` seconds from a daemon thread until stopped.

    ``step()`` returns False when there is nothing left to do for good (the thread then ends);
    an exception is logged once per run of failures, and the next interval tries again.
    """

    name = "palabre-periodic"

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def ensure_running(self) -> None:
        """Start the background thread in this process unless it runs or was stopped."""
        if self._stop.is_set():
            return
        with self._lock:
            if self._pid == os.getpid() and self._thread is not None and self._thread.is_alive():
                return
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Ask the thread to end (it ends within one interval; nothing waits for it)."""
        self._stop.set()

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive() and self._pid == os.getpid()

    def step(self) -> bool:
        """Do one round of the work; return False to end the thread."""
        raise NotImplementedError

    def _run(self) -> None:
        failing = False
        while not self._stop.wait(self.interval):
            try:
                if not self.step():
                    return
            except Exception as exc:  # a maintenance step must never kill the worker
                if not failing:  # once per run of failures, not every interval
                    log.warning("%s failed: %s", self.name, exc)
                failing = True
            else:
                failing = False
