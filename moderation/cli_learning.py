"""`flask classifier retrain|rollback|autotrain|import-wxr` and `flask sites share` (thin)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from . import db, modelstore
from .feedback import record_feedback
from .learning_models import TrainingRun
from .models import Site
from .webhook_models import Label

WXR_LABELS = {"spam": Label.SPAM, "approved": Label.HAM}


def _site(name: str | None) -> Site | None:
    if name is None:
        return None
    site = db.session().scalar(select(Site).where(Site.name == name))
    if site is None:
        raise click.ClickException(f"no site named {name!r}")
    return site


def _print_run(run: TrainingRun, name: str) -> None:
    verdict = "PROMOTED" if run.promoted else "kept the current model"
    click.echo(f"{name}: {verdict} ({run.reason})")
    click.echo(f"  candidate {run.candidate_version or '-'}  current {run.current_version or '-'}")
    metrics = run.metrics or {}
    for who in ("candidate", "current"):
        m = metrics.get(who) or {}
        if m:
            click.echo(
                f"  {who:9}  ROC-AUC {m.get('roc_auc')}  ham->spam {m.get('ham_to_spam')}  "
                f"spam approved {m.get('spam_approved')}  review {m.get('review_share')}  "
                f"errors {m.get('errors')}"
            )
    if metrics:
        click.echo(f"  report: {json.dumps(metrics, sort_keys=True, default=str)}")


@click.command("retrain")
@with_appcontext
@click.option("--site", "site_name", default=None, help="Site name (default: the shared model).")
@click.option("--seed", default=0, show_default=True)
def retrain(site_name: str | None, seed: int) -> None:
    """Train a candidate on the corpus and feedback; promote it only if it is not worse."""
    from . import training

    with db.transaction() as s:
        site = _site(site_name)
        run = training.retrain(s, current_app.config, site, seed=seed)
    _print_run(run, site_name or "shared model")


@click.command("rollback")
@with_appcontext
@click.option("--site", "site_name", default=None, help="Site name (default: the shared model).")
def rollback(site_name: str | None) -> None:
    """Restore the previously promoted model (a site's first one: back to the shared model)."""
    from . import training

    site = _site(site_name)
    try:
        version = training.rollback(current_app.config, site)
    except modelstore.StoreError as exc:
        raise click.ClickException(str(exc)) from None
    db.session().commit()
    shown = version or "none of its own: the shared model scores it"
    click.echo(f"{site_name or 'shared model'}: restored {shown}")


@click.command("autotrain")
@with_appcontext
@click.option("--once", is_flag=True, help="Check every site once, then exit.")
@click.option("--interval", default=60, show_default=True, help="Seconds between checks.")
def autotrain(once: bool, interval: int) -> None:
    """Retrain each site once AUTOTRAIN_EVERY new labels arrived (or on the schedule)."""
    from . import training

    while True:
        s = db.session()
        for run in training.autotrain_once(s, current_app.config):
            site = s.get(Site, run.site_id) if run.site_id is not None else None
            _print_run(run, site.name if site is not None else "shared model")
        s.commit()
        if once:
            return
        time.sleep(interval)


@click.command("import-wxr")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--site", "site_name", required=True, help="The site the export comes from.")
@click.option(
    "--trash",
    type=click.Choice(["spam", "skip"]),
    default="spam",
    show_default=True,
    help="How to learn from trashed comments.",
)
def import_wxr(file: Path, site_name: str, trash: str) -> None:
    """Import a WordPress export's spam, approved and trashed comments as labelled examples."""
    from classifier.wxr_history import WxrError, read_history

    try:
        history = read_history(file)
    except WxrError as exc:
        raise click.ClickException(str(exc)) from None
    labels = dict(WXR_LABELS, **({"trash": Label.SPAM} if trash == "spam" else {}))
    counts = {"spam": 0, "ham": 0, "skipped": 0}
    with db.transaction() as s:
        site = _site(site_name)
        assert site is not None
        for item in history:
            label = labels.get(item.status)
            if label is None or not item.comment.content.strip():
                counts["skipped"] += 1
                continue
            payload = {k: v for k, v in item.comment.to_dict().items() if v}
            payload["wordpress_status"] = item.status
            record_feedback(s, site, label, payload, source="wxr", actor=f"import:{file.name}")
            counts[str(label)] += 1
    click.echo(
        f"imported {counts['spam']} spam and {counts['ham']} ham comments into {site_name} "
        f"({counts['skipped']} skipped)"
    )


@click.command("share")
@with_appcontext
@click.argument("name")
@click.option("--off", is_flag=True, help="Stop sharing.")
def share(name: str, off: bool) -> None:
    """Let every model learn from this site's labels (admins only: it crosses sites)."""
    with db.transaction():
        site = _site(name)
        assert site is not None
        site.share_training = not off
    click.echo(f"{name}: labels {'kept to this site' if off else 'shared with every model'}")


def register(classifier_cli: AppGroup, sites_cli: AppGroup) -> None:
    """Add the learning commands to their groups."""
    for command in (retrain, rollback, autotrain, import_wxr):
        classifier_cli.add_command(command)
    sites_cli.add_command(share)
