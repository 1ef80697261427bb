"""Per-site learning maths: weighting, de-duplication, held-out split, the promotion gate."""

from __future__ import annotations

from classifier.adapt import (
    dedupe,
    gate,
    holdout_split,
    site_weight,
    train_site_model,
    training_set,
    with_thresholds,
)
from classifier.metrics import evaluate_scores
from classifier.model import SpamModel
from classifier.records import CommentInput, Example
from classifier.train import train_model
from tests.learning_helpers import PROBE, bootstrap_examples, site_examples


def test_site_weight_shares_evenly_and_caps_early_labels() -> None:
    assert site_weight(10, 1800) == 10.0  # capped: ten labels cannot outweigh the corpus
    assert site_weight(300, 1800) == 6.0  # together as heavy as the shared corpus
    assert site_weight(5000, 1800) == 1.0  # never lighter than a shared example
    assert site_weight(0, 1800) == 1.0


def test_a_campaign_counts_once_and_the_latest_label_wins() -> None:
    copies = [Example(CommentInput(f"BUY  cheap pills {'!' * (i % 3)}"), 1) for i in range(200)]
    fixed = Example(CommentInput("Merci beaucoup"), 0)
    flipped = Example(CommentInput("merci   BEAUCOUP"), 1)
    kept = dedupe([*copies, fixed, flipped])
    assert len(kept) <= 3
    assert [e.label for e in kept if "merci" in e.comment.content.lower()] == [1]
    weighted = training_set([], [*copies])
    assert sum(e.weight for e in weighted) <= 3 * 10.0


def test_site_labels_move_its_scores_more_than_the_same_labels_unweighted() -> None:
    boot, few = bootstrap_examples(), site_examples(3)
    weighted = train_site_model(boot, few)
    plain = train_model(boot + [Example(e.comment, e.label) for e in few])
    probe = [CommentInput(PROBE)]
    assert weighted.card["adaptation"]["site_weight"] > 1
    assert weighted.margins(probe)[0] > plain.margins(probe)[0]


def test_holdout_keeps_the_most_recent_of_each_class() -> None:
    examples = site_examples(10)
    train, held = holdout_split(examples)
    assert len(held) == 4 and {e.label for e in held} == {0, 1}
    assert held == examples[-4:]
    assert len(train) + len(held) == len(examples)


def test_gate_refuses_a_worse_candidate_and_promotes_ties() -> None:
    boot, site = bootstrap_examples(), site_examples(12)
    train, held = holdout_split(site)
    good = train_site_model(boot, train)
    flipped = [Example(e.comment, 1 - e.label) for e in train]
    bad = train_site_model(boot, flipped)
    refused = gate(bad, good, held)
    assert not refused.promote and "ROC-AUC" in refused.reason
    assert gate(good, good, held).promote
    assert gate(good, None, held).promote


def test_rechosen_thresholds_carry_their_own_figures_in_the_card(
    tiny_model: SpamModel, examples: list[Example]
) -> None:
    held_out = examples * 2  # 36 of each class, over MIN_PER_CLASS_FOR_THRESHOLDS
    site = with_thresholds(tiny_model, held_out)
    assert site.card["thresholds"] == {"low": site.low_threshold, "high": site.high_threshold}
    figures = site.card["site_thresholds"]["metrics"]
    assert figures["n"] == len(held_out)
    assert figures["ham_to_spam"] <= site.thresholds.max_ham_to_spam
    assert figures["spam_approved"] <= site.thresholds.max_spam_approved
    scores = site.score_many([e.comment for e in held_out])
    labels = [e.label for e in held_out]
    assert figures == evaluate_scores(labels, scores, site.low_threshold, site.high_threshold)
