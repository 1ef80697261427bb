"""The moderators' HTML pages: sign-in, CSRF, throttling, queue, decisions, headers, language."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from flask import Flask

from moderation import db
from moderation.models import CommentStatus, Moderator
from tests.mods import PASSWORD, add_comment, add_moderator, csrf, login, status_of
from tests.test_flood import REDIS_URL, _worker, needs_redis

EMAIL = "alice@example.org"


@pytest.fixture
def alice(app: Flask) -> int:
    return add_moderator(app, EMAIL, sites=("lemali",))


@pytest.fixture
def signed_in(client, alice):
    assert login(client, EMAIL).status_code == 303
    return client


def test_queue_needs_a_session(client) -> None:
    resp = client.get("/queue?status=spam")
    assert resp.status_code == 302
    assert "/login?next=/queue?status%3Dspam" in resp.headers["Location"].replace("%2F", "/")


def test_login_starts_a_fresh_session_with_hardened_cookie(client, alice) -> None:
    client.get("/login")
    with client.session_transaction() as sess:
        sess["planted"] = "by attacker"
        before = sess["csrf"]
    resp = login(client, EMAIL)
    assert resp.status_code == 303 and resp.headers["Location"] == "/queue"
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    with client.session_transaction() as sess:
        assert "planted" not in sess and sess["csrf"] != before and sess["mod"] == alice
    assert client.get("/queue").status_code == 200


def test_cookie_is_secure_over_https(client, alice) -> None:
    client.get("/login", base_url="https://localhost")
    token = csrf(client)
    resp = client.post(
        "/login",
        data={"email": EMAIL, "password": PASSWORD, "csrf_token": token},
        base_url="https://localhost",
    )
    assert "Secure" in resp.headers["Set-Cookie"]


def test_wrong_password_then_throttled_with_retry_after(client, alice) -> None:
    for _ in range(5):
        assert login(client, EMAIL, "wrong password").status_code == 401
    resp = login(client, EMAIL, "wrong password")  # 6th failure locks for a while
    assert resp.status_code == 401
    resp = login(client, EMAIL)  # even the right password waits
    assert resp.status_code == 429
    assert int(resp.headers["Retry-After"]) >= 1


def test_failures_from_one_ip_are_throttled_across_emails(app, client, alice) -> None:
    app.extensions["palabre.login_throttle"].limit = 3
    for i in range(3):
        login(client, f"nobody{i}@example.org", "x")
    resp = login(client, EMAIL)
    assert resp.status_code == 429 and "Retry-After" in resp.headers


@needs_redis
def test_login_failures_from_one_ip_count_across_workers(
    app, database_url, tmp_path, alice
) -> None:
    # Redis keys outlive a test run (15 minutes): an address of its own for every run.
    tag = uuid.uuid4().hex
    ip = f"2001:db8:{tag[:4]}:{tag[4:8]}:{tag[8:12]}:{tag[12:16]}:{tag[16:20]}:{tag[20:24]}"
    one, two = (_worker(database_url, tmp_path, REDIS_URL) for _ in range(2))
    try:
        clients = []
        for worker in (one, two):
            worker.extensions["palabre.login_throttle"].limit = 3
            clients.append(worker.test_client())
            clients[-1].environ_base["REMOTE_ADDR"] = ip
        first, second = clients
        assert login(first, "nobody1@example.org", "x").status_code == 401
        assert login(second, "nobody2@example.org", "x").status_code == 401
        assert login(first, "nobody3@example.org", "x").status_code == 401
        resp = login(second, EMAIL)  # the right password, but this IP failed 3 times
        assert resp.status_code == 429 and int(resp.headers["Retry-After"]) >= 1
    finally:
        for worker in (one, two):
            db.dispose(db.engine_for(worker))


def test_post_without_csrf_token_is_refused(signed_in, app) -> None:
    cid = add_comment(app)
    resp = signed_in.post(f"/queue/{cid}/approve", data={"expected_status": "pending"})
    assert resp.status_code == 400
    assert status_of(app, cid) == "pending"
    resp = signed_in.post(
        f"/queue/{cid}/approve", data={"expected_status": "pending", "csrf_token": "forged"}
    )
    assert resp.status_code == 400
    assert signed_in.post("/logout").status_code == 400


def test_login_form_itself_needs_csrf(client, alice) -> None:
    client.get("/login")  # a session with its token, and a post without it
    resp = client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert resp.status_code == 400
    fresh = client.application.test_client()  # no session at all: sent back to sign in
    resp = fresh.post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
    assert fresh.get("/queue").status_code == 302  # not signed in


def test_a_form_posted_after_the_session_cookie_expired_asks_to_sign_in(app, client) -> None:
    cid = add_comment(app)
    resp = client.post(
        f"/queue/{cid}/approve",
        data={"expected_status": "pending", "csrf_token": "from the page"},
        headers={"Referer": f"http://localhost/queue/{cid}?next=/queue"},
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert resp.headers["Location"].startswith("/login?next=")
    assert f"/queue/{cid}" in resp.headers["Location"].replace("%2F", "/")
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Your session expired" in html
    assert status_of(app, cid) == "pending"


def test_the_cookie_outlives_the_idle_limit(app, signed_in) -> None:
    # The browser must still send the session when it goes stale, so that the server can
    # say it expired (test_idle_session_expires) instead of failing the form's CSRF check.
    cookie = signed_in.get_cookie("palabre_session")
    idle = app.config["SESSION_IDLE_MINUTES"] * 60
    assert cookie.expires is not None
    assert cookie.expires.timestamp() - time.time() > idle + 3600


def test_idle_session_expires(app, signed_in) -> None:
    with signed_in.session_transaction() as sess:
        sess["seen"] = int(time.time()) - app.config["SESSION_IDLE_MINUTES"] * 60 - 5
    resp = signed_in.get("/queue")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_password_change_ends_existing_sessions(app, signed_in, alice) -> None:
    from moderation.accounts import hash_password

    with app.app_context(), db.transaction() as s:
        s.get(Moderator, alice).password_hash = hash_password("another password")
    assert signed_in.get("/queue").status_code == 302


def test_every_html_page_sends_csp_and_friends(signed_in, app) -> None:
    cid = add_comment(app)
    for path in ["/login", "/queue", f"/queue/{cid}", "/dashboard", "/audit"]:
        resp = signed_in.get(path)
        assert resp.status_code == 200, path
        csp = resp.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Referrer-Policy"] == "same-origin"
        html = resp.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path  # no inline script
        assert not re.search(r"\son[a-z]+=", html), path  # no inline handlers


def test_queue_filters_counts_and_order(signed_in, app) -> None:
    sure = add_comment(app, "fairly sure ham", score=0.25)
    unsure = add_comment(app, "coin flip", score=0.49)
    add_comment(app, "already spam", status=CommentStatus.SPAM, score=0.99)
    add_comment(app, "other site", site="autre")
    html = signed_in.get("/queue").get_data(as_text=True)
    assert html.index("coin flip") < html.index("fairly sure ham")
    assert 'data-status="pending">2<' in html and 'data-status="spam">1<' in html
    assert "other site" not in html
    html = signed_in.get("/queue?order=oldest").get_data(as_text=True)
    assert html.index("fairly sure ham") < html.index("coin flip")
    html = signed_in.get("/queue?q=COIN").get_data(as_text=True)
    assert f'data-id="{unsure}"' in html and f'data-id="{sure}"' not in html
    html = signed_in.get("/queue?min_score=0.3&max_score=0.6").get_data(as_text=True)
    assert f'data-id="{unsure}"' in html and f'data-id="{sure}"' not in html
    html = signed_in.get("/queue?status=spam").get_data(as_text=True)
    assert "already spam" in html and "coin flip" not in html
    assert signed_in.get("/queue?from=not-a-date&min_score=x&page=-3").status_code == 200


def test_approve_by_form_then_conflict_page_names_who(app, client, signed_in) -> None:
    cid = add_comment(app)
    data = {"expected_status": "pending", "csrf_token": csrf(signed_in), "next": "/queue"}
    resp = signed_in.post(f"/queue/{cid}/approve", data=data)
    assert resp.status_code == 303 and resp.headers["Location"] == "/queue"
    assert status_of(app, cid) == "approved"
    add_moderator(app, "bob@example.org", sites=("lemali",))
    bob = app.test_client()
    login(bob, "bob@example.org")
    data = {"expected_status": "pending", "csrf_token": csrf(bob)}
    resp = bob.post(f"/queue/{cid}/spam", data=data)
    assert resp.status_code == 409
    assert "alice@example.org" in resp.get_data(as_text=True)
    assert status_of(app, cid) == "approved"


def test_open_redirect_is_refused(app, signed_in) -> None:
    cid = add_comment(app)
    data = {"expected_status": "pending", "csrf_token": csrf(signed_in), "next": "//evil.example"}
    resp = signed_in.post(f"/queue/{cid}/reject", data=data)
    assert resp.headers["Location"] == "/queue"


def test_bulk_and_undo_from_the_queue(app, signed_in) -> None:
    ids = [add_comment(app, f"buy now {i}") for i in range(3)]
    token = csrf(signed_in)
    data = {
        "action": "spam",
        "ids": [str(i) for i in ids[:2]],
        "csrf_token": token,
        "expected_status": "pending",
    }
    assert signed_in.post("/queue/bulk", data=data).status_code == 303
    assert [status_of(app, i) for i in ids] == ["spam", "spam", "pending"]
    assert signed_in.post("/queue/undo", data={"csrf_token": token}).status_code == 303
    assert status_of(app, ids[1]) == "pending" and status_of(app, ids[0]) == "spam"


def test_opening_a_comment_claims_it(app, signed_in) -> None:
    cid = add_comment(app)
    html = signed_in.get(f"/queue/{cid}").get_data(as_text=True)
    assert "Claimed by you" in html
    add_moderator(app, "bob@example.org", sites=("lemali",))
    bob = app.test_client()
    login(bob, "bob@example.org")
    assert "Being reviewed by alice@example.org" in bob.get(f"/queue/{cid}").get_data(as_text=True)
    resp = bob.post("/queue/next", data={"csrf_token": csrf(bob)})
    assert resp.headers["Location"] == "/queue"  # nothing else to claim


def test_other_sites_comment_is_not_shown(app, signed_in) -> None:
    other = add_comment(app, "secret", site="autre")
    assert signed_in.get(f"/queue/{other}").status_code == 404


def test_comment_page_shows_details_history_and_escaped_highlights(app, signed_in) -> None:
    reasons = [
        {
            "source": "classifier",
            "code": "word",
            "message": "the word 'casino'",
            "spans": [{"field": "content", "start": 3, "end": 9}],
        }
    ]
    add_comment(app, "earlier", status=CommentStatus.SPAM, email="x@spam.example")
    add_comment(app, "earlier 2", status=CommentStatus.APPROVED, ip="203.0.113.9")
    cid = add_comment(
        app,
        "<b>casino</b> http://x.example",
        email="x@spam.example",
        ip="203.0.113.9",
        url="javascript:alert(1)",
        reasons=reasons,
    )
    html = signed_in.get(f"/queue/{cid}").get_data(as_text=True)
    assert "&lt;b&gt;<mark" in html and ">casino</mark>&lt;/b&gt;" in html
    assert "<b>" not in html and 'href="javascript' not in html and 'href="http://x' not in html
    assert "1 approved, 1 spam" in html
    for shown in ["x@spam.example", "203.0.113.9", "Mozilla/5.0 test", "post-1"]:
        assert shown in html


def test_french_from_accept_language_and_saved_choice(app, signed_in, alice) -> None:
    html = signed_in.get("/queue", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "En attente" in html or "en attente" in html
    token = csrf(signed_in)
    signed_in.post("/language", data={"lang": "en", "csrf_token": token})
    html = signed_in.get("/queue", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Sign out" in html
    with app.app_context():
        assert db.session().get(Moderator, alice).language == "en"


def test_french_counts_agree_and_date_ranges_read_du_au(app, signed_in) -> None:
    first = add_comment(app, "un")  # its page lists the others from the same email
    add_comment(app, "deux", status=CommentStatus.REJECTED)
    add_comment(app, "trois", status=CommentStatus.REJECTED)
    add_comment(app, "quatre", status=CommentStatus.APPROVED)
    fr = {"Accept-Language": "fr"}
    html = signed_in.get(f"/queue/{first}", headers=fr).get_data(as_text=True)
    summary = re.search(r'class="history-summary">([^<]*)<', html).group(1)
    assert "1 approuvé" in summary and "2 rejetés" in summary  # was "2 rejeté"
    html = signed_in.get("/queue", headers=fr).get_data(as_text=True)
    assert "Reçu du" in html
    assert re.search(r'au <input type="date" name="to"', html)  # "du ... au ...", not "à"
    assert re.search(r'à <input type="number" name="max_score"', html)  # "de ... à ..."
    html = signed_in.get(f"/queue/{first}").get_data(as_text=True)
    assert "1 approved, 2 rejected" in html


def test_dashboard_and_audit_pages(app, signed_in) -> None:
    cid = add_comment(app, "keep me", status=CommentStatus.SPAM, score=0.95)
    data = {"expected_status": "spam", "csrf_token": csrf(signed_in)}
    signed_in.post(f"/queue/{cid}/approve", data=data)
    html = signed_in.get("/dashboard").get_data(as_text=True)
    assert "<svg" in html and "<rect" in html
    html = signed_in.get("/audit").get_data(as_text=True)
    assert f'data-comment="{cid}"' in html and "alice@example.org" in html


@pytest.mark.parametrize("value", ["\u00b2", "99999999999999999999", "-3", "x"])
def test_odd_numbers_in_urls_and_forms_are_ignored(app, signed_in, value) -> None:
    # "²".isdigit() is True, but int("²") fails; 20 digits overflow an INTEGER column.
    cid = add_comment(app, "keep me")
    for url in ("/audit", "/sites/lemali/deliveries", "/queue"):
        resp = signed_in.get(url, query_string={"page": value, "to": "9999-12-31"})
        assert resp.status_code == 200, url
    data = {"action": "spam", "ids": [value, str(cid)], "csrf_token": csrf(signed_in)}
    assert signed_in.post("/queue/bulk", data=data).status_code == 303
    assert status_of(app, cid) == "spam"


def test_requests_without_a_session_cookie_set_none(app, client) -> None:
    resp = client.get("/login")  # the form stores a CSRF token: the session is saved
    assert resp.headers["Set-Cookie"].startswith("palabre_session=")  # not Flask's "session"
    fresh = app.test_client()
    resp = fresh.get("/healthz")
    assert "Set-Cookie" not in resp.headers
    resp = fresh.get("/queue")  # reads the (empty) session: caches must vary on the cookie
    assert resp.status_code == 302 and "Set-Cookie" not in resp.headers
    assert "Cookie" in resp.headers.get("Vary", "")
