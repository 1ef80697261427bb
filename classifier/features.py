"""Hand-made signals of a comment (links, author, shape, money, phone), each with its spans.

Every signal has a stable code, a value (the model's input column) and the exact spans of the
ORIGINAL field text it was found in, so the same code feeds training and explanations.
"""

from __future__ import annotations

import ipaddress
import math
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from classifier import lexicon as lx
from classifier.normalize import normalize_with_offsets, original_span
from classifier.records import CommentInput, Span

# Comment text is attacker-controlled (up to 20,000 characters), so these patterns must not
# backtrack in quadratic time. Two rules keep each of them linear without changing a match:
# - a repetition is possessive (``*+``, ``++``) where giving characters back can never help,
#   because what has to follow cannot be one of the repeated characters;
# - URLs, disguised links, email addresses and amounts are found by `_scan`, which tries a run
#   of candidate starts once: when the first start of a run fails, the later ones would scan the
#   same run up to the same text and fail too (regex finditer would try, and rescan, each one).
# tests/test_regex_linear.py pins the spans the original patterns found and bounds the time.
_URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'()\[\]{}]++"
    rf"|(?<![\w@.])[a-z0-9][a-z0-9-]*+(?:\.[a-z0-9-]++)*\.(?:{lx.BARE_TLDS})(?![\w@])"
    r"(?:/[^\s<>\"']*+)?"
)
_URL_HEAD = re.compile(r"https?://|www\.")
_URL_START = re.compile(r"https?://|www\.|(?<![\w@.])[a-z0-9]")
_URL_BARE_START = re.compile(r"(?<![\w@.])[a-z0-9]")
_URL_REACH = re.compile(r"[a-z0-9-]*+(?:\.[a-z0-9-]++)*+")  # the labels a bare domain can span
_URL_HINT = re.compile(rf"https?://|www\.|\.(?:{lx.BARE_TLDS})(?![\w@])")  # in every URL found
# "example (dot) com", "site [.] net", "monsite point fr"; "point ca" is French prose ("ça").
_HIDDEN_DOT = (
    r"\(\s*+(?:\.|dot|point)\s*+\)\s*+|\[\s*+(?:\.|dot|point)\s*+\]\s*+|"
    r"(?<=\s)\.\s|(?<=\s)dot\s++|(?<=\s)point\s++(?!ca(?!\w))"
)
_HIDDEN_URL_RE = re.compile(
    rf"(?<!\w)[a-z0-9-]{{2,}}+\s*+(?:{_HIDDEN_DOT})(?:{lx.BARE_TLDS})(?!\w)"
)
_HIDDEN_START = re.compile(r"(?<!\w)[a-z0-9-]")
# The end of every disguised link: the separator (its look-behinds see the space before it).
_HIDDEN_HINT = re.compile(rf"(?:{_HIDDEN_DOT})(?:{lx.BARE_TLDS})(?!\w)")
_HIDDEN_RUN = re.compile(r"[a-z0-9-]*+")
_EMAIL_RE = re.compile(r"[\w.+-]++@[\w-]++(?:\.[\w-]++)+")
_EMAIL_START = re.compile(r"[\w.+-]")
_EMAIL_HINT = re.compile(r"@[\w-]++\.[\w-]")
_EMAIL_RUN = re.compile(r"[\w.+-]*+")
_PHONE_RE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]?\d{2,4}){2,4}"
    r"|\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}|0[1-9](?:[\s.-]?\d{2}){4}|0\d{9,11}"
    # UK-style grouping of 11 digits: 09095 350 301, 0203 769 4410, 07781 226304
    r"|0\d{3,4}[\s.-]\d{3}[\s.-]?\d{3,4})(?!\w)"
)
_MONEY_RE = re.compile(
    r"[$€£¥₹₿]\s?\d[\d,.]*\s?[km]?(?!\w)|(?<![\w.])\d[\d,.]*+\s?(?:[km]\s?)?(?:[$€£¥₹]|usd|eur|"
    r"euros?|dollars?|gbp|pounds?|bucks|btc|k€)(?!\w)|\${2,}"
    # premium-rate prices in pence: 150p/msg, 60p/min, 25p per text
    r"|(?<![\w.])\d{1,4}p\s?(?:/|per\s)\s?(?:min|minute|msg|message|txt|text|sms|call|wk|week)"
    r"(?!\w)"
)
_MONEY_START = re.compile(r"[$€£¥₹₿]|(?<![\w.])\d")
_MONEY_RUN = re.compile(r"[\d,.]*+")
_REPEAT_RE = re.compile(r"([^\d\s.])\1{2,}")
_PUNCT_RE = re.compile(r"[!?]{2,}|[^\w\s]{4,}")
_EMOJI_RE = re.compile(r"(?:[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B50\u2B55]\s*)+")
_WORD_RE = re.compile(r"[^\W\d_]+")
_PROMO_RE = lx.terms_re(lx.PROMO_TERMS)
_CTA_RE = lx.terms_re(lx.CALL_TO_ACTION)
# Premium SMS short codes: "txt WIN to 87121", "envoyez JEU au 71030", "reply STOP to 80488",
# "Txt the word: CLAIM to No: 81010". One to three short words between the verb and "to".
_SHORT_CODE_RE = re.compile(
    r"(?<!\w)(?:txt|text|send|reply|sms|envoyez|envoie|envoi|tapez)(?:\s++[\w:\"'«»]{1,12}+){1,3}"
    r"\s++(?:to|au|at)\s++(?:(?:no|number|numero|n°)\s*+:?\s*+)?\d{4,6}(?!\w)"
)
_SELF_RE = lx.terms_re(lx.SELF_PROMO)
_NAME_SPAM_RE = lx.terms_re(lx.NAME_SPAM_TERMS)

