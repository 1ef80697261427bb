"""Over the whole test run: no secret the code generates reaches a log line or a SQLite file.

Every worker writes the app's log records (moderation, palabre, classifier; DEBUG and up, with
the production JSON formatter) to a shared run folder and records every API key, moderator
token, password and webhook secret the code generates or is given. When the run ends, the
controller searches all those logs and every SQLite database the tests left for them, and
fails the run, naming the file, if one is found.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from moderation import accounts, signing, sites
from moderation.logs import JsonFormatter, RequestIdFilter

RUN_DIR = "PALABRE_TEST_LEAK_DIR"
LOGGERS = ("moderation", "palabre", "classifier")
_TOKEN = re.compile(rb"[A-Za-z0-9_\-+/=]{12,}")


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the controller, or a run without xdist
        os.environ[RUN_DIR] = tempfile.mkdtemp(prefix="palabre-leaks-")


def _recording(record: Callable[[str], None], fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        value = fn(*args, **kwargs)
        record(value)
        return value

    return wrapper


@pytest.fixture(scope="session", autouse=True)
def record_secrets_and_logs() -> Iterator[None]:
    run = Path(os.environ[RUN_DIR])
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    handler = logging.FileHandler(run / f"{worker}.log", encoding="utf-8")
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    handler.setLevel(logging.DEBUG)
    loggers = [logging.getLogger(name) for name in LOGGERS]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    found = (run / f"{worker}.secrets").open("a", encoding="utf-8")

    def record(value: str) -> None:
        found.write(value + "\n")
        found.flush()

    create = accounts.create_moderator

    def create_moderator(session: Any, email: str, role: Any, password: str) -> Any:
        record(password)
        return create(session, email, role, password)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sites, "new_api_key", _recording(record, sites.new_api_key))
        mp.setattr(accounts, "new_token", _recording(record, accounts.new_token))
        mp.setattr(accounts, "new_password", _recording(record, accounts.new_password))
        mp.setattr(signing, "new_secret", _recording(record, signing.new_secret))
        mp.setattr(accounts, "create_moderator", create_moderator)
        yield
    for lg, level in zip(loggers, levels, strict=True):
        lg.removeHandler(handler)
        lg.setLevel(level)
    handler.close()
    found.close()


def _tokens(path: Path) -> set[bytes]:
    try:
        return set(_TOKEN.findall(path.read_bytes()))
    except OSError:
        return set()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if hasattr(session.config, "workerinput") or RUN_DIR not in os.environ:
        return
    run = Path(os.environ[RUN_DIR])
    secrets = {
        line.encode()
        for path in run.glob("*.secrets")
        for line in path.read_text(encoding="utf-8").splitlines()
        if len(line) >= 12
    }
    places = list(run.glob("*.log"))
    basetemp = session.config._tmp_path_factory.getbasetemp()  # noqa: SLF001
    places += [p for p in basetemp.rglob("*.db") if p.is_file()]
    leaks = [(p, s) for p in places for s in secrets & _tokens(p)]
    writer = session.config.get_terminal_writer()
    writer.line("")
    if leaks:
        for path, secret in leaks[:20]:
            writer.line(f"SECRET LEAK: {secret[:8].decode()}… found in {path}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    else:
        writer.line(
            f"secrets check: {len(secrets)} generated secrets, none in {len(places)} log and "
            "database files of this run"
        )
