"""Which labelled feedback trains which model: trusted, not test traffic, rate-limited, per site.

A site's own labels (moderator decisions, Akismet submit-spam/submit-ham, imported WordPress
history) train that site's model only; other sites see them only when an admin shares the site
(``flask sites share NAME``). De-duplication happens at training time (classifier.adapt.dedupe).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classifier.records import CommentInput, Example

from .feedback import TRAINING_ROLES
from .models import Moderator, Site
from .webhook_models import Feedback, Label

BOOTSTRAP = Path(__file__).resolve().parent.parent / "data" / "bootstrap"
# Sources whose labels are not rate-limited: an admin ran the import on purpose.
UNLIMITED_SOURCES = {"wxr"}
# Where each model field may sit in a stored payload: intake names, then Akismet's.
PAYLOAD_FIELDS: dict[str, tuple[str, ...]] = {
    "content": ("content", "comment", "comment_content"),
    "author_name": ("author_name", "author", "comment_author"),
    "author_email": ("author_email", "email", "comment_author_email"),
    "author_url": ("author_url", "url", "comment_author_url"),
    "author_ip": ("author_ip", "user_ip"),
    "user_agent": ("user_agent",),
    "permalink": ("permalink",),
    "language": ("language", "blog_lang"),
}


def payload_comment(payload: Mapping[str, Any]) -> CommentInput:
    """Rebuild the comment the model reads from an as-submitted payload (API or Akismet)."""
    values: dict[str, str] = {}
    for name, keys in PAYLOAD_FIELDS.items():
        raw = next((payload[k] for k in keys if payload.get(k) not in (None, "")), "")
        values[name] = raw if isinstance(raw, str) else str(raw)
    return CommentInput(**values)


def example_of(row: Feedback) -> Example:
    """Return the labelled example a feedback row stands for."""
    label = 1 if Label(row.label) == Label.SPAM else 0
    return Example(payload_comment(row.payload or {}), label, source=f"site-{row.site_id}")


def _trusted_actors(session: Session) -> set[str]:
    roles = [str(r) for r in TRAINING_ROLES]
    rows = session.scalars(
        select(Moderator.email).where(Moderator.is_active.is_(True), Moderator.role.in_(roles))
    )
    return set(rows)


def usable_feedback(session: Session, site_ids: list[int], rate_per_hour: int) -> list[Feedback]:
    """Return the rows that may train, oldest first.

    Kept: trainable rows (trusted role when decided, not undone), never test traffic; a
    moderator's labels only while the account is still active with a trusted role; at most
    ``rate_per_hour`` rows per source and actor (a moderator, a site's Akismet key) in any
    clock hour, so a compromised account or key cannot flood the training set.
    """
    if not site_ids:
        return []
    rows = session.scalars(
        select(Feedback)
        .where(
            Feedback.site_id.in_(site_ids),
            Feedback.trainable.is_(True),
            Feedback.is_test.is_(False),
        )
        .order_by(Feedback.id)
    ).all()
    trusted = _trusted_actors(session)
    per_hour: Counter[tuple[str, str, str]] = Counter()
    out = []
    for row in rows:
        if row.source == "moderator" and row.actor not in trusted:
            continue
        if row.source not in UNLIMITED_SOURCES:
            key = (row.source, row.actor, row.created_at.strftime("%Y%m%d%H"))
            per_hour[key] += 1
            if per_hour[key] > rate_per_hour:
                continue
        out.append(row)
    return out


def site_examples(session: Session, site_id: int, rate_per_hour: int) -> list[Example]:
    """Return a site's own training examples, oldest first."""
    return [example_of(r) for r in usable_feedback(session, [site_id], rate_per_hour)]


def sharing_site_ids(session: Session, exclude: int | None = None) -> list[int]:
    """Return the sites whose admins share their labels with every model."""
    query = select(Site.id).where(Site.share_training.is_(True))
    if exclude is not None:
        query = query.where(Site.id != exclude)
    return list(session.scalars(query.order_by(Site.id)))


@lru_cache(maxsize=4)
def _corpus(path: str) -> tuple[Example, ...]:
    from classifier.datasets import load_corpus

    return tuple(load_corpus([path]))


def bootstrap_examples(config: Mapping[str, Any]) -> list[Example]:
    """Return the shared bootstrap corpus (BOOTSTRAP_DATA, default data/bootstrap)."""
    return list(_corpus(str(config.get("BOOTSTRAP_DATA") or BOOTSTRAP)))


def shared_examples(
    session: Session, config: Mapping[str, Any], exclude: int | None = None
) -> list[Example]:
    """Return the shared corpus: bootstrap plus the labels of sites that share them."""
    shared = sharing_site_ids(session, exclude)
    rate = int(config["TRAINING_RATE_PER_HOUR"])
    return bootstrap_examples(config) + [
        example_of(r) for r in usable_feedback(session, shared, rate)
    ]


def newest_feedback_id(session: Session, site_ids: list[int]) -> int:
    """Return the id of the newest feedback row of these sites (0 when none)."""
    if not site_ids:
        return 0
    return int(
        session.scalar(select(func.max(Feedback.id)).where(Feedback.site_id.in_(site_ids))) or 0
    )
