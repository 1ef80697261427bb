"""Validation of submitted comments: names, emails, aliases, limits (no app needed)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from moderation.intake import InvalidComment, parse_comment

GOOD = {
    "content": "Merci pour l'article",
    "author_name": "Awa Traoré",
    "author_email": "awa@example.ml",
}


def codes(payload: dict) -> set[str]:
    with pytest.raises(InvalidComment) as info:
        parse_comment(payload)
    return {e.code for e in info.value.errors}


@pytest.mark.parametrize(
    ("email", "normalised"),
    [
        ("awa@example.ml", "awa@example.ml"),
        ("Awa.Traore@Example.ML", "Awa.Traore@example.ml"),
        ("  moussa@example.sn  ", "moussa@example.sn"),
        ("user+tag@example.com", "user+tag@example.com"),
        ("awa@exämple.ml", "awa@exämple.ml"),  # internationalised domain
        ("awa@xn--exmple-cua.ml", "awa@exämple.ml"),  # its ASCII form normalises to Unicode
        ("koné@example.ci", "koné@example.ci"),  # internationalised local part (SMTPUTF8)
        ('"awa traore"@example.ml', '"awa traore"@example.ml'),  # quoted local part
        ("δοκιμή@παράδειγμα.δοκιμή", "δοκιμή@παράδειγμα.δοκιμή"),
    ],
)
def test_valid_emails_are_normalised(email: str, normalised: str) -> None:
    comment = parse_comment({**GOOD, "author_email": email})
    assert comment.author_email == normalised


@pytest.mark.parametrize(
    "email",
    [
        "awa",
        "awa@",
        "@example.ml",
        "awa@@example.ml",
        "awa@example",
        "awa example@example.ml",
        "awa@example..ml",
        "awa@-example.ml",
        "a" * 65 + "@example.ml",
        "awa@localhost",
        "<script>@example.ml",
    ],
)
def test_invalid_emails_are_refused(email: str) -> None:
    assert codes({**GOOD, "author_email": email}) == {"author_email.invalid"}


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"author_name": "A", "author_email": "a@example.com"}, {"content.missing"}),
        ({"content": "x", "author_email": "a@example.com"}, {"author_name.missing"}),
        ({"content": "x", "author_name": "A"}, {"author_email.missing"}),
        ({}, {"content.missing", "author_name.missing", "author_email.missing"}),
        ({**GOOD, "author_name": "   "}, {"author_name.blank"}),
        ({**GOOD, "author_name": "\t\n"}, {"author_name.blank"}),
        ({**GOOD, "author_name": ""}, {"author_name.missing"}),
        ({**GOOD, "content": "   "}, {"content.blank"}),
        ({**GOOD, "content": "x" * 20_001}, {"content.too_long"}),
        ({**GOOD, "author_name": "n" * 256}, {"author_name.too_long"}),
        ({**GOOD, "content": "bad\x00byte"}, {"content.nul"}),
        ({**GOOD, "author_name": "a\x00"}, {"author_name.nul"}),
        ({**GOOD, "content": ["a", "list"]}, {"content.type"}),
        ({**GOOD, "author_name": {"first": "A"}}, {"author_name.type"}),
        ({**GOOD, "content": 42}, {"content.type"}),
        ({**GOOD, "author_email": True}, {"author_email.type"}),
        ({**GOOD, "author_url": "javascript:alert(1)"}, {"author_url.invalid"}),
        ({**GOOD, "author_url": "ftp://example.com"}, {"author_url.invalid"}),
        ({**GOOD, "author_url": "http://"}, {"author_url.invalid"}),
        ({**GOOD, "author_ip": "999.1.1.1"}, {"author_ip.invalid"}),
        ({**GOOD, "author_ip": "fe80::1%\u202e"}, {"author_ip.invalid"}),  # a scope id
        ({**GOOD, "author_url": "http://example.com:abc/"}, {"author_url.invalid"}),
        ({**GOOD, "author_url": "http://[::1]:99999/"}, {"author_url.invalid"}),
        ({**GOOD, "content": "\u200b\u200b"}, {"content.blank"}),  # only invisible
        ({**GOOD, "author_name": "\u200b \u2067\ufeff"}, {"author_name.blank"}),
        ({**GOOD, "submitted_at": "yesterday"}, {"submitted_at.invalid"}),
        ({**GOOD, "language": "french!"}, {"language.invalid"}),
    ],
)
def test_invalid_payloads_list_every_error(payload: dict, expected: set[str]) -> None:
    assert codes(payload) == expected


def test_exactly_20000_characters_is_accepted() -> None:
    assert len(parse_comment({**GOOD, "content": "é" * 20_000}).content) == 20_000


def test_wordpress_form_names_are_aliases() -> None:
    comment = parse_comment(
        {
            "comment": "Très bon article",
            "author": "Ibrahim Koné",
            "email": "ibrahim@example.ci",
            "url": "www.example.ci/blog",
            "comment_post_ID": "1234",
            "comment_parent": "0",
            "submit": "Laisser un commentaire",
        }
    )
    assert comment.content == "Très bon article"
    assert comment.author_name == "Ibrahim Koné"
    assert comment.author_email == "ibrahim@example.ci"
    assert comment.author_url == "http://www.example.ci/blog"
    assert (comment.post_id, comment.parent_id) == ("1234", "0")


def test_canonical_name_wins_over_alias() -> None:
    comment = parse_comment({**GOOD, "comment": "alias text"})
    assert comment.content == GOOD["content"]


def test_numeric_ids_are_accepted_as_text() -> None:
    comment = parse_comment({**GOOD, "post_id": 12, "parent_id": 0, "external_id": 99})
    assert (comment.post_id, comment.parent_id, comment.external_id) == ("12", "0", "99")


def test_server_fields_are_ignored() -> None:
    comment = parse_comment({**GOOD, "status": "approved", "score": 0, "site_id": 7, "id": 1})
    assert not hasattr(comment, "status") and not hasattr(comment, "site_id")


def test_ip_and_time_are_normalised() -> None:
    comment = parse_comment(
        {**GOOD, "author_ip": "2001:DB8::0:1", "submitted_at": "2026-11-29T10:00:00+01:00"}
    )
    assert comment.author_ip == "2001:db8::1"
    assert comment.submitted_at == datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    naive = parse_comment({**GOOD, "submitted_at": "2026-11-29T10:00:00"})
    assert naive.submitted_at == datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


def test_fingerprint_tells_retries_from_different_comments() -> None:
    a = parse_comment(GOOD)
    assert a.fingerprint() == parse_comment(dict(GOOD)).fingerprint()
    assert a.fingerprint() != parse_comment({**GOOD, "content": "autre"}).fingerprint()
