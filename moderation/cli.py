"""Flask commands: init-db and site management. Each command owns its transaction."""

from __future__ import annotations

import re

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from . import db, migrate
from .models import Site
from .sites import create_site, rotate_key

# Site names are part of page addresses (/sites/<name>/settings) and metrics labels.
SITE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")

sites_cli = AppGroup("sites", help="Create and manage the sites that send comments.")


@click.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema (safe to run again)."""
    migrate.upgrade(db.engine_for(current_app))
    click.echo("database is up to date")


def _site(name: str) -> Site:
    site = db.session().scalar(select(Site).where(Site.name == name))
    if site is None:
        raise click.ClickException(f"no site named {name!r}")
    return site


def _check_url(url: str) -> str:
    if not url.startswith(("http://", "https://")):
        raise click.BadParameter("the site URL must start with http:// or https://")
    return url.rstrip("/")


@sites_cli.command("create")
@click.argument("name")
@click.option("--url", required=True, help="The site's address, e.g. https://example.org")
def sites_create(name: str, url: str) -> None:
    """Create a site; its API key is printed once, alone on the last line."""
    if not SITE_NAME.fullmatch(name):
        raise click.ClickException(
            f"{name!r} is not a site name: 1 to 100 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit (it is part of the pages' addresses)"
        )
    with db.transaction() as s:
        if s.scalar(select(Site).where(Site.name == name)) is not None:
            raise click.ClickException(f"a site named {name!r} exists already")
        site, key = create_site(s, name, _check_url(url))
    click.echo(f"created site {site.name} (id {site.id}) for {site.url}")
    click.echo("API key (shown once, store it now):")
    click.echo(key)


@sites_cli.command("list")
def sites_list() -> None:
    """List sites with their thresholds."""
    for site in db.session().scalars(select(Site).order_by(Site.name)):
        low = "model" if site.low_threshold is None else f"{site.low_threshold:.3f}"
        high = "model" if site.high_threshold is None else f"{site.high_threshold:.3f}"
        click.echo(f"{site.name}\t{site.url}\tkey {site.api_key_prefix}…\tlow {low}\thigh {high}")


@sites_cli.command("update")
@click.argument("name")
@click.option("--url", default=None)
@click.option("--low-threshold", type=click.FloatRange(0, 1), default=None)
@click.option("--high-threshold", type=click.FloatRange(0, 1), default=None)
@click.option("--model-thresholds", is_flag=True, help="Use the model's thresholds again.")
def sites_update(
    name: str,
    url: str | None,
    low_threshold: float | None,
    high_threshold: float | None,
    model_thresholds: bool,
) -> None:
    """Change a site's URL or override the model's thresholds for it."""
    with db.transaction():
        site = _site(name)
        if url is not None:
            site.url = _check_url(url)
        if model_thresholds:
            site.low_threshold = site.high_threshold = None
        if low_threshold is not None:
            site.low_threshold = low_threshold
        if high_threshold is not None:
            site.high_threshold = high_threshold
        low, high = site.low_threshold, site.high_threshold
        if low is not None and high is not None and low > high:
            raise click.BadParameter(f"low threshold {low} is above high threshold {high}")
    click.echo(f"updated site {name}")


@sites_cli.command("rotate-key")
@click.argument("name")
def sites_rotate_key(name: str) -> None:
    """Replace a site's API key; the old key stops working within SITE_CACHE_SECONDS (1 s)."""
    with db.transaction():
        key = rotate_key(_site(name))
    click.echo(f"new API key for {name} (shown once, store it now):")
    click.echo(key)


@sites_cli.command("demo")
def sites_demo() -> None:
    """Create the 'demo' site, or give it a new key, and print the key."""
    with db.transaction() as s:
        site = s.scalar(select(Site).where(Site.name == "demo"))
        if site is None:
            site, key = create_site(s, "demo", "http://127.0.0.1:5000")
        else:
            key = rotate_key(site)
    click.echo("demo site API key:")
    click.echo(key)


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(init_db)
    app.cli.add_command(sites_cli)
    from .cli_moderators import moderators_cli

    app.cli.add_command(moderators_cli)
    from .cli_webhooks import site_webhook, webhooks_cli

    sites_cli.add_command(site_webhook)
    app.cli.add_command(webhooks_cli)
    from .cli_privacy import privacy_cli, retention_cli

    app.cli.add_command(privacy_cli)
    app.cli.add_command(retention_cli)
    from .cli_rules import register as register_rule_commands

    register_rule_commands(sites_cli)
    from .classifier_cli import classifier_cli

    app.cli.add_command(classifier_cli)
    from .cli_learning import register as register_learning_commands

    register_learning_commands(classifier_cli, sites_cli)
