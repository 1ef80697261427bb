"""The link, email, money and href patterns find what they always found, in linear time.

Comment text is attacker-controlled (up to 20,000 characters). The original patterns below
backtracked in quadratic time, or cubic for the anchor and href ones, on inputs such as
'<a href' * 2857 (41 s in find_links), '-' * 20000 (12 s) or '<a ' + 'href=' * 799 (29 s in
normalize_text at 4,000 characters). The expected spans in this file are the ones the
ORIGINAL patterns produced; the random test compares the new finders with the original
patterns themselves on short strings, where those are fast.
"""

from __future__ import annotations

import random
import re

import pytest

from classifier import features as ft
from classifier import lexicon as lx
from classifier import normalize as nz
from classifier.records import CommentInput
from moderation import textmatch as tm
from tests.hang_guard import seconds_in_a_child

# The patterns as they were before the linear-time rewrite: the reference for equivalence.
ORIGINAL = {
    "url": re.compile(
        r"(?:https?://|www\.)[^\s<>\"'()\[\]{}]+"
        rf"|(?<![\w@.])[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:{lx.BARE_TLDS})(?![\w@])"
        r"(?:/[^\s<>\"']*)?"
    ),
    # Since the rewrite, also spaces after a bracket and "point" inside one: "example (dot) com",
    # "monsite (point) fr" (the original wanted the TLD right after the bracket, and missed them);
    # and "point ca" is French prose ("à ce point ça"), not a Canadian domain.
    "hidden": re.compile(
        rf"(?<!\w)[a-z0-9-]{{2,}}\s*(?:\(\s*(?:\.|dot|point)\s*\)\s*|\[\s*(?:\.|dot|point)\s*\]\s*|"
        rf"\s\.\s|\s+dot\s+|\s+point\s+(?!ca(?!\w)))(?:{lx.BARE_TLDS})(?!\w)"
    ),
    "email": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    "money": re.compile(
        r"[$€£¥₹₿]\s?\d[\d,.]*\s?[km]?(?!\w)|(?<![\w.])\d[\d,.]*\s?(?:[km]\s?)?(?:[$€£¥₹]|usd|"
        r"eur|euros?|dollars?|gbp|pounds?|bucks|btc|k€)(?!\w)|\${2,}"
        # added since the rewrite: premium-rate prices in pence (150p/msg, 60p/min)
        r"|(?<![\w.])\d{1,4}p\s?(?:/|per\s)\s?(?:min|minute|msg|message|txt|text|sms|call|wk|"
        r"week)(?!\w)"
    ),
    "anchor": re.compile(r"<a\s[^>]*>.*?</a\s*>|<a\s[^>]*\bhref\b[^>]*>", re.I | re.S),
    "href": re.compile(r"""<a\s[^<>]*?href\s*=\s*["']?([^"'<>\s]+)["']?[^<>]*>""", re.I),
}
NEW = {
    "url": ft._find_urls,
    "hidden": ft._find_hidden_urls,
    "email": ft._find_emails,
    "money": ft._find_money,
    "anchor": tm._anchors,
    "href": lambda text: list(nz._HREF_RE.finditer(text)),
}


def spans(matches: list[re.Match[str]]) -> list[tuple[int, int]]:
    return [m.span() for m in matches]


