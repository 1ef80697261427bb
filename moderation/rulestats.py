"""Per-rule statistics: how many comments each rule touched and how moderators decided them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from .models import ActorType, Comment, CommentStatus, RuleHit, Site, StatusChange
from .policy import Effect

DECIDED = (CommentStatus.APPROVED, CommentStatus.SPAM, CommentStatus.REJECTED)
# A moderator agrees with a rule when they decide the way the rule pushed.
_AGREES = {
    Effect.BLOCK: {CommentStatus.SPAM, CommentStatus.REJECTED},
    Effect.HOLD: {CommentStatus.SPAM, CommentStatus.REJECTED},
    Effect.APPROVE: {CommentStatus.APPROVED},
    Effect.ALLOW: {CommentStatus.APPROVED},
}


@dataclass
class RuleStats:
    """One rule code in one mode (applied or shadow) on one site."""

    code: str
    shadow: bool
    effect: str
    touched: int = 0
    status: dict[str, int] = field(default_factory=dict)  # current status of touched comments
    moderator: dict[str, int] = field(default_factory=dict)  # last human decision
    agreed: int = 0

    @property
    def decided(self) -> int:
        return sum(self.moderator.values())

    @property
    def precision(self) -> float | None:
        """Share of the human decisions that went the rule's way; None without any."""
        if self.effect == Effect.NOTE or not self.decided:
            return None
        return self.agreed / self.decided

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"decided": self.decided, "precision": self.precision}


def rule_statistics(session: Session, site: Site) -> list[RuleStats]:
    """Return one RuleStats per rule code and mode, the busiest first."""
    last = (
        select(StatusChange.comment_id, func.max(StatusChange.id).label("last_id"))
        .where(StatusChange.actor_type == ActorType.MODERATOR)
        .group_by(StatusChange.comment_id)
        .subquery()
    )
    decision = aliased(StatusChange)
    rows = session.execute(
        select(
            RuleHit.code,
            RuleHit.shadow,
            RuleHit.effect,
            Comment.status,
            decision.to_status,
            func.count(func.distinct(RuleHit.comment_id)),
        )
        .join(Comment, Comment.id == RuleHit.comment_id)
        .outerjoin(last, last.c.comment_id == Comment.id)
        .outerjoin(decision, decision.id == last.c.last_id)
        .where(RuleHit.site_id == site.id)
        .group_by(RuleHit.code, RuleHit.shadow, RuleHit.effect, Comment.status, decision.to_status)
    ).all()
    stats: dict[tuple[str, bool], RuleStats] = {}
    for code, shadow, effect, status, decided, count in rows:
        entry = stats.setdefault((code, bool(shadow)), RuleStats(code, bool(shadow), effect))
        entry.touched += count
        entry.status[status] = entry.status.get(status, 0) + count
        if decided in DECIDED:
            entry.moderator[decided] = entry.moderator.get(decided, 0) + count
            if decided in _AGREES.get(Effect(effect), set()):
                entry.agreed += count
    return sorted(stats.values(), key=lambda s: (-s.touched, s.code, s.shadow))