SIGNALS = (
    "links", "link_domains", "shortener", "unusual_tld", "hidden_link", "link_density",
    "email_in_text", "phone_number", "money", "promo_words", "call_to_action", "self_promotion",
    "capitals", "repeated_chars", "punctuation_run", "emoji", "length",
    "author_name_url", "author_name_keywords", "author_url", "free_mail", "disposable_mail",
    "email_matches_site", "own_site_link", "script_user_agent", "language_mismatch",
)  # fmt: skip


# The sender's network is not one column but a hashed one among NETWORK_BUCKETS (after the
# SIGNALS columns): a site's model learns the networks its spam comes from (a site's labels
# carry the author's IP; the bootstrap corpus has none, so its model gives them no weight).
NETWORK = "author_network"
_SIGNAL_INDEX = {code: i for i, code in enumerate(SIGNALS)}


@dataclass
class Hit:
    """One signal found in a comment: its model input value, words and spans.

    `key` names the hashed column of a signal that has many (the sender's network).
    """

    value: float
    message: str
    spans: list[Span] = field(default_factory=list)
    key: str = ""


def signal_column(code: str, hit: Hit, network_buckets: int) -> int | None:
    """The model column of a signal; None for the network when the model has no such columns.

    Models saved before the network columns existed have `network_buckets` 0: they read the
    SIGNALS columns only, as they were trained.
    """
    if code != NETWORK:
        return _SIGNAL_INDEX[code]
    if not network_buckets:
        return None
    return len(SIGNALS) + zlib.crc32(hit.key.encode()) % network_buckets


def network_of(ip: str) -> str:
    """The /24 (IPv4) or /48 (IPv6) network of an address as text, or "" if it is not one."""
    try:
        addr = ipaddress.ip_address(ip.strip())
    except ValueError:
        return ""
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    if isinstance(addr, ipaddress.IPv4Address):
        return str(ipaddress.IPv4Network((int(addr), 24), strict=False))
    return str(ipaddress.IPv6Network((int(addr), 48), strict=False))


