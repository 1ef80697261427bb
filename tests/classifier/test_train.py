"""Held-out folds: whole sources when they hold both classes, duplicates never split."""

from __future__ import annotations

from classifier.datasets import Example
from classifier.normalize import normalize_text
from classifier.records import CommentInput
from classifier.train import validation_folds


def test_duplicates_stay_in_one_fold(examples: list[Example]) -> None:
    copies = [Example(CommentInput(e.comment.content.upper()), e.label) for e in examples[:10]]
    data = examples + copies
    scheme, folds = validation_folds(data, seed=0)
    assert scheme.startswith("stratified")
    for train_idx, val_idx in folds:
        seen = {normalize_text(data[i].comment.content) for i in train_idx}
        assert not seen & {normalize_text(data[i].comment.content) for i in val_idx}
        assert {data[i].label for i in val_idx} == {0, 1}
    assert sorted(i for _, v in folds for i in v) == list(range(len(data)))


def test_mixed_sources_are_held_out_whole(examples: list[Example]) -> None:
    data = [Example(e.comment, e.label, source=f"site{i % 3}") for i, e in enumerate(examples)]
    scheme, folds = validation_folds(data, seed=0)
    assert scheme == "grouped by source (3 folds)"
    for _, val_idx in folds:
        assert len({data[i].source for i in val_idx}) == 1
