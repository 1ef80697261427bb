"""What the rules need from the database, and what they leave in it.

``look_up`` runs, in one statement, the queries the pure rules in moderation.rules need;
``record`` stores a comment's fingerprint, its campaign and one RuleHit per signal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    CompoundSelect,
    Integer,
    Select,
    String,
    bindparam,
    cast,
    func,
    insert,
    literal_column,
    null,
    select,
    union,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from . import language
from .db import utcnow
from .fingerprint import Fingerprint, hamming
from .intake import CommentIn
from .models import Comment, CommentStatus, RuleHit, Site
from .outbox import EventSubject
from .policy import Signal
from .rules import NearDuplicates, RuleContext
from .settings import Mode, SiteSettings

# Bound on the rows a near-duplicate lookup reads; the band index keeps candidates few, this
# only caps a pathological flood of identical texts (the newest are kept).
MAX_CANDIDATES = 1000
_INSERT_HIT = insert(RuleHit.__table__)


# The intake's lookups are built once with bound parameters, over the table's columns (plain
# Core), and run as one statement on the session's connection: SQLAlchemy reuses its compiled
# form and skips the ORM's per-statement work, and PostgreSQL answers in one round trip.
_c = Comment.__table__.c
_APPROVED_BEFORE = select(func.count(_c.id).label("n")).where(
    _c.site_id == bindparam("site_id"),
    _c.author_email == bindparam("email"),
    _c.author_name == bindparam("name"),
    _c.status == str(CommentStatus.APPROVED),
)
_DUPLICATE = (
    select(_c.id)
    .where(
        _c.site_id == bindparam("site_id"),
        _c.content_hash == bindparam("content_hash"),
        _c.post_id == bindparam("post_id"),
        func.lower(_c.author_email) == bindparam("dup_email"),
        _c.created_at >= bindparam("dup_since"),
    )
    .limit(1)
)


def _near_duplicates_query() -> Select[Any]:
    bands = (_c.simhash_b0, _c.simhash_b1, _c.simhash_b2, _c.simhash_b3)
    fields = (_c.id, _c.simhash, _c.author_email, _c.campaign_id)
    # One SELECT per band, each answered by its (site_id, band, created_at) index; an OR of
    # the four bands would be planned as a scan of the site's whole window.
    per_band = [
        select(*fields).where(
            _c.site_id == bindparam("site_id"),
            column == bindparam(f"b{i}"),
            _c.created_at >= bindparam("near_since"),
        )
        for i, column in enumerate(bands)
    ]
    found = union(*per_band).subquery()
    return select(found).order_by(found.c.id.desc()).limit(MAX_CANDIDATES)


_NEAR_DUPLICATES = _near_duplicates_query()
_DUPLICATE_ROW, _TRUSTED_ROW, _NEAR_ROW = 0, 1, 2


@lru_cache(maxsize=8)
def _lookups(duplicate: bool, trusted: bool, near: bool) -> Select[Any] | CompoundSelect | None:
    """Return one statement for the lookups asked for: rows of (kind, value, simhash, email,
    campaign), where value is the duplicate's id, the trusted-author count or a candidate's id.
    """
    parts = []
    if duplicate:
        d = _DUPLICATE.subquery()
        parts.append(_row(_DUPLICATE_ROW, d.c.id).select_from(d))
    if trusted:
        t = _APPROVED_BEFORE.subquery()
        parts.append(_row(_TRUSTED_ROW, t.c.n).select_from(t))
    if near:
        n = _NEAR_DUPLICATES.subquery()
        parts.append(
            select(
                literal_column(str(_NEAR_ROW), Integer).label("kind"),
                n.c.id.label("value"),
                n.c.simhash.label("simhash"),
                n.c.author_email.label("email"),
                n.c.campaign_id.label("campaign"),
            )
        )
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else union_all(*parts)


def _row(kind: int, value: Any) -> Select[Any]:
    return select(
        literal_column(str(kind), Integer).label("kind"),
        value.label("value"),
        cast(null(), BigInteger).label("simhash"),
        cast(null(), String).label("email"),
        cast(null(), Integer).label("campaign"),
    )


@dataclass(frozen=True)
class Found:
    """What the database knows about a new comment, read in one statement."""

    duplicate: int | None = None  # id of an earlier identical comment (same author and post)
    approved_before: int = 0  # the author's approved comments on the site (name and email)
    near: list[tuple[int, str, int | None]] = field(default_factory=list)  # (id, email, campaign)


def look_up(
    session: Session,
    site: Site,
    comment: CommentIn,
    fp: Fingerprint,
    settings: SiteSettings,
    now: datetime,
) -> Found:
    """Run the lookups the site's rules need (duplicate, trusted author, near-duplicates)."""
    duplicate = settings.duplicate.mode != Mode.OFF
    trusted = settings.trusted_authors.mode != Mode.OFF
    near = settings.campaign.mode != Mode.OFF and fp.bands is not None and fp.simhash is not None
    statement = _lookups(duplicate, trusted, near)
    if statement is None:
        return Found()
    params: dict[str, Any] = {"site_id": site.id}
    if duplicate:
        params["content_hash"] = fp.content_hash
        params["post_id"] = comment.post_id
        params["dup_email"] = comment.author_email.lower()
        params["dup_since"] = now - timedelta(hours=settings.duplicate.window_hours)
    if trusted:
        params["email"], params["name"] = comment.author_email, comment.author_name
    if near:
        params["near_since"] = now - timedelta(hours=settings.campaign.window_hours)
        params.update({f"b{i}": band for i, band in enumerate(fp.bands or ())})
    found_id, approved, candidates = None, 0, []
    for kind, value, simhash, email, campaign in session.connection().execute(statement, params):
        if kind == _DUPLICATE_ROW:
            found_id = value
        elif kind == _TRUSTED_ROW:
            approved = value or 0
        elif (
            simhash is not None
            and fp.simhash is not None
            and hamming(simhash, fp.simhash) <= settings.campaign.max_distance
        ):
            candidates.append((value, email.lower(), campaign))
    return Found(found_id, approved, candidates)


def rule_context(
    comment: CommentIn,
    payload: Mapping[str, Any],
    settings: SiteSettings,
    found: Found,
    now: datetime,
) -> RuleContext:
    """Return the context the pure rules read, from what ``look_up`` found."""
    authors = {email for _id, email, _c in found.near} | {comment.author_email.lower()}
    detected = None
    if settings.languages and settings.language.mode != Mode.OFF:
        detected = language.detect(comment.content)
    return RuleContext(
        now=now,
        approved_before=found.approved_before,
        near=NearDuplicates(len(found.near), len(authors), settings.campaign.window_hours),
        language=detected,
        form=payload,
    )


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


def records_nothing(signals: list[Signal], near: list[tuple[int, str, int | None]]) -> bool:
    """True when ``record`` writes nothing: no signal to log, no near-duplicate to join."""
    return not signals and not near


def record(
    session: Session,
    row: EventSubject,
    signals: list[Signal],
    near: list[tuple[int, str, int | None]],
) -> None:
    """Join the near-duplicates to the comment's campaign, log one RuleHit per signal."""
    if records_nothing(signals, near):
        return
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
