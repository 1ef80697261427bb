"""Near-duplicate clusters (campaigns) as the queue shows them: size, authors, members."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import Comment, CommentStatus


@dataclass(frozen=True)
class CampaignSummary:
    """How big a campaign is on the sites a moderator may see."""

    campaign_id: int
    comments: int
    authors: int
    counts: dict[str, int]


def summary(session: Session, campaign_id: int, site_ids: list[int]) -> CampaignSummary | None:
    """Count the campaign's comments, distinct author emails and statuses; None if unseen."""
    where = (Comment.campaign_id == campaign_id, Comment.site_id.in_(site_ids))
    rows = session.execute(
        select(Comment.status, func.count()).where(*where).group_by(Comment.status)
    ).all()
    if not rows:
        return None
    authors = session.scalar(
        select(func.count(func.distinct(func.lower(Comment.author_email)))).where(*where)
    )
    counts = {str(s): 0 for s in CommentStatus} | {str(s): n for s, n in rows}
    return CampaignSummary(campaign_id, sum(counts.values()), authors or 0, counts)


def member_ids(
    session: Session, campaign_id: int, site_ids: list[int], status: CommentStatus
) -> list[int]:
    """Return the ids of the campaign's comments in ``status`` on visible sites, oldest first."""
    return list(
        session.scalars(
            select(Comment.id)
            .where(
                Comment.campaign_id == campaign_id,
                Comment.site_id.in_(site_ids),
                Comment.status == status,
            )
            .order_by(Comment.created_at, Comment.id)
        )
    )
