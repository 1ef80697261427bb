"""Typed SQLAlchemy 2.0 models."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import Base, UTCDateTime, utcnow


class CommentStatus(StrEnum):
    """Where a comment stands."""

    PENDING = "pending"
    APPROVED = "approved"
    SPAM = "spam"
    REJECTED = "rejected"


class ActorType(StrEnum):
    """Who changed a comment's status."""

    SYSTEM = "system"
    MODERATOR = "moderator"
    SITE = "site"


class Role(StrEnum):
    """What a moderator account may do."""

    ADMIN = "admin"
    MODERATOR = "moderator"


class Site(Base):
    """A website that sends its comments to Palabre."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    url: Mapped[str] = mapped_column(String(2000))
    api_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    api_key_prefix: Mapped[str] = mapped_column(String(16))
    low_threshold: Mapped[float | None] = mapped_column(Float)
    high_threshold: Mapped[float | None] = mapped_column(Float)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Webhooks (see moderation/signing.py, outbox.py): the secret is sealed, never in clear.
    webhook_secret_sealed: Mapped[str | None] = mapped_column(String(255))
    require_signature: Mapped[bool] = mapped_column(default=False)
    callback_url: Mapped[str | None] = mapped_column(String(2000))
    callback_disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Per-site learning (docs/learning.md): an admin may let other sites' models learn from
    # this site's labels; by default they train this site's model only.
    share_training: Mapped[bool] = mapped_column(default=False)

    comments: Mapped[list[Comment]] = relationship(back_populates="site")


class Comment(Base):
    """One comment as a site sent it, with its score and current status."""

    __tablename__ = "comments"
    __table_args__ = (
        UniqueConstraint("site_id", "idempotency_key", name="uq_comments_site_idempotency"),
        UniqueConstraint("site_id", "external_id", name="uq_comments_site_external"),
        Index("ix_comments_status_score", "status", "score"),
        Index("ix_comments_site_created", "site_id", "created_at"),
        Index("ix_comments_author_email", "author_email"),
        Index("ix_comments_author_ip", "author_ip"),
        # The intake's rule lookups (moderation/signals.py). Each ends with created_at so that,
        # before ANALYZE has run, SQLite's default estimates still rank it above
        # ix_comments_site_created for a windowed lookup (tests/test_query_plans.py).
        Index("ix_comments_site_author", "site_id", "author_email", "author_name", "status"),
        Index("ix_comments_site_content_hash", "site_id", "content_hash", "created_at"),
        # Partial: a short comment (under 8 words) has no SimHash and writes no band entry.
        *(
            Index(
                f"ix_comments_site_simhash_b{i}",
                "site_id",
                f"simhash_b{i}",
                "created_at",
                sqlite_where=text(f"simhash_b{i} IS NOT NULL"),
                postgresql_where=text(f"simhash_b{i} IS NOT NULL"),
            )
            for i in range(4)
        ),
        # Partial: most comments belong to no campaign, and their INSERT then writes no entry.
        Index(
            "ix_comments_campaign",
            "campaign_id",
            sqlite_where=text("campaign_id IS NOT NULL"),
            postgresql_where=text("campaign_id IS NOT NULL"),
        ),
        # The moderators' queue: one status of a site's comments, counted and listed by date.
        Index("ix_comments_site_status_created", "site_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    external_id: Mapped[str | None] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))

    content: Mapped[str] = mapped_column(Text)
    author_name: Mapped[str] = mapped_column(String(255))
    author_email: Mapped[str] = mapped_column(String(320))
    author_url: Mapped[str] = mapped_column(String(2000), default="")
    author_ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(1000), default="")
    referrer: Mapped[str] = mapped_column(String(2000), default="")
    permalink: Mapped[str] = mapped_column(String(2000), default="")
    post_id: Mapped[str] = mapped_column(String(255), default="")
    parent_id: Mapped[str] = mapped_column(String(255), default="")
    language: Mapped[str] = mapped_column(String(35), default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)

    score: Mapped[float | None] = mapped_column(Float)
    status: Mapped[CommentStatus] = mapped_column(String(16))
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    model_version: Mapped[str] = mapped_column(String(64), default="")
    intake_response: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Duplicate and campaign detection (moderation/fingerprint.py): the normalised content's
    # hash, its 64-bit SimHash (signed) and the SimHash's four 16-bit bands, and the id of the
    # first comment of the near-duplicate cluster this one belongs to.
    content_hash: Mapped[str | None] = mapped_column(String(64))
    simhash: Mapped[int | None] = mapped_column(BigInteger)
    simhash_b0: Mapped[int | None] = mapped_column(Integer)
    simhash_b1: Mapped[int | None] = mapped_column(Integer)
    simhash_b2: Mapped[int | None] = mapped_column(Integer)
    simhash_b3: Mapped[int | None] = mapped_column(Integer)
    campaign_id: Mapped[int | None] = mapped_column(Integer)

    claimed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderators.id", ondelete="SET NULL")
    )
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderators.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    site: Mapped[Site] = relationship(back_populates="comments")
    history: Mapped[list[StatusChange]] = relationship(
        back_populates="comment", order_by="StatusChange.id"
    )


class StatusChange(Base):
    """The audit trail: every status change, automatic or human. Never updated or deleted."""

    __tablename__ = "status_changes"
    __table_args__ = (
        Index("ix_status_changes_created", "created_at"),
        # Partial: the intake's own audit row (no moderator, undoes nothing) writes no entry
        # in these two; queries look them up by equality, which implies IS NOT NULL.
        Index(
            "ix_status_changes_moderator",
            "moderator_id",
            "id",
            sqlite_where=text("moderator_id IS NOT NULL"),
            postgresql_where=text("moderator_id IS NOT NULL"),
        ),
        Index(
            "ix_status_changes_undoes_id",
            "undoes_id",
            sqlite_where=text("undoes_id IS NOT NULL"),
            postgresql_where=text("undoes_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[CommentStatus | None] = mapped_column(String(16))
    to_status: Mapped[CommentStatus] = mapped_column(String(16))
    actor_type: Mapped[ActorType] = mapped_column(String(16))
    moderator_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderators.id", ondelete="SET NULL")
    )
    actor_label: Mapped[str] = mapped_column(String(320), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set on an undo: the decision it reverts (so a decision is undone at most once).
    undoes_id: Mapped[int | None] = mapped_column(
        ForeignKey("status_changes.id", ondelete="SET NULL")
    )

    comment: Mapped[Comment] = relationship(back_populates="history")


class Moderator(Base):
    """A person who reviews comments."""

    __tablename__ = "moderators"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(String(16))
    api_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    language: Mapped[str] = mapped_column(String(8), default="")  # "" = from the browser
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SiteGrant(Base):
    """An admin's grant of one site to one moderator."""

    __tablename__ = "site_grants"

    moderator_id: Mapped[int] = mapped_column(
        ForeignKey("moderators.id", ondelete="CASCADE"), primary_key=True
    )
    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )


class RuleHit(Base):
    """One rule's signal on one comment, for per-rule statistics. Never updated."""

    __tablename__ = "rule_hits"
    __table_args__ = (Index("ix_rule_hits_site_code", "site_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    effect: Mapped[str] = mapped_column(String(16))
    shadow: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


from .learning_models import TrainingRun  # noqa: E402,F401
from .webhook_models import Feedback, WebhookDelivery, WebhookEvent  # noqa: E402,F401
