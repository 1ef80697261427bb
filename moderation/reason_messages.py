"""The reasons of a comment in the moderator's language, worded at display time.

A stored reason keeps its English ``message``: the JSON APIs return it as stored (a contract).
The pages show it through ``reason_message``: in English as stored; in another language, the
reason's ``code`` picks the English shape its message has, whose variable parts (counts,
quoted words, domains, numbers) are read with anchored patterns that run in linear time
(possessive quantifiers, no nested repetition: the quoted parts are comment text, written by
whoever wants to slow the page down) and carried over into the sentence from the gettext
catalogue. They are substituted as values only, never used as a format string or as markup
(the templates escape the result). An unknown code, or a message of another shape (an older
wording), is shown as stored: in English, never garbled.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from babel.lists import format_list
from flask_babel import format_decimal, get_locale, ngettext, pgettext
from flask_babel import gettext as _

log = logging.getLogger(__name__)

Render = Callable[[str], str | None]

# A Python repr() of a string, as the rules quote configured words and fields with ``!r``.
_REPR = r"(?:'(?:[^'\\\n]|\\.)*+'|\"(?:[^\"\\\n]|\\.)*+\")"
_INT = r"(\d{1,15})"
_NUMBER = r"(\d{1,15}(?:\.\d{1,9})?)"
_LIST_MAX = 3  # classifier.features quotes at most three matches
_WORDS_MAX = 5  # rules._describe lists at most five words


def reason_message(reason: Any) -> str:
    """Return a reason's message in the current language; as stored when it cannot be."""
    if not isinstance(reason, Mapping):
        return ""
    stored = reason.get("message")
    message = "" if stored is None else str(stored)
    locale = get_locale()
    if locale is None or locale.language == "en":
        return message
    render = RENDERERS.get(str(reason.get("code", "")))
    if render is None:
        return message
    try:
        shown = render(message)
    except Exception:  # noqa: BLE001 - a wording problem must not break the comment page
        log.exception("could not translate the reason %r", reason.get("code"))
        return message
    return message if shown is None else shown


# Pieces -------------------------------------------------------------------------------------


def _quote(text: str) -> str:
    """Quote comment text the way the language does (« casino » in French)."""
    return pgettext("quoting a word of the comment", "'%(text)s'", text=text)


def _listed(parts: list[str]) -> str:
    """Return "a, b and c" in the current language."""
    return format_list(parts, locale=get_locale())


def _count(digits: str) -> str:
    """Return a count written the current language's way (1 234 in French)."""
    return str(format_decimal(int(digits)))


def _decimal(text: str) -> str:
    """Return a decimal number with as many decimals as given, the language's way (0,97)."""
    places = len(text.partition(".")[2])
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return str(format_decimal(Decimal(text), format=pattern))


def _unrepr(quoted: str) -> str:
    """Return the inside of a repr()-quoted string, its escapes left visible."""
    return quoted[1:-1]


def _language(code: str) -> str:
    """Return a language's name in the current language, or the code quoted when unknown."""
    locale = get_locale()
    names = locale.languages if locale is not None else {}
    name = names.get(code) or names.get(code.replace("-", "_")) or names.get(code.split("-")[0])
    return str(name) if name else _quote(code)


def _quoted_items(text: str, limit: int = _LIST_MAX) -> list[str] | None:
    """Split "'a', 'b'" (classifier.features._quoted) into its items; None if it is not one."""
    if len(text) < 2 or text[0] != "'" or text[-1] != "'":
        return None
    items = text[1:-1].split("', '")
    if len(items) > limit or not all(items):
        return None
    return items


def _scan(text: str, item: re.Pattern[str], limit: int) -> list[re.Match[str]] | None:
    """Match "item, item, item" in linear time: each item is anchored where the last ended."""
    found: list[re.Match[str]] = []
    pos = 0
    while True:
        m = item.match(text, pos)
        if m is None or len(found) == limit:
            return None
        found.append(m)
        pos = m.end()
        if pos == len(text):
            return found
        if not text.startswith(", ", pos):
            return None
        pos += 2


def _fixed(english: str, french: Callable[[], str]) -> Render:
    """A reason whose message never varies."""
    return lambda message: french() if message == english else None


def _pattern(regex: str, french: Callable[[re.Match[str]], str | None]) -> Render:
    """A reason whose message matches ``regex`` (the whole of it)."""
    compiled = re.compile(regex)

    def render(message: str) -> str | None:
        m = compiled.fullmatch(message)
        return None if m is None else french(m)

    return render


def _labelled(english: str, label: Callable[[int], str], optional: bool = False) -> Render:
    """A label followed by up to three quoted matches: "phone number '77 123 45 67'"."""

    def render(message: str) -> str | None:
        if optional and message == english:
            return label(1)
        if not message.startswith(english + " "):
            return None
        items = _quoted_items(message[len(english) + 1 :])
        if items is None:
            return None
        return f"{label(len(items))} {_listed([_quote(i) for i in items])}"

    return render


