"""What the rules need from the database, and what they leave in it.

``gather_context`` runs the few queries the pure rules in moderation.rules need;
``record`` stores a comment's fingerprint, its campaign and one RuleHit per signal.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Select, bindparam, func, insert, select, union, update
from sqlalchemy.orm import Session

from . import language
from .db import utcnow
from .fingerprint import Fingerprint, hamming
from .intake import CommentIn
from .models import Comment, CommentStatus, RuleHit, Site
from .policy import Signal
from .rules import NearDuplicates, RuleContext
from .settings import Mode, SiteSettings

# Bound on the rows a near-duplicate lookup reads; the band index keeps candidates few, this
# only caps a pathological flood of identical texts (the newest are kept).
MAX_CANDIDATES = 1000
_INSERT_HIT = insert(RuleHit.__table__)


class StoredComment(Protocol):
    """What ``record`` reads of a comment just stored (services.Stored, or a Comment)."""

    @property
    def id(self) -> int: ...
    @property
    def site_id(self) -> int: ...
    @property
    def campaign_id(self) -> int | None: ...


# The intake's lookups are built once with bound parameters, over the table's columns (plain
# Core), and run on the session's connection: SQLAlchemy then reuses their compiled form and
# skips the ORM's per-statement work, which cost more than these indexed SELECTs themselves.
_c = Comment.__table__.c
_APPROVED_BEFORE = select(func.count(_c.id)).where(
    _c.site_id == bindparam("site_id"),
    _c.author_email == bindparam("email"),
    _c.author_name == bindparam("name"),
    _c.status == str(CommentStatus.APPROVED),
)


def approved_before(session: Session, site: Site, comment: CommentIn) -> int:
    """Count the site's approved comments by the same name and email (WordPress's rule)."""
    params = {"site_id": site.id, "email": comment.author_email, "name": comment.author_name}
    return session.connection().execute(_APPROVED_BEFORE, params).scalar() or 0


def _near_duplicates_query() -> Select[Any]:
    bands = (_c.simhash_b0, _c.simhash_b1, _c.simhash_b2, _c.simhash_b3)
    fields = (_c.id, _c.simhash, _c.author_email, _c.campaign_id)
    # One SELECT per band, each answered by its (site_id, band, created_at) index; an OR of
    # the four bands would be planned as a scan of the site's whole window.
    per_band = [
        select(*fields).where(
            _c.site_id == bindparam("site_id"),
            column == bindparam(f"b{i}"),
            _c.created_at >= bindparam("since"),
        )
        for i, column in enumerate(bands)
    ]
    found = union(*per_band).subquery()
    return select(found).order_by(found.c.id.desc()).limit(MAX_CANDIDATES)


_NEAR_DUPLICATES = _near_duplicates_query()


def near_duplicates(
    session: Session, site: Site, fp: Fingerprint, settings: SiteSettings, now: datetime
) -> list[tuple[int, str, int | None]]:
    """Return (id, author email, campaign id) of recent comments within the distance."""
    if fp.bands is None or fp.simhash is None:
        return []
    conf = settings.campaign
    params = {"site_id": site.id, "since": now - timedelta(hours=conf.window_hours)}
    params.update({f"b{i}": band for i, band in enumerate(fp.bands)})
    rows = session.connection().execute(_NEAR_DUPLICATES, params).all()
    return [
        (cid, email.lower(), campaign)
        for cid, value, email, campaign in rows
        if value is not None and hamming(value, fp.simhash) <= conf.max_distance
    ]


def gather_context(
    session: Session,
    site: Site,
    comment: CommentIn,
    payload: Mapping[str, Any],
    settings: SiteSettings,
    fp: Fingerprint,
    now: datetime,
) -> tuple[RuleContext, list[tuple[int, str, int | None]]]:
    """Return the rules' context and the near-duplicates found (for ``record``)."""
    trusted = 0
    if settings.trusted_authors.mode != Mode.OFF:
        trusted = approved_before(session, site, comment)
    near: list[tuple[int, str, int | None]] = []
    if settings.campaign.mode != Mode.OFF:
        near = near_duplicates(session, site, fp, settings, now)
    authors = {email for _id, email, _c in near} | {comment.author_email.lower()}
    detected = None
    if settings.languages and settings.language.mode != Mode.OFF:
        detected = language.detect(comment.content)
    ctx = RuleContext(
        now=now,
        approved_before=trusted,
        near=NearDuplicates(len(near), len(authors), settings.campaign.window_hours),
        language=detected,
        form=payload,
    )
    return ctx, near


_DUPLICATE = (
    select(_c.id)
    .where(
        _c.site_id == bindparam("site_id"),
        _c.content_hash == bindparam("content_hash"),
        _c.post_id == bindparam("post_id"),
        func.lower(_c.author_email) == bindparam("email"),
        _c.created_at >= bindparam("since"),
    )
    .limit(1)
)


def find_duplicate(
    session: Session,
    site: Site,
    comment: CommentIn,
    fp: Fingerprint,
    settings: SiteSettings,
    now: datetime,
) -> int | None:
    """Return the id of an earlier comment with the same content, author and post."""
    params = {
        "site_id": site.id,
        "content_hash": fp.content_hash,
        "post_id": comment.post_id,
        "email": comment.author_email.lower(),
        "since": now - timedelta(hours=settings.duplicate.window_hours),
    }
    return session.connection().execute(_DUPLICATE, params).scalar()


def stored_columns(fp: Fingerprint, near: list[tuple[int, str, int | None]]) -> dict[str, Any]:
    """Return the comment's fingerprint and campaign columns, set in its INSERT."""
    columns: dict[str, Any] = {"content_hash": fp.content_hash, "simhash": fp.signed}
    if fp.bands is not None:
        for i, band in enumerate(fp.bands):
            columns[f"simhash_b{i}"] = band
    if near:
        known = [campaign for _id, _email, campaign in near if campaign is not None]
        columns["campaign_id"] = min(known) if known else min(cid for cid, _e, _c in near)
    return columns


def record(
    session: Session,
    row: StoredComment,
    signals: list[Signal],
    near: list[tuple[int, str, int | None]],
) -> None:
    """Join the near-duplicates to the comment's campaign, log one RuleHit per signal."""
    ids = [cid for cid, _e, campaign in near if campaign is None]
    if ids and row.campaign_id is not None:
        session.execute(
            update(Comment)
            .where(Comment.id.in_(ids), Comment.campaign_id.is_(None))
            .values(campaign_id=row.campaign_id)
            .execution_options(synchronize_session=False)
        )
    if signals:
        now = utcnow()
        session.connection().execute(
            _INSERT_HIT,
            [
                {
                    "comment_id": row.id,
                    "site_id": row.site_id,
                    "code": signal.code,
                    "effect": str(signal.effect),
                    "shadow": signal.shadow,
                    "created_at": now,
                }
                for signal in signals
            ],
        )


def campaign_members(session: Session, comment: Comment) -> list[Comment]:
    """Return the comments of ``comment``'s near-duplicate cluster, oldest first.

    A comment outside any cluster is alone in its own. The queue can show the cluster and
    act on every member at once.
    """
    if comment.campaign_id is None:
        return [comment]
    return list(
        session.scalars(
            select(Comment)
            .where(Comment.site_id == comment.site_id, Comment.campaign_id == comment.campaign_id)
            .order_by(Comment.created_at, Comment.id)
        )
    )
