"""Properties over any input: validation, body parsing, normalisation and features never crash.

Hypothesis draws arbitrary Unicode (lone surrogates, NUL, marks, look-alikes, entities, digits)
and arbitrary bytes; each function must either answer or raise its own documented error.
"""

from __future__ import annotations

import json
import string

import pytest
from flask import Flask
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from moderation.bodies import read_payload
from moderation.errors import Problem
from moderation.intake import ALIASES, CommentIn, InvalidComment, parse_comment

normalize = pytest.importorskip("classifier.normalize", reason="classifier not available yet")
features = pytest.importorskip("classifier.features", reason="classifier not available yet")
from classifier.records import CommentInput  # noqa: E402

SETTINGS = settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

# Characters that exercise every branch of the folding: look-alikes, marks, zero-width, bidi,
# entity and tag syntax, leet digits, separators, surrogates, emoji with modifiers.
TRICKY = (
    "аеоросхіѕΑΒΕΟΡΤΝνοß"  # Cyrillic / Greek look-alikes
    "\u0301\u0308\u20dd\u0489"  # combining marks
    "\u200b\u200c\u200d\u2060\ufeff\u202e\u202d\u2066\u2069"  # zero-width, bidi
    "&#x;<>/=\"'ahref"  # entities and tags
    "0134578"  # leet
    " .-_*\t\n\r\x00\ufffd"
    "\ud800\udfff"  # lone surrogates (cannot come from JSON, can come from Python callers)
    "ＣＡＳＩＮＯ①ﬁ㎏"  # compatibility forms
    "😀👍🏽🇫🇷"
)
tricky_text = st.text(
    alphabet=st.one_of(st.sampled_from(TRICKY), st.characters(codec=None)), max_size=200
)
any_text = st.one_of(st.text(max_size=200), tricky_text)


@SETTINGS
@given(any_text)
@example("&amp;amp;lt;")
@example("c a s i n o")
@example("\u0301" * 50)
@example("&#0;&#xD800;&#1114111;")
def test_normalize_never_raises_and_is_idempotent(text: str) -> None:
    once = normalize.normalize_text(text)
    assert isinstance(once, str)
    assert normalize.normalize_text(once) == once


@SETTINGS
@given(any_text)
def test_offsets_map_into_the_source(text: str) -> None:
    norm, offsets = normalize.normalize_with_offsets(text)
    assert len(offsets) == len(norm)
    assert all(0 <= o < len(text) for o in offsets)


field_text = st.one_of(st.just(""), any_text)


@SETTINGS
@given(
    st.builds(
        CommentInput,
        content=any_text,
        author_name=field_text,
        author_email=field_text,
        author_url=st.one_of(field_text, st.sampled_from(["http://[::1", "https://x.y/%zz", "//"])),
        author_ip=field_text,
        user_agent=field_text,
        permalink=st.one_of(field_text, st.just("http://[bad")),
        language=st.one_of(field_text, st.sampled_from(["fr", "en", "xx-YY"])),
    )
)
def test_feature_extraction_never_raises(comment: CommentInput) -> None:
    signals = features.comment_signals(comment)
    for code, hit in signals.items():
        assert code in features.SIGNALS
        assert hit.value == hit.value  # not NaN
        for span in hit.spans:
            assert 0 <= span.start <= span.end


# Values a JSON or form body can carry, and a few a Python caller could pass.
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), any_text, st.text(string.printable)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(), inner, max_size=3)
    ),
    max_leaves=6,
)
field_names = st.one_of(
    st.sampled_from([a for names in ALIASES.values() for a in names]), st.text()
)
emails = st.one_of(
    st.emails(),
    any_text,
    st.sampled_from(["a@b", "a@b.c", '"q q"@example.org', "x@xn--80ak6aa92e.com", "a@[127.0.0.1]"]),
)


@SETTINGS
@given(
    st.dictionaries(field_names, json_values, max_size=12),
    st.fixed_dictionaries(
        {},
        optional={
            "content": any_text,
            "author_name": any_text,
            "author_email": emails,
            "submitted_at": st.one_of(
                st.datetimes().map(lambda d: d.isoformat()),
                st.sampled_from(
                    ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "2024-13-01", "Z"]
                ),
            ),
            "author_ip": st.one_of(st.ip_addresses().map(str), any_text),
            "author_url": st.one_of(any_text, st.sampled_from(["http://[::1", "javascript:x"])),
            "language": any_text,
        },
    ),
)
def test_parse_comment_answers_or_lists_errors(extra: dict, fields: dict) -> None:
    payload = {**extra, **fields}
    try:
        result = parse_comment(payload)
    except InvalidComment as exc:
        assert exc.errors
        assert all(e.code.split(".")[0] in ALIASES for e in exc.errors)
        return
    assert isinstance(result, CommentIn)
    assert result.content.strip() and result.author_name and "@" in result.author_email
    assert len(result.fingerprint()) == 64


@pytest.fixture(scope="module")
def bare_app() -> Flask:
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    return app


CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=latin-1",
    "application/merge-patch+json",
    "application/x-www-form-urlencoded",
    "text/plain",
    "",
]
bodies = st.one_of(
    st.binary(max_size=500),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(st.text(max_size=8), json_scalars, max_size=5).map(
        lambda d: json.dumps(d, ensure_ascii=False).encode("utf-8", "surrogatepass")
    ),
    st.lists(st.tuples(st.text(max_size=5), st.text(max_size=5)), max_size=5).map(
        lambda pairs: "&".join(f"{k}={v}" for k, v in pairs).encode("utf-8", "surrogatepass")
    ),
    st.sampled_from([b"[" * 5000, b'{"a":' * 3000, b"%ff=%fe", b"a=%00", b"&" * 300]),
)


@settings(
    SETTINGS, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(body=bodies, content_type=st.sampled_from(CONTENT_TYPES))
def test_read_payload_answers_a_dict_or_a_problem(
    bare_app: Flask, body: bytes, content_type: str
) -> None:
    with bare_app.test_request_context(
        "/", method="POST", data=body, headers={"Content-Type": content_type}
    ):
        from flask import request

        try:
            payload = read_payload(request)
        except Problem as exc:
            assert 400 <= exc.status < 500
            return
    assert isinstance(payload, dict)
    assert all(isinstance(k, str) for k in payload)