def _quoting(prefix: str, french: Callable[[str], str]) -> Render:
    """A reason quoting one word or phrase whole: "the word 'casino'"."""

    def render(message: str) -> str | None:
        start = prefix + " '"
        if len(message) < len(start) + 2 or not message.startswith(start) or message[-1] != "'":
            return None
        return french(_quote(message[len(start) : -1]))

    return render


# The classifier's signals (classifier.features) and explanations (classifier.explain) -------


def _language_mismatch(m: re.Match[str]) -> str:
    names = {"English": "en", "French": "fr"}
    return _(
        "written in %(written)s on a site in %(site)s",
        written=_language(names[m[1]]),
        site=_language(names[m[2]]),
    )


CLASSIFIER: dict[str, Render] = {
    "links": _pattern(
        rf"{_INT} links?",
        lambda m: ngettext("%(count)s link", "%(count)s links", int(m[1]), count=_count(m[1])),
    ),
    "link_domains": _pattern(
        rf"links to {_INT} domains?",
        lambda m: ngettext(
            "links to %(count)s domain",
            "links to %(count)s domains",
            int(m[1]),
            count=_count(m[1]),
        ),
    ),
    "shortener": _labelled(
        "link shortener", lambda n: ngettext("shortened link", "shortened links", n)
    ),
    "unusual_tld": _labelled(
        "unusual domain", lambda n: ngettext("unusual domain", "unusual domains", n)
    ),
    "hidden_link": _labelled(
        "disguised link", lambda n: ngettext("disguised link", "disguised links", n)
    ),
    "link_density": _fixed("mostly links", lambda: _("mostly links")),
    "email_in_text": _labelled(
        "email address in the text",
        lambda n: ngettext("email address in the text", "email addresses in the text", n),
        optional=True,
    ),
    "phone_number": _labelled(
        "phone number",
        lambda n: ngettext("phone number", "phone numbers", n),
        optional=True,
    ),
    "money": _labelled(
        "price or currency",
        lambda n: ngettext("price or currency", "prices or currencies", n),
        optional=True,
    ),
    "promo_words": _labelled(
        "sales words", lambda n: ngettext("sales word", "sales words", n), optional=True
    ),
    "call_to_action": _labelled(
        "call to action",
        lambda n: ngettext("call to action", "calls to action", n),
        optional=True,
    ),
    "self_promotion": _labelled("self-promotion", lambda n: _("self-promotion"), optional=True),
    "capitals": _pattern(
        r"many capitals \((\d{1,3})%\)",
        lambda m: _("many capitals (%(percent)s%%)", percent=m[1]),
    ),
    "repeated_chars": _labelled(
        "repeated characters", lambda n: _("repeated characters"), optional=True
    ),
    "punctuation_run": _labelled(
        "runs of punctuation",
        lambda n: ngettext("run of punctuation", "runs of punctuation", n),
        optional=True,
    ),
    "emoji": _pattern(
        rf"{_INT} emojis?",
        lambda m: ngettext("%(count)s emoji", "%(count)s emojis", int(m[1]), count=_count(m[1])),
    ),
    "length": _pattern(
        rf"length \({_INT} characters?\)",
        lambda m: ngettext(
            "length (%(count)s character)",
            "length (%(count)s characters)",
            int(m[1]),
            count=_count(m[1]),
        ),
    ),
    "author_name_url": _fixed("author name is a URL", lambda: _("author name is a URL")),
    "author_name_keywords": _labelled("author name contains", lambda n: _("author name contains")),
    "author_url": _fixed("author gave a website", lambda: _("author gave a website")),
    "free_mail": _pattern(
        r"free-mail address \(([^\s()]{1,253})\)",
        lambda m: _("free-mail address (%(domain)s)", domain=m[1]),
    ),
    "author_network": _pattern(
        r"sender's network ([0-9a-f.:]{2,39}/\d{1,3})",
        lambda m: _("sender's network %(network)s", network=m[1]),
    ),
    "disposable_mail": _pattern(
        r"disposable email address \(([^\s()]{1,253})\)",
        lambda m: _("disposable email address (%(domain)s)", domain=m[1]),
    ),
    "email_matches_site": _fixed(
        "email domain matches the website", lambda: _("email domain matches the website")
    ),
    "own_site_link": _fixed("links to this site", lambda: _("links to this site")),
    "script_user_agent": _fixed(
        "sent by a script, not a browser", lambda: _("sent by a script, not a browser")
    ),
    "language_mismatch": _pattern(
        r"written in (English|French) on an? (English|French) site", _language_mismatch
    ),
    # classifier.explain: the words and phrases that weighed most
    "word": _quoting("the word", lambda w: _("the word %(word)s", word=w)),
    "link_text": _quoting("the link", lambda w: _("the link %(link)s", link=w)),
    "phrase": _quoting("the phrase", lambda w: _("the phrase %(phrase)s", phrase=w)),
}


