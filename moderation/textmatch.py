"""Find word-list entries and links in comment fields, with spans into the original text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from classifier.normalize import normalize_text, normalize_with_offsets, original_span

# Fields the word lists look at, as WordPress does (content, name, email, URL, IP, user agent).
WORD_FIELDS = ("content", "author_name", "author_email", "author_url", "author_ip", "user_agent")
_ANCHOR = re.compile(r"<a\s[^>]*>.*?</a\s*>|<a\s[^>]*\bhref\b[^>]*>", re.I | re.S)
_BARE_URL = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>\"']+", re.I)


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


def find_links(content: str) -> list[tuple[int, int]]:
    """Return the spans of the links in ``content``: anchors and bare URLs, each once."""
    spans = [(m.start(), m.end()) for m in _ANCHOR.finditer(content)]
    for m in _BARE_URL.finditer(content):
        if not any(a <= m.start() < b for a, b in spans):
            spans.append((m.start(), m.end()))
    return sorted(spans)
