"""Word lists resist evasion: case, accents, zero-width characters, homoglyphs, leetspeak."""

from __future__ import annotations

import pytest

from moderation.intake import CommentIn
from moderation.rules import RuleContext, words
from moderation.settings import from_dict
from moderation.textmatch import find_entries

SETTINGS = from_dict({"words": {"disallowed": ["casino", "free money"], "moderated": ["crypto"]}})


def signals(content: str, **conf: object):
    settings = from_dict({"words": conf}) if conf else SETTINGS
    comment = CommentIn(content=content, author_name="A", author_email="a@example.org")
    return words(comment, RuleContext(), settings)


@pytest.mark.parametrize(
    "content",
    [
        "best casino",
        "best CASINO",
        "best Casíno",  # accent
        "best ca\u200bsino",  # zero-width space
        "best ca\u200dsi\u2060no",  # zero-width joiner, word joiner
        "best \u202ecasino",  # bidi override
        "best саsіnо",  # Cyrillic look-alikes
        "best ｃａｓｉｎｏ",  # full-width
        "best c4s1n0",  # digits for letters
        "best c a s i n o",  # spaced out
        "FREE   Money now",  # several spaces
        "best cas&#105;no",  # HTML entity
    ],
)
def test_evasions_are_caught(content: str) -> None:
    assert [s.code for s in signals(content)] == ["words.disallowed"]


def test_whole_words_by_default_and_substrings_on_request() -> None:
    assert signals("casinos everywhere") == []
    found = signals("casinos everywhere", disallowed=["casino"], whole_words=False)
    assert [s.code for s in found] == ["words.disallowed"]


def test_moderated_and_disallowed_both_fire() -> None:
    assert [s.code for s in signals("casino and crypto")] == ["words.disallowed", "words.moderated"]


def test_innocent_text_passes() -> None:
    assert signals("Merci pour cet article sur la casamance") == []


def test_spans_point_at_the_original_characters() -> None:
    text = "Try ca\u200bsino and саsіnо"
    hits = find_entries({"content": text}, ("casino",), whole_words=True)
    assert [text[h.start : h.end] for h in hits] == ["ca\u200bsino", "саsіnо"]
    [signal] = signals(text)
    assert signal.spans[0] == {"field": "content", "start": 4, "end": 11, "entry": "casino"}


def test_list_entries_are_normalised_too() -> None:
    found = signals("best casino", disallowed=["CASÍNO"])
    assert [s.code for s in found] == ["words.disallowed"]