# The policy (moderation.policy) ------------------------------------------------------------

_P = r"spam probability (\d{1,3}\.\d{1,6}) is "

POLICY: dict[str, Render] = {
    "classifier_unavailable": _fixed(
        "the spam classifier is unavailable; a person must review",
        lambda: _("the spam classifier is unavailable; a person must review"),
    ),
    "score_high": _pattern(
        _P + r"at or above (\d{1,3}\.\d{1,6})",
        lambda m: _(
            "spam probability %(score)s is at or above %(high)s",
            score=_decimal(m[1]),
            high=_decimal(m[2]),
        ),
    ),
    "score_low": _pattern(
        _P + r"below (\d{1,3}\.\d{1,6})",
        lambda m: _(
            "spam probability %(score)s is below %(low)s",
            score=_decimal(m[1]),
            low=_decimal(m[2]),
        ),
    ),
    "score_uncertain": _pattern(
        _P + r"between (\d{1,3}\.\d{1,6}) and (\d{1,3}\.\d{1,6})",
        lambda m: _(
            "spam probability %(score)s is between %(low)s and %(high)s",
            score=_decimal(m[1]),
            low=_decimal(m[2]),
            high=_decimal(m[3]),
        ),
    ),
}


# The rules (moderation.rules, moderation.flood, moderation.screening) ----------------------

_FIELDS: dict[str, Callable[[str], str]] = {
    "content": lambda w: _("%(word)s in the text", word=w),
    "author name": lambda w: _("%(word)s in the author's name", word=w),
    "author email": lambda w: _("%(word)s in the email address", word=w),
    "author url": lambda w: _("%(word)s in the website", word=w),
    "author ip": lambda w: _("%(word)s in the IP address", word=w),
    "user agent": lambda w: _("%(word)s in the user agent", word=w),
}
_WORD_ITEM = re.compile(rf"({_REPR}) in ({'|'.join(_FIELDS)})(?=, |\Z)")


def _listing(
    head: str,
    item: re.Pattern[str],
    limit: int,
    each: Callable[[re.Match[str]], str],
    french: Callable[[str], str],
) -> Render:
    """A reason listing matches of `item` after `head`: "head a, b, c" -> french("a, b et c")."""

    def render(message: str) -> str | None:
        if not message.startswith(head):
            return None
        found = _scan(message[len(head) :], item, limit)
        return None if found is None else french(_listed([each(m) for m in found]))

    return render


def _words(english: str, french: Callable[[str], str]) -> Render:
    """contains disallowed words: 'casino' in content, 'viagra' in author name"""
    return _listing(
        f"contains {english} words: ",
        _WORD_ITEM,
        _WORDS_MAX,
        lambda m: _FIELDS[m[2]](_quote(_unrepr(m[1]))),
        french,
    )


_AUTHOR_KINDS: dict[str, Callable[[str], str]] = {
    "email": lambda e: _("email %(entry)s", entry=e),
    "IP": lambda e: _("IP %(entry)s", entry=e),
    "website": lambda e: _("website %(entry)s", entry=e),
}
_AUTHOR_ITEM = re.compile(r"(email|IP|website) ([^\s,]{1,320})(?=, |\Z)")


def _author_list(english: str, french: Callable[[str], str]) -> Render:
    """author on the block list: email a@b.example, IP 192.0.2.0/24"""
    return _listing(
        f"author on the {english} list: ",
        _AUTHOR_ITEM,
        3,
        lambda m: _AUTHOR_KINDS[m[1]](m[2]),
        french,
    )


def _campaign(m: re.Match[str]) -> str:
    return ngettext(
        "seen %(count)s times in %(hours)s h from %(authors)s author",
        "seen %(count)s times in %(hours)s h from %(authors)s authors",
        int(m[3]),
        count=_count(m[1]),
        hours=_count(m[2]),
        authors=_count(m[3]),
    )


def _time_missing(m: re.Match[str]) -> str:
    field = _quote(_unrepr(m[1]))
    if m[2] == "missing":
        return _("the form time field %(field)s is missing", field=field)
    return _("the form time field %(field)s is not a time", field=field)


def _unexpected_language(m: re.Match[str]) -> str | None:
    expected = m[2].split(", ")
    if len(expected) > 20 or not all(re.fullmatch(r"[A-Za-z0-9_-]{1,35}", e) for e in expected):
        return None
    return ngettext(
        "written in %(language)s; the site expects %(expected)s",
        "written in %(language)s; the site expects %(expected)s",
        len(expected),
        language=_language(_unrepr(m[1])),
        expected=_listed([_language(e) for e in expected]),
    )


