"""Deterministic rules beside the classifier: each a pure function returning Signals.

A rule takes the comment, a RuleContext (what needed the database, gathered beforehand by
moderation.signals.look_up and rule_context) and the site's settings. A rule whose mode is
``shadow`` returns its signals marked shadow: recorded with the comment, never applied.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from .disposable import is_disposable
from .intake import CommentIn
from .policy import Effect, Signal
from .settings import Mode, SiteSettings
from .textmatch import WORD_FIELDS, Hit, find_entries, find_links


@dataclass(frozen=True)
class NearDuplicates:
    """Earlier comments on the site whose fingerprint is close to this one's."""

    count: int = 0
    authors: int = 0
    hours: int = 24


@dataclass(frozen=True)
class RuleContext:
    """What the rules need beyond the comment; gathered by one query function."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    approved_before: int = 0  # approved comments on the site by the same name and email
    near: NearDuplicates = field(default_factory=NearDuplicates)
    language: str | None = None  # detected language of the content
    form: Mapping[str, Any] = field(default_factory=dict)  # the raw payload


Rule = Callable[[CommentIn, RuleContext, SiteSettings], list[Signal]]


def _signal(mode: Mode, code: str, message: str, effect: Effect, spans: Any = ()) -> list[Signal]:
    if mode == Mode.OFF:
        return []
    return [Signal(code, message, effect, shadow=mode == Mode.SHADOW, spans=list(spans))]


def links(comment: CommentIn, ctx: RuleContext, settings: SiteSettings) -> list[Signal]:
    """Hold a comment with ``hold_at`` links or more, as WordPress does."""
    found = find_links(comment.content)
    if len(found) < settings.links.hold_at:
        return []
    spans = [{"field": "content", "start": a, "end": b} for a, b in found]
    message = f"{len(found)} links (the site holds comments with {settings.links.hold_at} or more)"
    return _signal(settings.links.mode, "links.too_many", message, Effect.HOLD, spans)


def _fields(comment: CommentIn) -> dict[str, str]:
    return {name: getattr(comment, name) for name in WORD_FIELDS}


def _describe(hits: list[Hit]) -> str:
    seen = dict.fromkeys(f"{h.entry!r} in {h.field.replace('_', ' ')}" for h in hits)
    return ", ".join(list(seen)[:5])


def words(comment: CommentIn, ctx: RuleContext, settings: SiteSettings) -> list[Signal]:
    """Spam on a disallowed word, review on a moderated one, after normalisation."""
    conf = settings.words
    out: list[Signal] = []
    for entries, code, effect, what in (
        (conf.disallowed, "words.disallowed", Effect.BLOCK, "disallowed"),
        (conf.moderated, "words.moderated", Effect.HOLD, "moderated"),
    ):
        hits = find_entries(_fields(comment), entries, whole_words=conf.whole_words)
        if hits:
            message = f"contains {what} words: {_describe(hits)}"
            out += _signal(conf.mode, code, message, effect, [h.span() for h in hits])
    return out


def trusted_author(comment: CommentIn, ctx: RuleContext, settings: SiteSettings) -> list[Signal]:
    """Approve an author with an earlier approved comment (same name and email), as WordPress."""
    n = ctx.approved_before
    if n < 1:
        return []
    message = f"{n} earlier approved comment{'s' if n > 1 else ''} by this name and email"
    return _signal(settings.trusted_authors.mode, "author.trusted", message, Effect.ALLOW)


def _email_listed(email: str, entries: tuple[str, ...]) -> str | None:
    email = email.lower()
    domain = email.rpartition("@")[2]
    for entry in entries:
        if "@" in entry.lstrip("@"):
            if email == entry:
                return entry
        else:
            bare = entry.lstrip("@")
            if domain == bare or domain.endswith("." + bare):
                return entry
    return None


def _ip_listed(ip: str, entries: tuple[str, ...]) -> str | None:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    for entry in entries:
        if address in ipaddress.ip_network(entry, strict=False):
            return entry
    return None


def _website_listed(url: str, entries: tuple[str, ...]) -> str | None:
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    for entry in entries:
        if host and (host == entry or host.endswith("." + entry)):
            return entry
    return None


def _author_matches(comment: CommentIn, emails: Any, ips: Any, sites: Any) -> list[str]:
    found = []
    if entry := _email_listed(comment.author_email, emails):
        found.append(f"email {entry}")
    if comment.author_ip and (entry := _ip_listed(comment.author_ip, ips)):
        found.append(f"IP {entry}")
    if comment.author_url and (entry := _website_listed(comment.author_url, sites)):
        found.append(f"website {entry}")
    return found


def author_lists(comment: CommentIn, ctx: RuleContext, settings: SiteSettings) -> list[Signal]:
    """Block or approve authors on the site's lists of emails, domains, IPs and websites."""
    conf = settings.author_lists
    out: list[Signal] = []
    blocked = _author_matches(comment, conf.block_emails, conf.block_ips, conf.block_websites)
    if blocked:
        message = "author on the block list: " + ", ".join(blocked)
        out += _signal(conf.mode, "author.blocked", message, Effect.BLOCK)
    allowed = _author_matches(comment, conf.allow_emails, conf.allow_ips, conf.allow_websites)
    if allowed:
        message = "author on the allow list: " + ", ".join(allowed)
        out += _signal(conf.mode, "author.allowed", message, Effect.APPROVE)
    return out


