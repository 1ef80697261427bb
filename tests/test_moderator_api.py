"""The moderators' JSON API: tokens, queue, single and bulk decisions, undo, problem+json."""

from __future__ import annotations

import pytest
from flask import Flask

from moderation import accounts, db, queries
from moderation.models import CommentStatus, Moderator
from tests.mods import add_comment, add_moderator, status_of


def token_for(app: Flask, mod_id: int) -> dict[str, str]:
    with app.app_context(), db.transaction() as s:
        token = accounts.issue_token(s.get(Moderator, mod_id))
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def alice(app: Flask) -> dict[str, str]:
    return token_for(app, add_moderator(app, "alice@example.org", sites=("lemali",)))


def test_site_keys_and_garbage_are_refused(app, client, auth) -> None:
    cid = add_comment(app)
    for headers in [auth, {}, {"Authorization": "Bearer plm_nope"}]:
        resp = client.post(
            f"/api/v1/comments/{cid}/decision", json={"action": "approve"}, headers=headers
        )
        assert resp.status_code == 401
        assert resp.mimetype == "application/problem+json"
        assert client.get("/api/v1/queue", headers=headers).status_code == 401
    assert status_of(app, cid) == "pending"


def test_moderator_token_cannot_read_the_site_endpoint(app, client, alice) -> None:
    cid = add_comment(app)
    assert client.get(f"/api/v1/comments/{cid}", headers=alice).status_code == 401


def test_queue_lists_visible_comments_with_counts(app, client, alice) -> None:
    unsure = add_comment(app, "coin flip", score=0.5)
    add_comment(app, "sure", score=0.8)
    add_comment(app, "elsewhere", site="autre")
    add_comment(app, "gone", status=CommentStatus.SPAM)
    body = client.get("/api/v1/queue", headers=alice).get_json()
    assert [c["content"] for c in body["items"]] == ["coin flip", "sure"]
    assert body["items"][0]["id"] == unsure
    assert body["counts"] == {"pending": 2, "approved": 0, "spam": 1, "rejected": 0}
    body = client.get("/api/v1/queue?q=sure&per_page=1", headers=alice).get_json()
    assert body["total"] == 1 and body["pages"] == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("to=9999-12-31", ["coin flip", "sure"]),  # the last date there is: no bound
        ("from=9999-12-31", []),
        ("q=%00", ["coin flip", "sure"]),  # a NUL is dropped: no search
        ("q=su%00re", ["sure"]),  # SQLite's LIKE stopped at the NUL; PostgreSQL refused it
    ],
)
def test_queue_filters_at_the_edges(app, client, alice, query, expected) -> None:
    add_comment(app, "coin flip", score=0.5)
    add_comment(app, "sure", score=0.8)
    resp = client.get(f"/api/v1/queue?{query}", headers=alice)
    assert resp.status_code == 200
    assert [c["content"] for c in resp.get_json()["items"]] == expected


def test_counts_stop_at_the_cap_and_say_so(app, client, alice, monkeypatch) -> None:
    """Past COUNT_CAP a status is counted as the cap and flagged: a listing never reads a
    site's whole history (the HTML tab shows "3+")."""
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    for n in range(5):
        add_comment(app, f"gone {n}", status=CommentStatus.SPAM)
    add_comment(app, "maybe")
    body = client.get("/api/v1/queue", headers=alice).get_json()
    assert body["counts"] == {"pending": 1, "approved": 0, "spam": 3, "rejected": 0}
    assert body["counts_capped"] == ["spam"]
    body = client.get("/api/v1/queue?status=spam&per_page=2&page=9", headers=alice).get_json()
    assert (body["total"], body["pages"], body["page"]) == (3, 2, 2)
    assert len(body["items"]) == 2  # the last page reachable, a full one
    monkeypatch.setattr(queries, "COUNT_CAP", 5)  # exactly at the cap: exact, not flagged
    body = client.get("/api/v1/queue", headers=alice).get_json()
    assert body["counts"]["spam"] == 5 and body["counts_capped"] == []


def test_decision_then_conflict_as_problem_json(app, client, alice) -> None:
    cid = add_comment(app)
    resp = client.post(
        f"/api/v1/comments/{cid}/decision",
        json={"action": "reject", "reason": "hors sujet"},
        headers=alice,
    )
    assert resp.status_code == 200 and resp.get_json()["status"] == "rejected"
    bob = token_for(app, add_moderator(app, "bob@example.org", sites=("lemali",)))
    resp = client.post(f"/api/v1/comments/{cid}/decision", json={"action": "spam"}, headers=bob)
    assert resp.status_code == 409
    assert resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert body["code"] == "conflict"
    assert body["errors"][0]["by"] == "alice@example.org"
    assert body["errors"][0]["current_status"] == "rejected"
    assert body["errors"][0]["at"]
    resp = client.post(
        f"/api/v1/comments/{cid}/decision",
        json={"action": "spam", "expected_status": "rejected"},
        headers=bob,
    )
    assert resp.status_code == 200 and status_of(app, cid) == "spam"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"action": "publish"}, 422),
        ({"action": 3}, 422),
        ({"action": "spam", "expected_status": "weird"}, 422),
        ({"action": "spam", "reason": "x" * 1001}, 422),
    ],
)
def test_invalid_decisions(app, client, alice, body, status) -> None:
    cid = add_comment(app)
    resp = client.post(f"/api/v1/comments/{cid}/decision", json=body, headers=alice)
    assert resp.status_code == status
    assert resp.mimetype == "application/problem+json"


def test_other_site_is_not_found(app, client, alice) -> None:
    cid = add_comment(app, site="autre")
    resp = client.post(f"/api/v1/comments/{cid}/decision", json={"action": "spam"}, headers=alice)
    assert resp.status_code == 404


def test_bulk_reports_each_outcome_and_undo(app, client, alice) -> None:
    ids = [add_comment(app, f"promo {i}") for i in range(2)]
    other = add_comment(app, "elsewhere", site="autre")
    resp = client.post(
        "/api/v1/decisions", json={"action": "spam", "ids": [*ids, other]}, headers=alice
    )
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["decided"] == 2
    assert [r["status"] for r in body["results"]] == [200, 200, 404]
    assert body["results"][2]["problem"]["code"] == "not_found"
    assert (
        client.post(
            "/api/v1/decisions", json={"action": "spam", "ids": "1"}, headers=alice
        ).status_code
        == 422
    )
    resp = client.post("/api/v1/undo", headers=alice)
    assert resp.status_code == 200 and resp.get_json()["id"] == ids[1]
    assert status_of(app, ids[1]) == "pending"


def test_new_token_replaces_the_old(app, client) -> None:
    mod = add_moderator(app, "carol@example.org", sites=("lemali",))
    old = token_for(app, mod)
    new = token_for(app, mod)
    assert client.get("/api/v1/queue", headers=old).status_code == 401
    assert client.get("/api/v1/queue", headers=new).status_code == 200
