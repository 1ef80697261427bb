"""The admins' JSON API for a site's settings and rule statistics."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import select

from . import db
from . import settings as site_settings
from .bodies import read_payload
from .errors import Problem
from .models import Role, Site
from .moderator_api import _mod, moderator_required
from .rulestats import rule_statistics
from .settings import SettingsError

bp = Blueprint("site_settings", __name__, url_prefix="/api/v1")


def _admin_site(name: str) -> Site:
    if _mod().role != Role.ADMIN:
        raise Problem(403, "forbidden", detail="site settings are for admins")
    site = db.session().scalar(select(Site).where(Site.name == name))
    if site is None:
        raise Problem(404, "not_found")
    return site


@bp.get("/sites/<name>/settings")
@moderator_required
def show(name: str) -> Response:
    """Return the site's settings, defaults included."""
    site = _admin_site(name)
    try:
        return jsonify(site_settings.to_dict(site_settings.load(site)))
    except SettingsError as exc:
        raise Problem(500, "internal", detail=f"stored settings are invalid: {exc}") from None


@bp.put("/sites/<name>/settings")
@moderator_required
def replace(name: str) -> Response:
    """Replace the site's settings; keys left out take their defaults. Nothing saved on error."""
    body = read_payload(request)
    with db.transaction():
        site = _admin_site(name)
        try:
            updated = site_settings.from_dict(body)
        except SettingsError as exc:
            raise Problem(422, "invalid_settings", detail=str(exc)) from None
        site_settings.save(site, updated)
    return jsonify(site_settings.to_dict(updated))


@bp.get("/sites/<name>/rule-stats")
@moderator_required
def stats(name: str) -> Response:
    """Return per-rule statistics: comments touched and how moderators decided them."""
    with db.reading() as s:
        site = _admin_site(name)
        return jsonify([r.to_dict() for r in rule_statistics(s, site)])
