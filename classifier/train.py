"""Train a SpamModel: out-of-fold validation scores set calibration and thresholds, then refit."""

from __future__ import annotations

import hashlib
import json
import platform
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import GroupKFold

from classifier.calibrate import choose_thresholds, error_upper_bound, fit_platt
from classifier.features import SIGNALS
from classifier.metrics import evaluate_scores
from classifier.model import SpamModel
from classifier.normalize import normalize_text
from classifier.pipeline import DEFAULT_PARAMS, build_pipeline, prepare_comments
from classifier.records import Example

Folds = list[tuple[np.ndarray, np.ndarray]]


def library_versions() -> dict[str, str]:
    """Return the versions an artifact is bound to."""
    import numpy
    import scipy
    import sklearn
    import skops

    return {
        "python": ".".join(platform.python_version_tuple()[:2]),
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "skops": skops.__version__,
    }


def data_summary(examples: Sequence[Example]) -> dict[str, Any]:
    """Return counts per label and source and sha256 hashes of the training data."""
    whole = hashlib.sha256()
    per_source: dict[str, Any] = defaultdict(hashlib.sha256)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for ex in examples:
        line = json.dumps(ex.to_dict(), sort_keys=True, ensure_ascii=False).encode() + b"\n"
        whole.update(line)
        per_source[ex.source].update(line)
        counts[ex.source]["spam" if ex.label else "ham"] += 1
    labels = Counter("spam" if ex.label else "ham" for ex in examples)
    return {
        "n": len(examples),
        "by_label": {"spam": labels["spam"], "ham": labels["ham"]},
        "sha256": whole.hexdigest(),
        "sources": {
            src: {"spam": c["spam"], "ham": c["ham"], "sha256": per_source[src].hexdigest()}
            for src, c in sorted(counts.items())
        },
    }


def validation_folds(examples: Sequence[Example], seed: int) -> tuple[str, Folds]:
    """Choose held-out folds: whole sources when there are several, else grouped stratified.

    Holding out a whole source (site, video, file) measures the model on data it has not seen
    the like of, which is how it meets new sites. That needs at least two sources, each 10% to
    90% spam and none over 70% of the examples, and every training fold holding both classes;
    otherwise (the bootstrap corpus has one label per file) folds are stratified, with
    duplicate texts kept in one fold.
    """
    y = np.array([ex.label for ex in examples])
    sources = [ex.source for ex in examples]
    counts = Counter(sources)
    spam = Counter(src for src, label in zip(sources, y, strict=True) if label)
    mixed = all(0.1 <= spam[src] / n <= 0.9 for src, n in counts.items())
    index = np.arange(len(examples))
    if len(counts) >= 2 and mixed and max(counts.values()) <= 0.7 * len(examples):
        k = min(len(counts), 5)
        folds = list(GroupKFold(n_splits=k).split(index, y, sources))
        if all(len(set(y[tr].tolist())) == 2 for tr, _ in folds):
            return f"grouped by source ({k} folds)", folds
    minority = int(min(np.bincount(y, minlength=2)))
    k = min(5, minority)
    if k < 2:
        raise ValueError("need at least 2 spam and 2 ham examples to train")
    groups = [normalize_text(ex.comment.content) for ex in examples]
    return f"stratified, duplicates grouped ({k} folds)", grouped_folds(y, groups, k, seed)


def grouped_folds(y: np.ndarray, groups: Sequence[str], k: int, seed: int) -> Folds:
    """Split into k folds stratified by label, never splitting a group (same text) across two."""
    names, inverse = np.unique(np.asarray(groups, dtype=object).astype(str), return_inverse=True)
    label = np.zeros(len(names), dtype=int)
    np.maximum.at(label, inverse, y)  # a group with any spam counts as spam
    order = np.random.default_rng(seed).permutation(len(names))
    fold_of = np.empty(len(names), dtype=int)
    for value in (0, 1):
        members = order[label[order] == value]
        fold_of[members] = np.arange(len(members)) % k
    fold = fold_of[inverse]
    return [(np.flatnonzero(fold != f), np.flatnonzero(fold == f)) for f in range(k)]


def train_model(
    examples: list[Example],
    *,
    seed: int = 0,
    max_ham_to_spam: float = 0.005,
    max_spam_approved: float = 0.02,
    params: Mapping[str, Any] | None = None,
    confidence: float | None = None,
) -> SpamModel:
    """Train, calibrate and set thresholds on held-out scores, then refit on all examples.

    Held-out folds are whole sources when every source holds both classes (see
    validation_folds). `weight` of each example is passed to the linear model as sample weight.
    `confidence` is passed to choose_thresholds: budgets kept by the upper confidence bound of
    each held-out error rate rather than by the rate itself (None).
    """
    y = np.array([int(ex.label) for ex in examples])
    if set(y.tolist()) != {0, 1}:
        raise ValueError("training needs both spam (1) and ham (0) examples")
    w = np.array([float(ex.weight) for ex in examples])
    p = {**DEFAULT_PARAMS, **(params or {})}
    prepared = prepare_comments(ex.comment for ex in examples)
    final = build_pipeline(p, seed)
    final.steps[0][1].fit(prepared[:1])
    # Vocabulary, idf and signal scaling use no labels: fit them once on every comment, then
    # cross-fit only the linear model to get held-out margins for calibration and thresholds.
    features = final.named_steps["features"].fit(prepared)
    x = features.transform(prepared).tocsr()
    scheme, folds = validation_folds(examples, seed)
    margins = np.zeros(len(examples))
    for train_idx, val_idx in folds:
        fold_model = clone(final.named_steps["model"])
        fold_model.fit(x[train_idx], y[train_idx], sample_weight=w[train_idx])
        margins[val_idx] = fold_model.decision_function(x[val_idx])
    platt = fit_platt(y, margins, w)
    scores = platt(margins)
    thresholds = choose_thresholds(y, scores, max_ham_to_spam, max_spam_approved, confidence)
    final.named_steps["model"].fit(x, y, sample_weight=w)
    card = {
        "format": 2,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": library_versions(),
        "seed": seed,
        "params": p,
        "signals": list(SIGNALS),  # one column each, in this order (checked on loading)
        "model": (
            "tf-idf word and char n-grams + signals, logistic regression plus naive Bayes "
            "log-count ratios, Platt scaling"
        ),
        "data": data_summary(examples),
        "validation": {
            "scheme": scheme,
            "metrics": evaluate_scores(y, scores, thresholds.low, thresholds.high),
        },
        "threshold_rule": threshold_rule(y, scores, thresholds.low, thresholds.high, confidence),
        "calibration": {"method": "platt", "a": platt.a, "b": platt.b},
        "budgets": {"max_ham_to_spam": max_ham_to_spam, "max_spam_approved": max_spam_approved},
        "thresholds": {"low": thresholds.low, "high": thresholds.high},
    }
    return SpamModel(final, platt, thresholds, card)


def threshold_rule(
    y: np.ndarray, scores: np.ndarray, low: float, high: float, confidence: float | None
) -> dict[str, Any]:
    """Describe how the budgets were applied, with the held-out error bounds at these cuts."""
    if confidence is None:
        return {"rule": "held-out error rates within the budgets", "confidence": None}
    ham, spam = scores[y == 0], scores[y == 1]
    return {
        "rule": "one-sided Clopper-Pearson upper bounds of held-out error rates within budgets",
        "confidence": confidence,
        "ham_to_spam_bound": error_upper_bound(int((ham >= high).sum()), ham.size, confidence),
        "spam_approved_bound": error_upper_bound(int((spam < low).sum()), spam.size, confidence),
    }
