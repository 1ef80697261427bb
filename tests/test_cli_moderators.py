"""The `moderators` commands: create (password printed once), grant, revoke, token, list."""

from __future__ import annotations

from moderation import accounts, db
from moderation.models import Role
from tests.conftest import make_site


def test_create_prints_a_generated_password_once(app, runner) -> None:
    result = runner.invoke(args=["moderators", "create", "Awa@Example.ml", "--role", "admin"])
    assert result.exit_code == 0, result.output
    password = result.output.strip().splitlines()[-1]
    with app.app_context():
        mod = accounts.find_moderator(db.session(), "awa@example.ml")
        assert mod.role == Role.ADMIN
        assert mod.password_hash.startswith("$argon2id$")
        assert accounts.verify_password(mod.password_hash, password)
        assert password not in mod.password_hash
    again = runner.invoke(args=["moderators", "create", "awa@example.ml"])
    assert again.exit_code != 0 and "exists already" in again.output


def test_given_password_grant_revoke_token_list(app, runner) -> None:
    make_site(app, "lemali")
    out = runner.invoke(
        args=["moderators", "create", "bo@example.org", "--password", "s3cret-pass"]
    )
    assert "s3cret-pass" not in out.output
    assert (
        "granted" in runner.invoke(args=["moderators", "grant", "bo@example.org", "lemali"]).output
    )
    listing = runner.invoke(args=["moderators", "list"]).output
    assert "bo@example.org\tmoderator\tlemali" in listing
    token = runner.invoke(args=["moderators", "token", "bo@example.org"]).output.splitlines()[-1]
    with app.app_context():
        assert accounts.moderator_for_token(db.session(), token).email == "bo@example.org"
    runner.invoke(args=["moderators", "revoke", "bo@example.org", "lemali"])
    assert "no site" in runner.invoke(args=["moderators", "list"]).output
    bad = runner.invoke(args=["moderators", "grant", "bo@example.org", "nowhere"])
    assert bad.exit_code != 0
