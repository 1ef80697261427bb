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


# E-mail addresses keep their "@": the leet fold ("c@sino" -> "casino") leaves them alone.
@pytest.mark.parametrize(
    ("raw", "address"),
    [
        ("écrivez à jean.dupont@gmail.com", "jean.dupont@gmail.com"),
        ("contact: support@loans-fast.net", "support@loans-fast.net"),
        ("Mail m4ria.b3ll@yahoo.fr pour c@sino", "m4ria.b3ll@yahoo.fr"),
    ],
)
def test_an_email_address_survives_normalisation(raw: str, address: str) -> None:
    assert address in normalize_text(raw)


def test_leet_still_folds_next_to_an_address() -> None:
    text = "fr33 c@sh, c@sino: win@bigcasino.com"
    assert normalize_text(text) == "fr33 cash, casino: win@bigcasino.com"


def test_email_signal_fires_with_the_span_of_the_address_in_the_original() -> None:
    from classifier.features import comment_signals
    from classifier.records import CommentInput

    for raw, address in [
        ("Écrivez à jean.dupont@gmail.com", "jean.dupont@gmail.com"),
        ("contact: support@loans-fast.net !", "support@loans-fast.net"),
        ("ＣＡＳＩＮＯ — écrivez à Ｊｅａｎ@gmail.com", "Ｊｅａｎ@gmail.com"),
    ]:
        hit = comment_signals(CommentInput(content=raw))["email_in_text"]
        assert [(s.field, raw[s.start : s.end]) for s in hit.spans] == [("content", address)]


# Each fold: the obfuscated text gives the plain text's tokens.
@pytest.mark.parametrize(
    ("obfuscated", "plain"),
    [
        ("⒡⒭⒠⒠ ⒞⒜⒮⒤⒩⒪", "free casino"),  # parenthesized letters (NFKC gives "(c)")
        ("🅵🆁🅴🅴 🅲🅰🆂🅸🅽🅾", "free casino"),  # negative squared
        ("🅕🅡🅔🅔 🅒🅐🅢🅘🅝🅞", "free casino"),  # negative circled
        ("🄵🅁🄴🄴 🄲🄰🅂🄸🄽🄾", "free casino"),  # squared (NFKC)
        # regional indicators that do not pair into flags (a reader sees letters there)
        ("🇧🇮🇹🇨🇴🇮🇳 🇻🇮🇦🇬🇷🇦", "bitcoin viagra"),
        ("ꜰʀᴇᴇ ᴄᴀꜱɪɴᴏ ʙᴏɴᴜꜱ", "free casino bonus"),  # small capitals
        ("ɡratuit ƚoan ɨnvest ʂex ɗeal", "gratuit loan invest sex deal"),  # hooks, bars, strokes
        ("һot ӏoan үes ѡin ԍet пew ьet гich", "hot loan yes win get new bet rich"),  # Cyrillic
        ("ϲαѕіηο σnline", "casino online"),  # Greek
        ("ցet fօr ոօա հեre", "get for now hեre"),  # Armenian (not every letter: "ե" stays)
        ("ᏟᎪᏚᏆᏁᎾ ꮯꭺꮪ ᏴᎬᎢ", "casiᏁo cas bet"),  # Cherokee, both cases ("Ꮑ" stays)
        ("ꓚꓮꓢꓲꓠꓳ ꓝꓣꓰꓰ", "casino free"),  # Lisu
        ("c\u3164a\u3164s\u3164h now c\u2800a\u2800s\u2800h", "cash now cash"),  # invisible blanks
        ("❶❷❸ ٤٥", "123 45"),  # digits NFKC leaves alone
    ],
)
def test_more_obfuscations_fold_to_the_plain_text(obfuscated: str, plain: str) -> None:
    assert normalize_text(obfuscated) == plain


