"""The one scikit-learn Pipeline that turns comments into a spam score, from raw fields on.

All steps are top-level functions or stock estimators, so the pipeline persists with skops and
training and serving run exactly the same code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer, MaxAbsScaler

from classifier.blend import NBLogisticRegression
from classifier.features import SIGNALS, Field, comment_signals, signal_column
from classifier.records import COMMENT_FIELDS, CommentInput

DEFAULT_PARAMS: dict[str, Any] = {
    "C": 2.0,
    "word_ngrams": [1, 2],
    "char_ngrams": [3, 5],
    "word_buckets": 2**17,
    "char_buckets": 2**18,
    "signal_weight": 1.0,
    "network_buckets": 2**10,
    # Naive Bayes' share (classifier.blend). Validation on the bootstrap corpus is flat between
    # 0.1 and 0.2; 0.1 ranked real YouTube comments better (docs/benchmarks.md).
    "nb_alpha": 0.01,
    "nb_weight": 0.1,
}


def as_comment(item: Any) -> CommentInput:
    """Coerce a CommentInput, a mapping of its fields or a bare string to a CommentInput."""
    if isinstance(item, CommentInput):
        return item
    if isinstance(item, Mapping):
        return CommentInput(**{k: str(item.get(k) or "") for k in COMMENT_FIELDS})
    return CommentInput(content="" if item is None else str(item))


def prepare_comments(items: Iterable[Any]) -> list[tuple[CommentInput, Field]]:
    """Pair each comment with its normalised content (computed once for every branch)."""
    out = []
    for item in items:
        c = as_comment(item)
        out.append((c, Field.of("content", c.content)))
    return out


def content_texts(prepared: list[tuple[CommentInput, Field]]) -> list[str]:
    """Return the normalised content of each prepared comment."""
    return [text.norm for _, text in prepared]


def signal_matrix(
    prepared: list[tuple[CommentInput, Field]], network_buckets: int = 0
) -> sparse.csr_matrix:
    """Return the hand-made signal values: one column per code in SIGNALS, then the sender's
    network hashed into `network_buckets` columns (0 in models saved before they existed)."""
    rows, cols, vals = [], [], []
    for r, (c, text) in enumerate(prepared):
        for code, hit in comment_signals(c, text).items():
            j = signal_column(code, hit, network_buckets)
            if j is not None:
                rows.append(r)
                cols.append(j)
                vals.append(hit.value)
    shape = (len(prepared), len(SIGNALS) + network_buckets)
    return sparse.csr_matrix((np.asarray(vals, dtype=np.float64), (rows, cols)), shape=shape)


def tfidf() -> TfidfTransformer:
    """Return the idf weighting used after hashing (sub-linear term frequency, l2 rows)."""
    return TfidfTransformer(sublinear_tf=True)


def build_pipeline(params: Mapping[str, Any] | None = None, seed: int = 0) -> Pipeline:
    """Build the untrained pipeline: prepare -> (word, char, signal features) -> linear model
    (logistic regression with naive Bayes' log-count ratios added, classifier.blend).

    N-grams are hashed rather than kept in a vocabulary: the artifact stays small and fast to
    load whatever the corpus size, and new sites' words need no refit of a vocabulary.
    """
    p = {**DEFAULT_PARAMS, **(params or {})}
    common: dict[str, Any] = {
        "lowercase": False,  # the text is already case-folded by normalize_text
        "alternate_sign": False,
        "norm": None,  # tf-idf normalises after weighting
        "dtype": np.float32,
    }
    words = HashingVectorizer(
        analyzer="word",
        token_pattern=r"(?u)\b\w\w+\b",  # noqa: S106 - a regex, not a password
        ngram_range=tuple(p["word_ngrams"]),
        n_features=int(p["word_buckets"]),
        **common,
    )
    chars = HashingVectorizer(
        analyzer="char_wb",
        ngram_range=tuple(p["char_ngrams"]),
        n_features=int(p["char_buckets"]),
        **common,
    )
    text = FunctionTransformer(content_texts)
    union = FeatureUnion(
        [
            ("words", Pipeline([("text", text), ("hash", words), ("tfidf", tfidf())])),
            ("chars", Pipeline([("text", text), ("hash", chars), ("tfidf", tfidf())])),
            (
                "signals",
                Pipeline(
                    [
                        (
                            "extract",
                            FunctionTransformer(
                                signal_matrix,
                                kw_args={"network_buckets": int(p["network_buckets"])},
                            ),
                        ),
                        ("scale", MaxAbsScaler()),
                    ]
                ),
            ),
        ],
        transformer_weights={"words": 1.0, "chars": 1.0, "signals": float(p["signal_weight"])},
    )
    model = NBLogisticRegression(
        C=float(p["C"]),
        nb_alpha=float(p["nb_alpha"]),
        nb_weight=float(p["nb_weight"]),
        random_state=seed,
    )
    return Pipeline(
        [("prepare", FunctionTransformer(prepare_comments)), ("features", union), ("model", model)]
    )
