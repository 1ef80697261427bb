"""Artifacts: skops file plus JSON card; tampered, foreign or untrusted files are refused."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import pytest
from skops import io as skio

from classifier import ArtifactError, CommentInput, SpamModel
from classifier.artifacts import file_sha256, load_model, save_model
from classifier.train import library_versions

PROBE = CommentInput(content="Cheap casino bonus at http://bit.ly/x", author_name="Casino Deals")


@pytest.fixture()
def saved(tiny_model: SpamModel, tmp_path: Path) -> Path:
    path = tmp_path / "model.skops"
    save_model(tiny_model, path)
    return path


def test_round_trip_keeps_scores_thresholds_and_card(tiny_model: SpamModel, saved: Path) -> None:
    loaded = load_model(saved)
    assert loaded.score_many([PROBE]) == tiny_model.score_many([PROBE])
    assert (loaded.low_threshold, loaded.high_threshold) == (
        tiny_model.low_threshold,
        tiny_model.high_threshold,
    )
    card = json.loads(saved.with_suffix(".json").read_text())
    assert card["artifact"]["sha256"] == file_sha256(saved)
    assert card["versions"] == library_versions()
    assert card["data"]["by_label"] == {"spam": 18, "ham": 18}
    assert card["data"]["sources"]["comments"]["spam"] == 18
    assert card["budgets"] == {"max_ham_to_spam": 0.005, "max_spam_approved": 0.02}
    assert card["thresholds"] == {"low": loaded.low_threshold, "high": loaded.high_threshold}
    assert {"seed", "params", "created_at", "validation"} <= set(card)
    assert 0 <= card["validation"]["metrics"]["roc_auc"] <= 1
    assert loaded.version == card["version"]
    assert loaded.version.endswith(card["artifact"]["sha256"][:8])


def test_a_tampered_file_is_refused(saved: Path) -> None:
    with open(saved, "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(ArtifactError, match="does not match its model card"):
        load_model(saved)


def test_a_missing_card_or_file_is_refused(saved: Path, tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="not found"):
        load_model(tmp_path / "absent.skops")
    saved.with_suffix(".json").unlink()
    with pytest.raises(ArtifactError, match="card .* is missing"):
        load_model(saved)


def test_a_model_from_other_library_versions_is_refused(saved: Path) -> None:
    card_file = saved.with_suffix(".json")
    card = json.loads(card_file.read_text())
    card["versions"]["scikit-learn"] = "0.24.2"
    card_file.write_text(json.dumps(card))
    with pytest.raises(ArtifactError, match=r"other library versions: scikit-learn 0\.24\.2"):
        load_model(saved)


def test_edited_thresholds_in_the_card_are_refused(saved: Path) -> None:
    card_file = saved.with_suffix(".json")
    card = json.loads(card_file.read_text())
    card["thresholds"]["high"] = 0.01
    card_file.write_text(json.dumps(card))
    with pytest.raises(ArtifactError, match="thresholds"):
        load_model(saved)


class Intruder:
    """A type no one put on the trusted list."""


def _with_card(path: Path, template: Path) -> None:
    card = json.loads(template.with_suffix(".json").read_text())
    card["artifact"]["sha256"] = file_sha256(path)
    path.with_suffix(".json").write_text(json.dumps(card))


def test_untrusted_types_are_refused(saved: Path, tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.skops"
    skio.dump({"format": 2, "pipeline": Intruder()}, foreign)
    _with_card(foreign, saved)
    with pytest.raises(ArtifactError, match="trusted"):
        load_model(foreign)


class Boom:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch PWNED_BY_PICKLE",))


def test_a_pickle_is_never_unpickled(
    saved: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    evil = tmp_path / "evil.skops"
    evil.write_bytes(pickle.dumps(Boom()))
    _with_card(evil, saved)
    with pytest.raises(ArtifactError, match="could not be read"):
        load_model(evil)
    assert not (tmp_path / "PWNED_BY_PICKLE").exists()


def test_a_model_file_missing_a_part_is_refused_with_a_message(saved: Path, tmp_path: Path) -> None:
    partial = tmp_path / "partial.skops"
    skio.dump({"format": 2, "thresholds": {"low": 0.1, "high": 0.9}}, partial)
    _with_card(partial, saved)
    with pytest.raises(ArtifactError, match="not a complete Palabre model"):
        load_model(partial)


def test_a_model_trained_with_other_signals_is_refused(saved: Path) -> None:
    card_file = saved.with_suffix(".json")
    card = json.loads(card_file.read_text())
    assert card["signals"][:2] == ["links", "link_domains"]  # recorded at training
    card["signals"] = [*card["signals"], "a_signal_this_code_lacks"]
    card_file.write_text(json.dumps(card))
    with pytest.raises(ArtifactError, match="other hand-made signals"):
        load_model(saved)
    del card["signals"]  # a card written before the list was recorded: not checked
    card_file.write_text(json.dumps(card))
    assert load_model(saved).card.get("signals") is None
