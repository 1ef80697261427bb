"""Calibration and threshold selection on synthetic scores."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from classifier.calibrate import choose_thresholds, fit_platt
from classifier.metrics import calibration_table, evaluate_scores, three_way


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
