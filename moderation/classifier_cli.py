"""`flask classifier ...`: train, evaluate and show the spam model (thin over `classifier`)."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

classifier_cli = AppGroup("classifier", help="Train, evaluate and inspect the spam model.")

_DATA_HELP = (
    "Corpus file or folder (repeatable): text,label CSV (or message/content/comment and "
    "class/category/spam columns, or Kaggle's v1,v2), YouTube Spam Collection CSV, "
    "label<TAB>text, or WordPress WXR."
)


def _load(paths: tuple[Path, ...]) -> list[Any]:
    from classifier.datasets import CorpusError, load_corpus

    skipped: list[Path] = []
    try:
        examples = load_corpus(list(paths), skipped)
    except (CorpusError, OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(str(exc)) from None
    for path in skipped:
        click.echo(f"skipped {path}: not a corpus file of a known format", err=True)
    if not examples:
        raise click.ClickException("no labelled comments found in " + ", ".join(map(str, paths)))
    return examples


def _model(path: Path) -> Any:
    from classifier import ArtifactError
    from classifier.artifacts import load_model

    if path.suffix.lower() == ".json":
        raise click.ClickException(
            f"{path} is a model card: pass the model beside it, {path.with_suffix('.skops')}"
        )
    try:
        return load_model(path)
    except ArtifactError as exc:
        raise click.ClickException(str(exc)) from None


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return "n/a" if math.isnan(value) else f"{value:.4f}"
    return str(value)


@classifier_cli.command("train")
@click.option(
    "--data",
    "data",
    multiple=True,
    required=True,
    help=_DATA_HELP,
    type=click.Path(exists=True, path_type=Path),
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the model (.skops); the card goes beside it (.json).",
)
@click.option("--seed", default=0, show_default=True, help="Random seed.")
@click.option(
    "--max-ham-to-spam",
    default=0.005,
    show_default=True,
    help="Budget: share of ham marked spam automatically.",
)
@click.option(
    "--max-spam-approved",
    default=0.02,
    show_default=True,
    help="Budget: share of spam approved automatically.",
)
@click.option(
    "--confidence",
    type=click.FloatRange(0.0, 1.0, min_open=True, max_open=True),
    default=None,
    help="Keep each budget by the upper confidence bound of its held-out error rate "
    "(e.g. 0.95; stricter cuts the fewer the examples) instead of the rate as measured.",
)
def train(
    data: tuple[Path, ...],
    out: Path,
    seed: int,
    max_ham_to_spam: float,
    max_spam_approved: float,
    confidence: float | None,
) -> None:
    """Train a model on labelled comments and save it with its model card."""
    from classifier.artifacts import save_model
    from classifier.train import train_model

    examples = _load(data)
    click.echo(f"training on {len(examples)} comments ...")
    try:
        model = train_model(
            examples,
            seed=seed,
            max_ham_to_spam=max_ham_to_spam,
            max_spam_approved=max_spam_approved,
            confidence=confidence,
        )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        card = save_model(model, out)
    except OSError as exc:
        raise click.ClickException(f"cannot write the model to {out}: {exc}") from None
    val = card["validation"]["metrics"]
    click.echo(f"saved {out} (version {card['version']})")
    click.echo(
        f"validation ({card['validation']['scheme']}): ROC-AUC {_fmt(val['roc_auc'])}, "
        f"ham->spam {_fmt(val['ham_to_spam'])}, spam approved {_fmt(val['spam_approved'])}, "
        f"review {_fmt(val['review_share'])}"
    )
    click.echo(f"thresholds: low {model.low_threshold:.4f}, high {model.high_threshold:.4f}")


@classifier_cli.command("evaluate")
@click.option(
    "--model",
    "model_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--data",
    "data",
    multiple=True,
    required=True,
    help=_DATA_HELP,
    type=click.Path(exists=True, path_type=Path),
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--scores",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a CSV `label,score`, one row per comment in input order.",
)
def evaluate(model_path: Path, data: tuple[Path, ...], as_json: bool, scores: Path | None) -> None:
    """Score labelled comments with a saved model and report the figures."""
    from classifier.metrics import calibration_table, evaluate_scores, json_safe

    model = _model(model_path)
    examples = _load(data)
    labels = [e.label for e in examples]
    probs = model.score_many([e.comment for e in examples])
    figures = evaluate_scores(labels, probs, model.low_threshold, model.high_threshold)
    figures["model_version"] = model.version
    if scores is not None:
        try:
            scores.parent.mkdir(parents=True, exist_ok=True)  # as `train --out` does
            with open(scores, "w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(["label", "score"])
                writer.writerows((label, repr(p)) for label, p in zip(labels, probs, strict=True))
        except OSError as exc:
            raise click.ClickException(f"cannot write the scores to {scores}: {exc}") from None
    table = calibration_table(labels, probs)
    if as_json:
        figures["calibration"] = table
        click.echo(json.dumps(json_safe(figures), sort_keys=True, allow_nan=False))
        return
    click.echo(
        f"model {model.version} on {figures['n']} comments "
        f"({figures['n_spam']} spam, {figures['n_ham']} ham)"
    )
    for key, label in (
        ("roc_auc", "ROC-AUC"),
        ("pr_auc", "PR-AUC"),
        ("f1", "F1 (spam at p >= 0.5)"),
        ("brier", "Brier score"),
        ("ham_to_spam", "ham marked spam automatically"),
        ("spam_approved", "spam approved automatically"),
        ("review_share", "sent to review"),
    ):
        click.echo(f"  {label:32} {_fmt(figures[key])}")
    click.echo(f"  thresholds: low {model.low_threshold:.4f}, high {model.high_threshold:.4f}")
    click.echo("\ncalibration (predicted vs observed spam rate)")
    click.echo(f"  {'bin':>11} {'n':>6} {'mean score':>11} {'spam rate':>10}")
    for row in table:
        click.echo(
            f"  {row['low']:.1f} - {row['high']:.1f} {row['n']:>6} "
            f"{_fmt(row['mean_score']):>11} {_fmt(row['spam_rate']):>10}"
        )


@classifier_cli.command("show")
@click.option(
    "--model",
    "model_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Model file (default: the app's MODEL_PATH).",
)
def show(model_path: Path | None) -> None:
    """Check a saved model against its card and summarise the card."""
    path = model_path or Path(current_app.config["MODEL_PATH"])
    model = _model(path)
    card = model.card
    data = card.get("data", {})
    val = card.get("validation", {})
    click.echo(f"model {path}")
    click.echo(f"  version      {model.version}   created {card.get('created_at')}")
    click.echo("  libraries    " + ", ".join(f"{k} {v}" for k, v in card["versions"].items()))
    click.echo(f"  data         {data.get('n')} comments {data.get('by_label')}")
    for src, info in (data.get("sources") or {}).items():
        click.echo(
            f"    {src:28} spam {info['spam']:>6}  ham {info['ham']:>6}  "
            f"sha256 {info['sha256'][:12]}"
        )
    click.echo(f"  seed         {card.get('seed')}   params {json.dumps(card.get('params'))}")
    click.echo(f"  budgets      {card.get('budgets')}")
    click.echo(f"  thresholds   low {model.low_threshold:.4f}, high {model.high_threshold:.4f}")
    metrics = val.get("metrics", {})
    click.echo(
        f"  validation   {val.get('scheme')}: "
        + ", ".join(
            f"{k} {_fmt(metrics.get(k))}"
            for k in ("n", "roc_auc", "pr_auc", "ham_to_spam", "spam_approved", "review_share")
        )
    )