@dataclass
class Field:
    """A field's original text, its normalised form and the offset map between them."""

    name: str
    raw: str
    norm: str
    offsets: list[int]

    @classmethod
    def of(cls, name: str, raw: str) -> Field:
        norm, offsets = normalize_with_offsets(raw or "")
        return cls(name, raw or "", norm, offsets)

    def span(self, start: int, end: int) -> Span:
        lo, hi = original_span(self.offsets, start, end, self.raw)
        return Span(self.name, lo, hi)

    def spans(self, matches: list[re.Match[str]]) -> list[Span]:
        return [self.span(m.start(), m.end()) for m in matches]


def _host(url: str) -> str:
    url = url.strip().lower()
    if "://" not in url:
        url = "http://" + url
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


# Second-level labels under which a country's registrations sit (bbc.co.uk, presidence.gouv.ci,
# unilag.edu.ng): under them a site is the last three labels of its host, not two.
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "gouv", "edu", "ne", "or", "go"})


def _site_domain(host: str) -> str:
    """Return the domain a host belongs to: its last two labels, or three under a country's
    second-level suffix ("news.bbc.co.uk" -> "bbc.co.uk", "www.abidjan.net" -> "abidjan.net").

    An approximation of the public suffix list, which this library does not ship.
    """
    labels = host.split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def _on_site(host: str, site: str) -> bool:
    """Whether `host` is `site` or one of its subdomains (not merely a name ending like it)."""
    return host == site or host.endswith("." + site)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


QUOTE_CHARS = 40  # a reason quotes at most this much of one match; its span marks the rest


def _quoted(matches: list[re.Match[str]], limit: int = 3) -> str:
    seen = list(dict.fromkeys(m.group(0).strip() for m in matches))[:limit]
    return ", ".join(f"'{_shortened(s)}'" for s in seen)


def _shortened(text: str) -> str:
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def _scan(
    pattern: re.Pattern[str],
    starts: re.Pattern[str],
    skip: Callable[[str, int], int],
    hint: re.Pattern[str],
    text: str,
) -> Iterator[re.Match[str]]:
    """Yield the matches ``pattern.finditer(text)`` yields, in linear time.

    ``starts`` finds the next position where a match can begin; when the match fails there,
    ``skip(text, at)`` is the first later position where it can succeed (every start in
    between would see the same run and the same text after it, and fail the same way).
    ``hint`` is part of every match: most texts have none and are not scanned at all.
    None of these patterns matches the empty string, so a match always moves on.
    """
    if hint.search(text) is None:
        return
    pos = 0
    while (found := starts.search(text, pos)) is not None:
        at = found.start()
        m = pattern.match(text, at)
        if m is not None:
            yield m
            pos = m.end()
        else:
            pos = max(skip(text, at), at + 1)


def _url_skip(text: str, at: int) -> int:
    """After a failed URL start: skip the bare domain's labels, but not a scheme or 'www.'."""
    if _URL_BARE_START.match(text, at) is None:
        return at + 1  # only the scheme / 'www.' branch was tried here
    end = _end_of(_URL_REACH, text, at)
    # A failed bare domain fails from every later start in its labels; a 'www.' or scheme
    # inside them (at most 8 characters, starting before `end`) still has to be tried.
    head = _URL_HEAD.search(text, at + 1, end + 8)
    return head.start() if head is not None and head.start() < end else end


def _find_urls(text: str) -> list[re.Match[str]]:
    return list(_scan(_URL_RE, _URL_START, _url_skip, _URL_HINT, text))


def _find_hidden_urls(text: str) -> list[re.Match[str]]:
    return list(_scan(_HIDDEN_URL_RE, _HIDDEN_START, _run_end(_HIDDEN_RUN), _HIDDEN_HINT, text))


def _find_emails(text: str) -> list[re.Match[str]]:
    return list(_scan(_EMAIL_RE, _EMAIL_START, _run_end(_EMAIL_RUN), _EMAIL_HINT, text))


def _find_money(text: str) -> list[re.Match[str]]:
    return list(_scan(_MONEY_RE, _MONEY_START, _run_end(_MONEY_RUN), _MONEY_START, text))


def _run_end(run: re.Pattern[str]) -> Callable[[str, int], int]:
    return lambda text, at: _end_of(run, text, at)


