"""Read-only questions over a Session: the filtered queue, counts, author history, audit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from .models import Comment, CommentStatus, Site, StatusChange

# Distance from 0.5: the smaller, the less sure the model. Unscored comments come first.
UNCERTAINTY = func.coalesce(func.abs(Comment.score - 0.5), -1.0)
ORDERS = ("uncertain", "oldest", "newest")
PER_PAGE = 25
MAX_TEXT = 200


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows: one status, optional site, score range, text and dates."""

    status: CommentStatus = CommentStatus.PENDING
    site_id: int | None = None
    min_score: float | None = None
    max_score: float | None = None
    text: str = ""
    date_from: date | None = None
    date_to: date | None = None
    order: str = "uncertain"
    page: int = 1
    per_page: int = PER_PAGE
    campaign_id: int | None = None  # a near-duplicate cluster (Comment.campaign_id)

    def args(self, **changes: Any) -> dict[str, str]:
        """Return the filter as query arguments (non-default values only)."""
        f = replace(self, **changes)
        out = {
            "status": str(f.status),
            "site": "" if f.site_id is None else str(f.site_id),
            "min_score": "" if f.min_score is None else f"{f.min_score:g}",
            "max_score": "" if f.max_score is None else f"{f.max_score:g}",
            "q": f.text,
            "from": f.date_from.isoformat() if f.date_from else "",
            "to": f.date_to.isoformat() if f.date_to else "",
            "order": "" if f.order == "uncertain" else f.order,
            "page": "" if f.page == 1 else str(f.page),
            "campaign": "" if f.campaign_id is None else str(f.campaign_id),
        }
        return {k: v for k, v in out.items() if v}


def _float(raw: str | None) -> float | None:
    try:
        value = float(raw) if raw not in (None, "") else None
    except ValueError:
        return None
    return value if value is not None and 0.0 <= value <= 1.0 else None


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _int(raw: str | None, default: int | None) -> int | None:
    try:
        return int(raw) if raw else default
    except ValueError:
        return default


def row_id(raw: str | None) -> int | None:
    """Return a row id from a query or form value, or None for anything else."""
    value = _int(raw, None)
    return value if value is not None and 0 < value < 2**31 else None  # fits an INTEGER column


def page_number(raw: str | None) -> int:
    """Return a page number from a query value: 1 for anything that is not a positive number."""
    value = _int(raw, 1) or 1
    return min(max(value, 1), 10**6)


def parse_filter(args: Mapping[str, str]) -> QueueFilter:
    """Build a filter from query arguments; values that do not parse are ignored."""
    status_raw = args.get("status", "pending")
    status = CommentStatus(status_raw) if status_raw in set(CommentStatus) else None
    order = args.get("order") or "uncertain"
    per_page = min(max(_int(args.get("per_page"), PER_PAGE) or PER_PAGE, 1), 100)
    return QueueFilter(
        status=status or CommentStatus.PENDING,
        site_id=_int(args.get("site"), None),
        min_score=_float(args.get("min_score")),
        max_score=_float(args.get("max_score")),
        # No NUL: SQLite's LIKE stops at it (every comment matched) and PostgreSQL refuses it.
        text=(args.get("q") or "").replace("\x00", "").strip()[:MAX_TEXT],
        date_from=_date(args.get("from")),
        date_to=_date(args.get("to")),
        order=order if order in ORDERS else "uncertain",
        page=page_number(args.get("page")),
        per_page=per_page,
        campaign_id=row_id(args.get("campaign")),
    )


def _where(stmt: Select[Any], site_ids: list[int], f: QueueFilter) -> Select[Any]:
    """Apply every filter except the status."""
    ids = [i for i in site_ids if f.site_id is None or i == f.site_id]
    stmt = stmt.where(Comment.site_id.in_(ids))
    if f.campaign_id is not None:
        stmt = stmt.where(Comment.campaign_id == f.campaign_id)
    if f.min_score is not None:
        stmt = stmt.where(Comment.score >= f.min_score)
    if f.max_score is not None:
        stmt = stmt.where(Comment.score <= f.max_score)
    if f.text:
        stmt = stmt.where(
            or_(
                Comment.content.icontains(f.text, autoescape=True),
                Comment.author_name.icontains(f.text, autoescape=True),
                Comment.author_email.icontains(f.text, autoescape=True),
            )
        )
    if f.date_from:
        stmt = stmt.where(Comment.created_at >= datetime.combine(f.date_from, time(), UTC))
    if f.date_to and f.date_to < date.max:  # up to 9999-12-31 is no bound at all
        end = datetime.combine(f.date_to + timedelta(days=1), time(), UTC)
        stmt = stmt.where(Comment.created_at < end)
    return stmt


