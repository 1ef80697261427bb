"""Per-site pages: settings form, rule statistics, webhook delivery log, campaigns in the queue."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from moderation import db, decisions
from moderation import settings as site_settings
from moderation.db import utcnow
from moderation.models import Comment, CommentStatus, Moderator, Role, RuleHit, Site
from moderation.webhook_models import EventState, WebhookDelivery, WebhookEvent
from tests.mods import add_comment, add_moderator, csrf, login, site_id, status_of

ADMIN, MOD, OTHER = "admin@example.org", "mod@example.org", "other@example.org"


@pytest.fixture
def people(app: Flask) -> dict[str, int]:
    """An admin, a moderator granted lemali, a moderator granted elsewhere only."""
    return {
        ADMIN: add_moderator(app, ADMIN, Role.ADMIN, sites=("lemali",)),
        MOD: add_moderator(app, MOD, sites=("lemali",)),
        OTHER: add_moderator(app, OTHER, sites=("sahel",)),
    }


def as_(client, email: str):
    assert login(client, email).status_code == 303
    return client


def text(resp) -> str:
    return html.unescape(resp.get_data(as_text=True))


def stored(app: Flask, name: str = "lemali") -> site_settings.SiteSettings:
    with app.app_context():
        site = db.session().scalar(select(Site).where(Site.name == name))
        return site_settings.load(site)


class TestSettingsPage:
    def test_admin_saves_thresholds_modes_and_word_lists(self, app, client, people) -> None:
        as_(client, ADMIN)
        page = text(client.get("/sites/lemali/settings"))
        assert 'name="links.hold_at"' in page and 'name="words.disallowed"' in page
        form = {
            "csrf_token": csrf(client),
            "low_threshold": "0,2",
            "high_threshold": "0.85",
            "languages": "fr\nen\n",
            "links.hold_at": "4",
            "campaign.mode": "shadow",
            "words.disallowed": "casino\n\nviagra\n",
            "words.whole_words": "false",  # the hidden field alone: checkbox unticked
            "author_lists.block_ips": "203.0.113.0/24",
        }
        resp = client.post("/sites/lemali/settings", data=form)
        assert resp.status_code == 303
        got = stored(app)
        assert (got.low_threshold, got.high_threshold, got.languages) == (0.2, 0.85, ("fr", "en"))
        assert (got.links.hold_at, got.campaign.mode) == (4, "shadow")
        assert got.words.disallowed == ("casino", "viagra") and got.words.whole_words is False
        assert got.author_lists.block_ips == ("203.0.113.0/24",)
        assert got.flood.seconds == 15  # untouched keys keep their values
        page = text(client.get("/sites/lemali/settings"))
        assert "Settings of lemali saved." in page and "casino\nviagra</textarea>" in page

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("links.hold_at", "abc", "links.hold_at must be a whole number"),
            ("links.hold_at", "0", "links.hold_at must be at least 1"),
            ("author_lists.block_ips", "not-an-ip", "'not-an-ip' is not an IP address"),
            ("high_threshold", "1.5", "high_threshold must be a number between 0 and 1"),
            ("campaign.mode", "sometimes", "campaign.mode must be one of on, shadow, off"),
        ],
    )
    def test_invalid_values_are_shown_and_nothing_is_saved(
        self, app, client, people, field, value, message
    ) -> None:
        as_(client, ADMIN)
        form = {"csrf_token": csrf(client), "words.moderated": "crypto", field: value}
        resp = client.post("/sites/lemali/settings", data=form)
        assert resp.status_code == 422
        page = text(resp)
        assert "Nothing was saved." in page and message in page
        assert f'id="f-{field}"' in page and 'aria-invalid="true"' in page
        assert "crypto</textarea>" in page  # what was typed is kept
        assert stored(app).words.moderated == ()

    def test_moderators_are_refused(self, client, people) -> None:
        as_(client, MOD)
        assert client.get("/sites/lemali/settings").status_code == 403
        resp = client.post("/sites/lemali/settings", data={"csrf_token": csrf(client)})
        assert resp.status_code == 403
        assert client.get("/sites/sahel/settings").status_code == 404
        assert client.get("/sites/nowhere/settings").status_code == 404

    def test_site_list_shows_admin_links_to_admins_only(self, client, people) -> None:
        as_(client, ADMIN)
        page = text(client.get("/sites"))
        assert "/sites/lemali/settings" in page and "/sites/sahel/settings" in page
        client.post("/logout", data={"csrf_token": csrf(client)})
        as_(client, MOD)
        page = text(client.get("/sites"))
        assert "/sites/lemali/rules" in page and "/sites/lemali/deliveries" in page
        assert "/settings" not in page and "sahel" not in page


def decide(app: Flask, mod_id: int, comment_id: int, action: str) -> None:
    with app.app_context(), db.transaction() as s:
        decisions.decide(s, comment_id, s.get(Moderator, mod_id), action)


def hit(app: Flask, comment_id: int, code: str, effect: str, shadow: bool = False) -> None:
    with app.app_context(), db.transaction() as s:
        sid = s.get(Comment, comment_id).site_id
        s.add(RuleHit(comment_id=comment_id, site_id=sid, code=code, effect=effect, shadow=shadow))


def test_rule_statistics_from_seeded_hits(app, client, people) -> None:
    ids = [add_comment(app, f"lien {i}", email=f"a{i}@example.ml") for i in range(4)]
    for cid in ids:
        hit(app, cid, "links.too_many", "hold")
    hit(app, ids[0], "words.moderated", "hold", shadow=True)
    decide(app, people[ADMIN], ids[0], "spam")
    decide(app, people[ADMIN], ids[1], "spam")
    decide(app, people[ADMIN], ids[2], "approve")
    as_(client, MOD)  # granted moderators may read the figures
    page = text(client.get("/sites/lemali/rules"))
    assert "How to read this table" in page
    row = page.split('data-rule="links.too_many" data-shadow="false"')[1].split("</tr>")[0]
    assert '<td class="touched">4</td>' in row and '<td class="now-pending">1</td>' in row
    assert '<td class="mod-spam">2</td>' in row and "67 %" in row and "(2/3)" in row
    shadow = page.split('data-rule="words.moderated" data-shadow="true"')[1].split("</tr>")[0]
    assert "shadow" in shadow and "100 %" in shadow
    other = app.test_client()
    as_(other, OTHER)
    assert other.get("/sites/lemali/rules").status_code == 404


def add_event(app: Flask, comment_id: int, state: EventState, attempts: list[tuple]) -> str:
    now = utcnow()
    with app.app_context(), db.transaction() as s:
        event = WebhookEvent(
            event_id=f"evt_{comment_id}_{state}",
            site_id=site_id(app, "lemali"),
            comment_id=comment_id,
            type="comment.spam",
            payload={"type": "comment.spam"},
            state=state,
            attempts=len(attempts),
            next_attempt_at=now + timedelta(hours=1),
            created_at=now,
        )
        s.add(event)
        s.flush()
        for n, (code, error, ms) in enumerate(attempts, 1):
            s.add(
                WebhookDelivery(
                    event_id=event.id,
                    site_id=event.site_id,
                    attempt=n,
                    url="https://lemali.example/hook",
                    status_code=code,
                    error=error,
                    duration_ms=ms,
                )
            )
        return event.event_id


class TestDeliveryLog:
    def test_lists_every_attempt_and_admin_redelivers(self, app, client, people) -> None:
        cid = add_comment(app)
        failed = add_event(
            app, cid, EventState.FAILED, [(500, "", 120), (None, "<b>timeout</b>", 10000)]
        )
        add_event(app, cid, EventState.DELIVERED, [(204, "", 35)])
        as_(client, MOD)
        page = text(client.get("/sites/lemali/deliveries"))
        block = page.split(f'data-event="{failed}"')[1].split("</tbody>")[0]
        assert "HTTP 500" in block and "120 ms" in block and "#2" in block
        assert "<b>timeout</b>" in block  # unescaped here: the raw page has it as text
        assert "&lt;b&gt;timeout" in client.get("/sites/lemali/deliveries").get_data(as_text=True)
        assert "HTTP 204" in page and "2 events" in page and "Redeliver" not in page
        url = f"/sites/lemali/deliveries/{failed}/redeliver"
        assert client.post(url, data={"csrf_token": csrf(client)}).status_code == 403

        admin = app.test_client()
        as_(admin, ADMIN)
        assert admin.post(url).status_code == 400  # no CSRF token
        resp = admin.post(url, data={"csrf_token": csrf(admin)})
        assert resp.status_code == 303
        with app.app_context():
            event = db.session().scalar(select(WebhookEvent).where(WebhookEvent.event_id == failed))
            assert event.state == EventState.PENDING and event.next_attempt_at <= utcnow()
        assert f"Event {failed} queued for delivery." in text(admin.get("/sites/lemali/deliveries"))
        missing = "/sites/lemali/deliveries/evt_nope/redeliver"
        assert admin.post(missing, data={"csrf_token": csrf(admin)}).status_code == 404

    def test_moderators_without_the_grant_get_404(self, app, client, people) -> None:
        add_event(app, add_comment(app), EventState.FAILED, [(500, "", 1)])
        as_(client, OTHER)
        assert client.get("/sites/lemali/deliveries").status_code == 404
        assert client.get("/sites/sahel/deliveries").status_code == 200


def campaign(app: Flask, n: int = 3, site: str = "lemali") -> list[int]:
    ids = [
        add_comment(app, f"Gagnez vite {i}", email=f"bot{i}@spam.example", site=site)
        for i in range(n)
    ]
    with app.app_context(), db.transaction() as s:
        for cid in ids:
            s.get(Comment, cid).campaign_id = ids[0]
    return ids


class TestCampaigns:
    def test_comment_page_links_to_the_cluster(self, app, client, people) -> None:
        ids = campaign(app)
        add_comment(app, "Un commentaire honnête")
        as_(client, MOD)
        page = text(client.get(f"/queue/{ids[1]}"))
        assert "Part of a campaign:" in page and "3 comments from 3 authors" in page
        assert f"campaign={ids[0]}" in page
        queue = text(client.get(f"/queue?campaign={ids[0]}"))
        assert queue.count('class="comment-row"') == 3 and "honnête" not in queue
        assert "All 3 pending comments of this campaign:" in queue

    def test_bulk_action_on_the_whole_cluster_respects_claims(self, app, client, people) -> None:
        ids = campaign(app)
        bystander = add_comment(app, "Un commentaire honnête")
        other_admin = app.test_client()
        as_(other_admin, ADMIN)
        other_admin.get(f"/queue/{ids[2]}")  # claims it
        as_(client, MOD)
        resp = client.post(
            f"/queue/campaign/{ids[0]}/bulk",
            data={"csrf_token": csrf(client), "action": "spam", "expected_status": "pending"},
        )
        assert resp.status_code == 303
        assert [status_of(app, i) for i in ids] == ["spam", "spam", "pending"]
        assert status_of(app, bystander) == "pending"
        page = text(client.get("/queue"))
        assert "2 comments decided." in page and "being reviewed by admin@example.org" in page

    def test_cluster_bulk_stays_on_granted_sites(self, app, client, people) -> None:
        ids = campaign(app, site="lemali")
        as_(client, OTHER)
        client.post(
            f"/queue/campaign/{ids[0]}/bulk",
            data={"csrf_token": csrf(client), "action": "spam"},
        )
        assert {status_of(app, i) for i in ids} == {str(CommentStatus.PENDING)}
        assert "No comment of this campaign" in text(client.get(f"/queue?campaign={ids[0]}"))
        assert client.get("/queue?campaign=99999999999999").status_code == 200
