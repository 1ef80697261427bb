"""The explainer's column lookup lands every n-gram where FeatureHasher puts it."""

from __future__ import annotations

import random

import pytest
from sklearn.feature_extraction import FeatureHasher

from classifier.explain import ColumnCache


@pytest.mark.parametrize("n_features", [2**18, 2**20, 1000])
def test_columns_match_feature_hasher(n_features: int) -> None:
    rng = random.Random(n_features)
    alphabet = "abcdefghijklmnopqrstuvwxyzéèàçœ€💥 ¿?!0123456789'"
    terms = sorted(
        {"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(5000)}
    )
    hasher = FeatureHasher(n_features, input_type="string", alternate_sign=False)
    rows = hasher.transform([[t] for t in terms]).tocsr()
    expected = {t: int(rows.indices[rows.indptr[i]]) for i, t in enumerate(terms)}
    cache = ColumnCache(hasher)
    assert cache.lookup(terms) == expected
    assert cache.lookup(reversed(terms)) == expected  # cached answers are the same
