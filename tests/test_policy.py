"""The policy's order, table-driven: blocks, hard allows, holds, soft allows, thresholds."""

from __future__ import annotations

import pytest

from moderation.models import CommentStatus as S
from moderation.policy import Effect, Signal, Thresholds, decide

T = Thresholds(low=0.2, high=0.9)
BLOCK = Signal("words.disallowed", "m", Effect.BLOCK)
APPROVE = Signal("author.allowed", "m", Effect.APPROVE)
HOLD = Signal("links.too_many", "m", Effect.HOLD)
ALLOW = Signal("author.trusted", "m", Effect.ALLOW)
NOTE = Signal("language.unexpected", "m", Effect.NOTE)


def shadow(signal: Signal) -> Signal:
    return Signal(signal.code, signal.message, signal.effect, shadow=True)


@pytest.mark.parametrize(
    ("signals", "score", "verdict"),
    [
        ([], 0.05, S.APPROVED),
        ([], 0.5, S.PENDING),
        ([], 0.95, S.SPAM),
        ([], None, S.PENDING),
        ([NOTE], 0.05, S.APPROVED),
        ([BLOCK], 0.01, S.SPAM),
        ([BLOCK, APPROVE], 0.01, S.SPAM),  # a block beats the allow list
        ([APPROVE], 0.99, S.APPROVED),  # the allow list beats the classifier
        ([APPROVE, HOLD], 0.5, S.APPROVED),  # ... and holds
        ([HOLD], 0.01, S.PENDING),
        ([HOLD], 0.95, S.SPAM),  # a hold means "at least pending"
        ([HOLD], None, S.PENDING),
        ([HOLD, ALLOW], 0.01, S.PENDING),  # a trusted author is held by any hold
        ([ALLOW], 0.5, S.APPROVED),
        ([ALLOW], 0.99, S.APPROVED),
        ([ALLOW], None, S.APPROVED),
        ([shadow(BLOCK)], 0.05, S.APPROVED),  # shadow signals never apply
        ([shadow(HOLD)], 0.05, S.APPROVED),
        ([shadow(APPROVE)], 0.95, S.SPAM),
        ([shadow(ALLOW), HOLD], 0.05, S.PENDING),
    ],
)
def test_order(signals: list[Signal], score: float | None, verdict: S) -> None:
    assert decide(signals, score, T).verdict == verdict


def test_every_reason_is_reported_shadow_ones_marked() -> None:
    decision = decide([BLOCK, shadow(HOLD), NOTE], 0.5, T)
    codes = [r["code"] for r in decision.reasons]
    assert codes == ["words.disallowed", "links.too_many", "language.unexpected", "score_uncertain"]
    assert decision.reasons[1]["shadow"] is True
    assert "shadow" not in decision.reasons[0]


def test_no_score_and_no_rule_says_why() -> None:
    codes = [r["code"] for r in decide([NOTE], None, T).reasons]
    assert codes == ["language.unexpected", "classifier_unavailable"]
