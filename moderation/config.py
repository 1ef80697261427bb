"""Configuration: defaults, then MODERATION_* environment variables, then test overrides."""

from __future__ import annotations

import os
import time
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
    "SQLITE_CHECKPOINT_SECONDS": 0.5,  # WAL checkpoints by a background thread; 0: by commits
    "PG_ANALYZE_SECONDS": 1.0,  # stale tables analysed by a background thread; 0: autovacuum's
    "SITE_CACHE_SECONDS": 1.0,  # a site read by its key is reused this long; 0: every request
    "RETRY_AFTER_SECONDS": 5,
    "CLAIM_MINUTES": 5,
    "SESSION_IDLE_MINUTES": 60,
    "SESSION_COOKIE_NAME": "palabre_session",  # Flask's "session" would clash on a shared host
    "TRUST_PROXY": False,
    # Flood control and per-site rate limits (`limits` storage): "memory://" is per
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
    # Learning from decisions (docs/learning.md)
    "MODEL_RELOAD_SECONDS": 30.0,  # how often workers look for a newly promoted model
    "AUTOTRAIN_EVERY": 50,  # retrain a site once this many new labels arrived
    "AUTOTRAIN_SCHEDULE_HOURS": 24.0,  # ... or this long after its last run, if any arrived
    "TRAINING_RATE_PER_HOUR": 200,  # labels per moderator or Akismet key per hour that train
    "TRAINING_MIN_LABELS": 20,  # a site's own model needs this many labels (both classes)
    "BOOTSTRAP_DATA": "",  # default: data/bootstrap in the source tree
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
    config["INSTANCE_PATH"] = str(instance)
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = f"sqlite:///{instance / 'palabre.db'}"
    if not config["MODEL_PATH"]:
        config["MODEL_PATH"] = str(instance / "model" / "model.skops")
    validate(config)
    return config


def _instance_secret(instance: Path) -> str:
    """Read the instance's development secret key, creating it (mode 0600) on first use."""
    import secrets

    path = instance / "secret_key"
    instance.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another worker may be writing it right now
            key = path.read_text().strip()
            if key:
                return key
            time.sleep(0.01)
        raise ConfigError(f"{path} is empty: delete it to get a new key") from None
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


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
        # Development only. Every worker of one instance must share the key (sessions,
        # encrypted webhook secrets), so it is kept in the instance folder, never in git.
        config["SECRET_KEY"] = _instance_secret(Path(config["INSTANCE_PATH"]))
    if config["MAX_CONTENT_LENGTH"] < 1024:
        raise ConfigError("MODERATION_MAX_CONTENT_LENGTH must be at least 1024 bytes")
    if config["SQLITE_SYNCHRONOUS"].upper() not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
        raise ConfigError("MODERATION_SQLITE_SYNCHRONOUS must be OFF, NORMAL, FULL or EXTRA")
    for seconds in ("SQLITE_CHECKPOINT_SECONDS", "PG_ANALYZE_SECONDS", "SITE_CACHE_SECONDS"):
        if not config[seconds] >= 0:  # also refuses NaN
            raise ConfigError(f"MODERATION_{seconds} must be 0 or more")
