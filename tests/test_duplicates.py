"""Exact duplicates answer 409; near-duplicates across authors become a campaign signal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from moderation import db
from moderation.db import utcnow
from moderation.fingerprint import bands, fingerprint, hamming, to_signed, to_unsigned
from moderation.models import Comment
from moderation.signals import campaign_members
from tests.rules_helpers import author, configure, post

SPAM = (
    "Great article! I made {n} dollars last week working from home with this simple "
    "method, check my profile to learn how you can do it too"
)

LONG = (
    "Great article! I made {n} dollars last week working from home with this simple method. "
    "My neighbour told me about it and I did not believe her at first, but after two days I had "
    "already paid my rent. Check my profile to learn how you can do it too, it takes ten minutes "
    "a day and you need nothing but a phone and a little patience to start earning real money"
)


def count(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Comment)) or 0


@pytest.fixture
def no_flood(app, auth) -> None:
    configure(app, {"flood.mode": "off"})


@pytest.mark.usefixtures("keyword_model", "no_flood")
class TestExactDuplicates:
    def test_same_content_author_and_post_is_409_and_not_stored(self, app, client, auth) -> None:
        body = author(post_id="42")
        assert post(client, auth, body).status_code == 201
        again = {**body, "content": "  " + body["content"].upper() + " "}  # same once normalised
        resp = post(client, auth, again)
        assert resp.status_code == 409
        assert resp.mimetype == "application/problem+json"
        problem = resp.get_json()
        assert problem["code"] == "duplicate"
        assert problem["title"].startswith("Duplicate comment detected")
        assert count(app) == 1

    def test_other_post_or_other_author_is_not_a_duplicate(self, client, auth) -> None:
        body = author(post_id="42")
        assert post(client, auth, body).status_code == 201
        assert post(client, auth, {**body, "post_id": "43"}).status_code == 201
        other = author(post_id="42", content=body["content"])
        assert post(client, auth, other).status_code == 201

    def test_retry_with_the_same_key_is_200_not_409(self, client, auth) -> None:
        body = author(post_id="42", external_id="wp-17")
        first = post(client, auth, body, **{"Idempotency-Key": "abc"})
        again = post(client, auth, body, **{"Idempotency-Key": "abc"})
        by_external_id = post(client, auth, body)
        assert (first.status_code, again.status_code, by_external_id.status_code) == (201, 200, 200)
        assert again.get_json() == first.get_json() == by_external_id.get_json()

    def test_outside_the_window_is_not_a_duplicate(self, app, client, auth) -> None:
        body = author(post_id="42")
        assert post(client, auth, body).status_code == 201
        with app.app_context(), db.transaction() as s:
            s.execute(update(Comment).values(created_at=utcnow() - timedelta(hours=25)))
        assert post(client, auth, body).status_code == 201

    def test_duplicate_rule_off_and_shadow(self, app, client, auth) -> None:
        body = author(post_id="42")
        configure(app, {"duplicate.mode": "off"})
        assert post(client, auth, body).status_code == 201
        assert post(client, auth, body).status_code == 201
        configure(app, {"duplicate.mode": "shadow"})
        resp = post(client, auth, body)
        assert resp.status_code == 201
        [reason] = [r for r in resp.get_json()["reasons"] if r["code"] == "duplicate.exact"]
        assert reason["shadow"] is True


@pytest.mark.usefixtures("keyword_model", "no_flood")
class TestCampaigns:
    def test_near_copies_from_many_authors_are_held_with_counts(self, app, client, auth) -> None:
        answers = []
        for n in range(4):
            text = SPAM.format(n=500) if n % 2 else SPAM.format(n=500).upper() + "!!"
            answers.append(post(client, auth, author(content=text)).get_json())
        assert [a["status"] for a in answers[:2]] == ["approved", "approved"]
        third, fourth = answers[2], answers[3]
        [reason] = [r for r in fourth["reasons"] if r["code"] == "campaign.near_duplicate"]
        assert reason["message"] == "seen 4 times in 24 h from 4 authors"
        assert third["status"] == fourth["status"] == "pending"
        with app.app_context():
            members = campaign_members(db.session(), db.session().get(Comment, fourth["id"]))
            assert [m.id for m in members] == [a["id"] for a in answers]

    def test_a_one_word_edit_of_a_longer_text_is_still_near(self, client, auth) -> None:
        # One changed word in ~70 moves the SimHash by 1-3 bits (in ~24 words, by 3-4: see
        # docs/rules.md on what the fingerprint catches).
        for n in (300, 400, 500):
            last = post(client, auth, author(content=LONG.format(n=n))).get_json()
        assert "campaign.near_duplicate" in [r["code"] for r in last["reasons"]]

    def test_short_common_comments_are_not_a_campaign(self, client, auth) -> None:
        for _ in range(4):
            last = post(client, auth, author(content="Merci beaucoup !")).get_json()
        assert last["status"] == "approved"
        assert "campaign.near_duplicate" not in [r["code"] for r in last["reasons"]]

    def test_different_texts_are_not_a_campaign(self, client, auth) -> None:
        texts = [
            "I planted tomatoes this spring and the advice on watering really helped my garden",
            "The photographs of the old harbour remind me of my grandfather and his fishing boat",
            "Could you write a follow up about the election results in the northern provinces?",
        ]
        for text in texts:
            last = post(client, auth, author(content=text)).get_json()
        assert "campaign.near_duplicate" not in [r["code"] for r in last["reasons"]]

    def test_old_comments_are_outside_the_window(self, app, client, auth) -> None:
        for _ in range(2):
            post(client, auth, author(content=SPAM.format(n=1)))
        with app.app_context(), db.transaction() as s:
            s.execute(update(Comment).values(created_at=utcnow() - timedelta(hours=25)))
        last = post(client, auth, author(content=SPAM.format(n=1))).get_json()
        assert "campaign.near_duplicate" not in [r["code"] for r in last["reasons"]]


def test_fingerprint_ignores_case_spacing_and_obfuscation() -> None:
    a = fingerprint(SPAM.format(n=5))
    b = fingerprint("  " + SPAM.format(n=5).upper().replace("o", "о") + " !!")  # Cyrillic o
    assert a.content_hash == b.content_hash
    assert a.simhash == b.simhash


def test_fingerprint_bands_and_signed_storage() -> None:
    fp = fingerprint(SPAM.format(n=5))
    assert fp.simhash is not None and fp.bands == bands(fp.simhash)
    assert to_unsigned(to_signed(fp.simhash)) == fp.simhash
    assert -(1 << 63) <= to_signed(fp.simhash) < 1 << 63
    assert hamming(to_signed(fp.simhash), fp.simhash) == 0
    assert fingerprint("Merci !").simhash is None


def test_close_fingerprints_share_a_band() -> None:
    value = fingerprint(SPAM.format(n=5)).simhash
    assert value is not None
    for flips in ((0,), (3, 40), (1, 17, 63), (15, 16, 31)):
        other = value
        for bit in flips:
            other ^= 1 << bit
        assert hamming(value, other) == len(flips)
        assert set(enumerate(bands(value))) & set(enumerate(bands(other)))
