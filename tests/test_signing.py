"""Standard Webhooks signatures: known answers, garbage headers, and the API's inbound check."""

from __future__ import annotations

import json
import time

import pytest
import standardwebhooks
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from moderation import db
from moderation.models import Comment, Site
from moderation.signing import SignatureError, headers_for, new_secret, sign, verify
from moderation.webhooks import rotate_secret

# The published Standard Webhooks example; the signature was also computed with
# `openssl dgst -sha256 -mac HMAC`, independently of any Python code.
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
TS = 1614265330
BODY = b'{"test": 2432232314}'
EXPECTED = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def hdrs(sig: str = EXPECTED, ts: str = str(TS), msg_id: str = MSG_ID) -> dict[str, str]:
    return {"webhook-id": msg_id, "webhook-timestamp": ts, "webhook-signature": sig}


def without(name: str) -> dict[str, str]:
    return {k: v for k, v in hdrs().items() if k != name}


class TestKnownAnswers:
    def test_sign_matches_the_published_vector(self) -> None:
        assert sign(SECRET, MSG_ID, TS, BODY) == EXPECTED

    def test_verify_accepts_it_and_returns_the_id(self) -> None:
        assert verify(SECRET, hdrs(), BODY, now=TS) == MSG_ID

    def test_reference_library_accepts_our_signature(self) -> None:
        secret = new_secret()
        now = int(time.time())
        headers = headers_for(secret, "evt_1", now, b'{"a":1}')
        assert standardwebhooks.Webhook(secret).verify(b'{"a":1}', headers) == {"a": 1}

    def test_one_matching_signature_among_several_is_enough(self) -> None:
        other = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
        assert verify(SECRET, hdrs(f"v2,xyz {other} {EXPECTED}"), BODY, now=TS) == MSG_ID

    @pytest.mark.parametrize(
        ("headers", "body", "now", "code"),
        [
            (hdrs(), BODY + b" ", TS, "bad_signature"),
            (hdrs(msg_id="msg_other"), BODY, TS, "bad_signature"),
            (hdrs(ts=str(TS + 1)), BODY, TS, "bad_signature"),
            (hdrs(), BODY, TS + 301, "stale_timestamp"),
            (hdrs(), BODY, TS - 301, "stale_timestamp"),
            (hdrs(EXPECTED.replace("v1,", "v2,")), BODY, TS, "bad_signature"),
            (
                {"webhook-timestamp": str(TS), "webhook-signature": EXPECTED},
                BODY,
                TS,
                "missing_webhook_id",
            ),
            (
                {"webhook-id": MSG_ID, "webhook-signature": EXPECTED},
                BODY,
                TS,
                "missing_webhook_timestamp",
            ),
            (
                {"webhook-id": MSG_ID, "webhook-timestamp": str(TS)},
                BODY,
                TS,
                "missing_webhook_signature",
            ),
            (hdrs(ts="١٦١٤٢٦٥٣٣٠"), BODY, TS, "bad_timestamp"),
            (hdrs(ts="+1614265330"), BODY, TS, "bad_timestamp"),
            (hdrs(ts="1614265330.0"), BODY, TS, "bad_timestamp"),
            (hdrs(sig="v1,not base64!!"), BODY, TS, "bad_signature"),
            (hdrs(sig="v1"), BODY, TS, "bad_signature"),
            (hdrs(sig="v1,g0hM,extra"), BODY, TS, "bad_signature"),
            (hdrs(msg_id="\udcff"), BODY, TS, "bad_id"),
            (hdrs(msg_id="a\nb"), BODY, TS, "bad_id"),
            (hdrs(msg_id="msg-\u00e9"), BODY, TS, "bad_id"),  # not ASCII
        ],
    )
    def test_refusals(self, headers, body, now, code) -> None:
        with pytest.raises(SignatureError) as err:
            verify(SECRET, headers, body, now=now)
        assert err.value.code == code

    def test_within_tolerance_is_accepted(self) -> None:
        assert verify(SECRET, hdrs(), BODY, now=TS + 300) == MSG_ID
        assert verify(SECRET, hdrs(), BODY, now=TS - 300) == MSG_ID


