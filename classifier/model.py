"""The trained spam model: a pipeline, its calibration, two thresholds and its card."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

from classifier.calibrate import Platt, Thresholds
from classifier.explain import Explainer
from classifier.pipeline import as_comment, prepare_comments
from classifier.records import CommentInput, Reason, Scored


class SpamModel:
    """Score comments with calibrated spam probabilities and explain each score."""

    def __init__(
        self, pipeline: Pipeline, platt: Platt, thresholds: Thresholds, card: dict[str, Any]
    ) -> None:
        self.pipeline = pipeline
        self.platt = platt
        self.thresholds = thresholds
        self.card = card
        self._explainer: Explainer | None = None

    @property
    def low_threshold(self) -> float:
        """Below this probability a comment is approved automatically."""
        return self.thresholds.low

    @property
    def high_threshold(self) -> float:
        """At or above this probability a comment is marked spam automatically."""
        return self.thresholds.high

    @property
    def version(self) -> str:
        """Short stable id: creation date and the first 8 hex of the artifact hash."""
        return str(self.card.get("version") or f"{self.card.get('created_at', '')[:10]}-unsaved")

    def _explain(self) -> Explainer:
        if self._explainer is None:
            self._explainer = Explainer(self.pipeline)
        return self._explainer

    def score(self, comment: CommentInput) -> Scored:
        """Return the calibrated spam probability of one comment with its reasons."""
        margin, reasons = self._explain().margin_and_reasons(as_comment(comment))
        return Scored(float(self.platt(np.array([margin]))[0]), reasons)

    def explain(self, comment: CommentInput) -> list[Reason]:
        """Return the few signals that pushed this comment's score up or down."""
        return self._explain().margin_and_reasons(as_comment(comment))[1]

    def margins(self, comments: Sequence[CommentInput]) -> np.ndarray:
        """Return the uncalibrated decision margins of a batch."""
        return self._explain().margins(prepare_comments(comments))

    def score_many(self, comments: Sequence[CommentInput]) -> list[float]:
        """Return calibrated spam probabilities for a batch, in order (no reasons)."""
        return [float(p) for p in self.platt(self.margins(comments))]

    def verdict(self, probability: float) -> str:
        """Return 'spam', 'ham' or 'review' for a probability under this model's thresholds."""
        if probability >= self.high_threshold:
            return "spam"
        return "ham" if probability < self.low_threshold else "review"
