"""Fold obfuscated text onto its plain form, keeping a map back to the original offsets.

The same function serves training, scoring, explanations and the service's word lists, so an
obfuscated spam ("ＣΑЅΙΝО", "c4s1n0", "c a s i n o", zero-width joins) scores like the plain one.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from classifier.lexicon import FLAG_CODES

# Latin look-alikes from Cyrillic, Greek and a few symbol blocks; NFKC does not fold these.
_HOMOGLYPHS = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
        "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j",
        "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ɡ": "g", "ɑ": "a", "ı": "i", "ȷ": "j",
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
        "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "γ": "y", "ѵ": "v", "ß": "ss",
        "ø": "o", "đ": "d", "ł": "l", "ħ": "h", "æ": "ae", "œ": "oe",
        # Capitals first: case folding would turn Greek "Ν" (N) into "ν", a look-alike of "v".
        "Α": "a", "Β": "b", "Ε": "e", "Ζ": "z", "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m",
        "Ν": "n", "Ο": "o", "Ρ": "p", "Τ": "t", "Υ": "y", "Χ": "x", "А": "a", "В": "b",
        "Е": "e", "К": "k", "М": "m", "Н": "h", "О": "o", "Р": "p", "С": "c", "Т": "t",
        "Х": "x", "Ѕ": "s", "І": "i", "Ј": "j", "У": "y", "Ϲ": "c", "ϲ": "c", "ϳ": "j",
        # More Cyrillic and Greek; Armenian, Cherokee (both cases: Cherokee case-folds to the
        # capitals) and Lisu capitals that pass for Latin letters in spam.
        "һ": "h", "Һ": "h", "ӏ": "l", "Ӏ": "l", "ү": "y", "Ү": "y", "ѡ": "w", "ԍ": "g", "Ԍ": "g",
        "Ԛ": "q", "Ԝ": "w", "ь": "b", "Ь": "b", "п": "n", "г": "r", "ҽ": "e", "σ": "o", "ɩ": "i",
        "ĸ": "k",
        "օ": "o", "Օ": "o", "ո": "n", "ս": "u", "Ս": "u", "հ": "h", "ց": "g", "զ": "q", "ա": "w",
        "Լ": "l", "Տ": "s",
        **{c: t for cs, t in (
            ("Ꭺꭺ", "a"), ("Ᏼꮟ", "b"), ("Ꮯꮯ", "c"), ("Ꭰꭰ", "d"), ("Ꭼꭼ", "e"), ("Ꮐꮐ", "g"),
            ("Ꮋꮋ", "h"), ("Ꭻꭻ", "j"), ("Ꮶꮶ", "k"), ("Ꮮꮮ", "l"), ("Ꮇꮇ", "m"), ("Ꮲꮲ", "p"),
            ("Ꮢꮢ", "r"), ("Ꮪꮪ", "s"), ("Ꭲꭲ", "t"), ("Ꮩꮩ", "v"), ("Ꮃꮃ", "w"), ("Ꮓꮓ", "z"),
            ("Ꮖꮖ", "i"), ("Ꮎꮎ", "o"), ("Ꭹꭹ", "y"), ("Ꮜꮜ", "u"),
        ) for c in cs},
        **dict(zip("ꓮꓐꓚꓓꓰꓝꓖꓧꓲꓙꓗꓡꓟꓠꓳꓑꓣꓢꓔꓴꓦꓪꓫꓬꓜ", "abcdefghijklmnoprstuvwxyz", strict=True)),
    }
)  # fmt: skip
# Latin letters NFKC keeps apart but a reader takes for the plain letter ("ᴄᴀꜱɪɴᴏ" small
# capitals, "ɡ" script g, "ƚ" l with bar), letters in squares and circles NFKC does not
# decompose ("🅲🅰🆂"), parenthesised letters it turns into "(c)". Matched on the character name.
_NAMED_LETTER_RE = re.compile(
    r"LATIN (?:SMALL |CAPITAL )?LETTER (?:SMALL CAPITAL |DOTLESS |SCRIPT )?([A-Z])"
    r"(?: WITH(?:OUT)? [A-Z ]+)?"
    r"|(?:NEGATIVE SQUARED|NEGATIVE CIRCLED|PARENTHESIZED) LATIN (?:SMALL |CAPITAL )?LETTER ([A-Z])"
)
# Invisible "letters" used as blanks (Hangul fillers, the Braille blank).
_INVISIBLE_BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Regional indicator letters ("🇨🇦🇸"): a pair is a flag, so only runs of three or more are read
# as letters.
_REGIONAL_RE = re.compile("[\U0001f1e6-\U0001f1ff]{3,}")
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "$": "s", "@": "a",
     "!": "i", "|": "l", "€": "e"}
)  # fmt: skip
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'", "nbsp": " "}

_ENTITY_RE = re.compile(r"&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,6});")
# The look-ahead and possessive repeats change no match (the tag must end at the first "<" or ">"
# anyway); without them an unclosed tag backtracked: '<a href=xxx...' in quadratic time,
# '<a href=href=href=...' in cubic time (29 s at 4,000 characters). See tests/test_regex_linear.py.
_HREF_RE = re.compile(
    r"""<a\s(?=[^<>]*+>)[^<>]*?href\s*+=\s*+["']?+([^"'<>\s]++)["']?+[^<>]*+>""", re.I
)
_TAG_RE = re.compile(r"</?[a-zA-Z][^<>]{0,300}>")
# Four or more single letters split by the same separator each time: "c a s i n o",
# "v.i.a.g.r.a", "c . a . s . h" (so "f.r.e.e c.a.s.i.n.o" stays two words). Not a letter next
# to an apostrophe ("I'm n e w", "a b c l'eau"). Three letters are not enough: "il y a d'autres",
# "46°C à l'ombre", "J R R Tolkien" would run together. It runs once before the blanks are
# collapsed, so that a double space still parts two spaced words ("f r e e  c a s i n o"), and
# once after. Linear: the alternatives differ from their first separator on, a repeat has one
# way to match, and only a run of fewer than four letters can fail after scanning.
_SEPARATORS = (" ", ".", "-", "_", "*", "|", " . ", " - ", " _ ", " * ", " | ")
_SPACED_RE = re.compile(
    r"(?<![^\W\d_])(?<!['\u2019])(?:"
    + "|".join(rf"[^\W\d_](?:{re.escape(sep)}[^\W\d_]){{3,}}" for sep in _SEPARATORS)
    + r")(?![^\W\d_])(?!['\u2019])"
)
_TOKEN_RE = re.compile(r"[^\W_]++(?:[$@!|€]{1,2}+[^\W_]++)*+")
# What `_unleet` needs somewhere in the text: one or two leet characters between two letters.
# Texts without one (most) skip the token pass.
_LEETABLE_RE = re.compile(r"[^\W\d_][0134578$@!|€]{1,2}[^\W\d_]")
# An e-mail address keeps its "@" (and the rest of it): `_unleet` leaves the tokens of these
# spans alone. Only a run's first character can start one, so each run is scanned once.
_EMAIL_SPAN_RE = re.compile(r"(?<![\w.+\-])[\w.+\-]++@[\w\-]++(?:\.[\w\-]++)+")
_ORDINAL_RE = re.compile(r"\d+(?:st|nd|rd|th|er|e|eme|ere|k|m|h|x|s|am|pm|p|d|g|gb|mb|kg|km|cm|mm)")

Mapped = tuple[str, list[int]]

# In ASCII only these fold to a space; the other control characters fold away (`_fold_char`).
_ASCII_SPACE = frozenset(" \t\n\r")
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]+")
# What `_fold` still changes once the rest is folded: runs of blanks and controls, a lone control.
_ASCII_BLANK_RE = re.compile(r"[\x00-\x20\x7f]{2,}|[\x00-\x1f\x7f]")


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    """Return the folded form of one character (NFKC, case fold, no marks, no look-alikes)."""
    if ch in "\x00\ufffd" or 0xD800 <= ord(ch) <= 0xDFFF:
        return ""
    out = ch
    for _ in range(3):  # the steps can feed each other; a fixed point keeps this idempotent
        prev = out
        out = "".join(map(_named_letter, out.translate(_HOMOGLYPHS)))
        out = unicodedata.normalize("NFKD", out)
        out = "".join(c for c in out if unicodedata.category(c) not in ("Mn", "Me", "Cf", "Cc"))
        out = out.translate(_HOMOGLYPHS)
        out = unicodedata.normalize("NFKC", out.casefold()).translate(_HOMOGLYPHS)
        if out == prev:
            break
    if ch in "\n\t\r" or (out and (out.isspace() or out in _INVISIBLE_BLANKS)):
        return " "
    return out


def _named_letter(ch: str) -> str:
    """The Latin letter a character's name says it is a variant of, else the character.

    Also an ASCII digit for a digit NFKC leaves alone ("❶", Arabic-Indic digits).
    """
    if ch < "\x80":
        return ch
    m = _NAMED_LETTER_RE.fullmatch(unicodedata.name(ch, ""))
    if m:
        return (m.group(1) or m.group(2)).lower()
    digit = unicodedata.digit(ch, None)
    if digit is not None and not unicodedata.normalize("NFKC", ch).isascii():
        return str(digit)
    return ch


def _apply(text: str, offsets: list[int], pattern: re.Pattern[str], repl: object) -> Mapped:
    """Replace each match of `pattern` by repl(match), carrying original offsets along."""
    out: list[str] = []
    out_off: list[int] = []
    pos = 0
    for m in pattern.finditer(text):
        new = repl(m) if callable(repl) else str(repl)
        if isinstance(new, tuple):  # (text, index in `text` of each new character)
            new, src = new
        elif new == m.group(0):
            continue  # unchanged (most words): their characters keep their offsets
        else:
            src = [min(m.start() + i, m.end() - 1) for i in range(len(new))]
        out.append(text[pos : m.start()])
        out_off.extend(offsets[pos : m.start()])
        out.append(new)
        out_off.extend(offsets[i] for i in src)
        pos = m.end()
    if not out:  # nothing replaced: the same text and offsets
        return text, offsets
    out.append(text[pos:])
    out_off.extend(offsets[pos:])
    return "".join(out), out_off


def _entity(m: re.Match[str]) -> str:
    body = m.group(1)
    try:
        if body.startswith("#x"):
            return chr(int(body[2:], 16))
        if body.startswith("#"):
            return chr(int(body[1:]))
    except (ValueError, OverflowError):
        return m.group(0)
    return _ENTITIES.get(body.lower(), m.group(0))


def _href(m: re.Match[str]) -> tuple[str, list[int]]:
    url = m.group(1)
    first = m.start(1)
    return " " + url + " ", [first] + [first + i for i in range(len(url))] + [m.end(1) - 1]


def _unspace(m: re.Match[str]) -> tuple[str, list[int]]:
    keep = [(i, c) for i, c in enumerate(m.group(0), m.start()) if c not in " .-_*|"]
    return "".join(c for _, c in keep), [i for i, _ in keep]


def _regional(m: re.Match[str]) -> str:
    """Regional indicator letters as letters, unless they pair into flags ("🇨🇮🇨🇮" stays).

    A reader sees letters only where the pairs are not flags, so that is what is folded.
    """
    letters = "".join(chr(ord(c) - 0x1F1E6 + ord("a")) for c in m.group(0))
    pairs = [letters[i : i + 2] for i in range(0, len(letters), 2)]
    if len(letters) % 2 == 0 and all(p in FLAG_CODES for p in pairs):
        return m.group(0)
    return letters


def _unleet(m: re.Match[str]) -> str:
    """Fold a token with one or two leet characters between letters ("c4s1n0", "m30n", "w!n")."""
    tok = m.group(0)
    if tok.isalpha() or sum(c.isalpha() for c in tok) < 2 or _ORDINAL_RE.fullmatch(tok):
        return tok
    if not _LEETABLE_RE.search(tok):
        return tok
    return tok.translate(_LEET)


def _unleet_outside(spans: list[tuple[int, int]]):  # noqa: ANN202 - a replacement callback
    """`_unleet`, except for the tokens inside `spans` (e-mail addresses), in text order."""
    todo = iter(spans)
    nxt = next(todo, None)

    def repl(m: re.Match[str]) -> str:
        nonlocal nxt
        while nxt is not None and nxt[1] <= m.start():
            nxt = next(todo, None)
        if nxt is not None and nxt[0] < m.end():
            return m.group(0)  # a token of an address: left as written
        return _unleet(m)

    return repl


def _one_pass(text: str, offsets: list[int]) -> Mapped:
    text, offsets = _apply(text, offsets, _HREF_RE, _href)
    text, offsets = _apply(text, offsets, _TAG_RE, " ")
    text, offsets = _apply(text, offsets, _ENTITY_RE, _entity)
    text, offs = _fold_chars(text, offsets)
    text, offs = _apply(text, offs, _SPACED_RE, _unspace)  # a double space parts two words
    text, offs = _collapse(text, offs)
    if max(text, default=" ") >= "\U0001f1e6":  # (regional indicators sort last but a few)
        text, offs = _apply(text, offs, _REGIONAL_RE, _regional)
    if text.startswith(" ") or text.endswith(" "):
        lead = len(text) - len(text.lstrip(" "))
        text = text.strip(" ")
        offs = offs[lead : lead + len(text)]
    text, offs = _apply(text, offs, _SPACED_RE, _unspace)
    if _LEETABLE_RE.search(text):
        emails = [e.span() for e in _EMAIL_SPAN_RE.finditer(text)] if "@" in text else []
        text, offs = _apply(text, offs, _TOKEN_RE, _unleet_outside(emails))
    return text, offs


def _fold(text: str, offsets: list[int]) -> Mapped:
    """Fold each character (`_fold_char`) and collapse runs of white space.

    ASCII letters are lowered in one C call; only runs of other characters go through
    `_fold_char`; then the runs of blanks and controls are collapsed.
    """
    return _collapse(*_fold_chars(text, offsets))


def _fold_chars(text: str, offsets: list[int]) -> Mapped:
    """Fold each character; ASCII letters are lowered in one C call, other runs one by one."""
    return _apply(text.translate(_ASCII_LOWER), offsets, _NON_ASCII_RE, _fold_run)


def _collapse(text: str, offsets: list[int]) -> Mapped:
    """Collapse the runs of ASCII blanks and controls (one space, or nothing)."""
    return _apply(text, offsets, _ASCII_BLANK_RE, _blank_run)


def _fold_run(m: re.Match[str]) -> tuple[str, list[int]]:
    out: list[str] = []
    src: list[int] = []
    for i, ch in enumerate(m.group(0), m.start()):
        folded = _fold_char(ch)
        out.append(folded)
        src.extend([i] * len(folded))
    return "".join(out), src


def _blank_run(m: re.Match[str]) -> tuple[str, list[int]]:
    """A run of ASCII blanks and controls: one space (at the first blank), or nothing."""
    for i, ch in enumerate(m.group(0)):
        if ch in _ASCII_SPACE:
            return " ", [m.start() + i]
    return "", []


def normalize_with_offsets(text: str) -> Mapped:
    """Normalise `text` and return, for each output character, its index in `text`."""
    cur, offsets = _normalized(text)
    return cur, list(offsets)


def normalize_text(text: str) -> str:
    """Return the canonical form of `text`: NFKC, case-folded, no marks, look-alikes folded."""
    return _normalized(text)[0]


# One comment is normalised by several readers in one request (the duplicate fingerprint,
# the classifier, the word lists): the last few short texts are kept, so it is done once.
_CACHED_CHARS = 4000


def _normalized(text: str) -> tuple[str, Sequence[int]]:
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    return _normalize(text) if len(text) > _CACHED_CHARS else _cached(text)


@lru_cache(maxsize=128)
def _cached(text: str) -> tuple[str, tuple[int, ...]]:
    cur, offsets = _normalize(text)
    return cur, tuple(offsets)


def _normalize(text: str) -> Mapped:
    cur, offsets = _one_pass(text, list(range(len(text))))
    for _ in range(3):  # only escaped markup ("&amp;lt;b&amp;gt;") can need another pass
        if "&" not in cur and "<" not in cur:
            break
        nxt, nxt_off = _one_pass(cur, offsets)
        if nxt == cur:
            break
        cur, offsets = nxt, nxt_off
    return cur, offsets


def original_span(offsets: list[int], start: int, end: int, source: str) -> tuple[int, int]:
    """Map a [start, end) span of normalised text back to `source` offsets."""
    if not offsets or start >= end:
        return 0, 0
    lo = offsets[min(start, len(offsets) - 1)]
    hi = offsets[min(end, len(offsets)) - 1] + 1
    # Extend over characters the fold dropped at the end (marks, zero-width, entity tails).
    while hi < len(source) and _fold_char(source[hi]) == "" and source[hi] not in " ":
        hi += 1
    if hi < len(source) and source[hi - 1] == "&":
        m = _ENTITY_RE.match(source, hi - 1)
        hi = m.end() if m else hi
    return lo, max(hi, lo)
