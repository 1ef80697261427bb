"""Decisions, bulk, undo, claims and races through the service, on every database."""

from __future__ import annotations

import pytest
from flask import Flask

from moderation import db, decisions
from moderation.models import ActorType, CommentStatus, Moderator, Role
from tests.mods import add_comment, add_moderator, history_of, status_of


def _mod(app: Flask, mod_id: int) -> Moderator:
    return db.session().get(Moderator, mod_id)


@pytest.fixture
def alice(app: Flask) -> int:
    return add_moderator(app, "alice@example.org", sites=("lemali",))


@pytest.fixture
def bob(app: Flask) -> int:
    return add_moderator(app, "bob@example.org", sites=("lemali",))


def decide(app: Flask, mod_id: int, cid: int, action: str, **kw) -> None:
    with app.app_context(), db.transaction() as s:
        decisions.decide(s, cid, _mod(app, mod_id), action, **kw)


def test_decision_changes_status_and_is_audited(app, alice) -> None:
    cid = add_comment(app)
    decide(app, alice, cid, "reject", reason="off topic")
    assert status_of(app, cid) == "rejected"
    last = history_of(app, cid)[-1]
    assert (last.from_status, last.to_status) == ("pending", "rejected")
    assert last.actor_type == ActorType.MODERATOR
    assert (last.moderator_id, last.actor_label, last.reason) == (
        alice,
        "alice@example.org",
        "off topic",
    )


def test_second_decision_on_same_comment_is_a_conflict_naming_who(app, alice, bob) -> None:
    cid = add_comment(app)
    decide(app, alice, cid, "approve")
    with pytest.raises(decisions.Conflict) as err:
        decide(app, bob, cid, "spam")
    assert err.value.status == 409
    assert err.value.by == "alice@example.org"
    assert err.value.current == "approved"
    assert err.value.at is not None
    assert status_of(app, cid) == "approved"
    assert len(history_of(app, cid)) == 2


def test_compare_and_set_refuses_a_stale_expected_status(app, alice, bob) -> None:
    """The UPDATE itself checks the status: a change between read and write is a conflict."""
    cid = add_comment(app)
    with app.app_context():
        s = db.session()
        comment = s.get(decisions.Comment, cid)
        s.commit()
        decide(app, bob, cid, "spam")  # another request wins meanwhile
        with pytest.raises(decisions.Conflict) as err:
            decisions.change_status(
                s,
                comment,
                CommentStatus.APPROVED,
                expected=CommentStatus.PENDING,
                moderator=_mod(app, alice),
            )
        s.rollback()
    assert err.value.by == "bob@example.org"
    assert status_of(app, cid) == "spam"


def test_correcting_an_automatic_verdict_needs_the_seen_status(app, alice) -> None:
    cid = add_comment(app, status=CommentStatus.APPROVED, score=0.1)
    with pytest.raises(decisions.Conflict):
        decide(app, alice, cid, "spam")
    decide(app, alice, cid, "spam", expected_status=CommentStatus.APPROVED)
    assert status_of(app, cid) == "spam"


def test_unknown_action_and_same_status_are_invalid(app, alice) -> None:
    cid = add_comment(app)
    with pytest.raises(decisions.Invalid):
        decide(app, alice, cid, "publish")
    approved = add_comment(app, status=CommentStatus.APPROVED)
    with pytest.raises(decisions.Invalid):
        decide(app, alice, approved, "approve", expected_status=CommentStatus.APPROVED)


def test_comment_of_an_ungranted_site_is_not_found(app, alice) -> None:
    other = add_comment(app, site="autre")
    with pytest.raises(decisions.NotFound):
        decide(app, alice, other, "approve")
    assert status_of(app, other) == "pending"


def test_admin_sees_every_site(app) -> None:
    admin = add_moderator(app, "root@example.org", role=Role.ADMIN)
    cid = add_comment(app, site="autre")
    decide(app, admin, cid, "approve")
    assert status_of(app, cid) == "approved"


def test_bulk_decides_each_and_reports_refusals(app, alice, bob) -> None:
    ids = [add_comment(app, f"spam {i}") for i in range(3)]
    decide(app, bob, ids[1], "approve")
    with app.app_context(), db.transaction() as s:
        results = decisions.decide_many(s, [*ids, 999_999], _mod(app, alice), "spam")
    outcome = {r.comment_id: (r.error.code if r.error else "ok") for r in results}
    assert outcome == {ids[0]: "ok", ids[1]: "conflict", ids[2]: "ok", 999_999: "not_found"}
    assert [status_of(app, i) for i in ids] == ["spam", "approved", "spam"]


