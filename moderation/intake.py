"""Turn a submitted payload into a validated CommentIn, or a list of field errors."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
import unicodedata
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

# Canonical field -> accepted aliases (WordPress comment-form names), in priority order.
ALIASES: dict[str, tuple[str, ...]] = {
    "content": ("content", "comment"),
    "author_name": ("author_name", "author"),
    "author_email": ("author_email", "email"),
    "author_url": ("author_url", "url"),
    "author_ip": ("author_ip",),
    "user_agent": ("user_agent",),
    "referrer": ("referrer",),
    "permalink": ("permalink",),
    "post_id": ("post_id", "comment_post_ID"),
    "parent_id": ("parent_id", "comment_parent"),
    "external_id": ("external_id",),
    "language": ("language",),
    "submitted_at": ("submitted_at",),
}
REQUIRED = ("content", "author_name", "author_email")
MAX_LENGTH = {
    "author_name": 255,
    "author_email": 320,
    "author_url": 2000,
    "author_ip": 64,
    "user_agent": 1000,
    "referrer": 2000,
    "permalink": 2000,
    "post_id": 255,
    "parent_id": 255,
    "external_id": 255,
    "language": 35,
    "submitted_at": 64,
}
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")


@dataclass(frozen=True)
class FieldError:
    """One invalid field: a stable code ``<field>.<problem>`` and message parameters."""

    field: str
    problem: str
    message_key: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return f"{self.field}.{self.problem}"


@dataclass(frozen=True)
class CommentIn:
    """A validated, normalised comment."""

    content: str
    author_name: str
    author_email: str
    author_url: str = ""
    author_ip: str = ""
    user_agent: str = ""
    referrer: str = ""
    permalink: str = ""
    post_id: str = ""
    parent_id: str = ""
    external_id: str = ""
    language: str = ""
    submitted_at: datetime | None = None

    def fingerprint(self) -> str:
        """Return a hash of every field, to tell a true retry from a different comment."""
        data: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        data["submitted_at"] = self.submitted_at.isoformat() if self.submitted_at else None
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()


class InvalidComment(Exception):
    """The payload has invalid fields."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(", ".join(e.code for e in errors))
        self.errors = errors


def _pick(payload: dict[str, Any], name: str) -> Any:
    for alias in ALIASES[name]:
        if alias in payload and payload[alias] is not None:
            return payload[alias]
    return None


def _as_text(name: str, value: Any, errors: list[FieldError]) -> str | None:
    """Coerce a scalar to text; ids may come as numbers, everything else must be a string."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        errors.append(FieldError(name, "type", "type"))
        return None
    if not isinstance(value, str):
        if name not in {"post_id", "parent_id", "external_id"}:
            errors.append(FieldError(name, "type", "type"))
            return None
        value = str(value)
    if "\x00" in value:
        errors.append(FieldError(name, "nul", "nul"))
        return None
    return value


def parse_comment(
    payload: dict[str, Any], *, max_chars: int = 20_000, check_deliverability: bool = False
) -> CommentIn:
    """Validate ``payload`` and return a CommentIn; raise InvalidComment listing every error."""
    errors: list[FieldError] = []
    values: dict[str, str] = {}
    for name in ALIASES:
        text = _as_text(name, _pick(payload, name), errors)
        if text is None:
            continue
        text = text.strip() if name != "content" else text
        limit = max_chars if name == "content" else MAX_LENGTH[name]
        if len(text) > limit:
            errors.append(FieldError(name, "too_long", "too_long", {"limit": limit}))
            continue
        values[name] = text

    for name in REQUIRED:
        if name in values and not _visible(values[name]):
            raw = _pick(payload, name)
            problem = "missing" if raw is None or raw == "" else "blank"
            errors.append(FieldError(name, problem, problem))
            values.pop(name)

    if values.get("author_email"):
        _check_email(values, errors, check_deliverability)
    if values.get("author_url"):
        _check_url(values, errors)
    if values.get("author_ip"):
        try:
            ip = ipaddress.ip_address(values["author_ip"])
            if getattr(ip, "scope_id", None) is not None:  # "fe80::1%eth0": a local zone
                raise ValueError("scope id")
            values["author_ip"] = str(ip)
        except ValueError:
            errors.append(FieldError("author_ip", "invalid", "ip.invalid"))
    if values.get("language") and not _LANGUAGE.match(values["language"]):
        errors.append(FieldError("language", "invalid", "language.invalid"))
    submitted_at = _parse_datetime(values.pop("submitted_at", ""), errors)

    if errors:
        raise InvalidComment(errors)
    return CommentIn(submitted_at=submitted_at, **values)  # type: ignore[arg-type]


def _visible(text: str) -> bool:
    """Whether ``text`` shows anything: not only spaces and invisible format characters
    (zero-width spaces and joiners, direction marks, BOM)."""
    return any(not c.isspace() and unicodedata.category(c) != "Cf" for c in text)


def _check_email(values: dict[str, str], errors: list[FieldError], deliverability: bool) -> None:
    try:
        result = validate_email(
            values["author_email"],
            check_deliverability=deliverability,
            allow_quoted_local=True,
            strict=True,  # enforce the 64-octet local part of RFC 5321
            timeout=5,
        )
    except EmailNotValidError as exc:
        errors.append(FieldError("author_email", "invalid", "email.invalid", {"detail": str(exc)}))
        return
    values["author_email"] = result.normalized


def _check_url(values: dict[str, str], errors: list[FieldError]) -> None:
    url = values["author_url"]
    if "://" not in url and not url.lower().startswith(("javascript:", "data:", "vbscript:")):
        url = "http://" + url  # WordPress accepts "example.com" in its website field
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not 0-65535
        ok = parts.scheme.lower() in {"http", "https"} and bool(parts.hostname)
        ok = ok and not any(c.isspace() for c in url)
    except ValueError:
        ok = False
    if not ok:
        errors.append(FieldError("author_url", "invalid", "url.invalid"))
        return
    values["author_url"] = url


def _parse_datetime(raw: str, errors: list[FieldError]) -> datetime | None:
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        # Year 1 at +05:00 (or 9999 at -05:00) has no UTC equivalent: OverflowError.
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (ValueError, OverflowError):
        errors.append(FieldError("submitted_at", "invalid", "datetime.invalid"))
        return None
