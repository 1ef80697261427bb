"""The table of retraining runs: every candidate, its gate report, and whether it was promoted.

Imported at the end of models.py, so ``moderation.models`` still registers every table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base, UTCDateTime, utcnow


class TrainingRun(Base):
    """One retraining: a candidate model compared with the current one on held-out feedback."""

    __tablename__ = "training_runs"
    __table_args__ = (Index("ix_training_runs_site_created", "site_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: the shared model every site without a model of its own uses.
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    candidate_version: Mapped[str] = mapped_column(String(64), default="")
    current_version: Mapped[str] = mapped_column(String(64), default="")
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    promoted: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
    trigger: Mapped[str] = mapped_column(String(16), default="manual")  # manual, count, schedule
    # The newest feedback row this run saw: the next run is due AUTOTRAIN_EVERY rows later.
    last_feedback_id: Mapped[int] = mapped_column(Integer, default=0)
    n_examples: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
