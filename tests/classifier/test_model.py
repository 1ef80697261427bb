"""Training and scoring: determinism, sample weights, explanations naming the right spans."""

from __future__ import annotations

from dataclasses import replace

import pytest

from classifier import CommentInput, SpamModel
from classifier.datasets import Example
from classifier.train import train_model

SPAMMY = CommentInput(
    content="WIN a FREE casino bonus!!! Call +1 555-123-4567 or visit http://bit.ly/abc now",
    author_name="www.best-casino.xyz",
    author_email="deals@yopmail.com",
)


def test_same_data_and_seed_give_the_same_model(
    examples: list[Example], tiny_model: SpamModel
) -> None:
    again = train_model(examples, seed=0)
    assert again.card["validation"] == tiny_model.card["validation"]
    assert again.card["data"] == tiny_model.card["data"]
    comments = [e.comment for e in examples]
    assert again.score_many(comments) == tiny_model.score_many(comments)


def test_scores_are_probabilities_and_rank_spam_first(tiny_model: SpamModel) -> None:
    ham = CommentInput(content="Merci pour cet article sur les travaux de la route.")
    p_spam, p_ham = tiny_model.score_many([SPAMMY, ham])
    assert 0.0 <= p_ham < p_spam <= 1.0
    assert tiny_model.score(SPAMMY).probability == pytest.approx(p_spam)
    assert tiny_model.score_many([]) == []
    assert 0.0 <= tiny_model.low_threshold <= tiny_model.high_threshold <= 1.0


def test_sample_weights_are_honoured(examples: list[Example], tiny_model: SpamModel) -> None:
    # Weighting every ham that mentions "article" heavily must pull such comments towards ham.
    weighted = [replace(e, weight=20.0) if "article" in e.comment.content else e for e in examples]
    model = train_model(weighted, seed=0)
    probe = CommentInput(content="Great article, thanks for sharing this article")
    assert model.score_many([probe])[0] < tiny_model.score_many([probe])[0]


def _spans(model: SpamModel, comment: CommentInput, code: str) -> list[str]:
    reasons = [r for r in model.explain(comment) if r.code == code]
    assert reasons, f"no {code!r} reason in {[r.code for r in model.explain(comment)]}"
    return [getattr(comment, s.field)[s.start : s.end] for s in reasons[0].spans]


def test_explanations_name_signals_and_their_spans(tiny_model: SpamModel) -> None:
    reasons = tiny_model.score(SPAMMY).reasons
    assert 1 <= len(reasons) <= 6
    assert all(r.message and r.weight != 0 for r in reasons)
    assert any(r.weight > 0 for r in reasons)
    everything = {
        r.code: r
        for r in tiny_model._explain().margin_and_reasons(SPAMMY, top=100, min_weight=0)[1]
    }
    assert everything["links"].message == "1 link"
    assert [SPAMMY.content[s.start : s.end] for s in everything["links"].spans] == [
        "http://bit.ly/abc"
    ]
    assert [SPAMMY.content[s.start : s.end] for s in everything["phone_number"].spans] == [
        "+1 555-123-4567"
    ]
    assert everything["author_name_url"].spans[0].field == "author_name"
    assert everything["disposable_mail"].message == "disposable email address (yopmail.com)"


def test_word_reasons_point_at_obfuscated_text_in_the_original(tiny_model: SpamModel) -> None:
    comment = CommentInput(content="Best c a s i n o bonus, gagnez de l'argent")
    top = tiny_model._explain().margin_and_reasons(comment, top=100, min_weight=0)[1]
    words = {r.message: r for r in top if r.code == "word"}
    assert "the word 'casino'" in words
    span = words["the word 'casino'"].spans[0]
    assert (span.field, comment.content[span.start : span.end]) == ("content", "c a s i n o")


def test_reasons_serialise_to_json_safe_dicts(tiny_model: SpamModel) -> None:
    data = tiny_model.score(SPAMMY).to_dict()
    assert set(data) == {"probability", "reasons"}
    first = data["reasons"][0]
    assert set(first) == {"code", "message", "weight", "spans"}
    assert all(set(s) == {"field", "start", "end"} for s in first["spans"])


def test_training_needs_both_classes(examples: list[Example]) -> None:
    with pytest.raises(ValueError, match="both spam"):
        train_model([e for e in examples if e.label == 1])


def test_fast_scoring_path_matches_the_pipeline(
    examples: list[Example], tiny_model: SpamModel
) -> None:
    comments = [e.comment for e in examples] + [SPAMMY]
    fast = tiny_model.margins(comments)
    slow = tiny_model.pipeline.decision_function(comments)
    assert fast == pytest.approx(slow, abs=1e-6)


def test_single_comment_path_matches_the_batch_path(
    examples: list[Example], tiny_model: SpamModel
) -> None:
    comments = [e.comment for e in examples] + [SPAMMY]
    one_by_one = [tiny_model.score(c).probability for c in comments]
    assert one_by_one == pytest.approx(tiny_model.score_many(comments), abs=1e-9)


def test_words_share_exactly_the_character_ngrams_margin(tiny_model: SpamModel) -> None:
    from collections import Counter

    from classifier.explain import Explainer
    from classifier.pipeline import prepare_comments

    explainer = Explainer(tiny_model.pipeline)
    comment = replace(SPAMMY, content=SPAMMY.content + " casino casino, bonus bonus!!!")
    prepared = prepare_comments([comment])
    _, xc, _ = explainer.blocks(prepared)
    expected = float((xc @ explainer.coef_chars)[0])
    words = Counter(prepared[0][1].norm.split())
    margin, per_word = explainer._char_shares(words)
    assert margin == pytest.approx(expected, abs=1e-9)
    assert set(per_word) == set(words)
    assert sum(per_word.values()) == pytest.approx(expected, abs=1e-9)
    assert explainer._char_shares(Counter()) == (0.0, {})
