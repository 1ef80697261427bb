"""Retention and commenters' rights: purge old spam, anonymise IPs, export and erase."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .db import utcnow
from .models import Comment, CommentStatus, StatusChange
from .webhook_models import Feedback, WebhookEvent

ERASED_NAME = "[erased]"
_IP_FIELDS = ("author_ip", "user_ip", "REMOTE_ADDR")


def normalise_email(email: str) -> str:
    """Return the address as intake stores it, or the stripped input if it is not valid."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        return email.strip()


def anonymise_ip(ip: str) -> str:
    """Keep the network, drop the host: IPv4 to /24, IPv6 to /48; '' for anything else."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    prefix = 24 if addr.version == 4 else 48
    return str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False).network_address)


def _comments_of(session: Session, email: str) -> list[Comment]:
    wanted = normalise_email(email)
    return list(
        session.scalars(
            select(Comment)
            .where(func.lower(Comment.author_email) == wanted.lower())
            .order_by(Comment.id)
        )
    )


def export(session: Session, email: str) -> dict[str, Any]:
    """Return everything stored about the commenter with this email (an access request)."""
    comments = _comments_of(session, email)
    return {
        "email": normalise_email(email),
        "generated_at": utcnow().isoformat(),
        "comments": [
            {
                "id": c.id,
                "site": c.site.name,
                "content": c.content,
                "author_name": c.author_name,
                "author_email": c.author_email,
                "author_url": c.author_url,
                "author_ip": c.author_ip,
                "user_agent": c.user_agent,
                "permalink": c.permalink,
                "post_id": c.post_id,
                "status": str(c.status),
                "created_at": c.created_at.isoformat(),
                "submitted_payload": c.payload,
                "history": [
                    {"to": str(h.to_status), "at": h.created_at.isoformat()} for h in c.history
                ],
            }
            for c in comments
        ],
    }


def erase(session: Session, email: str) -> int:
    """Remove the personal data of the commenter's comments; keep decisions. Return the count."""
    comments = _comments_of(session, email)
    for c in comments:
        c.content = ""
        c.author_name = ERASED_NAME
        c.author_email = ""
        c.author_url = c.author_ip = c.user_agent = c.referrer = ""
        c.payload = {"erased": True}
        c.intake_response = {"id": c.id, "status": str(c.status), "erased": True}
        c.reasons = _codes_only(c.reasons)
    ids = [c.id for c in comments]
    # Webhook events, sent or still queued, carry the reasons too: the site gets codes only.
    for event in session.scalars(select(WebhookEvent).where(WebhookEvent.comment_id.in_(ids))):
        data = dict(event.payload.get("data") or {})
        data["reasons"] = _codes_only(data.get("reasons"))
        event.payload = {**event.payload, "data": data}
    # Training examples carry the as-submitted payload: they go with the personal data.
    session.execute(delete(Feedback).where(Feedback.comment_id.in_(ids)))
    return len(comments)


def _codes_only(reasons: list[dict[str, Any]] | None) -> list[dict[str, str]]:
    """Keep only which signals fired: reasons may quote the text (spans, "the word 'x'")."""
    return [{"source": r.get("source", ""), "code": r.get("code", "")} for r in reasons or []]


@dataclass(frozen=True)
class RetentionReport:
    """What one retention run changed."""

    spam_purged: int
    ips_anonymised: int


def apply_retention(session: Session, spam_days: int, ip_days: int) -> RetentionReport:
    """Delete spam older than ``spam_days``; anonymise IPs older than ``ip_days``."""
    now = utcnow()
    old_spam = select(Comment.id).where(
        Comment.status == CommentStatus.SPAM, Comment.created_at < now - timedelta(days=spam_days)
    )
    ids = list(session.scalars(old_spam))
    for chunk in range(0, len(ids), 500):
        part = ids[chunk : chunk + 500]
        for table in (Feedback, WebhookEvent):
            session.execute(delete(table).where(table.comment_id.in_(part)))
        session.execute(delete(StatusChange).where(StatusChange.comment_id.in_(part)))
        session.execute(delete(Comment).where(Comment.id.in_(part)))
    anonymised = 0
    stale = select(Comment).where(
        Comment.created_at < now - timedelta(days=ip_days), Comment.author_ip != ""
    )
    for c in session.scalars(stale):
        masked = anonymise_ip(c.author_ip)
        if masked == c.author_ip:
            continue
        c.author_ip = masked
        c.payload = {
            k: (anonymise_ip(str(v)) if k in _IP_FIELDS else v) for k, v in c.payload.items()
        }
        anonymised += 1
    return RetentionReport(spam_purged=len(ids), ips_anonymised=anonymised)
