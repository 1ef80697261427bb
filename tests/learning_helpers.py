"""Tiny corpora and feedback seeding for the learning tests (models train in well under 1 s)."""

from __future__ import annotations

import csv
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from classifier.records import CommentInput, Example
from moderation import db
from moderation.feedback import record_feedback
from moderation.models import Site
from moderation.sites import create_site
from moderation.webhook_models import Label

TOPICS = ["jardin", "recette", "voyage", "musique", "histoire", "cuisine", "peinture", "velo"]
BOOT_SPAM = [f"casino bonus {t} gagnez argent facile http://casino-{i}.example" for i, t in
             enumerate(TOPICS * 3)]  # fmt: skip
BOOT_HAM = [f"merci pour cet article sur le {t}, tres utile numero {i}" for i, t in
            enumerate(TOPICS * 3)]  # fmt: skip
# A new site's own spam and ham: words the bootstrap corpus never saw.
SITE_SPAM = [f"check out my channel {i} and subscribe please, free followers" for i in range(30)]
SITE_HAM = [f"this song takes me back to summer {i}, the chorus is wonderful" for i in range(30)]
PROBE = "check out my channel now and subscribe please, free followers"


def bootstrap_examples() -> list[Example]:
    """Return the tiny shared corpus as examples."""
    return [Example(CommentInput(t), 1, source="boot-spam") for t in BOOT_SPAM] + [
        Example(CommentInput(t), 0, source="boot-ham") for t in BOOT_HAM
    ]


def site_examples(n: int = 30) -> list[Example]:
    """Return a site's own labels, spam and ham interleaved (oldest first)."""
    out = []
    for spam, ham in zip(SITE_SPAM[:n], SITE_HAM[:n], strict=True):
        out += [Example(CommentInput(spam), 1), Example(CommentInput(ham), 0)]
    return out


def write_bootstrap(folder: Path) -> Path:
    """Write the tiny corpus as text,label CSVs, one per class like data/bootstrap."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, texts, label in (("spam", BOOT_SPAM, "spam"), ("ham", BOOT_HAM, "ham")):
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["text", "label"])
            writer.writerows((t, label) for t in texts)
    return folder


def configure(app: Flask, tmp_path: Path, **overrides: object) -> None:
    """Point the app at the tiny corpus, reload models at once, small thresholds."""
    settings: dict[str, object] = {
        "BOOTSTRAP_DATA": str(write_bootstrap(tmp_path / "boot")),
        "MODEL_PATH": str(tmp_path / "model" / "model.skops"),
        "TRAINING_MIN_LABELS": 10,
        "AUTOTRAIN_EVERY": 50,
    }
    app.config.update({**settings, **overrides})
    scorer = app.extensions["palabre.scorer"]
    scorer.path = app.config["MODEL_PATH"]
    scorer.reload_seconds = 0
    scorer.sites.model_path = app.config["MODEL_PATH"]
    scorer.sites.reload_seconds = 0


def site(app: Flask, name: str) -> int:
    """Return the id of the site named ``name``, creating it."""
    with app.app_context(), db.transaction() as s:
        found = s.scalar(select(Site).where(Site.name == name))
        if found is None:
            found, _key = create_site(s, name, f"https://{name}.example")
        return found.id


def seed_labels(
    app: Flask,
    site_id: int,
    examples: list[Example],
    *,
    source: str = "akismet",
    actor: str = "site:a",
    is_test: bool = False,
) -> None:
    """Store examples as feedback rows of a site."""
    with app.app_context(), db.transaction() as s:
        row_site = s.get(Site, site_id)
        assert row_site is not None
        for ex in examples:
            label = Label.SPAM if ex.label else Label.HAM
            payload = {"content": ex.comment.content, "author_name": "x"}
            record_feedback(
                s, row_site, label, payload, source=source, actor=actor, is_test=is_test
            )


def retrained_site(app: Flask, runner: FlaskCliRunner, name: str = "a") -> tuple[int, str]:
    """Give a new site 15 labels, retrain it; return its id and the model version it uses."""
    site_id = site(app, name)
    seed_labels(app, site_id, site_examples(15))
    runner.invoke(args=["classifier", "retrain", "--site", name])
    with app.app_context():
        return site_id, app.extensions["palabre.scorer"].version_for(site_id)
