"""Site settings: defaults, validation, and the CLI that shows and changes them."""

from __future__ import annotations

import json

import pytest

from moderation.cli_rules import parse_assignment
from moderation.settings import (
    Mode,
    SettingsError,
    SiteSettings,
    from_dict,
    merge,
    to_dict,
)


def test_defaults_follow_wordpress() -> None:
    s = SiteSettings()
    assert (s.links.hold_at, s.flood.seconds, s.duplicate.window_hours) == (2, 15, 24)
    assert s.honeypot.mode == Mode.OFF and s.words.mode == Mode.ON
    assert from_dict(to_dict(s)) == s


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"colour": "red"}, "unknown setting 'colour'"),
        ({"links": {"max": 3}}, "unknown setting links.max"),
        ({"links": {"hold_at": 0}}, "links.hold_at must be at least 1"),
        ({"links": {"hold_at": "2"}}, "links.hold_at must be a whole number"),
        ({"links": {"mode": "maybe"}}, "must be one of on, shadow, off"),
        ({"low_threshold": 1.5}, "low_threshold must be a number between 0 and 1"),
        ({"low_threshold": 0.8, "high_threshold": 0.3}, "is above high_threshold"),
        ({"flood": {"seconds": -1}}, "flood.seconds must be at least 0"),
        ({"languages": ["french"]}, "not a language tag"),
        ({"words": {"disallowed": "casino"}}, "must be a list of strings"),
        ({"author_lists": {"block_ips": ["10.0.0.0/33"]}}, "not an IP address or CIDR range"),
        ({"author_lists": {"block_websites": ["http://x.example"]}}, "not a domain name"),
        ({"site_rate": {"limit": "often"}}, "must be a rate such as"),
        ({"honeypot": {"field": "a b"}}, "must be a form field name"),
        ({"campaign": {"max_distance": 9}}, "between 0 and 3"),
        ({"duplicate": {"window_hours": 99_999_999}}, "duplicate.window_hours must be at most"),
        ({"campaign": {"window_hours": 10**12}}, "campaign.window_hours must be at most"),
        ({"flood": {"seconds": 10**12}}, "flood.seconds must be at most"),
        ({"form_time": {"min_seconds": 10**12}}, "form_time.min_seconds must be at most"),
    ],
)
def test_invalid_settings_are_refused_with_a_clear_message(data: dict, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        from_dict(data)


def test_lists_are_cleaned() -> None:
    s = from_dict(
        {
            "languages": ["FR", "en_GB"],
            "words": {"moderated": [" crypto ", "", "crypto"]},
            "author_lists": {"block_emails": ["@Spam.Example"], "block_ips": ["10.0.0.0/8"]},
        }
    )
    assert s.languages == ("fr", "en-gb")
    assert s.words.moderated == ("crypto",)
    assert s.author_lists.block_emails == ("@spam.example",)


def test_merge_accepts_dotted_and_nested_keys() -> None:
    s = merge(SiteSettings(), {"links.hold_at": 3, "words": {"disallowed": ["casino"]}})
    assert s.links.hold_at == 3 and s.words.disallowed == ("casino",)
    with pytest.raises(SettingsError, match="unknown setting links.nope"):
        merge(s, {"links.nope": 1})


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("links.hold_at=3", ("links.hold_at", 3)),
        ("words.disallowed=casino,viagra", ("words.disallowed", ["casino", "viagra"])),
        ('words.disallowed=["a,b"]', ("words.disallowed", ["a,b"])),
        ("languages=fr", ("languages", ["fr"])),
        ("links.mode=shadow", ("links.mode", "shadow")),
        ("low_threshold=null", ("low_threshold", None)),
    ],
)
def test_cli_assignments(text: str, parsed: tuple) -> None:
    assert parse_assignment(text) == parsed


@pytest.mark.usefixtures("site_key")
class TestCli:
    def test_settings_prints_json_with_defaults(self, runner) -> None:
        result = runner.invoke(args=["sites", "settings", "lemali"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["links"] == {"mode": "on", "hold_at": 2}

    def test_configure_with_set_and_file(self, runner, tmp_path) -> None:
        path = tmp_path / "settings.json"
        path.write_text(json.dumps({"words": {"moderated": ["crypto"]}, "languages": ["fr"]}))
        args = ["sites", "configure", "lemali", "--set", "links.hold_at=4", "--file", str(path)]
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
        shown = json.loads(runner.invoke(args=["sites", "settings", "lemali"]).output)
        assert shown["links"]["hold_at"] == 4
        assert shown["words"]["moderated"] == ["crypto"]
        assert shown["languages"] == ["fr"]

    def test_configure_thresholds_land_in_the_site_columns(self, app, runner) -> None:
        args = ["sites", "configure", "lemali", "--set", "high_threshold=0.8"]
        assert runner.invoke(args=args).exit_code == 0
        listed = runner.invoke(args=["sites", "list"]).output
        assert "high 0.800" in listed

    def test_invalid_change_is_refused_and_nothing_saved(self, runner) -> None:
        args = ["sites", "configure", "lemali", "--set", "links.hold_at=4", "--set", "links.x=1"]
        result = runner.invoke(args=args)
        assert result.exit_code != 0
        assert "unknown setting links.x" in result.output
        shown = json.loads(runner.invoke(args=["sites", "settings", "lemali"]).output)
        assert shown["links"]["hold_at"] == 2

    def test_unknown_site(self, runner) -> None:
        result = runner.invoke(args=["sites", "settings", "nowhere"])
        assert result.exit_code != 0 and "no site named" in result.output


def test_loaded_settings_are_reused_until_the_site_changes() -> None:
    from moderation.models import Site
    from moderation.settings import load

    site = Site(name="s", url="https://s.example", settings={"flood": {"seconds": 5}})
    first = load(site)
    assert load(site) is first and first.flood.seconds == 5
    site.settings = {"flood": {"seconds": 9}}  # settings are replaced, never edited in place
    assert load(site).flood.seconds == 9
    site.low_threshold, site.high_threshold = 0.2, 0.7
    assert (load(site).low_threshold, load(site).high_threshold) == (0.2, 0.7)
    site.settings = None
    assert load(site).flood.seconds == SiteSettings().flood.seconds


@pytest.mark.parametrize("name", ["news/fr", "blog\u202eoc", "a b", ".x", "", "é" * 3, "x" * 101])
def test_site_names_that_cannot_be_addresses_are_refused(runner, name) -> None:
    result = runner.invoke(args=["sites", "create", name, "--url", "https://n.example"])
    assert result.exit_code != 0 and "is not a site name" in result.output
    assert runner.invoke(args=["sites", "list"]).output == ""  # nothing created


def test_ordinary_site_names_are_accepted(runner) -> None:
    for name in ("lemonde-afrique", "blog_2", "news.example"):
        result = runner.invoke(args=["sites", "create", name, "--url", "https://n.example"])
        assert result.exit_code == 0, result.output
