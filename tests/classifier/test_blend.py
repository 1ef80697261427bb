"""The linear model: logistic regression plus naive Bayes' log-count ratios, as one model."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from classifier import CommentInput, SpamModel
from classifier.artifacts import load_model, save_model
from classifier.blend import NBLogisticRegression, log_count_ratios
from classifier.datasets import Example
from classifier.pipeline import prepare_comments

# Four features; column 3 occurs in no row.
X = sparse.csr_matrix(
    np.array(
        [
            [3.0, 0.0, 1.0, 0.0],  # spam
            [2.0, 0.0, 1.0, 0.0],  # spam
            [0.0, 4.0, 1.0, 0.0],  # ham
            [0.0, 3.0, 1.0, 0.0],  # ham
            [1.0, 2.0, 1.0, 0.0],  # ham
        ]
    )
)
Y = np.array([1, 1, 0, 0, 0])


def plain_regression() -> LogisticRegression:
    """The regression NBLogisticRegression fits with its defaults (C=2, seed 0)."""
    return LogisticRegression(
        C=2.0, class_weight="balanced", solver="liblinear", dual=True, random_state=0
    )


def test_ratios_follow_each_class_share_of_the_feature_mass() -> None:
    r = log_count_ratios(X, Y, alpha=0.01)
    assert r[0] > 0 > r[1]  # a spam word, a ham word
    spam_share, ham_share = 2 / 7, 3 / 13  # column 2's share of each class's mass
    assert r[2] == pytest.approx(np.log(spam_share / ham_share), abs=0.01)
    assert r[3] == 0.0  # a column no comment has says nothing either way


def test_ratios_do_not_drift_with_a_class_total_mass() -> None:
    # The same ham, written twice as often: every share is unchanged, so the ratios of the
    # columns both classes have (and of the column none has) barely move; only the smoothing,
    # scaled by the mean class mass, does. Smoothing raw counts instead would shift every ratio
    # by about log 2 = 0.69 towards spam. (Column 1, absent from spam, is all smoothing.)
    doubled = sparse.vstack([X, X[2:]]).tocsr()
    y2 = np.concatenate([Y, Y[2:]])
    both = [0, 2, 3]
    np.testing.assert_allclose(
        log_count_ratios(doubled, y2, alpha=0.01)[both],
        log_count_ratios(X, Y, alpha=0.01)[both],
        atol=0.02,
    )


def test_coefficients_are_the_regression_plus_the_weighted_ratios() -> None:
    model = NBLogisticRegression(C=2.0, nb_alpha=0.01, nb_weight=0.3).fit(X, Y)
    lr = plain_regression().fit(X, Y)
    expected = lr.coef_[0] + 0.3 * log_count_ratios(X, Y, alpha=0.01)
    np.testing.assert_allclose(model.coef_[0], expected)
    np.testing.assert_allclose(model.intercept_, lr.intercept_)
    np.testing.assert_allclose(model.decision_function(X), X @ expected + lr.intercept_[0])
    assert model.predict(X).tolist() == (model.decision_function(X) > 0).astype(int).tolist()


def test_no_weight_is_plain_logistic_regression() -> None:
    plain = NBLogisticRegression(nb_weight=0.0).fit(X, Y)
    lr = plain_regression().fit(X, Y)
    np.testing.assert_allclose(plain.coef_, lr.coef_)


def test_sample_weights_reach_the_regression_only() -> None:
    w = np.array([1.0, 1.0, 20.0, 1.0, 1.0])
    weighted = NBLogisticRegression(nb_weight=0.3).fit(X, Y, sample_weight=w)
    lr = plain_regression().fit(X, Y, sample_weight=w)
    np.testing.assert_allclose(
        weighted.coef_[0], lr.coef_[0] + 0.3 * log_count_ratios(X, Y, alpha=0.01)
    )


def test_a_model_saved_with_a_plain_regression_still_loads_scores_and_explains(
    tiny_model: SpamModel, examples: list[Example], tmp_path: Path
) -> None:
    # Models saved before the blend end in a stock LogisticRegression: they must keep working.
    pipeline = copy.deepcopy(tiny_model.pipeline)
    x = pipeline.named_steps["features"].transform(prepare_comments(e.comment for e in examples))
    pipeline.steps[-1] = ("model", plain_regression().fit(x, [e.label for e in examples]))
    old = SpamModel(pipeline, tiny_model.platt, tiny_model.thresholds, dict(tiny_model.card))
    save_model(old, tmp_path / "old.skops")
    loaded = load_model(tmp_path / "old.skops")
    assert isinstance(loaded.pipeline.named_steps["model"], LogisticRegression)
    comment = CommentInput(content="Cheap casino bonus, visit http://bit.ly/x now")
    assert loaded.score_many([comment]) == old.score_many([comment])
    scored = loaded.score(comment)
    assert scored.probability == pytest.approx(old.score_many([comment])[0])
    assert scored.reasons
