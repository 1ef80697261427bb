"""Normalisation: obfuscated spam reads like the plain one, and nothing makes it raise."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier import normalize
from classifier.normalize import normalize_text, normalize_with_offsets, original_span


def tokens(text: str) -> list[str]:
    return normalize_text(text).split()


@pytest.mark.parametrize(
    "obfuscated",
    [
        "ＦＲＥＥ ＣＡＳＩＮＯ",  # fullwidth
        "FREE ϹАЅΙΝО",  # Cyrillic and Greek look-alikes
        "fr\u200bee ca\u200dsi\u2060no\u202e",  # zero-width and bidi controls
        "free c4s1n0",  # digits for letters
        "free c a s i n o",  # spaced letters
        "𝐟𝐫𝐞𝐞 𝐜𝐚𝐬𝐢𝐧𝐨",  # mathematical bold
        "FRÉE CÁSÍNÒ",  # accents
        "free&#32;casino",  # HTML entity
    ],
)
def test_obfuscated_spam_gives_the_plain_tokens(obfuscated: str) -> None:
    assert tokens(obfuscated) == tokens("free casino") == ["free", "casino"]


def test_ordinary_words_and_numbers_survive() -> None:
    assert tokens("Call 06 12 34 56 78 on the 2nd il y a 3 mp3") == [
        "call", "06", "12", "34", "56", "78", "on", "the", "2nd", "il", "y", "a", "3", "mp3",
    ]  # fmt: skip


def test_markup_is_read_as_text_and_links() -> None:
    text = 'I&#39;m <b>here</b><br /><a href="http://x.com/a">see</a>'
    assert normalize_text(text) == "i'm here http://x.com/a see"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_idempotent_and_never_raises(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


def test_lone_surrogates_and_nul_are_dropped() -> None:
    assert normalize_text("a\x00b\ud800c\udfffd") == "abcd"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_offsets_point_into_the_original(text: str) -> None:
    norm, offsets = normalize_with_offsets(text)
    assert len(offsets) == len(norm)
    assert all(0 <= o < len(text) for o in offsets)


def test_span_of_an_obfuscated_word_covers_it_in_the_original() -> None:
    raw = "Visit the C Α S Ι Ν Ο now"
    norm, offsets = normalize_with_offsets(raw)
    start = norm.index("casino")
    lo, hi = original_span(offsets, start, start + len("casino"), raw)
    assert raw[lo:hi] == "C Α S Ι Ν Ο"


def _fold_each_character(text: str, offsets: list[int]) -> tuple[str, list[int]]:
    """The plain definition `normalize._fold` must match: one character at a time."""
    chars: list[str] = []
    offs: list[int] = []
    for ch, off in zip(text, offsets, strict=True):
        folded = normalize._fold_char(ch)
        if not folded or (folded == " " and chars and chars[-1] == " "):
            continue
        chars.append(folded)
        offs.extend([off] * len(folded))
    return "".join(chars), offs


def _random_text(rng: random.Random) -> str:
    pools = (
        [chr(c) for c in range(128)],
        list("éèàçôœæßÉÀŒ\u00a0\u200b\u200d\u202e\u2028\u3000\ufeffİﬁẞΩＡ𝐀аΝ"),
        [chr(c) for c in range(0x80, 0x3000)],
    )
    return "".join(rng.choice(rng.choice(pools)) for _ in range(rng.randint(0, 60)))


def test_fold_matches_the_character_by_character_definition() -> None:
    rng = random.Random(7)
    for _ in range(5000):
        text = _random_text(rng)
        expected = _fold_each_character(text, list(range(len(text))))
        assert normalize._fold(text, list(range(len(text)))) == expected, repr(text)


def test_texts_the_token_pass_skips_are_those_it_would_leave_unchanged() -> None:
    rng = random.Random(11)
    leetish = list("0134578$@ab-é")
    changed = 0
    for n in range(20000):
        text = _random_text(rng) if n % 2 else "".join(rng.choice(leetish) for _ in range(12))
        folded, offsets = normalize._fold(text, list(range(len(text))))
        after = normalize._apply(folded, offsets, normalize._TOKEN_RE, normalize._unleet)
        if after != (folded, offsets):
            changed += 1
            assert normalize._LEETABLE_RE.search(folded), repr(text)
    assert changed > 1000  # the check above ran on texts the pass does change
