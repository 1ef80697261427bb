"""The admins' settings API: read, replace with validation, rule statistics; admins only."""

from __future__ import annotations

import pytest

from moderation import accounts, db
from moderation.models import Moderator, Role


def token(app, email: str, role: Role) -> dict[str, str]:
    with app.app_context(), db.transaction() as s:
        mod: Moderator = accounts.create_moderator(s, email, role, "correct horse battery")
        raw = accounts.issue_token(mod)
    return {"Authorization": f"Bearer {raw}"}


@pytest.mark.usefixtures("site_key")
class TestSettingsApi:
    def test_admin_reads_and_replaces(self, app, client) -> None:
        admin = token(app, "admin@example.org", Role.ADMIN)
        resp = client.get("/api/v1/sites/lemali/settings", headers=admin)
        assert resp.status_code == 200 and resp.get_json()["links"]["hold_at"] == 2
        new = {"links": {"hold_at": 5}, "languages": ["fr"], "high_threshold": 0.8}
        resp = client.put("/api/v1/sites/lemali/settings", json=new, headers=admin)
        assert resp.status_code == 200, resp.get_json()
        shown = client.get("/api/v1/sites/lemali/settings", headers=admin).get_json()
        assert (shown["links"]["hold_at"], shown["languages"], shown["high_threshold"]) == (
            5,
            ["fr"],
            0.8,
        )

    def test_invalid_settings_are_422_and_not_saved(self, app, client) -> None:
        admin = token(app, "admin@example.org", Role.ADMIN)
        bad = {"links": {"hold_at": 5, "typo": 1}}
        resp = client.put("/api/v1/sites/lemali/settings", json=bad, headers=admin)
        assert resp.status_code == 422
        assert "unknown setting links.typo" in resp.get_json()["detail"]
        shown = client.get("/api/v1/sites/lemali/settings", headers=admin).get_json()
        assert shown["links"]["hold_at"] == 2

    def test_the_widest_accepted_windows_keep_the_intake_working(self, app, client, auth):
        from moderation.settings import MAXIMUMS

        admin = token(app, "admin@example.org", Role.ADMIN)
        hours, seconds = MAXIMUMS["window_hours"], MAXIMUMS["seconds"]
        widest = {
            "duplicate": {"window_hours": hours},
            "campaign": {"window_hours": hours},
            "flood": {"seconds": seconds},
            "form_time": {"mode": "on", "min_seconds": MAXIMUMS["min_seconds"]},
        }
        resp = client.put("/api/v1/sites/lemali/settings", json=widest, headers=admin)
        assert resp.status_code == 200, resp.get_json()
        for _ in range(2):  # the second meets the first within every window
            body = {
                "content": "Une longue analyse de la saison des pluies et des routes du nord",
                "author_name": "Awa",
                "author_email": "awa@example.ml",
                "palabre_rendered_at": "1",
            }
            resp = client.post("/api/v1/comments", json=body, headers=auth)
            assert resp.status_code in (201, 409, 429), resp.get_json()
        too_wide = {"duplicate": {"window_hours": hours + 1}}
        resp = client.put("/api/v1/sites/lemali/settings", json=too_wide, headers=admin)
        assert resp.status_code == 422

    def test_moderators_and_sites_are_refused(self, app, client, auth) -> None:
        mod = token(app, "mod@example.org", Role.MODERATOR)
        assert client.get("/api/v1/sites/lemali/settings", headers=mod).status_code == 403
        assert client.get("/api/v1/sites/lemali/settings", headers=auth).status_code == 401
        assert client.get("/api/v1/sites/lemali/rule-stats", headers=mod).status_code == 403

    def test_rule_stats(self, app, client) -> None:
        admin = token(app, "admin@example.org", Role.ADMIN)
        resp = client.get("/api/v1/sites/lemali/rule-stats", headers=admin)
        assert resp.status_code == 200 and resp.get_json() == []
        assert client.get("/api/v1/sites/nowhere/rule-stats", headers=admin).status_code == 404