header_text = st.text(st.characters(codec="latin-1"), max_size=80) | st.sampled_from(
    [
        "v1,",
        "v1, ",
        " ",
        "v1,====",
        "9" * 30,
        "-1",
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE",
    ]
)


@settings(max_examples=500, deadline=None)
@given(
    msg_id=st.none() | header_text,
    ts=st.none() | header_text | st.integers(-(10**15), 10**15).map(str),
    sig=st.none() | header_text,
    body=st.binary(max_size=64),
)
def test_fuzz_verifier_raises_only_signature_error(msg_id, ts, sig, body) -> None:
    headers = {
        k: v
        for k, v in {
            "webhook-id": msg_id,
            "webhook-timestamp": ts,
            "webhook-signature": sig,
        }.items()
        if v is not None
    }
    try:
        verify(SECRET, headers, body, now=TS)
    except SignatureError:
        pass
    else:  # only a genuine signature can pass
        assert sig is not None and EXPECTED in sig.split(" ")


# --- the intake API on a site that requires signatures -------------------------------------

GOOD = {"content": "Merci pour cet article", "author_name": "Awa", "author_email": "awa@example.ml"}


@pytest.fixture
def signed_site(app: Flask, auth: dict[str, str]) -> str:
    with app.app_context(), db.transaction() as s:
        site = s.scalar(select(Site))
        site.require_signature = True
        return rotate_secret(site, app.config["SECRET_KEY"])


def signed(secret: str, body: bytes, msg_id: str = "msg_1", ts: int | None = None) -> dict:
    return headers_for(secret, msg_id, int(time.time()) if ts is None else ts, body)


def count(app: Flask) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Comment)) or 0


@pytest.mark.usefixtures("keyword_model")
class TestSignedIntake:
    def post(self, client, auth, body: bytes, headers: dict) -> object:
        return client.post(
            "/api/v1/comments",
            data=body,
            headers={**auth, **headers, "Content-Type": "application/json"},
        )

    def test_good_signature_is_accepted(self, app, client, auth, signed_site) -> None:
        body = json.dumps(GOOD).encode()
        resp = self.post(client, auth, body, signed(signed_site, body))
        assert resp.status_code == 201

    def test_replay_stores_nothing_and_returns_the_original(
        self, app, client, auth, signed_site
    ) -> None:
        body = json.dumps(GOOD).encode()
        headers = signed(signed_site, body, "msg_replayed")
        first = self.post(client, auth, body, headers)
        again = self.post(client, auth, body, {**headers, "Idempotency-Key": "changed"})
        assert again.status_code == 200
        assert again.get_json() == first.get_json()
        assert count(app) == 1

    @pytest.mark.parametrize(
        "tamper",
        [
            lambda h: {},
            lambda h: {**h, "webhook-signature": "v1,AAAA"},
            lambda h: {**h, "webhook-timestamp": str(int(time.time()) - 301)},
            lambda h: {**h, "webhook-timestamp": "yesterday"},
            lambda h: {**h, "webhook-signature": "v1,%%%%"},
            lambda h: {**h, "webhook-id": "x" * 300},
            lambda h: {**h, "webhook-signature": "garbage"},
        ],
    )
    def test_bad_signatures_are_401_and_store_nothing(
        self, app, client, auth, signed_site, tamper
    ) -> None:
        body = json.dumps(GOOD).encode()
        resp = self.post(client, auth, body, tamper(signed(signed_site, body)))
        assert resp.status_code == 401
        assert resp.mimetype == "application/problem+json"
        assert count(app) == 0

    def test_signature_over_another_body_is_401(self, app, client, auth, signed_site) -> None:
        body = json.dumps(GOOD).encode()
        other = json.dumps({**GOOD, "content": "buy casino"}).encode()
        assert self.post(client, auth, other, signed(signed_site, body)).status_code == 401

    def test_non_latin1_garbage_header_is_401_not_500(self, app, client, auth, signed_site):
        body = json.dumps(GOOD).encode()
        headers = {**signed(signed_site, body), "webhook-id": "é\x7f\u00ff"}
        assert self.post(client, auth, body, headers).status_code == 401

    def test_sites_without_the_requirement_need_no_signature(self, app, client, auth) -> None:
        resp = client.post("/api/v1/comments", json=GOOD, headers=auth)
        assert resp.status_code == 201
