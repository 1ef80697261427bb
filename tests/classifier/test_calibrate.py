"""Calibration and threshold selection on synthetic scores."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.stats import binom

from classifier.calibrate import (
    Thresholds,
    _high_cut,
    _low_cut,
    allowed_errors,
    choose_thresholds,
    error_upper_bound,
    fit_platt,
)
from classifier.datasets import Example
from classifier.metrics import calibration_table, evaluate_scores, three_way
from classifier.train import train_model


def synthetic(n: int = 2000, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.r_[np.zeros(n), np.ones(n)].astype(int)
    return y, np.r_[rng.beta(2, 6, n), rng.beta(6, 2, n)]


@pytest.mark.parametrize("budgets", [(0.005, 0.02), (0.01, 0.01), (0.0, 0.0), (0.05, 0.1)])
def test_thresholds_keep_both_budgets(budgets: tuple[float, float]) -> None:
    y, s = synthetic()
    t = choose_thresholds(y, s, *budgets)
    figures = three_way(y, s, t.low, t.high)
    assert figures["ham_to_spam"] <= budgets[0]
    assert figures["spam_approved"] <= budgets[1]
    assert t.low <= t.high
    assert (t.max_ham_to_spam, t.max_spam_approved) == budgets


def test_thresholds_send_the_fewest_to_review() -> None:
    y, s = synthetic(n=40, seed=3)
    t = choose_thresholds(y, s, 0.05, 0.05)
    best = three_way(y, s, t.low, t.high)["review_share"]
    cuts = np.r_[0.0, np.unique(s), 1.0 + 1e-9]
    for low, high in itertools.combinations_with_replacement(cuts, 2):
        f = three_way(y, s, low, high)
        if f["ham_to_spam"] <= 0.05 and f["spam_approved"] <= 0.05:
            assert f["review_share"] >= best - 1e-12


def test_separable_scores_need_no_review() -> None:
    y = np.array([0, 0, 0, 1, 1, 1])
    s = np.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
    t = choose_thresholds(y, s)
    assert three_way(y, s, t.low, t.high) == {
        "ham_to_spam": 0.0, "spam_approved": 0.0, "review_share": 0.0,
    }  # fmt: skip


def test_overlap_goes_to_review() -> None:
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    s = np.array([0.1, 0.2, 0.6, 0.3, 0.5, 0.7, 0.8, 0.9])
    t = choose_thresholds(y, s)
    f = three_way(y, s, t.low, t.high)
    assert f == {"ham_to_spam": 0.0, "spam_approved": 0.0, "review_share": 0.25}


def test_platt_scaling_is_calibrated_and_monotonic() -> None:
    rng = np.random.default_rng(0)
    margins = rng.normal(0, 2, 20000)
    truth = 1 / (1 + np.exp(-(1.5 * margins - 0.5)))
    y = (rng.random(margins.size) < truth).astype(int)
    platt = fit_platt(y, margins)
    assert platt.a == pytest.approx(1.5, abs=0.1)
    assert platt.b == pytest.approx(-0.5, abs=0.1)
    p = platt(np.sort(margins))
    assert np.all(np.diff(p) >= 0)
    for row in calibration_table(y, platt(margins)):
        if row["n"] > 500:
            assert abs(row["mean_score"] - row["spam_rate"]) < 0.05


def test_evaluate_scores_reports_fractions() -> None:
    y, s = synthetic(n=200)
    out = evaluate_scores(y, s, 0.3, 0.7)
    assert out["n"] == 400
    for key in ("roc_auc", "pr_auc", "f1", "ham_to_spam", "spam_approved", "review_share"):
        assert 0.0 <= out[key] <= 1.0
    assert out["roc_auc"] > 0.9


# Error budgets kept by a one-sided Clopper-Pearson upper bound (`confidence`).


def measured_rule(labels: np.ndarray, scores: np.ndarray, h: float, s: float) -> Thresholds:
    """choose_thresholds as it was before `confidence` existed, kept verbatim as a reference."""
    y = np.asarray(labels, dtype=int)
    sc = np.asarray(scores, dtype=np.float64)
    ham, spam = sc[y == 0], sc[y == 1]
    high = _high_cut(ham, sc, math.floor(h * ham.size + 1e-9)) if ham.size else 0.5
    low = _low_cut(spam, sc, math.floor(s * spam.size + 1e-9)) if spam.size else 0.5
    low = min(max(low, 0.0), 1.0)
    high = min(max(high, 0.0), 1.0)
    if low > high:
        low = high = (low + high) / 2.0
    return Thresholds(float(low), float(high), float(h), float(s))


def bound_allowed(budget: float, n: int, confidence: float) -> int:
    """Most errors k < n with P(X <= k | n, budget) <= 1 - confidence, else 0.

    The bound's dual: U(k) <= budget exactly when k or fewer errors would be that unlikely
    at a true rate equal to the budget.
    """
    if budget <= 0:
        return 0
    fits = [k for k in range(n) if binom.cdf(k, n, budget) <= 1 - confidence + 1e-12]
    return max(fits, default=0)


def test_no_confidence_reproduces_the_measured_rule_exactly() -> None:
    rng = np.random.default_rng(7)
    for trial in range(300):
        n_ham, n_spam = (int(v) for v in rng.integers(0, 300, 2))
        y = np.r_[np.zeros(n_ham), np.ones(n_spam)].astype(int)
        s = np.r_[rng.beta(2, 5, n_ham), rng.beta(5, 2, n_spam)]
        if trial % 3 == 0:
            s = np.round(s, 2)  # ties
        h, sp = (float(v) for v in rng.choice([0, 0.001, 0.005, 0.0062, 0.02, 0.3, 1.0], 2))
        old = measured_rule(y, s, h, sp)
        assert choose_thresholds(y, s, h, sp) == old
        assert choose_thresholds(y, s, h, sp, confidence=None) == old


@pytest.mark.parametrize("n", [1, 30, 300, 5000])
@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.99])
def test_upper_bound_is_clopper_pearson(n: int, confidence: float) -> None:
    # No errors: the closed form 1 - (1 - c)^(1/n).
    assert error_upper_bound(0, n, confidence) == pytest.approx(1 - (1 - confidence) ** (1 / n))
    # Its defining property: at the bound, seeing k or fewer errors has probability 1 - c.
    for k in {0, n // 10, n // 2, n - 1}:
        u = error_upper_bound(k, n, confidence)
        assert k / n < u <= 1.0
        assert binom.cdf(k, n, u) == pytest.approx(1 - confidence, rel=1e-6)
    assert error_upper_bound(n, n, confidence) == 1.0


def test_upper_bound_values() -> None:
    assert error_upper_bound(0, 300, 0.95) == pytest.approx(0.009936, abs=1e-6)
    # Found separately by solving binom.cdf(k, n, p) = 0.05 for p (brentq).
    assert error_upper_bound(4, 989, 0.95) == pytest.approx(0.009231, abs=1e-6)
    assert error_upper_bound(2, 350, 0.95) == pytest.approx(0.017878, abs=1e-6)
    assert error_upper_bound(12, 1000, 0.95) == pytest.approx(0.019370, abs=1e-6)
    assert error_upper_bound(13, 1000, 0.95) == pytest.approx(0.020589, abs=1e-6)


@pytest.mark.parametrize("n", [10, 100, 350, 1000, 4000])
@pytest.mark.parametrize("budget", [0.0, 0.005, 0.0062, 0.02, 0.1])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_allowed_errors_follow_the_bound(n: int, budget: float, confidence: float) -> None:
    k = allowed_errors(budget, n, confidence)
    assert k == bound_allowed(budget, n, confidence)
    assert 0 <= k <= math.floor(budget * n + 1e-9)
    if k:
        assert error_upper_bound(k, n, confidence) <= budget
    assert error_upper_bound(k + 1, n, confidence) > budget


def test_allowed_errors_worked_examples() -> None:
    # 1,000 examples, budget 2%: 20 errors as measured; the 95% bound allows 12
    # (U(12) = 0.0193 <= 0.02 < U(13) = 0.0206).
    assert allowed_errors(0.02, 1000) == 20
    assert allowed_errors(0.02, 1000, 0.95) == 12
    # 600 ham, budget 1%: U(0) = 0.0050, U(1) = 0.0079, U(2) = 0.0105, so one.
    assert allowed_errors(0.01, 600, 0.95) == 1
    # 300 spam, budget 0.62% (SpamBayes's rate): even 0 gives U = 0.0099, so 0 (strictest).
    assert allowed_errors(0.0062, 300, 0.95) == 0
    assert allowed_errors(0.0062, 300) == 1
    assert allowed_errors(0.29, 100) == 29  # 0.29 * 100 = 28.999999999999996 in floating point


def test_confidence_must_be_a_probability() -> None:
    y, s = synthetic(n=50)
    for bad in (0.0, 1.0, 1.5, -0.1):
        with pytest.raises(ValueError, match="confidence"):
            choose_thresholds(y, s, 0.005, 0.02, confidence=bad)


def test_bound_makes_the_cuts_stricter_by_the_expected_amount() -> None:
    y, s = synthetic(n=1000, seed=5)  # distinct scores, classes overlapping
    raw = choose_thresholds(y, s, 0.005, 0.02)
    bound = choose_thresholds(y, s, 0.005, 0.02, confidence=0.95)
    ham, spam = s[y == 0], s[y == 1]
    # As measured: 5 ham blocked (0.5% of 1,000), 20 spam approved (2%).
    assert (int((ham >= raw.high).sum()), int((spam < raw.low).sum())) == (5, 20)
    # With the 95% bound: 1 ham (U(1, 1000) = 0.0047 <= 0.005 < U(2) = 0.0063), 12 spam.
    assert (int((ham >= bound.high).sum()), int((spam < bound.low).sum())) == (1, 12)
    assert bound.high > raw.high and bound.low < raw.low
    assert (bound.max_ham_to_spam, bound.max_spam_approved) == (0.005, 0.02)
    more = three_way(y, s, bound.low, bound.high)["review_share"]
    assert more > three_way(y, s, raw.low, raw.high)["review_share"]


@pytest.mark.parametrize("budgets", [(0.005, 0.02), (0.01, 0.01), (0.0572, 0.0062), (0.1, 0.1)])
def test_bound_of_the_errors_left_is_within_budget(budgets: tuple[float, float]) -> None:
    y, s = synthetic(n=800, seed=11)
    t = choose_thresholds(y, s, *budgets, confidence=0.95)
    ham, spam = s[y == 0], s[y == 1]
    for errors, n, budget in (
        (int((ham >= t.high).sum()), ham.size, budgets[0]),
        (int((spam < t.low).sum()), spam.size, budgets[1]),
    ):
        assert errors == 0 or error_upper_bound(errors, n, 0.95) <= budget
        if t.low < t.high:  # and no stricter than needed (unless the cuts met: no review)
            assert error_upper_bound(errors + 1, n, 0.95) > budget


def test_too_few_examples_give_the_strictest_cuts() -> None:
    y, s = synthetic(n=100, seed=2)  # U(0, 100) = 0.0295 at 95%: no budget below it holds
    t = choose_thresholds(y, s, 0.02, 0.02, confidence=0.95)
    assert t.high > s[y == 0].max()  # no ham blocked
    assert t.low <= s[y == 1].min()  # no spam approved
    zero = choose_thresholds(y, s, 0.0, 0.0)
    assert (t.low, t.high) == (zero.low, zero.high)


def test_train_model_records_the_bound(examples: list[Example]) -> None:
    raw = train_model(examples, seed=0)
    bound = train_model(examples, seed=0, confidence=0.95)
    assert raw.card["threshold_rule"]["confidence"] is None
    rule = bound.card["threshold_rule"]
    assert rule["confidence"] == 0.95
    assert 0.0 < rule["ham_to_spam_bound"] <= 1.0
    assert 0.0 < rule["spam_approved_bound"] <= 1.0
    assert bound.high_threshold >= raw.high_threshold
    assert bound.low_threshold <= raw.low_threshold
    val_raw, val_bound = raw.card["validation"]["metrics"], bound.card["validation"]["metrics"]
    assert val_bound["review_share"] >= val_raw["review_share"]
    assert val_bound["roc_auc"] == val_raw["roc_auc"]  # same scores, other cuts
