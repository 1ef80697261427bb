"""The dashboard and the audit trail, for the sites a moderator may see."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from . import db, queries, stats
from .accounts import visible_site_ids
from .charts import stacked_bars
from .db import utcnow
from .models import Moderator
from .web import login_required

bp = Blueprint("reports", __name__, template_folder="templates")
DAYS = 14


def _mod() -> Moderator:
    from flask import g

    mod: Moderator = g.moderator
    return mod


@bp.get("/dashboard")
@login_required
def dashboard() -> str:
    """Show outcomes per day, the queue, automatic vs human decisions and overturns."""
    with db.reading() as s:
        site_ids = visible_site_ids(s, _mod())
        days = stats.per_day(s, site_ids, DAYS)
        figures = stats.site_figures(s, site_ids)
    return render_template(
        "queue/dashboard.html",
        chart=stacked_bars(days),
        days=days,
        figures=figures,
        now=utcnow(),
        period=DAYS,
    )


@bp.get("/dashboard/learning")
@login_required
def learning() -> str:
    """Show, per site, model quality over time, review share per week and the next retraining."""
    from flask import current_app

    from .learning_stats import site_learning

    with db.reading() as s:
        sites = site_learning(s, current_app.config, visible_site_ids(s, _mod()))
    return render_template("queue/learning.html", sites=sites)


@bp.get("/audit")
@login_required
def audit() -> str:
    """List every status change, newest first."""
    page = queries.page_number(request.args.get("page"))
    actor = request.args.get("actor", "").strip()
    with db.reading() as s:
        rows, pages = queries.audit_page(s, visible_site_ids(s, _mod()), page, actor=actor)
    current = min(page, pages)
    return render_template("queue/audit.html", rows=rows, page=current, pages=pages, actor=actor)
