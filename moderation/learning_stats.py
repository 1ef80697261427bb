"""Learning figures per site: quality over time, review share per week, retraining backlog."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .db import utcnow
from .learning_models import TrainingRun
from .models import ActorType, Comment, CommentStatus, Site, StatusChange
from .training import Backlog, backlog

WEEKS = 12


@dataclass
class QualityPoint:
    """One training run's held-out ROC-AUC."""

    at: datetime
    roc_auc: float | None
    promoted: bool
    version: str
    reason: str


@dataclass
class SiteLearning:
    """One site's learning figures."""

    site: Site
    quality: list[QualityPoint] = field(default_factory=list)
    weeks: list[tuple[date, int, float | None]] = field(default_factory=list)  # start, n, share
    backlog: Backlog | None = None
    polyline: str = ""


def quality_history(session: Session, site_id: int) -> list[QualityPoint]:
    """Return the site's training runs, oldest first, with the model's held-out ROC-AUC.

    The quality is the promoted model's (the candidate's when promoted, else the current's):
    the model that scored the site's comments after that run.
    """
    out = []
    runs = session.scalars(
        select(TrainingRun).where(TrainingRun.site_id == site_id).order_by(TrainingRun.id)
    )
    for run in runs:
        m: Mapping[str, Any] = run.metrics or {}
        chosen = m.get("candidate" if run.promoted else "current") or {}
        auc = chosen.get("roc_auc")
        version = run.candidate_version if run.promoted else run.current_version
        out.append(QualityPoint(run.created_at, auc, run.promoted, version, run.reason))
    return out


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def review_share_by_week(
    session: Session, site_id: int, weeks: int = WEEKS, today: date | None = None
) -> list[tuple[date, int, float | None]]:
    """Return (week start, comments, share sent to review) from each comment's first status."""
    start = _monday(today or utcnow().date()) - timedelta(weeks=weeks - 1)
    rows = session.execute(
        select(StatusChange.created_at, StatusChange.to_status)
        .join(Comment, Comment.id == StatusChange.comment_id)
        .where(
            Comment.site_id == site_id,
            StatusChange.from_status.is_(None),
            StatusChange.actor_type == ActorType.SYSTEM,
            StatusChange.created_at >= datetime.combine(start, time(), tzinfo=utcnow().tzinfo),
        )
    )
    counts: dict[date, list[int]] = {start + timedelta(weeks=i): [0, 0] for i in range(weeks)}
    for created, status in rows:
        week = _monday(created.date())
        if week in counts:
            counts[week][0] += 1
            counts[week][1] += CommentStatus(status) == CommentStatus.PENDING
    return [(w, n, (r / n if n else None)) for w, (n, r) in sorted(counts.items())]


def polyline(points: list[float | None], width: int = 320, height: int = 80) -> str:
    """Return SVG polyline coordinates for values in [0.5, 1] (ROC-AUC), None skipped."""
    values = [(i, v) for i, v in enumerate(points) if v is not None]
    if not values:
        return ""
    step = width / max(len(points) - 1, 1)
    coords = []
    for i, v in values:
        y = height - (min(max(v, 0.5), 1.0) - 0.5) / 0.5 * height
        coords.append(f"{i * step:.1f},{y:.1f}")
    return " ".join(coords)


def site_learning(
    session: Session, config: Mapping[str, Any], site_ids: list[int]
) -> list[SiteLearning]:
    """Return the learning figures of the given sites, by name."""
    now = utcnow()
    out = []
    for site in session.scalars(select(Site).where(Site.id.in_(site_ids)).order_by(Site.name)):
        quality = quality_history(session, site.id)
        out.append(
            SiteLearning(
                site=site,
                quality=quality,
                weeks=review_share_by_week(session, site.id, today=now.date()),
                backlog=backlog(session, config, site, now),
                polyline=polyline([q.roc_auc for q in quality]),
            )
        )
    return out
