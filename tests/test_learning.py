"""Learning from decisions: per-site models, gate, promotion, rollback, hot reload, autotrain."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from classifier.adapt import train_site_model
from classifier.records import Example
from moderation import db, learning, training
from moderation.db import utcnow
from moderation.intake import CommentIn
from moderation.learning_models import TrainingRun
from moderation.models import Moderator, Role, Site
from moderation.webhook_models import Feedback
from tests import mods
from tests.learning_helpers import (
    PROBE,
    configure,
    retrained_site,
    seed_labels,
    site,
    site_examples,
)

FIXTURES = Path(__file__).parent / "classifier" / "fixtures"


def probe() -> CommentIn:
    return CommentIn(content=PROBE, author_name="x", author_email="x@example.com")


@pytest.fixture
def learner(app: Flask, tmp_path: Path, runner: FlaskCliRunner) -> Flask:
    """An app on the tiny corpus with a shared model promoted by `classifier retrain`."""
    configure(app, tmp_path)
    result = runner.invoke(args=["classifier", "retrain"])
    assert result.exit_code == 0, result.output
    assert "PROMOTED" in result.output
    return app


def test_site_labels_train_that_site_only(learner: Flask, runner: FlaskCliRunner) -> None:
    a, b = site(learner, "a"), site(learner, "b")
    scorer = learner.extensions["palabre.scorer"]
    with learner.app_context():
        before_a = scorer.score(probe(), a).probability
        shared_version = scorer.version_for(b)
    seed_labels(learner, a, site_examples(15))
    result = runner.invoke(args=["classifier", "retrain", "--site", "a"])
    assert "a: PROMOTED" in result.output, result.output
    assert "report:" in result.output
    with learner.app_context():
        after_a = scorer.score(probe(), a).probability
        after_b = scorer.score(probe(), b).probability
        assert scorer.version_for(a) != shared_version  # hot reload, no restart
        assert scorer.version_for(b) == shared_version
    assert after_a > before_a + 0.3
    assert after_b == pytest.approx(before_a)
    with learner.app_context():
        run = db.session().scalar(select(TrainingRun).where(TrainingRun.site_id == a))
        assert run is not None and run.promoted and run.metrics["candidate"]["roc_auc"] >= 0.9


def test_shared_labels_reach_other_sites_only_when_shared(
    learner: Flask, runner: FlaskCliRunner
) -> None:
    a, b = site(learner, "a"), site(learner, "b")
    seed_labels(learner, a, site_examples(15))
    with learner.app_context():
        assert learning.shared_examples(db.session(), learner.config, exclude=b) == (
            learning.bootstrap_examples(learner.config)
        )
    assert runner.invoke(args=["sites", "share", "a"]).exit_code == 0
    with learner.app_context():
        shared = learning.shared_examples(db.session(), learner.config, exclude=b)
        assert len(shared) == len(learning.bootstrap_examples(learner.config)) + 30
        own = learning.shared_examples(db.session(), learner.config, exclude=a)
        assert len(own) == len(learning.bootstrap_examples(learner.config))


def test_rollback_restores_the_shared_model_for_a_site(
    learner: Flask, runner: FlaskCliRunner
) -> None:
    a, own = retrained_site(learner, runner)
    scorer = learner.extensions["palabre.scorer"]
    result = runner.invoke(args=["classifier", "rollback", "--site", "a"])
    assert result.exit_code == 0 and "shared model" in result.output
    with learner.app_context():
        assert scorer.version_for(a) == scorer.version != own
    refused = runner.invoke(args=["classifier", "rollback"])
    assert refused.exit_code != 0 and "no earlier version" in refused.output


def test_gate_keeps_the_current_model_when_the_candidate_is_worse(
    learner: Flask, runner: FlaskCliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, promoted = retrained_site(learner, runner)
    scorer = learner.extensions["palabre.scorer"]

    def poisoned(shared: list[Example], site: list[Example], **kw: object) -> object:
        return train_site_model(shared, [Example(e.comment, 1 - e.label) for e in site])

    monkeypatch.setattr(training, "train_site_model", poisoned)
    result = runner.invoke(args=["classifier", "retrain", "--site", "a"])
    assert "kept the current model (ROC-AUC" in result.output, result.output
    with learner.app_context():
        assert scorer.version_for(a) == promoted
        runs = db.session().scalars(select(TrainingRun).where(TrainingRun.site_id == a)).all()
        assert [r.promoted for r in runs] == [True, False]
        assert runs[1].metrics["candidate"]["roc_auc"] < runs[1].metrics["current"]["roc_auc"]


def test_autotrain_runs_once_enough_labels_arrived(learner: Flask, runner: FlaskCliRunner) -> None:
    learner.config["AUTOTRAIN_EVERY"] = 21
    a = site(learner, "a")
    examples = site_examples(15)
    seed_labels(learner, a, examples[:20])
    with learner.app_context():
        s = db.session()
        site_row = s.get(Site, a)
        assert training.backlog(s, learner.config, site_row, utcnow()).waiting_for == 1
        assert training.autotrain_once(s, learner.config) == []
    seed_labels(learner, a, examples[20:])
    result = runner.invoke(args=["classifier", "autotrain", "--once"])
    assert "a: PROMOTED" in result.output, result.output
    with learner.app_context():
        s = db.session()
        run = s.scalar(select(TrainingRun).where(TrainingRun.site_id == a))
        assert run is not None and run.trigger == "count"
        state = training.backlog(s, learner.config, s.get(Site, a), utcnow())
        assert state.new_labels == 0 and state.waiting_for == 21 and not state.due


def test_untrusted_test_and_flooding_labels_do_not_train(app: Flask, tmp_path: Path) -> None:
    configure(app, tmp_path, TRAINING_RATE_PER_HOUR=5)
    a = site(app, "a")
    mods.add_moderator(app, "ok@example.com", Role.MODERATOR, ("a",))
    mods.add_moderator(app, "gone@example.com", Role.MODERATOR, ("a",))
    ex = site_examples(10)
    seed_labels(app, a, ex[:3], source="moderator", actor="ok@example.com")
    seed_labels(app, a, ex[3:6], source="moderator", actor="gone@example.com")
    seed_labels(app, a, ex[6:9], is_test=True)
    seed_labels(app, a, ex[9:20], actor="site:a")  # 11 in one hour from one key
    with app.app_context(), db.transaction() as s:
        gone = s.scalar(select(Moderator).where(Moderator.email == "gone@example.com"))
        assert gone is not None
        gone.is_active = False
    with app.app_context():
        rows = learning.usable_feedback(db.session(), [a], 5)
        assert len(db.session().scalars(select(Feedback)).all()) == 20  # all stored
    assert [r.actor for r in rows] == ["ok@example.com"] * 3 + ["site:a"] * 5


def test_import_wxr_adds_labelled_history(
    app: Flask, tmp_path: Path, runner: FlaskCliRunner
) -> None:
    configure(app, tmp_path)
    a = site(app, "a")
    result = runner.invoke(
        args=["classifier", "import-wxr", str(FIXTURES / "export.wxr"), "--site", "a"]
    )
    assert result.exit_code == 0, result.output
    assert "imported 2 spam and 1 ham" in result.output
    with app.app_context():
        rows = db.session().scalars(select(Feedback).order_by(Feedback.id)).all()
        assert {r.source for r in rows} == {"wxr"} and {r.site_id for r in rows} == {a}
        assert [learning.example_of(r).label for r in rows] == [1, 0, 1]
        assert "replica" in learning.example_of(rows[0]).comment.content
    missing = runner.invoke(args=["classifier", "import-wxr", str(FIXTURES / "export.wxr"),
                                  "--site", "nope"])  # fmt: skip
    assert missing.exit_code != 0 and "no site named" in missing.output


def test_learning_page_shows_quality_review_share_and_backlog(
    app: Flask, tmp_path: Path, client
) -> None:
    configure(app, tmp_path, AUTOTRAIN_EVERY=50)
    mods.add_moderator(app, "admin@example.com", Role.ADMIN)
    a = site(app, "a")
    now = utcnow()
    for i, status in enumerate(["pending", "approved", "pending", "spam"]):
        mods.add_comment(app, f"c{i}", site="a", status=status, created_at=now)
    old = now - timedelta(weeks=2)
    for i in range(4):
        mods.add_comment(app, f"old{i}", site="a", status="pending", created_at=old)
    with app.app_context(), db.transaction() as s:
        for auc, promoted in ((0.81, True), (0.93, True)):
            metrics = {"candidate": {"roc_auc": auc}, "current": {"roc_auc": 0.7}}
            s.add(TrainingRun(site_id=a, metrics=metrics, promoted=promoted, reason="ok",
                              candidate_version=f"v{auc}", last_feedback_id=0))  # fmt: skip
    seed_labels(app, a, site_examples(6))
    mods.login(client, "admin@example.com")
    page = client.get("/dashboard/learning").get_data(as_text=True)
    assert "0.810" in page and "0.930" in page and "<polyline" in page
    assert "50 %" in page and "100 %" in page
    assert "after 38 more decisions" in page


def test_intake_scores_with_the_sites_own_model(learner: Flask, runner: FlaskCliRunner) -> None:
    from tests.conftest import make_site

    key = make_site(learner, "c", "https://c.example")
    c = site(learner, "c")
    seed_labels(learner, c, site_examples(15))
    runner.invoke(args=["classifier", "retrain", "--site", "c"])
    client = learner.test_client()
    body = {"content": PROBE, "author_name": "Bot", "author_email": "bot@example.com"}
    resp = client.post("/api/v1/comments", json=body, headers={"Authorization": f"Bearer {key}"})
    assert resp.status_code == 201, resp.get_json()
    scorer = learner.extensions["palabre.scorer"]
    with learner.app_context():
        assert resp.get_json()["model_version"] == scorer.version_for(c) != scorer.version
    assert resp.get_json()["status"] == "spam"
