"""Split a field's text into plain and highlighted parts from the reasons' spans.

Only slices of the original text come out; templates escape them. Nothing here is markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# Controls that reorder or hide text: shown as visible markers, never applied.
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")


@dataclass(frozen=True)
class Part:
    """A piece of text, highlighted when some reasons point at it."""

    text: str
    codes: tuple[str, ...] = ()

    @property
    def marked(self) -> bool:
        return bool(self.codes)


def reveal(text: str) -> str:
    """Replace bidi and direction controls with a visible ⟨U+XXXX⟩ marker."""
    return _BIDI.sub(lambda m: f"⟨U+{ord(m.group(0)):04X}⟩", text)


def spans_for(reasons: list[dict[str, Any]], field: str, length: int) -> list[tuple[int, int, str]]:
    """Return the valid (start, end, code) spans that point into ``field``."""
    out = []
    for reason in reasons or []:
        for span in reason.get("spans") or []:
            try:
                start, end = int(span["start"]), int(span["end"])
            except (KeyError, TypeError, ValueError):
                continue
            if span.get("field") == field and 0 <= start < end <= length:
                out.append((start, end, str(reason.get("code", ""))))
    return out


def parts(text: str, reasons: list[dict[str, Any]], field: str = "content") -> list[Part]:
    """Cut ``text`` at every span boundary; each part lists the reasons covering it."""
    spans = spans_for(reasons, field, len(text))
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    out: list[Part] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        codes = tuple(dict.fromkeys(c for s, e, c in spans if s <= a and b <= e))
        out.append(Part(reveal(text[a:b]), codes))
    return out