# Counts stop here: a status with more comments shows "1000+" and pages stop at its 1,000th
# comment, so a listing reads at most this many index entries per status instead of the
# sites' whole history. On PostgreSQL each entry may cost a heap visit (until VACUUM has marked the
# pages all-visible): the four counts took 8.2 ms exact, 2.5 ms capped, at 11,400 comments.
COUNT_CAP = 1_000


@dataclass
class Page:
    """One page of the queue and the numbers around it."""

    items: list[Comment]
    total: int
    page: int
    pages: int
    counts: dict[str, int] = field(default_factory=dict)
    capped: frozenset[str] = frozenset()  # statuses with more than COUNT_CAP comments


def list_queue(session: Session, site_ids: list[int], f: QueueFilter) -> Page:
    """Return one page of comments matching ``f`` and the counts per status."""
    counts, capped = status_counts(session, site_ids, f)
    total = counts[str(f.status)]
    base = _where(select(Comment), site_ids, f).where(Comment.status == f.status)
    if f.order == "oldest":
        order = [Comment.created_at, Comment.id]
    elif f.order == "newest":
        order = [Comment.created_at.desc(), Comment.id.desc()]
    else:
        order = [UNCERTAINTY, Comment.created_at, Comment.id]
    pages = max(1, -(-total // f.per_page))
    page = min(f.page, pages)
    items = list(
        session.scalars(base.order_by(*order).offset((page - 1) * f.per_page).limit(f.per_page))
    )
    return Page(items, total, page, pages, counts, capped)


def status_counts(
    session: Session, site_ids: list[int], f: QueueFilter
) -> tuple[dict[str, int], frozenset[str]]:
    """Count comments per status under the filter's other criteria, up to ``COUNT_CAP`` each.

    Returns the counts and the statuses that have more. One statement, one count per status,
    each reading at most COUNT_CAP + 1 entries of ix_comments_site_status_created.
    """
    statuses = [str(s) for s in CommentStatus]
    per_status = [
        select(func.count())
        .select_from(
            _where(select(Comment.id), site_ids, f)
            .where(Comment.status == status)
            .limit(COUNT_CAP + 1)
            .subquery()
        )
        .scalar_subquery()
        .label(status)
        for status in statuses
    ]
    found = dict(zip(statuses, session.execute(select(*per_status)).one(), strict=True))
    capped = frozenset(s for s, n in found.items() if n > COUNT_CAP)
    return {s: min(n, COUNT_CAP) for s, n in found.items()}, capped


@dataclass
class AuthorHistory:
    """Earlier comments by the same email or IP, and how they ended."""

    counts: dict[str, int]
    recent: list[Comment]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def author_history(
    session: Session, comment: Comment, site_ids: list[int], limit: int = 5
) -> AuthorHistory:
    """Return the other comments with the same email or IP on visible sites."""
    same = [Comment.author_email == comment.author_email]
    if comment.author_ip:
        same.append(Comment.author_ip == comment.author_ip)
    where = [Comment.id != comment.id, Comment.site_id.in_(site_ids), or_(*same)]
    rows = session.execute(
        select(Comment.status, func.count()).where(*where).group_by(Comment.status)
    )
    counts = {str(s): n for s, n in rows}
    recent = session.scalars(
        select(Comment).where(*where).order_by(Comment.created_at.desc()).limit(limit)
    )
    return AuthorHistory({str(s): counts.get(str(s), 0) for s in CommentStatus}, list(recent))


def audit_page(
    session: Session, site_ids: list[int], page: int = 1, per_page: int = 50, actor: str = ""
) -> tuple[list[tuple[StatusChange, Comment, Site]], int]:
    """Return one page of audit entries on visible sites, newest first, and the page count."""
    stmt = (
        select(StatusChange, Comment, Site)
        .join(Comment, StatusChange.comment_id == Comment.id)
        .join(Site, Comment.site_id == Site.id)
        .where(Comment.site_id.in_(site_ids))
    )
    if actor:
        stmt = stmt.where(StatusChange.actor_label.icontains(actor[:MAX_TEXT], autoescape=True))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = session.execute(
        stmt.order_by(StatusChange.id.desc()).offset((page - 1) * per_page).limit(per_page)
    )
    return [(c, m, s) for c, m, s in rows], pages
