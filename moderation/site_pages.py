"""Per-site pages: the site list, settings (admins), rule statistics, webhook delivery log."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from . import db, delivery, delivery_log, queries, settings_form
from . import settings as site_settings
from .accounts import visible_site_ids, visible_sites
from .models import Moderator, Role, Site
from .rulestats import rule_statistics
from .settings import SettingsError
from .web import login_required

bp = Blueprint("sites", __name__, url_prefix="/sites", template_folder="templates")
Page = str | tuple[str, int] | Response


def _mod() -> Moderator:
    mod: Moderator = g.moderator
    return mod


def _is_admin() -> bool:
    return _mod().role == Role.ADMIN


def _refuse(status: int) -> HTTPException:
    db.session().rollback()
    page = render_template("sites/refused.html", status=status)
    return HTTPException(response=make_response(page, status))


def _site(name: str, *, admin: bool = False) -> Site:
    """Return the named site if the moderator may see it (404) and, if asked, is admin (403)."""
    s = db.session()
    site = s.scalar(select(Site).where(Site.name == name))
    if site is None or site.id not in visible_site_ids(s, _mod()):
        raise _refuse(404)
    if admin and not _is_admin():
        raise _refuse(403)
    return site


def _page_arg() -> int:
    return queries.page_number(request.args.get("page"))


@bp.get("")
@login_required
def index() -> Page:
    """List the sites this moderator may see, with links to their pages."""
    with db.reading() as s:
        sites = visible_sites(s, _mod())
    return render_template("sites/index.html", sites=sites, admin=_is_admin())


@bp.route("/<name>/settings", methods=["GET", "POST"])
@login_required
def edit_settings(name: str) -> Page:
    """Show the site's settings as a form; save them if valid, else show why (nothing saved)."""
    s = db.session()
    site = _site(name, admin=True)
    try:
        current = site_settings.load(site)
    except SettingsError:
        current = site_settings.SiteSettings()  # stored settings went bad: start from defaults
        flash(_("The stored settings were invalid; the form shows the defaults."), "error")
    if request.method == "GET":
        s.commit()
        return render_template(
            "sites/settings.html", site=site, sections=settings_form.sections(current)
        )
    submitted = settings_form.submitted_values(request.form)
    try:
        updated = settings_form.apply(current, submitted)
    except SettingsError as exc:
        s.rollback()
        page = render_template(
            "sites/settings.html",
            site=site,
            sections=settings_form.sections(current, submitted),
            error=str(exc),
            error_key=settings_form.error_key(str(exc)),
        )
        return page, 422
    site_settings.save(site, updated)
    s.commit()
    flash(_("Settings of %(site)s saved.", site=name))
    return redirect(url_for("sites.edit_settings", name=name), code=303)


@bp.get("/<name>/rules")
@login_required
def rule_stats(name: str) -> Page:
    """Show, per rule and mode, the comments it touched and how moderators decided them."""
    with db.reading() as s:
        site = _site(name)
        rows = rule_statistics(s, site)
    return render_template("sites/rule_stats.html", site=site, rows=rows)


@bp.get("/<name>/deliveries")
@login_required
def deliveries(name: str) -> Page:
    """List the site's webhook events, newest first, with every delivery attempt."""
    with db.reading() as s:
        site = _site(name)
        log = delivery_log.delivery_page(s, site.id, _page_arg())
    return render_template("sites/deliveries.html", site=site, log=log, admin=_is_admin())


@bp.post("/<name>/deliveries/<event_id>/redeliver")
@login_required
def redeliver(name: str, event_id: str) -> Page:
    """Queue one more attempt of an event now (admins)."""
    s = db.session()
    site = _site(name, admin=True)
    event = delivery_log.find_event(s, site.id, event_id[:64])
    if event is None:
        raise _refuse(404)
    delivery.redeliver(s, event)
    s.commit()
    flash(_("Event %(id)s queued for delivery.", id=event.event_id))
    return redirect(url_for("sites.deliveries", name=name), code=303)
