"""Calibration and two-threshold selection: pure functions over (labels, scores).

Decision rule used everywhere: spam when p >= high, approve when p < low, review otherwise.

Error budgets are met either on the validation data as measured (`confidence=None`) or, with a
`confidence` such as 0.95, by a one-sided Clopper-Pearson upper bound of each error rate: with
300 validation spam, 0 or 1 approved could well be 1% on the next 300, and the bound says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import beta
from sklearn.linear_model import LogisticRegression


@dataclass(frozen=True)
class Platt:
    """A fitted sigmoid p = 1 / (1 + exp(-(a * margin + b)))."""

    a: float
    b: float

    def __call__(self, margins: np.ndarray) -> np.ndarray:
        z = np.clip(self.a * np.asarray(margins, dtype=np.float64) + self.b, -35.0, 35.0)
        return 1.0 / (1.0 + np.exp(-z))


def fit_platt(labels: ArrayLike, margins: ArrayLike, weights: ArrayLike | None = None) -> Platt:
    """Fit a sigmoid from decision margins to probabilities (Platt scaling on the 0/1 labels,
    almost unregularised: C=1e4)."""
    y = np.asarray(labels, dtype=int)
    x = np.asarray(margins, dtype=np.float64).reshape(-1, 1)
    if len(set(y.tolist())) < 2:
        return Platt(1.0, 0.0)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    fit = LogisticRegression(C=1e4, solver="lbfgs").fit(x, y, sample_weight=w)
    return Platt(float(fit.coef_[0, 0]), float(fit.intercept_[0]))


@dataclass(frozen=True)
class Thresholds:
    """Low and high cut-offs on the calibrated probability and the budgets they were set for."""

    low: float
    high: float
    max_ham_to_spam: float
    max_spam_approved: float


def _high_cut(ham: np.ndarray, every: np.ndarray, allowed: int) -> float:
    """Lowest cut t such that at most `allowed` ham scores are >= t."""
    if allowed >= ham.size:
        return float(every.min())
    h = float(np.sort(ham)[::-1][allowed])  # the first ham that must stay below the cut
    higher = every[every > h]
    return (h + float(higher.min())) / 2.0 if higher.size else float(np.nextafter(h, 2.0))


def _low_cut(spam: np.ndarray, every: np.ndarray, allowed: int) -> float:
    """Highest cut t such that at most `allowed` spam scores are < t."""
    if allowed >= spam.size:
        return float(np.nextafter(every.max(), 2.0))
    s = float(np.sort(spam)[allowed])  # the first spam that must not be approved
    lower = every[every < s]
    return (s + float(lower.max())) / 2.0 if lower.size else s


def error_upper_bound(errors: int, n: int, confidence: float) -> float:
    """One-sided Clopper-Pearson upper bound of an error rate seen as `errors` out of `n`.

    The true rate is below it with probability at least `confidence` (exact binomial bound).
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    if n <= 0 or errors >= n:
        return 1.0
    return float(beta.ppf(confidence, errors + 1, n - errors))


def allowed_errors(budget: float, n: int, confidence: float | None = None) -> int:
    """Most errors out of `n` whose rate (or, with `confidence`, its upper bound) is <= budget.

    With `confidence`, when even 0 errors out of `n` leave a bound above the budget (too few
    examples for it), 0 is returned: the strictest cut the data can support.
    """
    if confidence is not None and not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    raw = math.floor(budget * n + 1e-9)
    if confidence is None or raw <= 0:
        return raw
    raw = min(raw, n)
    for k in range(raw, 0, -1):  # the bound grows with k: the first that fits is the most
        if error_upper_bound(k, n, confidence) <= budget + 1e-12:
            return k
    return 0


def choose_thresholds(
    labels: ArrayLike,
    scores: ArrayLike,
    max_ham_to_spam: float = 0.005,
    max_spam_approved: float = 0.02,
    confidence: float | None = None,
) -> Thresholds:
    """Pick (low, high) that keep both error budgets on this data and review the fewest.

    `high` is the lowest cut that keeps the share of ham at or above it within
    `max_ham_to_spam`; `low` is the highest cut that keeps the share of spam below it within
    `max_spam_approved`. Both are pure functions of the data, so the least review follows.

    With `confidence` (e.g. 0.95), "within the budget" means that the one-sided Clopper-Pearson
    upper bound of the error rate at that confidence is, not the rate seen on this data; the
    cuts are then stricter the fewer the examples (see allowed_errors). `None` keeps the rate
    as measured.
    """
    y = np.asarray(labels, dtype=int)
    s = np.asarray(scores, dtype=np.float64)
    ham, spam = s[y == 0], s[y == 1]
    if ham.size:
        high = _high_cut(ham, s, allowed_errors(max_ham_to_spam, ham.size, confidence))
    else:
        high = 0.5
    if spam.size:
        low = _low_cut(spam, s, allowed_errors(max_spam_approved, spam.size, confidence))
    else:
        low = 0.5
    low = min(max(low, 0.0), 1.0)
    high = min(max(high, 0.0), 1.0)
    if low > high:  # budgets loose enough that no comment needs review
        low = high = (low + high) / 2.0
    return Thresholds(float(low), float(high), float(max_ham_to_spam), float(max_spam_approved))