def _flood(m: re.Match[str]) -> str:
    seconds = _count(m[2])
    if m[1] == "IP":
        return _("another comment from this IP less than %(seconds)s s ago", seconds=seconds)
    return _("another comment from this email less than %(seconds)s s ago", seconds=seconds)


_PER: dict[str, Callable[[], str]] = {
    "second": lambda: _("per second"),
    "minute": lambda: _("per minute"),
    "hour": lambda: _("per hour"),
    "day": lambda: _("per day"),
    "month": lambda: _("per month"),
    "year": lambda: _("per year"),
}
_WITHIN: dict[str, Callable[[int, str], str]] = {
    "second": lambda n, c: ngettext("in %(count)s second", "in %(count)s seconds", n, count=c),
    "minute": lambda n, c: ngettext("in %(count)s minute", "in %(count)s minutes", n, count=c),
    "hour": lambda n, c: ngettext("in %(count)s hour", "in %(count)s hours", n, count=c),
    "day": lambda n, c: ngettext("in %(count)s day", "in %(count)s days", n, count=c),
    "month": lambda n, c: ngettext("in %(count)s month", "in %(count)s months", n, count=c),
    "year": lambda n, c: ngettext("in %(count)s year", "in %(count)s years", n, count=c),
}


def _site_rate(m: re.Match[str]) -> str:
    """the site sent more than 300 per 1 second comments (str() of a limits rate item)"""
    amount, multiples, unit = m[1], int(m[2]), m[3]
    period = _PER[unit]() if multiples == 1 else _WITHIN[unit](multiples, _count(m[2]))
    return ngettext(
        "the site sent more than %(count)s comment %(period)s",
        "the site sent more than %(count)s comments %(period)s",
        int(amount),
        count=_count(amount),
        period=period,
    )


RULES: dict[str, Render] = {
    "links.too_many": _pattern(
        rf"{_INT} links? \(the site holds comments with {_INT} or more\)",
        lambda m: ngettext(
            "%(count)s link (the site holds comments with %(limit)s or more)",
            "%(count)s links (the site holds comments with %(limit)s or more)",
            int(m[1]),
            count=_count(m[1]),
            limit=_count(m[2]),
        ),
    ),
    "words.disallowed": _words(
        "disallowed", lambda words: _("contains disallowed words: %(words)s", words=words)
    ),
    "words.moderated": _words(
        "moderated", lambda words: _("contains moderated words: %(words)s", words=words)
    ),
    "author.trusted": _pattern(
        rf"{_INT} earlier approved comments? by this name and email",
        lambda m: ngettext(
            "%(count)s earlier approved comment by this name and email",
            "%(count)s earlier approved comments by this name and email",
            int(m[1]),
            count=_count(m[1]),
        ),
    ),
    "author.blocked": _author_list(
        "block", lambda found: _("author on the block list: %(found)s", found=found)
    ),
    "author.allowed": _author_list(
        "allow", lambda found: _("author on the allow list: %(found)s", found=found)
    ),
    "email.disposable": CLASSIFIER["disposable_mail"],
    "campaign.near_duplicate": _pattern(
        rf"seen {_INT} times in {_INT} h from {_INT} authors?", _campaign
    ),
    "form.honeypot": _pattern(
        rf"the hidden form field ({_REPR}) was filled in",
        lambda m: _("the hidden form field %(field)s was filled in", field=_quote(_unrepr(m[1]))),
    ),
    "form.time_missing": _pattern(
        rf"the form time field ({_REPR}) is (missing|not a time)", _time_missing
    ),
    "form.too_fast": _pattern(
        rf"sent {_NUMBER} s after the form was shown \(minimum {_NUMBER} s\)",
        lambda m: _(
            "sent %(elapsed)s s after the form was shown (minimum %(minimum)s s)",
            elapsed=_decimal(m[1]),
            minimum=_decimal(m[2]),
        ),
    ),
    "language.unexpected": _pattern(
        rf"written in ({_REPR}); the site expects ([^;]{{1,400}})", _unexpected_language
    ),
    "duplicate.exact": _pattern(
        rf"same content by the same author on the same post as comment {_INT}",
        lambda m: _("same content by the same author on the same post as comment %(id)s", id=m[1]),
    ),
    "flood.too_fast": _pattern(
        rf"another comment from this (IP|email) less than {_INT} s ago", _flood
    ),
    "flood.site_rate": _pattern(
        rf"the site sent more than {_INT} per {_INT} (second|minute|hour|day|month|year) comments",
        _site_rate,
    ),
}

RENDERERS: dict[str, Render] = {**CLASSIFIER, **POLICY, **RULES}
