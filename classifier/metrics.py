"""Evaluation figures: ranking quality, the three-way outcome and a calibration table."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.metrics import average_precision_score, f1_score, roc_auc_score


def three_way(labels: ArrayLike, scores: ArrayLike, low: float, high: float) -> dict[str, float]:
    """Return the shares of ham auto-blocked, spam auto-approved and comments sent to review."""
    y = np.asarray(labels, dtype=int)
    s = np.asarray(scores, dtype=np.float64)
    spam_auto = s >= high
    approve = s < low
    review = ~spam_auto & ~approve
    n_ham, n_spam = int((y == 0).sum()), int((y == 1).sum())
    return {
        "ham_to_spam": float((spam_auto & (y == 0)).sum() / n_ham) if n_ham else 0.0,
        "spam_approved": float((approve & (y == 1)).sum() / n_spam) if n_spam else 0.0,
        "review_share": float(review.mean()) if y.size else 0.0,
    }


def calibration_table(
    labels: ArrayLike, scores: ArrayLike, bins: int = 10
) -> list[dict[str, float]]:
    """Return, per probability bin, the count, mean predicted score and observed spam rate."""
    y = np.asarray(labels, dtype=int)
    s = np.asarray(scores, dtype=np.float64)
    idx = np.minimum((s * bins).astype(int), bins - 1)
    rows = []
    for b in range(bins):
        mask = idx == b
        n = int(mask.sum())
        rows.append(
            {
                "low": b / bins,
                "high": (b + 1) / bins,
                "n": n,
                "mean_score": float(s[mask].mean()) if n else float("nan"),
                "spam_rate": float(y[mask].mean()) if n else float("nan"),
            }
        )
    return rows


def evaluate_scores(
    labels: ArrayLike, scores: ArrayLike, low: float, high: float
) -> dict[str, Any]:
    """Return n, roc_auc, pr_auc, f1 (spam at p >= 0.5), brier and the three-way figures."""
    y = np.asarray(labels, dtype=int)
    s = np.asarray(scores, dtype=np.float64)
    both = len(set(y.tolist())) == 2
    out: dict[str, Any] = {
        "n": int(y.size),
        "n_spam": int((y == 1).sum()),
        "n_ham": int((y == 0).sum()),
        "roc_auc": float(roc_auc_score(y, s)) if both else float("nan"),
        "pr_auc": float(average_precision_score(y, s)) if both else float("nan"),
        "f1": float(f1_score(y, (s >= 0.5).astype(int), zero_division=0)),
        "brier": float(np.mean((s - y) ** 2)) if y.size else float("nan"),
        "low_threshold": float(low),
        "high_threshold": float(high),
    }
    out.update(three_way(y, s, low, high))
    return out


def json_safe(value: Any) -> Any:
    """`value` as plain JSON types: every NaN or infinite number as None (JSON has no NaN),
    numpy numbers as Python ones, nested dicts and lists walked, anything else as text."""
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return str(value)
