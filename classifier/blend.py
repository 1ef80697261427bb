"""The linear model: logistic regression plus a share of naive Bayes' log-count ratios.

Naive Bayes weighs an n-gram by how much more often it occurs in spam than in ham; logistic
regression weighs it by what it adds to the rest. The first generalises better from a few
thousand hand-written comments to messages of other kinds, the second ranks better within the
kind it was trained on. Both are linear in the same features, so their weighted sum is one
linear model: one coefficient per feature, exact per-feature shares for the explanations, and
scoring as fast as either alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression


def log_count_ratios(x: Any, y: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """Return naive Bayes' log ratio of each feature's share of spam and of ham feature mass.

    Each class's feature mass is turned into shares that sum to 1, and each share is smoothed
    by ``alpha`` units of mass (``alpha`` divided by the mean class mass). Plain multinomial
    naive Bayes smooths raw counts instead, so a column no training comment has gets
    log(ham mass / spam mass): with more ham text than spam text, every unseen n-gram would lean
    to spam, more so the more the classes differ in size. Here it gets exactly 0. Negative
    values count as 0 (the features are non-negative; this only guards the logs).
    """
    x = sparse.csr_matrix(x, dtype=np.float64).maximum(0)
    y = np.asarray(y)
    spam = np.asarray(x.T @ (y == 1).astype(np.float64)).ravel()
    ham = np.asarray(x.T @ (y == 0).astype(np.float64)).ravel()
    spam_mass, ham_mass = float(spam.sum()), float(ham.sum())
    if spam_mass <= 0 or ham_mass <= 0:
        return np.zeros(x.shape[1])
    smoothing = alpha / ((spam_mass + ham_mass) / 2)
    return np.log(spam / spam_mass + smoothing) - np.log(ham / ham_mass + smoothing)


class NBLogisticRegression(ClassifierMixin, BaseEstimator):
    """Class-balanced logistic regression whose coefficients get ``nb_weight`` times the
    naive Bayes log-count ratios (log_count_ratios) added after fitting.

    Exposes ``coef_`` (1, n_features), ``intercept_`` (1,) and ``classes_`` like a fitted
    LogisticRegression; the fitted sub-models are not kept, so the saved model is no larger.
    """

    def __init__(
        self, C: float = 2.0, nb_alpha: float = 0.01, nb_weight: float = 0.1, random_state: int = 0
    ) -> None:
        self.C = C
        self.nb_alpha = nb_alpha
        self.nb_weight = nb_weight
        self.random_state = random_state

    def fit(self, x: Any, y: Any, sample_weight: Any = None) -> NBLogisticRegression:
        """Fit the logistic regression, then add the weighted log-count ratios to its weights."""
        y = np.asarray(y)
        # The dual solver is the fast one when features outnumber comments, as n-grams do.
        lr = LogisticRegression(
            C=float(self.C),
            class_weight="balanced",
            solver="liblinear",
            dual=True,
            random_state=self.random_state,
        ).fit(x, y, sample_weight=sample_weight)
        coef = np.asarray(lr.coef_, dtype=np.float64).copy()
        if self.nb_weight:
            # Sample weights steer the regression only: naive Bayes counts each comment once,
            # so that a few heavily weighted comments cannot reshape every other column's
            # ratio (their class's shares would all shrink; tests/classifier/test_model.py).
            coef[0] += float(self.nb_weight) * log_count_ratios(x, y, float(self.nb_alpha))
        self.coef_ = coef
        self.intercept_ = np.asarray(lr.intercept_, dtype=np.float64).copy()
        self.classes_ = lr.classes_
        self.n_features_in_ = int(x.shape[1])
        return self

    def decision_function(self, x: Any) -> np.ndarray:
        """Return the margin of each row: x . coef + intercept."""
        return np.asarray(x @ self.coef_[0]).ravel() + self.intercept_[0]

    def predict(self, x: Any) -> np.ndarray:
        """Return the class of each row (spam where the margin is positive)."""
        return self.classes_[(self.decision_function(x) > 0).astype(int)]
