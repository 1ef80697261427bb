"""Configuration: defaults, then MODERATION_* environment variables, then test overrides."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {
    "ENV": "development",
    "SECRET_KEY": None,
    "DATABASE_URL": None,  # default: SQLite file in the instance folder
    "MODEL_PATH": None,  # default: <instance>/model/model.skops
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "MAX_COMMENT_CHARS": 20_000,
    "CHECK_EMAIL_DELIVERABILITY": False,
    "SQLITE_BUSY_TIMEOUT_MS": 30_000,
    "SQLITE_SYNCHRONOUS": "NORMAL",
    "RETRY_AFTER_SECONDS": 5,
    "CLAIM_MINUTES": 5,
    "SESSION_IDLE_MINUTES": 60,
    "TRUST_PROXY": False,
    # Flood control and per-site rate limits (Flask-Limiter storage): "memory://" is per
    # process; set redis://host:6379/0 so the limits hold across workers and hosts.
    "RATELIMIT_STORAGE_URI": "memory://",
    # Webhooks and Akismet (docs/webhooks.md, docs/akismet.md)
    "ALLOW_PRIVATE_CALLBACKS": False,  # tests only: callbacks to 127.0.0.1 and friends
    "WEBHOOK_TIMEOUT_SECONDS": 10,
    "WEBHOOK_LEASE_SECONDS": 60,  # a claimed event is retried after this if its worker died
    "WEBHOOK_TOLERANCE_SECONDS": 300,
    "AKISMET_DISCARD_SCORE": 0.98,  # spam at or above this: X-akismet-pro-tip: discard
    "LOG_LEVEL": "INFO",
    "LOG_FORMAT": "json",  # or "text"
    "METRICS_TOKEN": "",  # when set, /metrics requires "Authorization: Bearer <token>"
    "RETENTION_SPAM_DAYS": 30,
    "RETENTION_IP_DAYS": 30,
}

# Environment values are parsed to the type of their default (bool, int, float or str).
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
PREFIX = "MODERATION_"


class ConfigError(ValueError):
    """A configuration value is missing or invalid."""


def _parse(key: str, raw: str) -> Any:
    default = DEFAULTS.get(key)
    if isinstance(default, bool):
        low = raw.strip().lower()
        if low not in _TRUE | _FALSE:
            raise ConfigError(f"{PREFIX}{key} must be 0 or 1, not {raw!r}")
        return low in _TRUE
    for kind in (int, float):
        if isinstance(default, kind):
            try:
                return kind(raw)
            except ValueError:
                raise ConfigError(f"{PREFIX}{key} must be a number, not {raw!r}") from None
    return raw


def from_environ(environ: dict[str, str] | os._Environ[str]) -> dict[str, Any]:
    """Return the MODERATION_* settings found in ``environ``, parsed."""
    found: dict[str, Any] = {}
    for name, raw in environ.items():
        if name.startswith(PREFIX):
            key = name[len(PREFIX) :]
            found[key] = _parse(key, raw)
    return found


def build(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Merge defaults, the environment and ``overrides`` and fill derived paths."""
    config = dict(DEFAULTS)
    config.update(from_environ(os.environ))
    config.update(overrides or {})
    instance = Path(instance_path)
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = f"sqlite:///{instance / 'palabre.db'}"
    if not config["MODEL_PATH"]:
        config["MODEL_PATH"] = str(instance / "model" / "model.skops")
    validate(config)
    return config


def validate(config: dict[str, Any]) -> None:
    """Refuse settings the service cannot run with."""
    if config["ENV"] == "production":
        key = config.get("SECRET_KEY") or ""
        if len(key) < 32:
            raise ConfigError(
                "MODERATION_SECRET_KEY must be set to a random string of 32+ characters "
                "in production"
            )
    if not config.get("SECRET_KEY"):
        # Development only: a per-process key, so nothing signed survives a restart.
        import secrets

        config["SECRET_KEY"] = secrets.token_hex(32)
    if config["MAX_CONTENT_LENGTH"] < 1024:
        raise ConfigError("MODERATION_MAX_CONTENT_LENGTH must be at least 1024 bytes")
    if config["SQLITE_SYNCHRONOUS"].upper() not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
        raise ConfigError("MODERATION_SQLITE_SYNCHRONOUS must be OFF, NORMAL, FULL or EXTRA")
