"""Pure decision: rule signals and a spam probability in, a verdict with its reasons out."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .models import CommentStatus


class Effect(StrEnum):
    """What a rule signal asks the policy to do."""

    BLOCK = "block"  # spam whatever the score
    APPROVE = "approve"  # approved unless blocked (the site's allow lists)
    HOLD = "hold"  # at least pending: pending, or spam when the score says so
    ALLOW = "allow"  # approved unless something holds it (trusted authors)
    NOTE = "note"  # information only


@dataclass(frozen=True)
class Signal:
    """One rule's finding, with a stable reason code."""

    code: str
    message: str
    effect: Effect = Effect.NOTE
    shadow: bool = False  # recorded, not applied
    spans: list[dict[str, Any]] = field(default_factory=list)

    def to_reason(self) -> dict[str, Any]:
        reason: dict[str, Any] = {
            "source": "rule",
            "code": self.code,
            "message": self.message,
            "effect": str(self.effect),
            "spans": self.spans,
        }
        if self.shadow:
            reason["shadow"] = True
        return reason


@dataclass(frozen=True)
class Thresholds:
    """Below ``low`` approve, at or above ``high`` spam, between them review."""

    low: float
    high: float


@dataclass(frozen=True)
class Decision:
    """A verdict and every reason that fired."""

    verdict: CommentStatus
    reasons: list[dict[str, Any]]


def decide(
    signals: list[Signal],
    score: float | None,
    thresholds: Thresholds,
    explanation: list[dict[str, Any]] | None = None,
) -> Decision:
    """Apply hard blocks and allows, then holds, then the classifier's thresholds.

    The order, first match wins: BLOCK -> spam; APPROVE -> approved; HOLD -> pending, or spam
    when the score is at or above the high threshold; ALLOW -> approved; otherwise the score
    against the thresholds, and pending when there is no score. Shadow signals are reported
    with the others but never change the verdict.
    """
    active = [s for s in signals if not s.shadow]
    reasons = [s.to_reason() for s in signals]
    effects = {s.effect for s in active}
    if Effect.BLOCK in effects:
        verdict = CommentStatus.SPAM
    elif Effect.APPROVE in effects:
        verdict = CommentStatus.APPROVED
    elif Effect.HOLD in effects:
        high = score is not None and score >= thresholds.high
        verdict = CommentStatus.SPAM if high else CommentStatus.PENDING
    elif Effect.ALLOW in effects:
        verdict = CommentStatus.APPROVED
    elif score is None:
        verdict = CommentStatus.PENDING
        reasons.append(
            {
                "source": "policy",
                "code": "classifier_unavailable",
                "message": "the spam classifier is unavailable; a person must review",
            }
        )
    else:
        verdict = _by_score(score, thresholds)
    if score is not None:
        reasons.append(_score_reason(score, thresholds))
    reasons.extend(explanation or [])
    return Decision(verdict, reasons)


def _by_score(score: float, thresholds: Thresholds) -> CommentStatus:
    if score >= thresholds.high:
        return CommentStatus.SPAM
    if score < thresholds.low:
        return CommentStatus.APPROVED
    return CommentStatus.PENDING


def _score_reason(score: float, t: Thresholds) -> dict[str, Any]:
    if score >= t.high:
        code, text = "score_high", f"spam probability {score:.2f} is at or above {t.high:.2f}"
    elif score < t.low:
        code, text = "score_low", f"spam probability {score:.2f} is below {t.low:.2f}"
    else:
        code, text = (
            "score_uncertain",
            f"spam probability {score:.2f} is between {t.low:.2f} and {t.high:.2f}",
        )
    return {"source": "classifier", "code": code, "message": text}
