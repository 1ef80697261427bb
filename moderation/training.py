"""Retrain, gate, promote, roll back: one site's model (or the shared one) at a time.

Never called from a request: the CLI (`classifier retrain`, `classifier autotrain`) runs it.
The caller owns the transaction; each run is stored as a TrainingRun row.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classifier.adapt import dedupe, gate, holdout_split, train_site_model, with_thresholds
from classifier.artifacts import ArtifactError, load_model
from classifier.model import SpamModel

from . import learning, modelstore
from .db import utcnow
from .learning_models import TrainingRun
from .models import Site
from .webhook_models import Feedback

log = logging.getLogger(__name__)


def _current(config: Mapping[str, Any], site_id: int | None) -> SpamModel | None:
    """Return the model that scores this site today: its own, else the shared one."""
    for path in (modelstore.target_path(config["MODEL_PATH"], site_id), config["MODEL_PATH"]):
        try:
            return load_model(path)
        except ArtifactError:
            continue
    return None


def _labels(session: Session, config: Mapping[str, Any], site: Site | None) -> list[Any]:
    rate = int(config["TRAINING_RATE_PER_HOUR"])
    if site is None:
        return [
            learning.example_of(r)
            for r in learning.usable_feedback(session, learning.sharing_site_ids(session), rate)
        ]
    return learning.site_examples(session, site.id, rate)


def retrain(
    session: Session,
    config: Mapping[str, Any],
    site: Site | None,
    *,
    trigger: str = "manual",
    seed: int = 0,
) -> TrainingRun:
    """Train a candidate, compare it with the current model on held-out feedback, maybe promote.

    The shared model (site None) learns from the bootstrap corpus and the shared sites' labels;
    a site's model from those plus its own labels, weighted (classifier.adapt).
    """
    site_id = site.id if site is not None else None
    scope = [site.id] if site is not None else learning.sharing_site_ids(session)
    run = TrainingRun(
        site_id=site_id,
        trigger=trigger,
        last_feedback_id=learning.newest_feedback_id(session, scope),
        created_at=utcnow(),
    )
    own = dedupe(_labels(session, config, site))
    per_class = min(sum(e.label for e in own), sum(1 - e.label for e in own))
    run.n_examples = len(own)
    current = _current(config, site_id)
    run.current_version = current.version if current is not None else ""
    if site is not None and (len(own) < int(config["TRAINING_MIN_LABELS"]) or per_class < 2):
        run.reason = (
            f"not enough labels ({len(own)}, {per_class} in the smaller class; "
            f"{config['TRAINING_MIN_LABELS']} needed): the site uses the shared model"
        )
        session.add(run)
        session.flush()
        return run
    train, held = holdout_split(own)
    if site is None:
        shared = learning.bootstrap_examples(config)
    else:
        shared = learning.shared_examples(session, config, exclude=site.id)
    candidate = with_thresholds(train_site_model(shared, train, seed=seed), held)
    report = gate(candidate, current, held)
    run.metrics = {
        **report.to_dict(),
        "train": len(train),
        "held_out": len(held),
        "thresholds": candidate.card["thresholds"],
        "site_weight": candidate.card.get("adaptation", {}).get("site_weight"),
    }
    run.reason, run.promoted = report.reason, report.promote
    if report.promote:
        version = modelstore.store(candidate, config["MODEL_PATH"])
        modelstore.install(config["MODEL_PATH"], site_id, version)
        run.candidate_version = version
    else:
        run.candidate_version = candidate.version
    session.add(run)
    session.flush()
    return run


def rollback(config: Mapping[str, Any], site: Site | None) -> str:
    """Restore the previously promoted version; return it ("" = the site uses the shared one)."""
    return modelstore.rollback(config["MODEL_PATH"], site.id if site is not None else None)


def last_run(session: Session, site_id: int) -> TrainingRun | None:
    """Return the site's most recent training run."""
    return session.scalar(
        select(TrainingRun)
        .where(TrainingRun.site_id == site_id)
        .order_by(TrainingRun.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class Backlog:
    """How many labels a site gathered since its last run, and whether it is due."""

    site: Site
    new_labels: int
    waiting_for: int  # more labels before the count triggers a run
    due: str  # "", "count" or "schedule"


def backlog(session: Session, config: Mapping[str, Any], site: Site, now: datetime) -> Backlog:
    """Count the site's new trainable labels since its last run and say if a run is due."""
    last = last_run(session, site.id)
    since = last.last_feedback_id if last is not None else 0
    new = int(
        session.scalar(
            select(func.count())
            .select_from(Feedback)
            .where(
                Feedback.site_id == site.id,
                Feedback.id > since,
                Feedback.trainable.is_(True),
                Feedback.is_test.is_(False),
            )
        )
        or 0
    )
    every = int(config["AUTOTRAIN_EVERY"])
    due = ""
    if new >= every:
        due = "count"
    elif new and last is not None:
        age = now - last.created_at
        if age >= timedelta(hours=float(config["AUTOTRAIN_SCHEDULE_HOURS"])):
            due = "schedule"
    return Backlog(site, new, max(every - new, 0), due)


def autotrain_once(session: Session, config: Mapping[str, Any]) -> list[TrainingRun]:
    """Retrain every site that is due; the caller commits after each run it wants kept."""
    runs = []
    now = utcnow()
    for site in session.scalars(select(Site).order_by(Site.id)).all():
        state = backlog(session, config, site, now)
        if not state.due:
            continue
        try:
            runs.append(retrain(session, config, site, trigger=state.due))
            session.commit()
        except Exception:  # one site's failure must not stop the others, nor the worker
            session.rollback()
            log.exception("retraining site %s failed", site.name)
    return runs
