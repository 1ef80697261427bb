"""Per-site models for the Scorer: loaded on first use, reloaded when a new one is promoted."""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

from .modelstore import site_path

log = logging.getLogger(__name__)
Stamp = tuple[int, int, int]


def file_stamp(path: str | os.PathLike[str]) -> Stamp:
    """Return what changes when a file is replaced: mtime (ns), inode and size."""
    st = os.stat(path)
    return (st.st_mtime_ns, st.st_ino, st.st_size)


@dataclass
class _Slot:
    model: Any = None
    stamp: Stamp | None = None
    checked: float = float("-inf")


class SiteModels:
    """Each site's own model, if any; a missing file means the site uses the shared model."""

    def __init__(self, model_path: str, reload_seconds: float) -> None:
        self.model_path = model_path
        self.reload_seconds = reload_seconds
        self._slots: dict[int, _Slot] = {}
        self._lock = threading.Lock()

    def get(self, site_id: int) -> Any:
        """Return the site's model, reloading it when its file changed; None if it has none."""
        now = time.monotonic()
        with self._lock:
            slot = self._slots.setdefault(site_id, _Slot())
            if now - slot.checked >= self.reload_seconds:
                slot.checked = now
                self._refresh(site_id, slot)
            return slot.model

    def _refresh(self, site_id: int, slot: _Slot) -> None:
        path = site_path(self.model_path, site_id)
        try:
            stamp = file_stamp(path)
        except OSError:  # no model of its own (or rolled back): the shared model scores it
            slot.model, slot.stamp = None, None
            return
        if stamp == slot.stamp:
            return
        try:
            from classifier.artifacts import load_model

            model = load_model(path)
        except Exception as exc:  # noqa: BLE001 - keep the previous model, retry next check
            log.warning("site %s model not loaded, keeping the previous one: %s", site_id, exc)
            return
        slot.model, slot.stamp = model, stamp
        log.info("site %s model loaded: %s", site_id, model.version)
