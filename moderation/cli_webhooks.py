"""Flask commands for webhooks: a site's settings, the delivery worker, the delivery log."""

from __future__ import annotations

import os
import socket
import time

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from . import db, delivery, ssrf
from .models import Site
from .webhook_models import WebhookDelivery, WebhookEvent
from .webhooks import rotate_secret, set_callback

webhooks_cli = AppGroup("webhooks", help="Deliver decision callbacks and inspect deliveries.")


def _site(name: str) -> Site:
    site = db.session().scalar(select(Site).where(Site.name == name))
    if site is None:
        raise click.ClickException(f"no site named {name!r}")
    return site


def settings() -> delivery.Settings:
    """Return the worker settings from the app config."""
    cfg = current_app.config
    return delivery.Settings(
        secret_key=cfg["SECRET_KEY"],
        timeout=float(cfg["WEBHOOK_TIMEOUT_SECONDS"]),
        lease_seconds=int(cfg["WEBHOOK_LEASE_SECONDS"]),
        allow_private=bool(cfg["ALLOW_PRIVATE_CALLBACKS"]),
    )


@click.command("webhook")
@click.argument("name")
@click.option("--callback-url", default=None, help="Where to POST decisions ('' removes it).")
@click.option("--require-signature/--no-require-signature", default=None)
@click.option("--rotate-secret", "rotate", is_flag=True, help="Make a new webhook secret.")
@with_appcontext
def site_webhook(
    name: str, callback_url: str | None, require_signature: bool | None, rotate: bool
) -> None:
    """Set a site's callback URL and signature requirement; print a new secret once."""
    secret = None
    with db.transaction():
        site = _site(name)
        if callback_url is not None:
            try:
                set_callback(
                    site, callback_url, allow_private=current_app.config["ALLOW_PRIVATE_CALLBACKS"]
                )
            except ssrf.UnsafeURL as exc:
                raise click.BadParameter(str(exc), param_hint="--callback-url") from None
        if require_signature is not None:
            site.require_signature = require_signature
        needs_secret = site.require_signature or bool(site.callback_url)
        if rotate or (needs_secret and not site.webhook_secret_sealed):
            secret = rotate_secret(site, current_app.config["SECRET_KEY"])
        state = "disabled (410)" if site.callback_disabled_at else "active"
        click.echo(
            f"site {name}: callback {site.callback_url or 'none'} ({state}), "
            f"signature {'required' if site.require_signature else 'optional'}"
        )
    if secret is not None:
        click.echo("webhook secret (shown once, store it now):")
        click.echo(secret)


@webhooks_cli.command("deliver")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@click.option("--batch", default=10, show_default=True)
def deliver(once: bool, batch: int) -> None:
    """Run the delivery worker (several may run at once)."""
    worker = f"{socket.gethostname()}:{os.getpid()}"[:64]
    conf = settings()
    with delivery.new_client(conf) as client:
        while True:
            sent = delivery.deliver_due(db.session(), client, worker, conf, batch)
            db.session().commit()
            if once and sent == 0:
                return
            if sent == 0:
                time.sleep(1.0)


@webhooks_cli.command("log")
@click.argument("name")
@click.option("--limit", default=50, show_default=True)
def delivery_log(name: str, limit: int) -> None:
    """Show a site's latest delivery attempts: time, event, attempt, status, duration."""
    site = _site(name)
    rows = db.session().execute(
        select(WebhookDelivery, WebhookEvent)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.site_id == site.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    )
    for attempt, event in rows:
        result = str(attempt.status_code) if attempt.status_code is not None else attempt.error
        click.echo(
            f"{attempt.created_at:%Y-%m-%d %H:%M:%S}\t{event.event_id}\t{event.type}\t"
            f"#{attempt.attempt}\t{result}\t{attempt.duration_ms} ms\t{event.state}"
        )


@webhooks_cli.command("redeliver")
@click.argument("event_id")
def redeliver(event_id: str) -> None:
    """Queue an event (by its evt_ id) for delivery now."""
    with db.transaction() as s:
        event = s.scalar(select(WebhookEvent).where(WebhookEvent.event_id == event_id))
        if event is None:
            raise click.ClickException(f"no event {event_id!r}")
        delivery.redeliver(s, event)
    click.echo(f"event {event_id} queued for delivery")
