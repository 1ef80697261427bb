"""Browser-facing protections in one place: headers, session cookies, CSRF, proxy trust."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask, Request, Response, abort, flash, redirect, request, session, url_for
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask_babel import gettext as _
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
CSRF_KEY = "csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Blueprints authenticated by an Authorization header, never by cookie: no CSRF possible.
CSRF_EXEMPT = {"api", "moderator_api", "site_settings", "health"}  # Bearer tokens, no cookies
CSRF_EXEMPT.add("akismet")  # the site key travels in the form body; no cookie is ever read
# The moderators' pages: a form posted without any session there is an expired sign-in.
HTML_BLUEPRINTS = {"web", "queue", "reports", "sites"}
# How much longer the browser keeps the session cookie than the server's idle limit: the
# server must see the stale session to say "your session expired" rather than "bad request".
COOKIE_GRACE = timedelta(days=1)


class SessionInterface(SecureCookieSessionInterface):
    """Signed cookie sessions, Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    # Most requests (every webhook and API call) carry no session cookie. Flask would still
    # build a signing serializer to open it (which serialises a test object) and work out
    # every cookie setting to save it; both do nothing for an empty, unmodified session.
    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not session and not session.modified:
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


def csrf_token() -> str:
    """Return this session's CSRF token, creating it if needed."""
    token = session.get(CSRF_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[CSRF_KEY] = token
    return token


def csrf_valid(req: Request) -> bool:
    """Return whether the request carries this session's CSRF token."""
    expected = session.get(CSRF_KEY)
    sent = req.headers.get(CSRF_HEADER) or req.form.get(CSRF_FIELD, "")
    return bool(expected) and hmac.compare_digest(str(expected), str(sent))


def _check_csrf() -> Response | None:
    if request.method in SAFE_METHODS or request.blueprint in CSRF_EXEMPT:
        return None
    if request.routing_exception is not None:
        return None  # no such route or method: let routing answer 404/405, not a CSRF 400
    if csrf_valid(request):
        return None
    if request.blueprint in HTML_BLUEPRINTS and not session.get(CSRF_KEY):
        # No session at all (its cookie expired in the browser, or the form sat open that
        # long): nothing was done; sign in again, then back to the page the form was on.
        flash(_("Your session expired; please sign in again."), "info")
        return redirect(url_for("web.login", next=referring_page()))
    abort(400, description="csrf")


def referring_page() -> str:
    """Return the path of the page on this site that sent the request, or the queue's."""
    parts = urlsplit(request.referrer or "")
    if parts.netloc == request.host and parts.path.startswith("/") and parts.path != "/login":
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return url_for("queue.index")


def _headers(resp: Response) -> Response:
    for name, value in HEADERS.items():
        resp.headers.setdefault(name, value)
    if resp.mimetype == "text/html":
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("X-Frame-Options", "DENY")
    return resp


def init_app(app: Flask) -> None:
    """Install cookie settings, CSRF checks on unsafe methods and security headers."""
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    app.config["PERMANENT_SESSION_LIFETIME"] = idle + COOKIE_GRACE
    app.session_interface = SessionInterface()
    if app.config.get("TRUST_PROXY"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    app.before_request(_check_csrf)
    app.after_request(_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["referring_page"] = referring_page
