"""Flask commands for site settings and rule statistics (sites settings, configure, rule-stats)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any, get_type_hints

import click
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from . import db
from . import settings as site_settings
from .models import Site
from .rulestats import rule_statistics
from .settings import SettingsError


def _site(name: str) -> Site:
    site = db.session().scalar(select(Site).where(Site.name == name))
    if site is None:
        raise click.ClickException(f"no site named {name!r}")
    return site


def parse_assignment(text: str) -> tuple[str, Any]:
    """Parse ``key=value`` from the CLI: JSON values, else a comma-separated list or a string."""
    key, eq, raw = text.partition("=")
    key = key.strip()
    if not eq or not key:
        raise SettingsError(f"expected key=value, not {text!r}")
    try:
        return key, json.loads(raw)
    except ValueError:
        pass
    name = key.rsplit(".", 1)[-1]
    if key == "languages" or name in _LIST_NAMES:
        return key, [part for part in raw.split(",")]
    return key, raw


_LIST_NAMES = {
    f.name
    for cls in site_settings.SECTIONS.values()
    for f in dataclasses.fields(cls)
    if get_type_hints(cls)[f.name] == site_settings.Words
}


@click.command("settings")
@with_appcontext
@click.argument("name")
def show_settings(name: str) -> None:
    """Print a site's settings (defaults included) as JSON."""
    try:
        current = site_settings.load(_site(name))
    except SettingsError as exc:
        raise click.ClickException(f"the stored settings are invalid: {exc}") from None
    click.echo(json.dumps(site_settings.to_dict(current), indent=2, ensure_ascii=False))


@click.command("configure")
@with_appcontext
@click.argument("name")
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="KEY=VALUE",
    help="e.g. links.hold_at=3, words.disallowed=casino,viagra, languages=fr,en",
)
@click.option(
    "--file",
    "path",
    type=click.File("r", encoding="utf-8"),
    default=None,
    help="A JSON object of settings (nested or dotted keys) to apply.",
)
def configure(name: str, assignments: tuple[str, ...], path: Any) -> None:
    """Validate and save changes to a site's settings; nothing is saved on any error."""
    changes: dict[str, Any] = {}
    try:
        if path is not None:
            data = json.load(path)
            if not isinstance(data, dict):
                raise SettingsError("the settings file must hold a JSON object")
            changes.update(data)
        changes.update(parse_assignment(a) for a in assignments)
        if not changes:
            raise click.UsageError("give --set KEY=VALUE or --file settings.json")
        with db.transaction():
            site = _site(name)
            updated = site_settings.merge(site_settings.load(site), changes)
            site_settings.save(site, updated)
    except (SettingsError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"updated settings of {name}")


@click.command("rule-stats")
@with_appcontext
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def rule_stats(name: str, as_json: bool) -> None:
    """Show how many comments each rule touched and how moderators decided them."""
    stats = rule_statistics(db.session(), _site(name))
    if as_json:
        click.echo(json.dumps([s.to_dict() for s in stats], indent=2))
        return
    click.echo("rule\tmode\teffect\ttouched\tdecided\tapproved\tspam\trejected\tprecision")
    for s in stats:
        precision = "-" if s.precision is None else f"{s.precision:.0%}"
        m = s.moderator
        click.echo(
            f"{s.code}\t{'shadow' if s.shadow else 'on'}\t{s.effect}\t{s.touched}\t{s.decided}\t"
            f"{m.get('approved', 0)}\t{m.get('spam', 0)}\t{m.get('rejected', 0)}\t{precision}"
        )


def register(group: AppGroup) -> None:
    """Add the commands to the ``sites`` group."""
    for command in (show_settings, configure, rule_stats):
        group.add_command(command)
