"""The app's handle on the spam model: load it, fail safe, reload it when it changes."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from .intake import CommentIn
from .site_models import SiteModels, file_stamp

log = logging.getLogger(__name__)
EXTENSION = "palabre.scorer"
RELOAD_CHECK_SECONDS = 30.0


@dataclass(frozen=True)
class ScoreResult:
    """A probability (None when no model is usable) and the model's explanation."""

    probability: float | None
    explanation: list[dict[str, Any]] = field(default_factory=list)


class Scorer:
    """Hold the current model; never raise on a missing or broken artifact."""

    def __init__(self, path: str, reload_seconds: float = RELOAD_CHECK_SECONDS) -> None:
        self.path = path
        self.reload_seconds = reload_seconds
        self.sites = SiteModels(path, reload_seconds)  # per-site models, same hot reload
        self.model: Any = None
        self.error = "not loaded"
        self._stamp: Any = None
        self._checked = 0.0
        self._lock = threading.Lock()
        self.load()

    @property
    def version(self) -> str:
        return str(self.model.version) if self.model is not None else ""

    @property
    def ready(self) -> bool:
        return self.model is not None

    def for_site(self, site_id: int | None) -> Any:
        """Return the site's own model if it has one, else the shared model (or None)."""
        own = self.sites.get(site_id) if site_id is not None else None
        return own if own is not None else self.model

    def version_for(self, site_id: int | None) -> str:
        """Return the version of the model that scores this site's comments."""
        model = self.for_site(site_id)
        return str(model.version) if model is not None else ""

    def thresholds(self, site_id: int | None = None) -> tuple[float, float]:
        """Return the (low, high) thresholds of the model scoring this site (or the shared)."""
        model = self.for_site(site_id)
        if model is None:
            return (0.0, 1.0)
        return (float(model.low_threshold), float(model.high_threshold))

    def load(self) -> None:
        """(Re)load the artifact at ``path``; keep the previous model if the new one fails."""
        try:
            from classifier.artifacts import load_model

            stamp = file_stamp(self.path)
            model = load_model(self.path)
        except Exception as exc:  # noqa: BLE001 - any failure means "no usable model"
            self.error = f"{type(exc).__name__}: {exc}"
            if self.model is None:
                log.warning("spam model unavailable: %s", self.error)
            return
        self.model, self._stamp, self.error = model, stamp, ""
        log.info("spam model loaded: %s", self.version)

    def maybe_reload(self) -> None:
        """Reload when the artifact file changed; checked at most every reload_seconds."""
        now = time.monotonic()
        if now - self._checked < self.reload_seconds:
            return
        with self._lock:
            self._checked = now
            try:
                stamp = file_stamp(self.path)
            except OSError:
                return
            if stamp != self._stamp:
                self.load()

    def score(self, comment: CommentIn, site_id: int | None = None) -> ScoreResult:
        """Score a comment with the site's model (else the shared one); never raise."""
        self.maybe_reload()
        model = self.for_site(site_id)
        if model is None:
            return ScoreResult(None)
        try:
            from classifier import CommentInput

            scored = model.score(
                CommentInput(
                    content=comment.content,
                    author_name=comment.author_name,
                    author_email=comment.author_email,
                    author_url=comment.author_url,
                    author_ip=comment.author_ip,
                    user_agent=comment.user_agent,
                    permalink=comment.permalink,
                    language=comment.language,
                )
            )
        except Exception:  # noqa: BLE001 - a broken model must not lose the comment
            log.exception("scoring failed; the comment goes to review")
            return ScoreResult(None)
        reasons = [dict(r.to_dict(), source="classifier") for r in scored.reasons]
        return ScoreResult(float(scored.probability), reasons)


def init_app(app: Flask) -> None:
    """Load the model named by MODEL_PATH."""
    app.extensions[EXTENSION] = Scorer(
        app.config["MODEL_PATH"], float(app.config.get("MODEL_RELOAD_SECONDS", 30.0))
    )


def scorer() -> Scorer:
    """Return the current app's scorer."""
    s: Scorer = current_app.extensions[EXTENSION]
    return s