def _end_of(run: re.Pattern[str], text: str, at: int) -> int:
    m = run.match(text, at)  # a run may be empty, so it always matches
    return m.end() if m is not None else at


def _finder(*patterns: re.Pattern[str]) -> Callable[[str], list[re.Match[str]]]:
    if len(patterns) == 1:
        return lambda text: list(patterns[0].finditer(text))
    return lambda text: sorted(
        (m for p in patterns for m in p.finditer(text)), key=lambda m: m.start()
    )


def _link_signals(text: Field, out: dict[str, Hit], site: str) -> None:
    urls = _find_urls(text.norm)
    hidden = _find_hidden_urls(text.norm)
    if hidden:
        out["hidden_link"] = Hit(1.0, f"disguised link {_quoted(hidden)}", text.spans(hidden))
    n = len(urls) + len(hidden)
    if not n:
        return
    out["links"] = Hit(math.log1p(n), _plural(n, "link"), text.spans(urls + hidden))
    hosts = [_host(m.group(0)) for m in urls]
    domains = {_site_domain(h) for h in hosts if h}
    if len(domains) > 1:
        out["link_domains"] = Hit(math.log1p(len(domains)), f"links to {len(domains)} domains")
    short = [m for m, h in zip(urls, hosts, strict=True) if h in lx.SHORTENERS]
    if short:
        out["shortener"] = Hit(1.0, f"link shortener {_quoted(short)}", text.spans(short))
    odd = [m for m, h in zip(urls, hosts, strict=True) if h.rsplit(".", 1)[-1] in lx.UNUSUAL_TLDS]
    if odd:
        out["unusual_tld"] = Hit(1.0, f"unusual domain {_quoted(odd)}", text.spans(odd))
    own = [m for m, h in zip(urls, hosts, strict=True) if site and _on_site(h, site)]
    if own:
        out["own_site_link"] = Hit(1.0, "links to this site", text.spans(own))
    if urls and _words_outside(text.norm, urls + hidden) <= LINK_ONLY_WORDS:
        out["link_density"] = Hit(1.0, "mostly links", text.spans(urls))


# A comment whose text besides its links holds at most this many words is "mostly links" (a
# bare link drop); a person sharing a link says a sentence with it ("the photos from Saturday").
LINK_ONLY_WORDS = 3


def _words_outside(text: str, links: list[re.Match[str]]) -> int:
    """Count the words of two letters or more in `text` outside the spans of `links`."""
    spans, pos = [], 0
    for m in sorted(links, key=lambda m: m.start()):
        spans.append((pos, max(pos, m.start())))
        pos = max(pos, m.end())
    spans.append((pos, len(text)))
    return sum(len(w) > 1 for a, b in spans for w in _WORD_RE.findall(text, a, b))


def _shape_signals(text: Field, out: dict[str, Hit]) -> None:
    raw = text.raw
    letters = "".join(filter(str.isalpha, raw))  # counted in C: no Python call per character
    upper = sum(map(str.isupper, letters))
    if len(letters) >= 6 and upper / len(letters) > 0.3:
        share = upper / len(letters)
        caps = [
            Span("content", m.start(), m.end()) for m in re.finditer(r"[A-Z]{2,}[A-Z\s!]*", raw)
        ]
        out["capitals"] = Hit(share, f"many capitals ({share:.0%})", caps[:10])
    for code, pattern, label in (
        ("repeated_chars", _REPEAT_RE, "repeated characters"),
        ("punctuation_run", _PUNCT_RE, "runs of punctuation"),
    ):
        found = list(pattern.finditer(raw))
        if found:
            spans = [Span("content", m.start(), m.end()) for m in found]
            out[code] = Hit(math.log1p(len(found)), f"{label} {_quoted(found)}", spans)
    emoji = list(_EMOJI_RE.finditer(raw))
    if emoji:
        count = sum(len(m.group(0).replace(" ", "")) for m in emoji)
        spans = [Span("content", m.start(), m.end()) for m in emoji]
        out["emoji"] = Hit(math.log1p(count), _plural(count, "emoji"), spans)
    size = len(text.norm)
    out["length"] = Hit(math.log1p(size) / 8.0, f"length ({_plural(size, 'character')})")