def disposable_email(comment: CommentIn, ctx: RuleContext, settings: SiteSettings) -> list[Signal]:
    """Hold comments signed with a throw-away email address."""
    conf = settings.disposable_email
    domain = is_disposable(comment.author_email, conf.extra_domains)
    if domain is None:
        return []
    message = f"disposable email address ({domain})"
    return _signal(conf.mode, "email.disposable", message, Effect.HOLD)


def campaign(comment: CommentIn, ctx: RuleContext, settings: SiteSettings) -> list[Signal]:
    """Hold a comment whose near-copies keep arriving: a campaign."""
    seen = ctx.near.count + 1
    if ctx.near.count == 0 or seen < settings.campaign.min_count:
        return []
    authors = ctx.near.authors
    message = (
        f"seen {seen} times in {ctx.near.hours} h from {authors} author{'s' if authors > 1 else ''}"
    )
    return _signal(settings.campaign.mode, "campaign.near_duplicate", message, Effect.HOLD)


def honeypot(comment: CommentIn, ctx: RuleContext, settings: SiteSettings) -> list[Signal]:
    """Spam when the hidden form field, which people never see, was filled in."""
    conf = settings.honeypot
    value = ctx.form.get(conf.field)
    if value in (None, "") or (isinstance(value, str) and not value.strip()):
        return []
    message = f"the hidden form field {conf.field!r} was filled in"
    return _signal(conf.mode, "form.honeypot", message, Effect.BLOCK)


def _instant(value: Any) -> datetime | None:
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
            seconds = float(value)
            return datetime.fromtimestamp(seconds / 1000 if seconds > 1e11 else seconds, UTC)
        if isinstance(value, str):
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return None


def form_time(comment: CommentIn, ctx: RuleContext, settings: SiteSettings) -> list[Signal]:
    """Hold a comment sent sooner after the form was shown than a person can type."""
    conf = settings.form_time
    raw = ctx.form.get(conf.field)
    shown = _instant(raw)
    if shown is None:
        what = "missing" if raw in (None, "") else "not a time"
        message = f"the form time field {conf.field!r} is {what}"
        return _signal(conf.mode, "form.time_missing", message, Effect.NOTE)
    elapsed = ((comment.submitted_at or ctx.now) - shown).total_seconds()
    if elapsed >= conf.min_seconds:
        return []
    message = (
        f"sent {max(elapsed, 0):.1f} s after the form was shown (minimum {conf.min_seconds} s)"
    )
    return _signal(conf.mode, "form.too_fast", message, Effect.HOLD)


def language(comment: CommentIn, ctx: RuleContext, settings: SiteSettings) -> list[Signal]:
    """Note a comment written in none of the site's languages (never a block by itself)."""
    expected = {tag.split("-")[0] for tag in settings.languages}
    if not expected or ctx.language is None or ctx.language in expected:
        return []
    message = f"written in {ctx.language!r}; the site expects {', '.join(sorted(expected))}"
    return _signal(settings.language.mode, "language.unexpected", message, Effect.NOTE)


# The order reasons are listed in; the policy does not depend on it.
RULES: tuple[Rule, ...] = (
    author_lists,
    words,
    honeypot,
    links,
    disposable_email,
    campaign,
    form_time,
    language,
    trusted_author,
)


def run(comment: CommentIn, ctx: RuleContext, settings: SiteSettings) -> list[Signal]:
    """Run every rule and return their signals."""
    return [signal for rule in RULES for signal in rule(comment, ctx, settings)]
