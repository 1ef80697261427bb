"""Each rule as a pure function, table-driven: comment + context + settings in, signals out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from moderation import rules
from moderation.intake import CommentIn
from moderation.policy import Effect
from moderation.rules import NearDuplicates, RuleContext
from moderation.settings import SiteSettings, from_dict

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
BASE = CommentIn(
    content="Merci pour cet article",
    author_name="Awa",
    author_email="awa@example.ml",
    author_ip="203.0.113.7",
    author_url="http://blog.awa.example/",
)


def codes(comment: CommentIn = BASE, ctx: RuleContext | None = None, **conf: Any) -> list[str]:
    settings = from_dict(conf) if conf else SiteSettings()
    found = rules.run(comment, ctx or RuleContext(now=NOW), settings)
    return [s.code + (" (shadow)" if s.shadow else "") for s in found]


def with_(**fields: Any) -> CommentIn:
    return replace(BASE, **fields)


@pytest.mark.parametrize(
    ("comment", "ctx", "conf", "expected"),
    [
        (BASE, None, {}, []),
        # links: WordPress holds at 2 links by default
        (with_(content="see http://a.example"), None, {}, []),
        (with_(content="http://a.example and www.b.example"), None, {}, ["links.too_many"]),
        (with_(content='<a href="http://a">http://a</a> <a href="/b">b</a>'), None, {},
         ["links.too_many"]),
        (with_(content="http://a.example and www.b.example"), None,
         {"links": {"hold_at": 3}}, []),
        (with_(content="http://a.example and www.b.example"), None,
         {"links": {"mode": "off"}}, []),
        (with_(content="http://a.example and www.b.example"), None,
         {"links": {"mode": "shadow"}}, ["links.too_many (shadow)"]),
        # word lists
        (with_(content="best casino here"), None, {"words": {"disallowed": ["casino"]}},
         ["words.disallowed"]),
        (with_(content="best casino here"), None, {"words": {"moderated": ["casino"]}},
         ["words.moderated"]),
        (with_(author_name="Casino King"), None, {"words": {"disallowed": ["casino"]}},
         ["words.disallowed"]),
        (with_(user_agent="EvilBot/1.0"), None, {"words": {"moderated": ["evilbot"]}},
         ["words.moderated"]),
        (BASE, None, {"words": {"moderated": ["203.0.113."]}, }, ["words.moderated"]),
        # author lists
        (BASE, None, {"author_lists": {"block_emails": ["awa@example.ml"]}}, ["author.blocked"]),
        (BASE, None, {"author_lists": {"block_emails": ["@example.ml"]}}, ["author.blocked"]),
        (BASE, None, {"author_lists": {"block_emails": ["ml"]}}, []),  # not a domain: refused
        (BASE, None, {"author_lists": {"block_ips": ["203.0.113.0/24"]}}, ["author.blocked"]),
        (BASE, None, {"author_lists": {"block_ips": ["198.51.100.0/24"]}}, []),
        (BASE, None, {"author_lists": {"block_websites": ["awa.example"]}}, ["author.blocked"]),
        (BASE, None, {"author_lists": {"allow_emails": ["example.ml"]}}, ["author.allowed"]),
        (BASE, None, {"author_lists": {"allow_ips": ["203.0.113.7"]}}, ["author.allowed"]),
        # disposable email
        (with_(author_email="x@mailinator.com"), None, {}, ["email.disposable"]),
        (with_(author_email="x@eu.mailinator.com"), None, {}, ["email.disposable"]),
        (with_(author_email="x@mail.example"), None,
         {"disposable_email": {"extra_domains": ["mail.example"]}}, ["email.disposable"]),
        # trusted authors
        (BASE, RuleContext(now=NOW, approved_before=2), {}, ["author.trusted"]),
        (BASE, RuleContext(now=NOW, approved_before=2), {"trusted_authors": {"mode": "off"}}, []),
        # campaigns
        (BASE, RuleContext(now=NOW, near=NearDuplicates(13, 9)), {}, ["campaign.near_duplicate"]),
        (BASE, RuleContext(now=NOW, near=NearDuplicates(1, 2)), {}, []),  # seen twice: below 3
        # form signals (off by default)
        (BASE, RuleContext(now=NOW, form={"palabre_hp": "x"}), {}, []),
        (BASE, RuleContext(now=NOW, form={"palabre_hp": "x"}), {"honeypot": {"mode": "on"}},
         ["form.honeypot"]),
        (BASE, RuleContext(now=NOW, form={"palabre_hp": ""}), {"honeypot": {"mode": "on"}}, []),
        (BASE, RuleContext(now=NOW, form={"hp": "x"}),
         {"honeypot": {"mode": "on", "field": "hp"}}, ["form.honeypot"]),
        (BASE, RuleContext(now=NOW, form={"palabre_rendered_at": NOW.timestamp() - 1}),
         {"form_time": {"mode": "on"}}, ["form.too_fast"]),
        (BASE, RuleContext(now=NOW, form={"palabre_rendered_at": str(int(NOW.timestamp()) - 60)}),
         {"form_time": {"mode": "on"}}, []),
        (BASE, RuleContext(now=NOW, form={"palabre_rendered_at": (NOW - timedelta(seconds=1))
                                          .isoformat()}),
         {"form_time": {"mode": "on"}}, ["form.too_fast"]),
        (BASE, RuleContext(now=NOW), {"form_time": {"mode": "on"}}, ["form.time_missing"]),
        # language: a note, and only when the site names its languages
        (BASE, RuleContext(now=NOW, language="de"), {}, []),
        (BASE, RuleContext(now=NOW, language="de"), {"languages": ["fr", "en-GB"]},
         ["language.unexpected"]),
        (BASE, RuleContext(now=NOW, language="en"), {"languages": ["fr", "en-GB"]}, []),
        (BASE, RuleContext(now=NOW, language=None), {"languages": ["fr"]}, []),
    ],
)  # fmt: skip
def test_rule_table(
    comment: CommentIn, ctx: RuleContext | None, conf: dict, expected: list
) -> None:
    if conf == {"author_lists": {"block_emails": ["ml"]}}:
        with pytest.raises(ValueError, match="not an email address or @domain"):
            codes(comment, ctx, **conf)
        return
    assert codes(comment, ctx, **conf) == expected


def test_language_never_blocks_or_holds() -> None:
    ctx = RuleContext(now=NOW, language="de")
    found = rules.language(BASE, ctx, from_dict({"languages": ["fr"]}))
    assert [s.effect for s in found] == [Effect.NOTE]


def test_campaign_message_counts_times_and_authors() -> None:
    ctx = RuleContext(now=NOW, near=NearDuplicates(13, 9, 24))
    [signal] = rules.campaign(BASE, ctx, SiteSettings())
    assert signal.message == "seen 14 times in 24 h from 9 authors"
    assert signal.effect == Effect.HOLD


def test_links_carry_spans_into_the_content() -> None:
    comment = with_(content="go http://a.example now and www.b.example")
    [signal] = rules.links(comment, RuleContext(now=NOW), SiteSettings())
    spans = [comment.content[s["start"] : s["end"]] for s in signal.spans]
    assert spans == ["http://a.example", "www.b.example"]


def test_form_time_uses_the_submission_time_when_the_site_sends_it() -> None:
    shown = NOW - timedelta(seconds=10)
    comment = with_(submitted_at=shown + timedelta(seconds=1))
    ctx = RuleContext(now=NOW, form={"palabre_rendered_at": shown.isoformat()})
    found = rules.form_time(comment, ctx, from_dict({"form_time": {"mode": "on"}}))
    assert [s.code for s in found] == ["form.too_fast"]