URL_CASES = [
    ("visit https://example.com/path?x=1 now", [(6, 34)]),
    ("go to www.example.org, thanks", [(6, 22)]),
    ("see example.com/page and sub.domain.co.uk.", [(4, 20), (25, 41)]),
    ("write to user@my-site.com", [(17, 25)]),  # 'site.com': a start after '-' is allowed
    ("foo.com-bar.net", [(0, 15)]),
    ("a-b-c.d-e.com", [(0, 13)]),
    ("bit.ly/abc (mirror: tinyurl.com/x)", [(0, 10), (20, 34)]),
    ("x.foo-bar.community", []),
    ("http://localhost:8080/x", [(0, 23)]),
    ("shop.example.store/sale-50%", [(0, 27)]),
    ("--promo-site.xyz--", [(2, 16)]),
    ("e.g. this. is. not.com.plete", [(15, 22)]),
    ("1-800-flowers.com", [(0, 17)]),
]
HIDDEN_CASES = [
    ("example dot com", [(0, 15)]),
    ("example . org", [(0, 13)]),
    ("example(dot)com", [(0, 15)]),
    ("example (dot)com", [(0, 16)]),
    ("my-site[.]net", [(0, 13)]),
    ("my-site [ dot ]org", [(0, 18)]),
    ("my-site point fr", [(0, 16)]),
    ("a ce point ca me depasse", []),
    ("monsite point ca", []),
    ("_foo-bar dot com", [(5, 16)]),  # the first start not after a word character
    ("ab dot com-x dot net", [(0, 10)]),
    ("example (dot) com", [(0, 17)]),
    ("example [.] net", [(0, 15)]),
    ("visitez monsite (point) com", [(8, 27)]),
    ("a dot com", []),
    ("foo-bar dot community", []),
    ("see casino-royale ( dot ) xyz now", [(4, 29)]),
    ("under_score dot com", []),
]
EMAIL_CASES = [
    ("write to john.doe+spam@example.co.uk today", [(9, 36)]),
    ("a@b.com+c@d.com", [(0, 7), (7, 15)]),  # the second starts where the first ended
    ("x@y", []),
    ("mail@localhost", []),
    (".hidden@x.io", [(0, 12)]),
    ("first.last@sub-domain.example.fr.", [(0, 32)]),
    ("two: a@b.io, c.d@e-f.org", [(5, 11), (13, 24)]),
    ("a@b.c@d.ef", [(0, 5)]),
    ("@handle and me@x.y", [(12, 18)]),
]
MONEY_CASES = [
    ("1,000.50 €", [(0, 10)]),
    ("$5k", [(0, 3)]),
    ("€ 20", [(0, 4)]),
    ("20 euros", [(0, 8)]),
    ("100 usd", [(0, 7)]),
    ("5k€", [(0, 3)]),
    ("1.5m dollars", [(0, 12)]),
    ("$$$", [(0, 3)]),
    ("price: 3,99€", [(7, 12)]),
    ("$5,000abc", [(0, 2)]),
    ("10 bucks", [(0, 8)]),
    ("2 btc", [(0, 5)]),
    ("v1.2 usd", []),
    ("txt 150p/msg, 60p /min or 25p per text", [(4, 12), (14, 22), (26, 38)]),
    ("the 10p/minute 2p/mint", [(4, 14)]),
    ("x5 eur", []),
    ("1,2,3,4 pounds", [(0, 14)]),
    ("£ 1,000,000m", [(0, 12)]),
]
LINK_CASES = [
    ('<a href="http://x.com">click</a>', [(0, 32)]),
    ("<A HREF=x>text</A >", [(0, 19)]),
    ('<a href="x">unclosed text', [(0, 12)]),
    ('<a name="top">no href, no close', []),
    ('<a title="x"> inner </a> and www.example.com', [(0, 24), (29, 44)]),
    ('<a href="a"><a href="b">x</a></a>', [(0, 29)]),  # nested: up to the first closing tag
    ("<a href=x>one <a href=y>two</a>", [(0, 31)]),
    ('<a\nhref="multi\nline">t</a>', [(0, 26)]),
    ('<a class="myhref">x', []),  # 'href' must be a word of its own
    ("<a data-href=x>", [(0, 15)]),
    (
        'text http://bare.example/x and <a href="http://in.anchor">http://in.anchor</a>',
        [(5, 26), (31, 78)],  # the URL inside the anchor is not counted twice
    ),
    ("<a href=x", []),
    ("<a href=x><a name=y>", [(0, 10)]),
    ("<ahref=x>www.a.b</a>", [(9, 16)]),
]


HREF_CASES = [  # classifier.normalize._HREF_RE: (span, the URL it keeps)
    ('<a href="http://x.com/a">t</a>', [((0, 25), "http://x.com/a")]),
    ("<A HREF = 'x.y' >z", [((0, 17), "x.y")]),
    ("<a title=x href=y>", [((0, 18), "y")]),
    ("<a href=x", []),
    ("<a hrefx=y>", []),
    ('<a data-href="u" class=c>', [((0, 25), "u")]),
    ("<a href=a<a href=b>", [((9, 19), "b")]),
    ('<a href="">x</a>', []),
    ("<a\thref=\n'q'>", [((0, 13), "q")]),
]


@pytest.mark.parametrize(("text", "expected"), HREF_CASES)
def test_href_as_before(text: str, expected: list[tuple[tuple[int, int], str]]) -> None:
    assert [(m.span(), m.group(1)) for m in nz._HREF_RE.finditer(text)] == expected


