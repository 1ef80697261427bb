"""Per-site settings: typed defaults, validation, load from and save to a Site.

Site.settings (JSON) holds only the values that differ from the defaults, one object per rule
(``{"links": {"hold_at": 3}, "languages": ["fr"]}``); the thresholds live in the Site's own
columns. Every key can be addressed with a dotted name (``links.hold_at``) from the CLI and API.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any, get_type_hints

from .models import Site


class SettingsError(ValueError):
    """A setting is unknown or invalid; the message names it."""


class Mode(StrEnum):
    """Whether a rule runs: applied, recorded only, or not at all."""

    ON = "on"
    SHADOW = "shadow"
    OFF = "off"


Words = tuple[str, ...]


@dataclass(frozen=True)
class Links:
    mode: Mode = Mode.ON
    hold_at: int = 2  # WordPress's comment_max_links


@dataclass(frozen=True)
class WordLists:
    mode: Mode = Mode.ON
    moderated: Words = ()
    disallowed: Words = ()
    whole_words: bool = True


@dataclass(frozen=True)
class TrustedAuthors:
    mode: Mode = Mode.ON


@dataclass(frozen=True)
class AuthorLists:
    mode: Mode = Mode.ON
    block_emails: Words = ()
    block_ips: Words = ()
    block_websites: Words = ()
    allow_emails: Words = ()
    allow_ips: Words = ()
    allow_websites: Words = ()


@dataclass(frozen=True)
class DisposableEmail:
    mode: Mode = Mode.ON
    extra_domains: Words = ()


@dataclass(frozen=True)
class Flood:
    mode: Mode = Mode.ON
    seconds: int = 15  # WordPress's comment_flood_filter


@dataclass(frozen=True)
class SiteRate:
    mode: Mode = Mode.ON
    # A safety net against a runaway or compromised integration, far above one site's real
    # traffic (a million comments a day is 12 a second on average).
    limit: str = "300/second"


@dataclass(frozen=True)
class Duplicate:
    mode: Mode = Mode.ON
    window_hours: int = 24


@dataclass(frozen=True)
class Campaign:
    mode: Mode = Mode.ON
    window_hours: int = 24
    max_distance: int = 3
    min_count: int = 3


@dataclass(frozen=True)
class Honeypot:
    mode: Mode = Mode.OFF
    field: str = "palabre_hp"


@dataclass(frozen=True)
class FormTime:
    mode: Mode = Mode.OFF
    field: str = "palabre_rendered_at"
    min_seconds: int = 3


@dataclass(frozen=True)
class Language:
    mode: Mode = Mode.ON


@dataclass(frozen=True)
class SiteSettings:
    """Everything a site owner can tune; the defaults are WordPress's where it has one."""

    low_threshold: float | None = None  # None: the model's own thresholds
    high_threshold: float | None = None
    languages: Words = ()  # empty: any language
    links: Links = field(default_factory=Links)
    words: WordLists = field(default_factory=WordLists)
    trusted_authors: TrustedAuthors = field(default_factory=TrustedAuthors)
    author_lists: AuthorLists = field(default_factory=AuthorLists)
    disposable_email: DisposableEmail = field(default_factory=DisposableEmail)
    flood: Flood = field(default_factory=Flood)
    site_rate: SiteRate = field(default_factory=SiteRate)
    duplicate: Duplicate = field(default_factory=Duplicate)
    campaign: Campaign = field(default_factory=Campaign)
    honeypot: Honeypot = field(default_factory=Honeypot)
    form_time: FormTime = field(default_factory=FormTime)
    language: Language = field(default_factory=Language)


TOP_LEVEL = ("low_threshold", "high_threshold", "languages")
SECTIONS: dict[str, type] = {
    f.name: f.default_factory  # type: ignore[misc]
    for f in dataclasses.fields(SiteSettings)
    if f.name not in TOP_LEVEL
}
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_FIELD_NAME = re.compile(r"^[A-Za-z0-9_\-\[\]]{1,64}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)[a-z0-9-]+(?:\.[a-z0-9-]+)+$")
MINIMUMS = {"hold_at": 1, "seconds": 0, "window_hours": 1, "min_count": 2, "min_seconds": 0}
# Far past any use, and below what a date or a limiter's expiry can hold: a window of 10**8
# hours reaches before year 1, and every comment of the site failed (now - window).
MAXIMUMS = {"seconds": 7 * 24 * 3600, "window_hours": 10 * 8784, "min_seconds": 24 * 3600}


def _coerce(key: str, kind: Any, value: Any) -> Any:
    """Check ``value`` against the field's type, accepting the JSON spellings."""
    if kind is Mode:
        try:
            return Mode(value)
        except ValueError:
            raise SettingsError(f"{key} must be one of on, shadow, off, not {value!r}") from None
    if kind is bool:
        if not isinstance(value, bool):
            raise SettingsError(f"{key} must be true or false, not {value!r}")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise SettingsError(f"{key} must be a whole number, not {value!r}")
        return value
    if kind == float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise SettingsError(f"{key} must be a number between 0 and 1, or null")
        return float(value)
    if kind is str:
        if not isinstance(value, str):
            raise SettingsError(f"{key} must be a string, not {value!r}")
        return value.strip()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise SettingsError(f"{key} must be a list of strings")
    items = [v.strip() for v in value if v.strip()]
    return tuple(dict.fromkeys(items))  # drop blanks and repeats, keep order


