"""`flask classifier train | evaluate | show`, driven through click's runner on a tiny app."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from classifier import SpamModel
from moderation.classifier_cli import classifier_cli


@pytest.fixture()
def cli(tmp_path: Path) -> FlaskCliRunner:
    app = Flask("cli-test")
    app.config["MODEL_PATH"] = str(tmp_path / "default" / "model.skops")
    app.cli.add_command(classifier_cli)
    return app.test_cli_runner()


def test_train_evaluate_show(cli: FlaskCliRunner, fixtures: Path, tmp_path: Path) -> None:
    out = tmp_path / "default" / "model.skops"
    data = fixtures / "comments.csv"
    result = cli.invoke(args=["classifier", "train", "--data", str(data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "saved" in result.output and out.is_file() and out.with_suffix(".json").is_file()

    scores = tmp_path / "scores.csv"
    args = ["classifier", "evaluate", "--model", str(out), "--data", str(fixtures), "--json"]
    result = cli.invoke(args=[*args, "--scores", str(scores)])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)  # stderr names notes.txt, skipped
    assert figures["n"] == 46
    for key in ("roc_auc", "pr_auc", "f1", "ham_to_spam", "spam_approved", "review_share"):
        assert 0.0 <= figures[key] <= 1.0
    with open(scores, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 46
    assert rows[0]["label"] == "1" and 0.0 <= float(rows[0]["score"]) <= 1.0

    result = cli.invoke(args=args[:-1])
    assert result.exit_code == 0, result.output
    assert "ROC-AUC" in result.output and "calibration" in result.output

    result = cli.invoke(args=["classifier", "show"])  # the app's MODEL_PATH
    assert result.exit_code == 0, result.output
    assert "thresholds" in result.output and "comments" in result.output


def test_errors_are_clear_messages(cli: FlaskCliRunner, fixtures: Path, tmp_path: Path) -> None:
    result = cli.invoke(args=["classifier", "show"])
    assert result.exit_code == 1 and "not found" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\nhello,maybe\n")
    out = tmp_path / "m.skops"
    result = cli.invoke(args=["classifier", "train", "--data", str(bad), "--out", str(out)])
    assert result.exit_code == 1 and "unknown label" in result.output
    assert "Traceback" not in result.output


def test_train_with_a_confidence_bound(cli: FlaskCliRunner, fixtures: Path, tmp_path: Path) -> None:
    data = str(fixtures / "comments.csv")
    cards = {}
    for name, extra in (("measured", []), ("bound", ["--confidence", "0.95"])):
        out = tmp_path / name / "model.skops"
        result = cli.invoke(args=["classifier", "train", "--data", data, "--out", str(out), *extra])
        assert result.exit_code == 0, result.output
        cards[name] = json.loads(out.with_suffix(".json").read_text())
    assert cards["measured"]["threshold_rule"]["confidence"] is None
    assert cards["bound"]["threshold_rule"]["confidence"] == 0.95
    # A few dozen examples cannot show a 0.5% / 2% budget at 95%: the strictest cuts.
    low = {name: card["thresholds"]["low"] for name, card in cards.items()}
    high = {name: card["thresholds"]["high"] for name, card in cards.items()}
    assert low["bound"] <= low["measured"] and high["bound"] >= high["measured"]
    for bad in ("0", "1", "x"):
        out = str(tmp_path / "bad.skops")
        args = ["classifier", "train", "--data", data, "--out", out, "--confidence", bad]
        result = cli.invoke(args=args)
        assert result.exit_code == 2 and "--confidence" in result.output


def test_evaluate_outputs_and_write_errors(
    cli: FlaskCliRunner, fixtures: Path, tmp_path: Path, tiny_model: SpamModel
) -> None:
    from classifier.artifacts import save_model

    model = tmp_path / "m.skops"
    save_model(tiny_model, model)
    spam = tmp_path / "spam.csv"
    spam.write_text(
        "text,label\n" + "".join(f'"buy pills {i} http://x.xyz",spam\n' for i in range(5))
    )
    scores = tmp_path / "missing" / "dir" / "scores.csv"
    args = ["classifier", "evaluate", "--model", str(model), "--data", str(spam), "--json"]
    result = cli.invoke(args=[*args, "--scores", str(scores)])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)  # strict JSON: ROC-AUC of one class is null, not NaN
    assert figures["n"] == 5 and figures["roc_auc"] is None and figures["pr_auc"] is None
    assert len(scores.read_text().splitlines()) == 6

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = cli.invoke(args=[*args, "--scores", str(blocker / "scores.csv")])
    assert result.exit_code == 1 and "cannot write the scores" in result.output
    assert "Traceback" not in result.output
    train = ["classifier", "train", "--data", str(fixtures / "comments.csv")]
    result = cli.invoke(args=[*train, "--out", str(blocker / "m.skops")])
    assert result.exit_code == 1 and "cannot write the model" in result.output
    result = cli.invoke(args=["classifier", "show", "--model", str(model.with_suffix(".json"))])
    assert result.exit_code == 1 and "is a model card" in result.output


def test_bad_corpus_files_are_one_line_errors_and_skipped_files_named(
    cli: FlaskCliRunner, fixtures: Path, tmp_path: Path
) -> None:
    out = str(tmp_path / "m.skops")
    long = tmp_path / "long.csv"
    long.write_text('text,label\n"' + "x" * 200_000 + '",spam\n"unclosed,ham\n')
    result = cli.invoke(args=["classifier", "train", "--data", str(long), "--out", out])
    assert result.exit_code == 1 and "long.csv:3: malformed CSV" in result.output
    assert "Traceback" not in result.output
    result = cli.invoke(args=["classifier", "train", "--data", str(fixtures), "--out", out])
    assert result.exit_code == 0, result.output
    assert "skipped " + str(fixtures / "notes.txt") in result.stderr
