"""The settings page's form: SiteSettings as form fields and back, through settings.merge.

Every field is named by its dotted key (``links.hold_at``); word lists are textareas, one item
a line. Only keys present in the submitted form change, so a partial form changes only them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, get_type_hints

from flask_babel import lazy_gettext as _
from werkzeug.datastructures import MultiDict

from . import settings as site_settings
from .settings import Mode, SettingsError, SiteSettings

# What each key means, for the labels; keys without one show their own name.
LABELS: dict[str, Any] = {
    "low_threshold": _("Approve below this spam probability (empty: the model's)"),
    "high_threshold": _("Spam at or above this spam probability (empty: the model's)"),
    "languages": _("Expected languages (one tag a line, e.g. fr; empty: any)"),
    "links": _("Links"),
    "links.hold_at": _("Hold at this many links or more"),
    "words": _("Word lists"),
    "words.disallowed": _("Disallowed words: spam (one a line)"),
    "words.moderated": _("Moderated words: hold for review (one a line)"),
    "words.whole_words": _("Match whole words only"),
    "trusted_authors": _("Trusted authors (an earlier approved comment)"),
    "author_lists": _("Author block and allow lists"),
    "author_lists.block_emails": _("Blocked emails or @domains"),
    "author_lists.block_ips": _("Blocked IPs or CIDR ranges"),
    "author_lists.block_websites": _("Blocked website domains"),
    "author_lists.allow_emails": _("Allowed emails or @domains"),
    "author_lists.allow_ips": _("Allowed IPs or CIDR ranges"),
    "author_lists.allow_websites": _("Allowed website domains"),
    "disposable_email": _("Disposable email addresses"),
    "disposable_email.extra_domains": _("Extra throw-away domains"),
    "flood": _("Flood control"),
    "flood.seconds": _("Seconds between two comments from one IP or email (0: off)"),
    "site_rate": _("Site rate"),
    "site_rate.limit": _("Limit, e.g. 300/minute"),
    "duplicate": _("Exact duplicates"),
    "duplicate.window_hours": _("Window (hours)"),
    "campaign": _("Near-duplicates across authors (campaigns)"),
    "campaign.window_hours": _("Window (hours)"),
    "campaign.max_distance": _("Maximum distance (0 to 3)"),
    "campaign.min_count": _("Copies before holding"),
    "honeypot": _("Honeypot field"),
    "honeypot.field": _("Field name"),
    "form_time": _("Form filled too fast"),
    "form_time.field": _("Field name"),
    "form_time.min_seconds": _("Minimum seconds"),
    "language": _("Unexpected language (a note only)"),
}
MODES = tuple(str(m) for m in Mode)


@dataclass(frozen=True)
class Field:
    """One form control: its dotted key, kind (mode, int, float, bool, text, list) and value."""

    key: str
    kind: str
    value: str

    @property
    def label(self) -> Any:
        return LABELS.get(self.key, self.key.rsplit(".", 1)[-1])


@dataclass(frozen=True)
class Section:
    """A rule's fieldset (or the top-level one, named ``""``)."""

    name: str
    fields: list[Field]

    @property
    def label(self) -> Any:
        return LABELS.get(self.name, self.name)


def _kind(hint: Any) -> str:
    if hint is Mode:
        return "mode"
    if hint is bool:
        return "bool"
    if hint is int:
        return "int"
    if hint is str:
        return "text"
    if hint == float | None:
        return "float"
    return "list"


def _show(kind: str, value: Any) -> str:
    if kind == "list":
        return "\n".join(value)
    if kind == "bool":
        return "true" if value else ""
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _fields(obj: Any, prefix: str) -> list[Field]:
    hints = get_type_hints(type(obj))
    out = []
    for f in dataclasses.fields(obj):
        if prefix == "" and f.name in site_settings.SECTIONS:
            continue
        kind = _kind(hints[f.name])
        out.append(Field(prefix + f.name, kind, _show(kind, getattr(obj, f.name))))
    return out


def sections(current: SiteSettings, submitted: Mapping[str, str] | None = None) -> list[Section]:
    """Return the form's fieldsets; ``submitted`` values (after an error) win over ``current``."""
    out = [Section("", _fields(current, ""))]
    out += [
        Section(name, _fields(getattr(current, name), name + "."))
        for name in site_settings.SECTIONS
    ]
    if submitted is None:
        return out
    return [
        Section(
            s.name,
            [
                dataclasses.replace(f, value=submitted[f.key]) if f.key in submitted else f
                for f in s.fields
            ],
        )
        for s in out
    ]


def _parse(field: Field, raw: str) -> Any:
    raw = raw.strip()
    if field.kind == "bool":
        return raw == "true"
    if field.kind == "list":
        return [line.strip() for line in raw.splitlines() if line.strip()]
    if field.kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise SettingsError(f"{field.key} must be a whole number, not {raw!r}") from None
    if field.kind == "float":
        if raw == "":
            return None
        try:
            return float(raw.replace(",", "."))
        except ValueError:
            raise SettingsError(f"{field.key} must be a number between 0 and 1, or empty") from None
    return raw


def submitted_values(form: MultiDict[str, str]) -> dict[str, str]:
    """Return the raw submitted value of each known key (a checkbox's last value wins)."""
    keys = [f.key for s in sections(SiteSettings()) for f in s.fields]
    return {k: form.getlist(k)[-1] for k in keys if form.getlist(k)}


def apply(current: SiteSettings, submitted: Mapping[str, str]) -> SiteSettings:
    """Return ``current`` with the submitted values validated and applied; raise SettingsError."""
    by_key = {f.key: f for s in sections(SiteSettings()) for f in s.fields}
    changes = {key: _parse(by_key[key], raw) for key, raw in submitted.items()}
    return site_settings.merge(current, changes)


def error_key(message: str) -> str | None:
    """Return the dotted key a SettingsError message is about, if it names one."""
    keys = [f.key for s in sections(SiteSettings()) for f in s.fields]
    found = [k for k in keys if message.startswith(k) or f" {k} " in f" {message} "]
    return max(found, key=len) if found else None
