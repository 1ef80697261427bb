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
    }
)  # fmt: skip
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b"})
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'", "nbsp": " "}

_ENTITY_RE = re.compile(r"&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,6});")
# The look-ahead and possessive repeats change no match (the tag must end at the first "<" or ">"
# anyway); without them an unclosed tag backtracked: '<a href=xxx...' in quadratic time,
# '<a href=href=href=...' in cubic time (29 s at 4,000 characters). See tests/test_regex_linear.py.
_HREF_RE = re.compile(
    r"""<a\s(?=[^<>]*+>)[^<>]*?href\s*+=\s*+["']?+([^"'<>\s]++)["']?+[^<>]*+>""", re.I
)
_TAG_RE = re.compile(r"</?[a-zA-Z][^<>]{0,300}>")
# Four or more single letters split by one separator: "c a s i n o", "v.i.a.g.r.a".
_SPACED_RE = re.compile(r"(?<![^\W\d_])(?:[^\W\d_][ .\-_*]){3,}[^\W\d_](?![^\W\d_])")
_TOKEN_RE = re.compile(r"[^\W_]+(?:[$@][^\W_]+)*")
# What `_unleet` needs somewhere in the text: a leet character between two letters. Texts
# without one (most) skip the token pass.
_LEETABLE_RE = re.compile(r"[^\W\d_][0134578$@][^\W\d_]")
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
        out = unicodedata.normalize("NFKD", out.translate(_HOMOGLYPHS))
        out = "".join(c for c in out if unicodedata.category(c) not in ("Mn", "Me", "Cf", "Cc"))
        out = out.translate(_HOMOGLYPHS)
        out = unicodedata.normalize("NFKC", out.casefold()).translate(_HOMOGLYPHS)
        if out == prev:
            break
    if ch in "\n\t\r" or (out and out.isspace()):
        return " "
    return out


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
    return m.group(0)[::2], list(range(m.start(), m.end(), 2))


def _unleet(m: re.Match[str]) -> str:
    tok = m.group(0)
    letters = sum(c.isalpha() for c in tok)
    if letters < 2 or tok.isalpha() or _ORDINAL_RE.fullmatch(tok):
        return tok
    interior = any(
        tok[i] in "0134578$@" and tok[i - 1].isalpha() and tok[i + 1].isalpha()
        for i in range(1, len(tok) - 1)
    )
    if not interior:
        return tok
    return tok.translate(_LEET).replace("$", "s").replace("@", "a")


def _one_pass(text: str, offsets: list[int]) -> Mapped:
    text, offsets = _apply(text, offsets, _HREF_RE, _href)
    text, offsets = _apply(text, offsets, _TAG_RE, " ")
    text, offsets = _apply(text, offsets, _ENTITY_RE, _entity)
    text, offs = _fold(text, offsets)
    if text.startswith(" ") or text.endswith(" "):
        lead = len(text) - len(text.lstrip(" "))
        text = text.strip(" ")
        offs = offs[lead : lead + len(text)]
    text, offs = _apply(text, offs, _SPACED_RE, _unspace)
    if _LEETABLE_RE.search(text):
        text, offs = _apply(text, offs, _TOKEN_RE, _unleet)
    return text, offs


def _fold(text: str, offsets: list[int]) -> Mapped:
    """Fold each character (`_fold_char`) and collapse runs of white space.

    ASCII letters are lowered in one C call; only runs of other characters go through
    `_fold_char`; then the runs of blanks and controls are collapsed.
    """
    text, offsets = _apply(text.translate(_ASCII_LOWER), offsets, _NON_ASCII_RE, _fold_run)
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