def test_undo_restores_and_stacks(app, alice) -> None:
    first, second = add_comment(app, "one"), add_comment(app, "two")
    decide(app, alice, first, "approve")
    decide(app, alice, second, "spam")
    with app.app_context(), db.transaction() as s:
        assert decisions.undo(s, _mod(app, alice)).id == second
    assert status_of(app, second) == "pending"
    undo_row = history_of(app, second)[-1]
    assert undo_row.reason == "undo" and undo_row.undoes_id is not None
    with app.app_context(), db.transaction() as s:
        assert decisions.undo(s, _mod(app, alice)).id == first
    assert status_of(app, first) == "pending"
    with app.app_context(), pytest.raises(decisions.Conflict) as err:
        decisions.undo(db.session(), _mod(app, alice))
    assert err.value.code == "nothing_to_undo"
    # Audit is append-only: 2 automatic + 2 decisions + 2 undos.
    assert len(history_of(app, first)) + len(history_of(app, second)) == 6


def test_undo_twice_walks_back_two_decisions_on_one_comment(app, alice, bob) -> None:
    cid = add_comment(app)
    decide(app, alice, cid, "approve")
    decide(app, alice, cid, "spam", expected_status=CommentStatus.APPROVED)
    for expected in ("approved", "pending"):
        with app.app_context(), db.transaction() as s:
            assert decisions.undo(s, _mod(app, alice)).id == cid
        assert status_of(app, cid) == expected
    # A change by someone else that was itself undone leaves nothing in the way either.
    decide(app, alice, cid, "approve")
    decide(app, bob, cid, "spam", expected_status=CommentStatus.APPROVED)
    with app.app_context(), db.transaction() as s:
        decisions.undo(s, _mod(app, bob))
    with app.app_context(), db.transaction() as s:
        decisions.undo(s, _mod(app, alice))
    assert status_of(app, cid) == "pending"


def test_undo_refused_when_someone_changed_it_since(app, alice, bob) -> None:
    cid = add_comment(app)
    decide(app, alice, cid, "approve")
    decide(app, bob, cid, "spam", expected_status=CommentStatus.APPROVED)
    with app.app_context(), pytest.raises(decisions.Conflict) as err:
        decisions.undo(db.session(), _mod(app, alice))
    assert err.value.code == "changed_since"
    assert err.value.by == "bob@example.org"
    assert err.value.comment_id == cid  # the API's problem names the comment in the way
    assert status_of(app, cid) == "spam"


def test_claim_keeps_others_off_until_it_expires(app, alice, bob) -> None:
    cid = add_comment(app)
    with app.app_context(), db.transaction() as s:
        comment = s.get(decisions.Comment, cid)
        assert decisions.claim(s, _mod(app, alice), comment, minutes=5)
    with app.app_context(), db.transaction() as s:
        comment = s.get(decisions.Comment, cid)
        assert not decisions.claim(s, _mod(app, bob), comment, minutes=5)
        assert decisions.claim_next(s, _mod(app, bob), [comment.site_id], 5) is None
    with pytest.raises(decisions.Conflict) as err:
        decide(app, bob, cid, "spam")
    assert err.value.code == "claimed" and err.value.by == "alice@example.org"
    with app.app_context(), db.transaction() as s:  # expire alice's claim
        comment = s.get(decisions.Comment, cid)
        comment.claimed_until = decisions.utcnow()
    with app.app_context(), db.transaction() as s:
        got = decisions.claim_next(s, _mod(app, bob), [comment.site_id], 5)
        assert got is not None and got.id == cid and got.claimed_by_id == bob
    decide(app, alice, add_comment(app, "another"), "approve")  # alice not blocked elsewhere


def test_claim_next_takes_the_most_uncertain_first(app, alice, bob) -> None:
    add_comment(app, "sure", score=0.85)
    middle = add_comment(app, "unsure", score=0.52)
    add_comment(app, "fairly", score=0.3)
    with app.app_context(), db.transaction() as s:
        site = s.get(decisions.Comment, middle).site_id
        assert decisions.claim_next(s, _mod(app, alice), [site], 5).id == middle
    with app.app_context(), db.transaction() as s:
        assert decisions.claim_next(s, _mod(app, bob), [site], 5).content == "fairly"
