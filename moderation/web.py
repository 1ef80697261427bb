"""Moderators' sign-in: login, logout, idle timeout, language choice."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from . import accounts, db, flood
from .i18n import LANGUAGES
from .models import Moderator
from .security import csrf_token

bp = Blueprint("web", __name__, template_folder="templates")
F = TypeVar("F", bound=Callable[..., Any])
IP_THROTTLE = "palabre.login_throttle"
SEEN_RESOLUTION = 30  # seconds: rewrite the cookie at most this often for the idle clock


def _fingerprint(moderator: Moderator) -> str:
    # A new password (or role change) ends every session signed before it.
    raw = f"{moderator.password_hash}|{moderator.role}|{moderator.is_active}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def load_moderator() -> None:
    """Put the signed-in moderator in ``g.moderator``, ending idle or stale sessions."""
    g.moderator = None
    mod_id = session.get("mod")
    if mod_id is None:
        return
    now = int(time.time())
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    seen = session.get("seen", 0)
    with db.reading() as s:  # a read: on SQLite it must not queue for the write lock
        mod = s.get(Moderator, mod_id)
    if not isinstance(seen, int) or now - seen > idle or mod is None:
        session.clear()
        g.session_expired = True
        return
    if session.get("fp") != _fingerprint(mod) or not mod.is_active:
        session.clear()
        return
    if now - seen >= SEEN_RESOLUTION:
        session["seen"] = now
    g.moderator = mod


def login_required(view: F) -> F:
    """Send anonymous visitors to the login page, then back."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if g.get("moderator") is None:
            if g.get("session_expired"):
                flash(_("Your session expired; please sign in again."), "info")
            return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def safe_next(target: str | None, default: str) -> str:
    """Return ``target`` if it is a path on this site, else ``default``."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target:
        return default
    return target


def _client_ip() -> str:
    return request.remote_addr or "unknown"


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int, dict[str, str]]:
    """Show the sign-in form; on success start a new session."""
    next_url = safe_next(request.values.get("next"), url_for("queue.index"))
    if request.method == "GET":
        csrf_token()
        return render_template("web/login.html", next=next_url)
    email = request.form.get("email", "")[:320]
    password = request.form.get("password", "")[:1024]
    throttle: accounts.IpThrottle = current_app.extensions[IP_THROTTLE]
    s = db.session()
    try:
        throttle.check(flood.strategy(), _client_ip())
        mod = accounts.authenticate(s, email, password)
    except accounts.Throttled as exc:
        s.commit()
        message = _("Too many failed attempts. Try again in %(n)d seconds.", n=exc.retry_after)
        page = render_template("web/login.html", next=next_url, error=message, email=email)
        return page, 429, {"Retry-After": str(exc.retry_after)}
    s.commit()
    if mod is None:
        throttle.fail(flood.strategy(), _client_ip())
        error = _("Wrong email or password.")
        return render_template("web/login.html", next=next_url, error=error, email=email), 401
    session.clear()  # a brand-new session: nothing from before the login survives
    session.permanent = True
    session.update(mod=mod.id, fp=_fingerprint(mod), seen=int(time.time()))
    csrf_token()
    return redirect(next_url, code=303)


@bp.post("/logout")
def logout() -> Response:
    """End the session."""
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("web.login"), code=303)


@bp.post("/language")
def language() -> Response:
    """Remember the chosen language (on the account when signed in)."""
    lang = request.form.get("lang", "")
    if lang in LANGUAGES:
        session["lang"] = lang
        mod = g.get("moderator")
        if mod is not None:
            with db.transaction():
                mod.language = lang
    back = safe_next(request.form.get("next"), url_for("queue.index"))
    return redirect(back, code=303)


def init_app(app: Flask) -> None:
    """Register the blueprint, the moderator loader and the login throttle."""
    app.extensions[IP_THROTTLE] = accounts.IpThrottle()
    app.before_request(load_moderator)
    app.register_blueprint(bp)
