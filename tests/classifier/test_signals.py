"""Hand-made signals on formats that used to slip through: UK numbers, pence rates, SMS codes."""

from __future__ import annotations

import pytest

from classifier.features import comment_signals
from classifier.records import CommentInput


def found(text: str, code: str) -> list[str]:
    hit = comment_signals(CommentInput(content=text)).get(code)
    return [text[s.start : s.end] for s in hit.spans] if hit else []


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("To view it call 09095 350 301 from ur landline", "09095 350 301"),
        ("call our fraud team on 0203 769 4410 now", "0203 769 4410"),
        ("ring me 07781 226304", "07781 226304"),
        ("freephone 0800-046-1188", "0800-046-1188"),
        ("appelez le 06 12 34 56 78", "06 12 34 56 78"),  # the French grouping, as before
        ("WhatsApp +225 07 07 12 34 56", "+225 07 07 12 34 56"),
    ],
)
def test_phone_numbers_in_uk_and_french_groupings(text: str, number: str) -> None:
    assert found(text, "phone_number") == [number]


@pytest.mark.parametrize(
    "text",
    [
        "open 0930 1730 daily",  # opening hours
        "le 01.02.2024 à 0930",
        "score 2026 1 0",
        "il a gagné 3 0 000 voix",
    ],
)
def test_times_dates_and_counts_are_not_phone_numbers(text: str) -> None:
    assert found(text, "phone_number") == []


def test_pence_rates_are_prices() -> None:
    text = "Ringtone club: 150p/msg, calls 60p/min, or 25p per text. Not 2p/mint."
    assert found(text, "money") == ["150p/msg", "60p/min", "25p per text"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("U have won! txt WIN to 87121 to claim", "txt WIN to 87121"),
        ("Envoyez JEU au 71030 (0,75 €/SMS)", "Envoyez JEU au 71030"),
        ("reply STOP to 80488 to end", "reply STOP to 80488"),
        ("Txt the word: CLAIM to No: 81010 T&C apply", "Txt the word: CLAIM to No: 81010"),
        ("Envoyez le mot CADEAU au 36180", "Envoyez le mot CADEAU au 36180"),
    ],
)
def test_sms_short_codes_are_calls_to_action(text: str, code: str) -> None:
    assert found(text, "call_to_action") == [code]


def test_short_codes_need_a_number_of_four_to_six_digits_and_few_words() -> None:
    assert found("send love to 2 people, reply soon to 123", "call_to_action") == []
    assert found("send my best wishes and prayers to 12345 fans", "call_to_action") == []


@pytest.mark.parametrize(
    ("text", "mostly_links"),
    [
        ("https://www.facebook.com/somepage", True),
        ("check this http://promo.example/a", True),
        ("-----&gt;&gt; https://www.facebook.com/video.php?v=1 bit.ly/x", True),
        ("Here are the photos from Saturday! https://photos.app.goo.gl/Kd8 Let me know", False),
        ("The council's own figures are here: https://example.org/budget-2025.pdf", False),
        ("no link at all here", False),
    ],
)
def test_mostly_links_means_little_text_besides_the_links(text: str, mostly_links: bool) -> None:
    signals = comment_signals(CommentInput(content=text))
    assert ("link_density" in signals) is mostly_links


@pytest.mark.parametrize(
    ("permalink", "link", "own"),
    [
        ("https://www.example.com/a", "see https://blog.example.com/b", True),
        ("https://www.example.com/a", "see https://example.com/b", True),
        ("https://www.example.com/a", "see https://notexample.com/b", False),
        ("https://www.bbc.co.uk/news/1", "see https://news.bbc.co.uk/2", True),
        ("https://www.bbc.co.uk/news/1", "see https://www.theguardian.co.uk/3", False),
        ("https://www.abidjan.net/a", "see https://news.abidjan.net/b", True),
        ("https://www.abidjan.net/a", "see https://www.lefaso.net/b", False),
    ],
)
def test_a_link_is_to_this_site_only_on_its_domain(permalink: str, link: str, own: bool) -> None:
    hits = comment_signals(CommentInput(content=link, permalink=permalink))
    assert ("own_site_link" in hits) is own


def test_sites_under_a_country_suffix_are_distinct_domains() -> None:
    hits = comment_signals(
        CommentInput(content="https://www.bbc.co.uk/x and https://www.theguardian.co.uk/y")
    )
    assert hits["link_domains"].message == "links to 2 domains"
