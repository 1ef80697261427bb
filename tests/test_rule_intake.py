"""Rules through the intake API: reasons travel with the answer, shadow mode, statistics."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from moderation import db
from moderation.models import ActorType, Comment, CommentStatus, RuleHit, Site, StatusChange
from moderation.rulestats import rule_statistics
from tests.rules_helpers import author, configure, post


def codes(body: dict) -> list[str]:
    return [r["code"] for r in body["reasons"]]


@pytest.mark.usefixtures("keyword_model")
class TestRulesAtIntake:
    def test_disallowed_word_is_spam_with_its_reason_and_span(self, app, client, auth) -> None:
        configure(app, {"words.disallowed": ["bitcoin"]})
        body = post(client, auth, author(content="Buy b\u200bitcoin now")).get_json()
        assert body["status"] == "spam"
        [reason] = [r for r in body["reasons"] if r["code"] == "words.disallowed"]
        assert reason["spans"][0]["field"] == "content"
        assert reason["effect"] == "block"

    def test_two_links_hold_the_comment(self, client, auth) -> None:
        body = post(client, auth, author(content="http://a.example http://b.example")).get_json()
        assert body["status"] == "pending"
        assert "links.too_many" in codes(body)

    def test_trusted_author_is_approved_when_the_score_is_unsure(self, app, client, auth) -> None:
        configure(app, {"flood.mode": "off"})
        first = author()
        assert post(client, auth, first).get_json()["status"] == "approved"
        again = {**first, "content": "maybe this one is borderline"}
        body = post(client, auth, again).get_json()
        assert body["status"] == "approved"
        assert "author.trusted" in codes(body)
        stranger = post(client, auth, author(content="maybe this one is borderline")).get_json()
        assert stranger["status"] == "pending"

    def test_blocked_ip_range(self, app, client, auth) -> None:
        configure(app, {"author_lists.block_ips": ["2001:db8::/32"]})
        body = post(client, auth, author()).get_json()
        assert body["status"] == "spam" and "author.blocked" in codes(body)

    def test_language_is_a_note_only(self, app, client, auth) -> None:
        configure(app, {"languages": ["fr"]})
        text = "Thank you so much for this wonderful article, it was really interesting to read"
        body = post(client, auth, author(content=text)).get_json()
        assert body["status"] == "approved"
        assert "language.unexpected" in codes(body)

    def test_honeypot_and_form_time(self, app, client, auth) -> None:
        configure(app, {"honeypot.mode": "on", "form_time.mode": "on", "form_time.field": "ts"})
        from time import time

        body = post(client, auth, author(palabre_hp="http://spam", ts=time() - 60)).get_json()
        assert body["status"] == "spam" and "form.honeypot" in codes(body)
        body = post(client, auth, author(ts=int(time()))).get_json()
        assert body["status"] == "pending" and "form.too_fast" in codes(body)

    def test_shadow_rule_is_recorded_not_applied(self, app, client, auth) -> None:
        configure(app, {"words.disallowed": ["bitcoin"], "words.mode": "shadow"})
        body = post(client, auth, author(content="Buy bitcoin now")).get_json()
        assert body["status"] == "approved"
        [reason] = [r for r in body["reasons"] if r["code"] == "words.disallowed"]
        assert reason["shadow"] is True
        with app.app_context():
            hit = db.session().scalar(select(RuleHit).where(RuleHit.comment_id == body["id"]))
            assert (hit.code, hit.shadow, hit.effect) == ("words.disallowed", True, "block")
            row = db.session().get(Comment, body["id"])
            assert "words.disallowed" in [r["code"] for r in row.reasons]

    def test_rule_off_is_silent(self, app, client, auth) -> None:
        configure(app, {"links.mode": "off"})
        body = post(client, auth, author(content="http://a.example http://b.example")).get_json()
        assert body["status"] == "approved" and "links.too_many" not in codes(body)


def _decide(app, comment_id: int, status: CommentStatus) -> None:
    with app.app_context(), db.transaction() as s:
        row = s.get(Comment, comment_id)
        s.add(
            StatusChange(
                comment_id=row.id,
                from_status=row.status,
                to_status=status,
                actor_type=ActorType.MODERATOR,
                actor_label="mod@example.org",
            )
        )
        row.status = status


@pytest.mark.usefixtures("keyword_model")
def test_rule_statistics_show_touches_and_moderator_decisions(app, client, auth, runner) -> None:
    configure(app, {"words.moderated": ["crypto"], "words.disallowed": ["bitcoin"]})
    configure(app, {"words.mode": "on"})
    held = [post(client, auth, author(content=f"crypto tips {n}")).get_json() for n in range(3)]
    post(client, auth, author(content="links http://a.example http://b.example"))
    _decide(app, held[0]["id"], CommentStatus.SPAM)
    _decide(app, held[1]["id"], CommentStatus.APPROVED)
    with app.app_context():
        site = db.session().scalar(select(Site))
        stats = {(s.code, s.shadow): s for s in rule_statistics(db.session(), site)}
    crypto = stats[("words.moderated", False)]
    assert crypto.touched == 3
    assert crypto.moderator == {"spam": 1, "approved": 1}
    assert crypto.precision == 0.5
    assert crypto.status == {"spam": 1, "approved": 1, "pending": 1}
    assert stats[("links.too_many", False)].touched == 1
    assert stats[("links.too_many", False)].precision is None
    result = runner.invoke(args=["sites", "rule-stats", "lemali"])
    assert result.exit_code == 0, result.output
    assert "words.moderated\ton\thold\t3\t2\t1\t1\t0\t50%" in result.output