@pytest.mark.parametrize(
    ("obfuscated", "plain"),
    [
        ("s0m30n3 l00king f0r m0n3y", "someone looking for money"),  # runs of two
        ("w!n cr€dit ca||", "win credit ca||"),  # "!", "€", "|" between letters
        ("b|tcoin fr!end", "bltcoin friend"),  # ("|" reads as l)
    ],
)
def test_leet_runs_and_symbols_between_letters_fold(obfuscated: str, plain: str) -> None:
    assert normalize_text(obfuscated) == plain


@pytest.mark.parametrize(
    ("spaced", "plain"),
    [
        ("f r e e  c a s i n o", "free casino"),  # a double space parts two spaced words
        ("f.r.e.e c.a.s.i.n.o", "free casino"),  # one separator per word
        ("F-R-E-E C*A*S*H", "free cash"),
        ("c . a . s . h now", "cash now"),
        ("c | a | s | h", "cash"),
        ("c  a  s  i  n  o", "casino"),
        ("I'm f r e e now", "i'm free now"),  # not the "m" of "I'm"
        ("c a s i n o d'or", "casino d'or"),
    ],
)
def test_spaced_words_stay_apart(spaced: str, plain: str) -> None:
    assert normalize_text(spaced) == plain


@pytest.mark.parametrize(
    "ordinary",
    [
        "il y a d'autres manières",
        "46°C à l'ombre",
        "J R R Tolkien et la vitamine B à C",
        "🇸🇳 🇨🇮 Allez les Lions 🇳🇬",  # flags (pairs) stay flags
        "🇨🇮🇨🇮🇨🇮 Allez les Éléphants 🇫🇷🇨🇮",  # runs of flags too
        "1xbet ps5 top10 win10 covid19 realpatriot77 mp3 4g 5ans 2nd",
        "Thanks! Great article | Accueil - Contact",
        "see you @ 5, @handle",
    ],
)
def test_ordinary_text_is_not_folded(ordinary: str) -> None:
    """Only the character fold changes these (case, accents): no spaced, leet or address fold."""
    assert normalize_text(ordinary) == normalize._fold(ordinary, list(range(len(ordinary))))[0]


@pytest.mark.parametrize(
    "raw",
    [
        "Free 🇨🇦🇸🇮🇳🇴 at ⒞⒜⒮⒤⒩⒪ and ᴄᴀꜱɪɴᴏ!",
        "f r e e  c a s i n o, c . a . s . h, s0m30n3 w!n",
        "jean.dupont@gmail.com c@sino 🅲🅰🆂🅷 f\u3164r\u3164e\u3164e",
    ],
)
def test_offsets_of_the_new_folds_point_at_the_source_letters(raw: str) -> None:
    norm, offsets = normalize_with_offsets(raw)
    assert offsets == sorted(offsets)
    for ch, off in zip(norm, offsets, strict=True):
        if ch.isalpha():  # each letter comes from the source character it folds
            src = normalize._fold_char(raw[off])
            regional = "\U0001f1e6" <= raw[off] <= "\U0001f1ff"
            assert ch in src or regional or raw[off] in "0134578$@!|€", (ch, raw[off])
    start = norm.index("casino")
    lo, hi = original_span(offsets, start, start + len("casino"), raw)
    assert normalize_text(raw[lo:hi]) == "casino"


def test_idempotent_on_the_new_folds() -> None:
    rng = random.Random(5)
    alphabet = list("abcx '.-|!@$€0134_*") + [
        "  ", " . ", "\u00a0", "\u200b", "\x01", "🇨", "🇦", "🇸", "ᴄ", "⒜", "🅲", "ꓮ", "Ꭺ", "ꭺ", "օ",
        "❶", "ㅤ", ".com", "gmail", "é", "ı", "İ",
    ]  # fmt: skip
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14)))
        once, offsets = normalize_with_offsets(text)
        assert normalize_text(once) == once, repr(text)
        assert offsets == sorted(offsets) and all(0 <= o < len(text) for o in offsets)
