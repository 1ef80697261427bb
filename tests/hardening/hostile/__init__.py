"""The hostile-input corpus: each case is a request and exactly what Palabre must answer.

Rejected cases must store nothing; accepted ones (HTML, SQL, bidi, floods inside a valid comment)
must be stored verbatim, as text. Big payloads are built here rather than kept as files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
GOOD = {"content": "Merci pour cet article", "author_name": "Awa", "author_email": "awa@example.ml"}


@dataclass(frozen=True)
class Case:
    """One hostile request and the status it must get (201 = stored verbatim)."""

    name: str
    body: bytes
    status: int
    content_type: str = JSON
    headers: dict[str, str] = field(default_factory=dict)
    code: str | None = None  # the problem code a rejection carries
    stored: dict[str, str] = field(default_factory=dict)  # fields stored exactly so on a 201


def _json(**fields: object) -> bytes:
    return json.dumps({**GOOD, **fields}, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _raw_json(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _accepted(name: str, **fields: str) -> Case:
    return Case(name, _json(**fields), 201, stored=fields)


def _nested(depth: int) -> bytes:
    return ('{"content": "x", "author_name": "a", "author_email": "a@example.org", "n": '
            + "[" * depth + "]" * depth + "}").encode()  # fmt: skip


EMOJI = "😀👍🏽🇫🇷👨‍👩‍👧‍👦"
ZALGO = "e" + "\u0301\u0316\u0334\u035c" * 100
HTML = '<script>alert(document.cookie)</script><img src=x onerror=alert(1)><a href="javascript:x">'
SQL = "'; DROP TABLE comments; -- \" OR 1=1 /* UNION SELECT api_key_hash FROM sites"

CASES: list[Case] = [
    # Encodings
    Case("invalid_utf8_json",
         b'{"content": "caf\xe9", "author_name": "a", "author_email": "a@b.c"}',
         422, code="invalid_utf8"),
    Case("overlong_utf8_json", _json(content="x")[:-2] + b'\xc0\xaf"}', 422, code="invalid_utf8"),
    Case("invalid_utf8_form", b"comment=caf\xe9&author=a&email=a%40example.org", 422, FORM,
         code="invalid_utf8"),
    Case("invalid_percent_utf8_form", b"comment=caf%E9&author=a&email=a%40example.org", 422, FORM,
         code="invalid_utf8"),
    Case("lone_surrogate_escape", _raw_json(
        '{"content": "\\ud800", "author_name": "a", "author_email": "a@example.org"}'), 422,
         code="invalid_utf8"),
    Case("lone_surrogate_in_extra_field", _raw_json(
        '{"content": "x", "author_name": "a", "author_email": "a@example.org", "x": "\\udfff"}'),
         422, code="invalid_utf8"),
    Case("latin1_charset", _json(), 415, "application/json; charset=latin-1",
         code="unsupported_media_type"),
    Case("utf16_body", json.dumps(GOOD).encode("utf-16"), 422, code="invalid_utf8"),
    Case("bom_prefixed", b"\xef\xbb\xbf" + _json(), 400, code="malformed_json"),
    # NUL bytes
    Case("nul_in_content", _json(content="a\x00b"), 422, code="validation"),
    Case("nul_in_name", _json(author_name="\x00"), 422, code="validation"),
    Case("nul_in_extra_field", _json(extra="a\x00b"), 422, code="validation"),
    Case("nul_in_key", _raw_json(
        '{"content": "x", "author_name": "a", "author_email": "a@example.org", "k\\u0000": 1}'),
         422, code="validation"),
    Case("nul_in_form", b"comment=a%00b&author=a&email=a%40example.org", 422, FORM,
         code="validation"),
    Case("raw_nul_byte_json", b'{"content": "a\x00b", "author_name": "a", "author_email": "a@b.c"}',
         400, code="malformed_json"),
    # Broken JSON
    Case("truncated_json", _json()[:-7], 400, code="malformed_json"),
    Case("empty_body", b"", 400, code="malformed_json"),
    Case("deeply_nested_array", b"[" * 20000 + b"]" * 20000, 400, code="malformed_json"),
    Case("deeply_nested_in_field", _nested(20000), 400, code="malformed_json"),
    Case("nan_literal", _raw_json(
        '{"content": "x", "author_name": "a", "author_email": "a@example.org", "post_id": NaN}'),
         400, code="malformed_json"),
    Case("infinity_number", _raw_json(
        '{"content": "x", "author_name": "a", "author_email": "a@example.org", "post_id": 1e999}'),
         400, code="malformed_json"),
    Case("huge_integer", _raw_json(
        '{"content": "x", "author_name": "a", "author_email": "a@example.org", "post_id": '
        + "9" * 5000 + "}"), 400, code="malformed_json"),
    # Wrong shapes
    Case("array_body", b"[]", 400, code="not_object"),
    Case("string_body", b'"hello"', 400, code="not_object"),
    Case("number_body", b"42", 400, code="not_object"),
    Case("null_body", b"null", 400, code="not_object"),
    Case("content_is_array", _json(content=["a"]), 422, code="validation"),
    Case("content_is_object", _json(content={"$gt": ""}), 422, code="validation"),
    Case("email_is_number", _json(author_email=42), 422, code="validation"),
    Case("content_is_bool", _json(content=True), 422, code="validation"),
    Case("duplicate_keys", _raw_json(
        '{"content": "ham", "content": "casino", "author_name": "a", "author_email": "a@b.org"}'),
         400, code="malformed_json"),
    # Size
    Case("form_1000_fields", urlencode(
        {**{f"f{i}": "x" for i in range(1000)}, "comment": "x", "author": "a",
         "email": "a@example.org"}).encode(), 400, FORM, code="bad_request"),
    Case("json_1000_fields", _json(**{f"f{i}": "x" for i in range(1000)}), 400,
         code="bad_request"),
    Case("ten_megabytes", _json(content="x" * 10_000_000), 413, code="too_large"),
    Case("content_one_char_too_long", _json(content="x" * 20_001), 422, code="validation"),
    # Content types and headers
    Case("text_plain", _json(), 415, "text/plain", code="unsupported_media_type"),
    Case("no_content_type", _json(), 415, "", code="unsupported_media_type"),
    Case("multipart", _json(), 415, "multipart/form-data; boundary=x",
         code="unsupported_media_type"),
    Case("idempotency_key_control_char", _json(), 400, headers={"Idempotency-Key": "a\x01b"},
         code="bad_request"),
    Case("idempotency_key_too_long", _json(), 400, headers={"Idempotency-Key": "k" * 256},
         code="bad_request"),
    Case("huge_authorization", _json(), 401, headers={"Authorization": "Bearer " + "x" * 8000},
         code="unauthorized"),
    # Unicode floods, bidi and look-alikes: valid comments, stored as sent
    _accepted("emoji_flood", content=EMOJI * 1000),  # 12,000 code points, 40 KB
    _accepted("combining_mark_flood", content=ZALGO * 40),
    _accepted("bidi_override", content="\u202egnp.exe\u202c and \u2066isolate\u2069",
              author_name="\u202eAwa\u202c"),
    _accepted("zero_width", content="c\u200ba\u200bs\u200bi\u200bn\u200bo"),
    Case("combining_flood_in_name", _json(author_name=ZALGO * 3), 422, code="validation"),
    _accepted("homoglyph_email_local", author_email="аdmin@example.org"),
    _accepted("homoglyph_email_domain", author_email="admin@exаmple.org"),
    Case("fullwidth_at_email", _json(author_email="admin＠example.org"), 422, code="validation"),
    Case("email_with_display_name", _json(author_email="Awa <awa@example.org>"), 422,
         code="validation"),
    Case("email_special_use_domain", _json(author_email="a@example.test"), 422,
         code="validation"),
    # HTML and SQL: text, stored verbatim
    _accepted("html_payload", content=HTML, author_name="<b>Awa</b>"),
    _accepted("sql_payload", content=SQL, author_name="Robert'); DROP TABLE sites;--"),
    _accepted("template_injection", content="{{ config.SECRET_KEY }} {% print 7*7 %} ${7*7}"),
    Case("javascript_url", _json(author_url="javascript:alert(1)"), 422, code="validation"),
    Case("data_url", _json(author_url="data:text/html,<script>x</script>"), 422,
         code="validation"),
    Case("url_with_spaces", _json(author_url="http://exa mple.org"), 422, code="validation"),
    Case("ip_injection", _json(author_ip="127.0.0.1' OR 1=1"), 422, code="validation"),
    Case("datetime_out_of_range", _json(submitted_at="0001-01-01T00:00:00+05:00"), 422,
         code="validation"),
]  # fmt: skip