# The normaliser's own folds (classifier.normalize): spaced letters with one separator per word,
# leet tokens with "!", "|", "€" and runs of two, the e-mail spans the leet fold leaves alone,
# regional indicator runs. Inputs built to make each of those patterns rescan: (head, unit, count).
NORMALIZE_ADVERSARIAL = [
    ("", "a ", 10000), ("", "a b cd ", 2857), ("", "a . ", 5000), ("", "a.b c", 4000),
    ("", "a b c'", 3333), ("", "ab ", 6666), ("", "a  ", 6666), ("", "a-", 10000),
    ("", "a@", 10000), ("", "a@b.", 5000), ("", "a.b@c", 4000), ("a" * 19999, "@", 1),
    ("", "a.+-", 5000), ("", "_@a-", 5000), ("", "x4", 10000), ("", "a!", 10000),
    ("", "a$$", 6666), ("", "a|", 10000), ("", "a0b", 6666), ("", "a00", 6666),
    ("", "\U0001f1e6", 20000), ("", "\U0001f1e6\u200b", 10000), ("", "c\u3164", 10000),
    ("", "\u1d04", 20000), ("", "\u249c ", 10000), ("", "m'a ", 5000), ("", "a1@b.c", 3333),
]  # fmt: skip


def seconds_in_adversarial_calls(
    setup: str, call: str, adversarial: list[tuple[str, str, int]]
) -> float:
    """Run `call` once per input (bound to `text`) in a child process (tests.hang_guard); return
    the seconds the calls took there. For the hang guards below."""
    code = "\n".join(
        [
            "import time",
            setup,
            f"inputs = [head + unit * count for head, unit, count in {adversarial!r}]",
            "assert all(len(text) <= 20_000 for text in inputs)",
            "start = time.perf_counter()",
            "for text in inputs:",
            f"    {call}",
            "print(time.perf_counter() - start)",
        ]
    )
    return seconds_in_a_child(code)


def test_hang_guard_normalize_adversarial_inputs() -> None:
    """HANG GUARD for the normaliser's folds, as `test_hang_guard_adversarial_inputs` below: all
    the inputs take well under a second here; the 10 s bound only catches a return to
    super-linear backtracking."""
    seconds = seconds_in_adversarial_calls(
        "from classifier.normalize import normalize_with_offsets",
        "normalize_with_offsets(text)",
        NORMALIZE_ADVERSARIAL,
    )
    assert seconds < 10.0


def test_every_address_the_email_finder_sees_is_kept_by_the_leet_fold() -> None:
    """`normalize._EMAIL_SPAN_RE` (the addresses the leet fold leaves alone) starts only where a
    run starts; every address the original email pattern finds overlaps one of its spans, but
    one that starts where the one before it ended ('a@b.c.@d.e')."""
    rng = random.Random("normalize-email-spans")
    alphabet = ["a", "1", "_", ".", "+", "-", "@", " ", "é", "com", "a@b", ".c", "@a.b", ","]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))
        ours = [m.span() for m in nz._EMAIL_SPAN_RE.finditer(text)]
        want = [m.span() for m in ORIGINAL["email"].finditer(text)]
        ends = {hi for _, hi in want}
        for lo, hi in want:
            assert lo in ends or any(a < hi and lo < b for a, b in ours), text


# Each finder with the spans the original pattern found on its cases.
FINDER_CASES = [
    (name, find, text, expected)
    for name, find, cases in (
        ("url", lambda t: spans(ft._find_urls(t)), URL_CASES),
        ("hidden", lambda t: spans(ft._find_hidden_urls(t)), HIDDEN_CASES),
        ("email", lambda t: spans(ft._find_emails(t)), EMAIL_CASES),
        ("money", lambda t: spans(ft._find_money(t)), MONEY_CASES),
        ("link", tm.find_links, LINK_CASES),
    )
    for text, expected in cases
]


@pytest.mark.parametrize(
    ("find", "text", "expected"),
    [case[1:] for case in FINDER_CASES],
    ids=[f"{case[0]}-{i}" for i, case in enumerate(FINDER_CASES)],
)
def test_spans_as_before(find, text: str, expected: list[tuple[int, int]]) -> None:
    assert find(text) == expected


def test_signal_spans_as_before() -> None:
    comment = CommentInput(
        content="Win 1,000.50 € at Example DOT com or www.Example.org, mail me: a.b @ x-y.io "
        "or A_B+1@Mail.X-Y.io $5k!",
        author_name="Best-Deals.shop",
    )
    found = ft.comment_signals(comment)
    got = {
        code: ([(s.field, s.start, s.end) for s in hit.spans], hit.message, round(hit.value, 6))
        for code, hit in found.items()
        if code in ("hidden_link", "links", "money", "email_in_text", "author_name_url")
    }
    assert got == {
        "hidden_link": ([("content", 18, 33)], "disguised link 'example dot com'", 1.0),
        "links": (
            [("content", 37, 53), ("content", 69, 75), ("content", 92, 96), ("content", 18, 33)],
            "4 links",
            1.609438,
        ),
        "money": (
            [("content", 4, 14), ("content", 97, 100)],
            "price or currency '1,000.50 €', '$5k'",
            1.098612,
        ),
        "email_in_text": ([("content", 79, 96)], "email address in the text", 0.693147),
        "author_name_url": ([("author_name", 0, 15)], "author name is a URL", 1.0),
    }


