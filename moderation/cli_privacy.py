"""Flask commands for retention and commenters' access and erasure requests."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from . import db, privacy

privacy_cli = AppGroup("privacy", help="Serve a commenter's access and erasure requests.")
retention_cli = AppGroup("retention", help="Purge old spam and anonymise old IP addresses.")


@privacy_cli.command("export")
@click.argument("email")
def privacy_export(email: str) -> None:
    """Print, as JSON, everything stored about the commenter with EMAIL."""
    data = privacy.export(db.session(), email)
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@privacy_cli.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def privacy_erase(email: str, yes: bool) -> None:
    """Erase the personal data in the comments of EMAIL; decisions stay in the audit."""
    if not yes:
        click.confirm(f"Erase the personal data of {email}?", abort=True)
    with db.transaction() as s:
        count = privacy.erase(s, email)
    click.echo(f"erased personal data from {count} comment(s)")


@retention_cli.command("run")
@click.option("--spam-days", type=click.IntRange(min=1), default=None)
@click.option("--ip-days", type=click.IntRange(min=0), default=None)
def retention_run(spam_days: int | None, ip_days: int | None) -> None:
    """Apply the retention policy once (run it daily, e.g. from cron)."""
    cfg = current_app.config
    with db.transaction() as s:
        report = privacy.apply_retention(
            s,
            spam_days=spam_days or cfg["RETENTION_SPAM_DAYS"],
            ip_days=cfg["RETENTION_IP_DAYS"] if ip_days is None else ip_days,
        )
    click.echo(
        f"purged {report.spam_purged} spam comment(s), anonymised {report.ips_anonymised} IP(s)"
    )
