"""Dashboard figures per site: outcomes per day, queue, automatic vs human, overturns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Date, case, cast, func, select
from sqlalchemy.orm import Session, aliased

from .db import utcnow
from .models import ActorType, Comment, CommentStatus, Site, StatusChange


@dataclass
class SiteFigures:
    """One site's dashboard numbers over the period."""

    site: Site
    pending: int = 0
    oldest_pending: datetime | None = None
    automatic: int = 0
    human: int = 0
    classifier_final: int = 0  # automatic approve/spam verdicts
    overturned: int = 0  # of which a moderator changed the verdict

    @property
    def overturn_rate(self) -> float | None:
        return self.overturned / self.classifier_final if self.classifier_final else None


def _day(session: Session, column: object) -> object:
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)  # SQLite stores UTC text


def per_day(
    session: Session, site_ids: list[int], days: int = 14, today: date | None = None
) -> list[tuple[date, dict[str, int]]]:
    """Count comments received per day by current status, oldest day first."""
    today = today or utcnow().date()
    start = today - timedelta(days=days - 1)
    day = _day(session, Comment.created_at)
    rows = session.execute(
        select(day, Comment.status, func.count())
        .where(
            Comment.site_id.in_(site_ids),
            Comment.created_at >= datetime.combine(start, time(), UTC),
        )
        .group_by(day, Comment.status)
    )
    table: dict[date, dict[str, int]] = {
        start + timedelta(days=i): {str(s): 0 for s in CommentStatus} for i in range(days)
    }
    for d, status, n in rows:
        key = d if isinstance(d, date) else date.fromisoformat(str(d))
        if key in table:
            table[key][str(status)] = n
    return sorted(table.items())


def site_figures(session: Session, site_ids: list[int], days: int = 30) -> list[SiteFigures]:
    """Return each visible site's figures over the last ``days`` days."""
    since = utcnow() - timedelta(days=days)
    sites = session.scalars(select(Site).where(Site.id.in_(site_ids)).order_by(Site.name))
    figures = {s.id: SiteFigures(s) for s in sites}
    for site_id, n, oldest in session.execute(
        select(Comment.site_id, func.count(), func.min(Comment.created_at))
        .where(Comment.site_id.in_(site_ids), Comment.status == CommentStatus.PENDING)
        .group_by(Comment.site_id)
    ):
        figures[site_id].pending = n
        figures[site_id].oldest_pending = _aware(oldest)
    undone = aliased(StatusChange)
    recent = (
        select(Comment.site_id, StatusChange.actor_type, func.count())
        .select_from(StatusChange)
        .join(Comment, StatusChange.comment_id == Comment.id)
        .where(
            Comment.site_id.in_(site_ids),
            StatusChange.created_at >= since,
            StatusChange.to_status != CommentStatus.PENDING,
            StatusChange.undoes_id.is_(None),
            ~select(undone.id).where(undone.undoes_id == StatusChange.id).exists(),
        )
        .group_by(Comment.site_id, StatusChange.actor_type)
    )
    for site_id, actor, n in session.execute(recent):
        if actor == ActorType.SYSTEM:
            figures[site_id].automatic = n
        elif actor == ActorType.MODERATOR:
            figures[site_id].human = n
    for site_id, finals, overturned in _overturns(session, site_ids, since):
        figures[site_id].classifier_final, figures[site_id].overturned = finals, overturned
    return list(figures.values())


def _overturns(
    session: Session, site_ids: list[int], since: datetime
) -> list[tuple[int, int, int]]:
    """Per site: automatic approve/spam verdicts, and how many a moderator then changed."""
    human, undone = aliased(StatusChange), aliased(StatusChange)
    changed = (
        select(human.id)
        .where(
            human.comment_id == StatusChange.comment_id,
            human.actor_type == ActorType.MODERATOR,
            human.undoes_id.is_(None),
            human.from_status == StatusChange.to_status,
            ~select(undone.id).where(undone.undoes_id == human.id).exists(),
        )
        .exists()
    )
    stmt = (
        select(Comment.site_id, func.count(), func.sum(case((changed, 1), else_=0)))
        .select_from(StatusChange)
        .join(Comment, StatusChange.comment_id == Comment.id)
        .where(
            Comment.site_id.in_(site_ids),
            StatusChange.actor_type == ActorType.SYSTEM,
            StatusChange.from_status.is_(None),
            StatusChange.to_status.in_([CommentStatus.APPROVED, CommentStatus.SPAM]),
            StatusChange.created_at >= since,
        )
        .group_by(Comment.site_id)
    )
    return [(s, n, int(o or 0)) for s, n, o in session.execute(stmt)]


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