_CONTENT_FINDERS = (
    ("email_in_text", _find_emails, "email address in the text"),
    ("phone_number", _finder(_PHONE_RE), "phone number"),
    ("money", _find_money, "price or currency"),
    ("promo_words", _finder(_PROMO_RE), "sales words"),
    ("call_to_action", _finder(_CTA_RE, _SHORT_CODE_RE), "call to action"),
    ("self_promotion", _finder(_SELF_RE), "self-promotion"),
)


def _content_signals(text: Field, out: dict[str, Hit]) -> None:
    for code, find, label in _CONTENT_FINDERS:
        found = find(text.norm)
        if found:
            words = _quoted(found) if code != "email_in_text" else ""
            out[code] = Hit(math.log1p(len(found)), f"{label} {words}".strip(), text.spans(found))


def _author_signals(c: CommentInput, out: dict[str, Hit]) -> None:
    name = Field.of("author_name", c.author_name)
    if name.norm:
        urls = _find_urls(name.norm)
        if urls:
            out["author_name_url"] = Hit(1.0, "author name is a URL", name.spans(urls))
        spam = list(_NAME_SPAM_RE.finditer(name.norm))
        if spam:
            msg = f"author name contains {_quoted(spam)}"
            out["author_name_keywords"] = Hit(1.0, msg, name.spans(spam))
    site = _host(c.author_url) if c.author_url.strip() else ""
    if site:
        out["author_url"] = Hit(
            1.0, "author gave a website", [Span("author_url", 0, len(c.author_url))]
        )
    email = c.author_email.strip().lower()
    domain = email.rsplit("@", 1)[-1] if "@" in email else ""
    if domain:
        at = c.author_email.rfind("@") + 1
        span = [Span("author_email", at, len(c.author_email.rstrip()))]
        if domain in lx.FREE_MAIL:
            out["free_mail"] = Hit(1.0, f"free-mail address ({domain})", span)
        if domain in lx.DISPOSABLE_MAIL:
            out["disposable_mail"] = Hit(1.0, f"disposable email address ({domain})", span)
        if site and _on_site(site, domain):
            out["email_matches_site"] = Hit(1.0, "email domain matches the website", span)
    network = network_of(c.author_ip) if c.author_ip else ""
    if network:
        ip = [Span("author_ip", 0, len(c.author_ip))]
        out[NETWORK] = Hit(1.0, f"sender's network {network}", ip, key=network)
    if c.user_agent and lx.BOT_AGENTS.search(c.user_agent):
        ua = [Span("user_agent", 0, len(c.user_agent))]
        out["script_user_agent"] = Hit(1.0, "sent by a script, not a browser", ua)


def _language_signal(c: CommentInput, text: Field, out: dict[str, Hit]) -> None:
    site = (c.language or "").lower()[:2]
    if site not in ("fr", "en"):
        return
    words = _WORD_RE.findall(text.norm)
    en = sum(w in lx.STOP_EN for w in words)
    fr = sum(w in lx.STOP_FR for w in words)
    if en + fr < 2:
        return
    written = "en" if en > fr else "fr"
    if written != site:
        names = {"en": "English", "fr": "French"}
        article = "an" if site == "en" else "a"
        message = f"written in {names[written]} on {article} {names[site]} site"
        out["language_mismatch"] = Hit(1.0, message)


def comment_signals(c: CommentInput, text: Field | None = None) -> dict[str, Hit]:
    """Return the signals found in a comment, keyed by code (absent signals are left out)."""
    text = text or Field.of("content", c.content)
    out: dict[str, Hit] = {}
    site = _host(c.permalink) if c.permalink else ""
    _link_signals(text, out, _site_domain(site) if site else "")
    _content_signals(text, out)
    _shape_signals(text, out)
    _author_signals(c, out)
    _language_signal(c, text, out)
    return out
