"""The app's handle on the spam model: load it, fail safe, reload it when it changes."""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from .intake import CommentIn

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

    def __init__(self, path: str) -> None:
        self.path = path
        self.model: Any = None
        self.error = "not loaded"
        self._stamp: float | None = None
        self._checked = 0.0
        self._lock = threading.Lock()
        self.load()

    @property
    def version(self) -> str:
        return str(self.model.version) if self.model is not None else ""

    @property
    def ready(self) -> bool:
        return self.model is not None

    def thresholds(self) -> tuple[float, float]:
        """Return the artifact's (low, high) thresholds."""
        if self.model is None:
            return (0.0, 1.0)
        return (float(self.model.low_threshold), float(self.model.high_threshold))

    def load(self) -> None:
        """(Re)load the artifact at ``path``; keep the previous model if the new one fails."""
        try:
            from classifier.artifacts import load_model

            stamp = os.stat(self.path).st_mtime
            model = load_model(self.path)
        except Exception as exc:  # noqa: BLE001 - any failure means "no usable model"
            self.error = f"{type(exc).__name__}: {exc}"
            if self.model is None:
                log.warning("spam model unavailable: %s", self.error)
            return
        self.model, self._stamp, self.error = model, stamp, ""
        log.info("spam model loaded: %s", self.version)

    def maybe_reload(self) -> None:
        """Reload when the artifact file changed; checked at most every 30 s."""
        now = time.monotonic()
        if now - self._checked < RELOAD_CHECK_SECONDS:
            return
        with self._lock:
            self._checked = now
            try:
                stamp = os.stat(self.path).st_mtime
            except OSError:
                return
            if stamp != self._stamp:
                self.load()

    def score(self, comment: CommentIn) -> ScoreResult:
        """Score a comment; a model failure yields probability None, never an exception."""
        self.maybe_reload()
        model = self.model
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
    app.extensions[EXTENSION] = Scorer(app.config["MODEL_PATH"])


def scorer() -> Scorer:
    """Return the current app's scorer."""
    s: Scorer = current_app.extensions[EXTENSION]
    return s