def _check(key: str, value: Any) -> Any:
    """Apply the per-key rules beyond the type; return the cleaned value."""
    name = key.rsplit(".", 1)[-1]
    if name in MINIMUMS and value < MINIMUMS[name]:
        raise SettingsError(f"{key} must be at least {MINIMUMS[name]}")
    if name in MAXIMUMS and value > MAXIMUMS[name]:
        raise SettingsError(f"{key} must be at most {MAXIMUMS[name]}")
    if name == "max_distance" and not 0 <= value <= 3:  # see fingerprint.py
        raise SettingsError(f"{key} must be between 0 and 3")
    if key == "languages":
        value = tuple(v.replace("_", "-").lower() for v in value)
        bad = [v for v in value if not _LANGUAGE.match(v)]
        if bad:
            raise SettingsError(f"languages: {bad[0]!r} is not a language tag such as 'fr'")
    if name == "field" and not _FIELD_NAME.match(value):
        raise SettingsError(f"{key} must be a form field name (letters, digits, _ or -)")
    if name == "limit":
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise SettingsError(f"{key} must be a rate such as '300/minute'") from None
    if name.endswith("_ips"):
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise SettingsError(f"{key}: {item!r} is not an IP address or CIDR range") from None
    if name.endswith(("_websites", "domains")):
        value = tuple(v.lower().lstrip("@.") for v in value)
        bad = [v for v in value if not _DOMAIN.match(v)]
        if bad:
            raise SettingsError(f"{key}: {bad[0]!r} is not a domain name")
    if name.endswith("_emails"):
        value = tuple(v.lower() for v in value)
        bad = [v for v in value if not _DOMAIN.match(v.rpartition("@")[2].lstrip("."))]
        if bad:
            raise SettingsError(f"{key}: {bad[0]!r} is not an email address or @domain")
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    """Return a settings class's resolved field types (read on every comment: kept)."""
    return get_type_hints(cls)


def _section(name: str, cls: type, data: Any) -> Any:
    if not isinstance(data, dict):
        raise SettingsError(f"{name} must be an object")
    hints = _hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise SettingsError(
            f"unknown setting {name}.{unknown[0]} (known: {', '.join(sorted(known))})"
        )
    values = {
        k: _check(f"{name}.{k}", _coerce(f"{name}.{k}", hints[k], v)) for k, v in data.items()
    }
    return cls(**values)


def from_dict(data: dict[str, Any]) -> SiteSettings:
    """Validate a (possibly partial) settings object; missing keys take their defaults."""
    if not isinstance(data, dict):
        raise SettingsError("settings must be a JSON object")
    unknown = sorted(set(data) - set(TOP_LEVEL) - set(SECTIONS))
    if unknown:
        raise SettingsError(f"unknown setting {unknown[0]!r}")
    hints = _hints(SiteSettings)
    values: dict[str, Any] = {}
    for key in TOP_LEVEL:
        if key in data:
            values[key] = _check(key, _coerce(key, hints[key], data[key]))
    for key, cls in SECTIONS.items():
        if key in data:
            values[key] = _section(key, cls, data[key])
    result = SiteSettings(**values)
    low, high = result.low_threshold, result.high_threshold
    if low is not None and high is not None and low > high:
        raise SettingsError(f"low_threshold {low} is above high_threshold {high}")
    return result


def to_dict(settings: SiteSettings, *, only_changes: bool = False) -> dict[str, Any]:
    """Return the settings as JSON-ready data; ``only_changes`` drops default values."""
    full = json.loads(json.dumps(dataclasses.asdict(settings)))
    if not only_changes:
        return full
    default = to_dict(SiteSettings())
    out: dict[str, Any] = {}
    for key, value in full.items():
        if isinstance(value, dict):
            changed = {k: v for k, v in value.items() if v != default[key][k]}
            if changed:
                out[key] = changed
        elif value != default[key]:
            out[key] = value
    return out


_PARSED = "_palabre_parsed_settings"  # a plain attribute of the Site object, not a column


def load(site: Site) -> SiteSettings:
    """Return the site's settings: its JSON and threshold columns over the defaults.

    The result is kept on the Site object (every comment reads it, and a cached Site serves
    many) until the object's settings or thresholds change: settings are always replaced by
    a new object (`save`), never edited in place, and SiteSettings is frozen.
    """
    stored, low, high = site.settings, site.low_threshold, site.high_threshold
    kept = site.__dict__.get(_PARSED)
    if kept is not None and kept[0] is stored and kept[1] == low and kept[2] == high:
        return kept[3]  # type: ignore[no-any-return]
    data = dict(stored or {})
    data["low_threshold"] = low
    data["high_threshold"] = high
    result = from_dict(data)
    site.__dict__[_PARSED] = (stored, low, high, result)
    return result


def save(site: Site, settings: SiteSettings) -> None:
    """Store validated settings on the site; the caller commits."""
    data = to_dict(settings, only_changes=True)
    data.pop("low_threshold", None)
    data.pop("high_threshold", None)
    site.settings = data
    site.low_threshold, site.high_threshold = settings.low_threshold, settings.high_threshold


def merge(settings: SiteSettings, changes: dict[str, Any]) -> SiteSettings:
    """Return ``settings`` with ``changes`` (nested or dotted keys) applied and validated."""
    data = to_dict(settings)
    for key, value in changes.items():
        section, dot, name = key.partition(".")
        if dot and isinstance(value, dict):
            raise SettingsError(f"{key} must not be an object")
        if not dot and isinstance(value, dict) and section in SECTIONS:
            data[section].update(value)  # from_dict refuses unknown inner keys
            continue
        if dot:
            if section not in SECTIONS:
                raise SettingsError(f"unknown setting {key!r}")
            data[section][name] = value
        else:
            if section in SECTIONS:
                raise SettingsError(f"{key} must be an object")
            data[section] = value
    return from_dict(data)