ALPHABETS = {
    "url": ["a", "w", "h", "t", "p", "s", "c", "o", "m", "1", "-", ".", "@", "/", ":", " ", "_",
            "(", "www.", "http://", ".com", ".co", "x.", "é"],
    "hidden": ["ab", "x-y", "1", "-", " ", "(", ")", "[", "]", ".", " . ", "dot", " dot ", "point",
               "com", "co", "net", "_", "é", "\t"],
    "email": ["a", "1", "_", ".", "+", "-", "@", " ", "é", "com", "#", "a@b", ".c", "@a.b"],
    "money": ["1", "0", ",", ".", " ", "$", "€", "£", "₿", "k", "m", "usd", "eur", "euros",
              "dollar", "s", "a", "k€", "_", "btc", "p", "/", "min", "msg", "per "],
    "anchor": ["<a ", "<A\n", "<a", ">", "</a>", "</A >", "</a", "href", "HREF", "x", " ", "=",
               '"', "a", "<", "/", "-"],
    "href": ["<a href=", " href=", '<a href="', "<A HREF = '", "x>", "<a ", "href", "=", '"',
             "'", " ", "x", "/", ">", "<", "\n"],
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(ALPHABETS))
def test_random_strings_match_the_original_patterns(name: str) -> None:
    rng = random.Random(f"regex-linear-{name}")
    alphabet = ALPHABETS[name]
    for _ in range(1500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))
        want = [m.span() for m in ORIGINAL[name].finditer(text)]
        got = NEW[name](text)
        got = got if name == "anchor" else [m.span() for m in got]
        assert got == want, text
        if name == "href":
            old_groups = [m.group(1) for m in ORIGINAL[name].finditer(text)]
            assert [m.group(1) for m in NEW[name](text)] == old_groups, text


# Inputs that held a worker for seconds to a minute before the rewrite: (head, unit, count),
# each 20,000 characters at most.
ADVERSARIAL = [
    ("", "<a href", 2857),  # 41 s in find_links
    ("", "<a ", 6666),
    ("", "<a href<a ", 2000),  # 50 s
    ("", "<a >", 5000),
    ("<a href=", "x", 19992),  # 2.6 s in normalize_text
    ("<a ", "href=", 3999),  # cubic: 29 s in normalize_text at 4,000 characters, ~1 h at 20,000
    ("<a ", "href=x ", 2856),
    ("", "-", 20000),  # 12-18 s: disguised links
    ("", "--a", 6666),
    ("", "1,", 10000),  # 10 s: money
    ("", "$1,", 6666),
    ("", "-a", 10000),  # 1-3 s: URLs
    ("", "w-", 10000),
    ("", ".-a", 6666),
    ("", "a_00", 5000),  # 6 s: emails
    ("", "_1", 10000),
    ("", "a@", 10000),
    ("", "1 ", 10000),
    ("", "txt a ", 3333),  # SMS short codes, phone groupings, pence rates, mostly-links
    ("", "0123 456 ", 2222),
    ("", "1p per ", 2857),
    ("http://a.co ", "x ", 9990),
]


def test_hang_guard_adversarial_inputs() -> None:
    """HANG GUARD, not a speed figure: each input once through the comment signals (which
    normalise the text first) and find_links, in a child process that is killed if it hangs.
    Before the rewrite this set took well over a minute; after it, well under a second here.
    The 10 s bound is only there to catch a return to super-linear backtracking.
    """
    seconds = seconds_in_adversarial_calls(
        "from classifier.features import comment_signals\n"
        "from classifier.records import CommentInput\n"
        "from moderation.textmatch import find_links",
        "comment_signals(CommentInput(content=text, author_name=text[:500])); find_links(text)",
        ADVERSARIAL,
    )
    assert seconds < 10.0


def test_a_long_match_is_quoted_short_and_marked_whole() -> None:
    from classifier.features import QUOTE_CHARS, comment_signals
    from classifier.records import CommentInput

    text = "Bonjour " + "A" * 3000 + " fin"
    hit = comment_signals(CommentInput(content=text))["repeated_chars"]
    assert len(hit.message) < len("repeated characters ''") + QUOTE_CHARS + 1
    assert hit.message.endswith("…'")
    assert [(s.start, s.end) for s in hit.spans] == [(8, 3008)]  # the span keeps the whole run
