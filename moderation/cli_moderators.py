"""Flask commands for moderator accounts: create, list, grant, revoke, token."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from . import accounts, db
from .models import Moderator, Role, Site, SiteGrant

moderators_cli = AppGroup("moderators", help="Create moderator accounts and grant them sites.")


def _moderator(email: str) -> Moderator:
    mod = accounts.find_moderator(db.session(), email)
    if mod is None:
        raise click.ClickException(f"no moderator {email!r}")
    return mod


def _site(name: str) -> Site:
    site = db.session().scalar(select(Site).where(Site.name == name))
    if site is None:
        raise click.ClickException(f"no site named {name!r}")
    return site


@moderators_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.MODERATOR.value)
@click.option("--password", default=None, help="Default: a generated one, printed once.")
def create(email: str, role: str, password: str | None) -> None:
    """Create a moderator account."""
    generated = password is None
    password = password or accounts.new_password()
    with db.transaction() as s:
        try:
            mod = accounts.create_moderator(s, email, Role(role), password)
        except accounts.AccountError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"created {mod.role} {mod.email} (id {mod.id})")
    if generated:
        click.echo("password (shown once, store it now):")
        click.echo(password)


@moderators_cli.command("list")
def list_() -> None:
    """List moderators with their role and granted sites."""
    s = db.session()
    for mod in s.scalars(select(Moderator).order_by(Moderator.email)):
        names = s.scalars(
            select(Site.name)
            .join(SiteGrant, SiteGrant.site_id == Site.id)
            .where(SiteGrant.moderator_id == mod.id)
            .order_by(Site.name)
        )
        sites = "all sites" if mod.role == Role.ADMIN else ", ".join(names) or "no site"
        state = "" if mod.is_active else "\t(disabled)"
        click.echo(f"{mod.email}\t{mod.role}\t{sites}{state}")


@moderators_cli.command("grant")
@click.argument("email")
@click.argument("site")
def grant(email: str, site: str) -> None:
    """Let a moderator see a site's comments."""
    with db.transaction() as s:
        added = accounts.grant(s, _moderator(email), _site(site))
    click.echo(f"granted {site} to {email}" if added else f"{email} already had {site}")


@moderators_cli.command("revoke")
@click.argument("email")
@click.argument("site")
def revoke(email: str, site: str) -> None:
    """Withdraw a site from a moderator."""
    with db.transaction() as s:
        removed = accounts.revoke(s, _moderator(email), _site(site))
    click.echo(f"revoked {site} from {email}" if removed else f"{email} did not have {site}")


@moderators_cli.command("token")
@click.argument("email")
def token(email: str) -> None:
    """Issue a new API token (the previous one stops working); printed once."""
    with db.transaction():
        new = accounts.issue_token(_moderator(email))
    click.echo(f"API token for {email} (shown once, store it now):")
    click.echo(new)
