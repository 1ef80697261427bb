"""Find word-list entries and links in comment fields, with spans into the original text."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from classifier.normalize import normalize_text, normalize_with_offsets, original_span

# Fields the word lists look at, as WordPress does (content, name, email, URL, IP, user agent).
WORD_FIELDS = ("content", "author_name", "author_email", "author_url", "author_ip", "user_agent")
# An anchor is what the regex `<a\s[^>]*>.*?</a\s*>|<a\s[^>]*\bhref\b[^>]*>` (re.I | re.S)
# matches: an opening tag up to its first ">" and the text up to the first closing tag after it,
# or, with no closing tag, an opening tag holding the word "href". That regex backtracks in
# cubic time on text like "<a href<a href..." (50 s on 20,000 characters); `_anchors` finds the
# same spans in one pass. tests/test_regex_linear.py pins the spans and bounds the time.
_OPEN_TAG = re.compile(r"<a\s", re.I)
_CLOSE_TAG = re.compile(r"</a\s*+>", re.I)
_HREF_WORD = re.compile(r"\bhref\b", re.I)
_BARE_URL = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>\"']++", re.I)


@dataclass(frozen=True)
class Hit:
    """One entry found in one field: the entry and its span in the field's original text."""

    entry: str
    field: str
    start: int
    end: int

    def span(self) -> dict[str, object]:
        return {"field": self.field, "start": self.start, "end": self.end, "entry": self.entry}


@lru_cache(maxsize=64)
def _pattern(entries: tuple[str, ...], whole_words: bool) -> re.Pattern[str] | None:
    folded = sorted({normalize_text(e) for e in entries} - {""}, key=len, reverse=True)
    if not folded:
        return None
    return re.compile("|".join(_entry_pattern(e, whole_words) for e in folded))


def _entry_pattern(entry: str, whole_words: bool) -> str:
    """Bound an entry at word edges only where it starts or ends with a letter or digit.

    So "casino" does not match "casinos", but "203.0.113." still matches an address.
    """
    body = re.escape(entry)
    if not whole_words:
        return body
    head = r"(?<!\w)" if re.match(r"\w", entry) else ""
    tail = r"(?!\w)" if re.search(r"\w$", entry) else ""
    return f"{head}{body}{tail}"


def find_entries(
    fields: dict[str, str], entries: tuple[str, ...], *, whole_words: bool
) -> list[Hit]:
    """Return every match of ``entries`` in ``fields``, both sides normalised.

    Matching on normalised text means zero-width characters, look-alike letters, accents,
    case and digit-for-letter swaps do not hide a listed word.
    """
    pattern = _pattern(entries, whole_words)
    if pattern is None:
        return []
    hits: list[Hit] = []
    for name, text in fields.items():
        if not text:
            continue
        normal, offsets = normalize_with_offsets(text)
        for m in pattern.finditer(normal):
            start, end = original_span(offsets, m.start(), m.end(), text)
            hits.append(Hit(m.group(0), name, start, end))
    return hits


def _anchors(content: str) -> list[tuple[int, int]]:
    """Return the spans of the anchors in ``content``, left to right, as the regex finds them.

    Each search below starts where the previous one of its kind left off or reuses its result
    while it is still ahead (the opening tags only move right), so no text is scanned twice.
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    gt = -1  # the first ">" at or after the last place looked from
    close: re.Match[str] | None = None  # the first closing tag after the last tag end looked at
    no_close = no_href = False  # none left in the rest of the text
    href: re.Match[str] | None = None
    while (tag := _OPEN_TAG.search(content, pos)) is not None:
        at = tag.start()
        if gt < at + 3:
            gt = content.find(">", at + 3)
            if gt < 0:
                break  # no opening tag from here on is closed by a ">"
        if not no_close and (close is None or close.start() <= gt):
            close = _CLOSE_TAG.search(content, gt + 1)
            no_close = close is None
        if close is not None:
            spans.append((at, close.end()))  # the tag, its text and the closing tag
            pos = close.end()
            continue
        if not no_href and (href is None or href.start() < at + 3):
            href = _HREF_WORD.search(content, at + 3)
            no_href = href is None
        if href is not None and href.start() < gt:
            spans.append((at, gt + 1))  # an unclosed tag that has an href
            pos = gt + 1
            continue
        pos = at + 1
    return spans


def find_links(content: str) -> list[tuple[int, int]]:
    """Return the spans of the links in ``content``: anchors and bare URLs, each once."""
    spans = _anchors(content)
    starts = [a for a, _ in spans]
    ends = [b for _, b in spans]
    for m in _BARE_URL.finditer(content):
        i = bisect_right(starts, m.start()) - 1  # the anchors do not overlap: one can hold it
        if i < 0 or m.start() >= ends[i]:
            spans.append((m.start(), m.end()))
    return sorted(spans)
