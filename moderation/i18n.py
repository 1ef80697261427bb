"""English and French for the moderators' pages (Flask-Babel; compiled catalogs committed)."""

from __future__ import annotations

from flask import Flask, g, request, session
from flask_babel import Babel, format_decimal, get_locale

from .reason_messages import reason_message

LANGUAGES = ("en", "fr")


def select_locale() -> str:
    """Pick the moderator's saved language, then the session's, then the browser's."""
    moderator = g.get("moderator")
    if moderator is not None and moderator.language in LANGUAGES:
        return str(moderator.language)
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    return request.accept_languages.best_match(LANGUAGES, default="en") or "en"


def number(value: float, pattern: str = "0.00") -> str:
    """A score or weight in the page's language ("0.97" in English, "0,97" in French)."""
    return str(format_decimal(value, format=pattern))


def init_app(app: Flask) -> None:
    """Install Flask-Babel with our locale selector."""
    Babel(app, locale_selector=select_locale, default_translation_directories="translations")
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES, get_locale=get_locale, reason_message=reason_message, number=number
    )
