"""A moderator's session in a real Chromium: filter, keyboard, bulk, undo, audit, database."""

from __future__ import annotations

import pytest

from moderation.models import Comment, CommentStatus
from tests.mods import PASSWORD, add_comment, add_moderator, status_of

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

HOSTILE_NAME = "Awa \u202egnp.exe\u202c"
XSS = [
    "<script>window.__pwned = 1; alert('script')</script>",
    "<img src=x onerror=\"window.__pwned = 1; alert('img')\">",
    "<svg onload=alert('svg')></svg> <a href=\"javascript:alert('a')\">click</a>",
]


def sign_in(page, base: str, email: str = "alice@example.org") -> None:
    page.goto(f"{base}/queue")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/queue")


def test_filter_keyboard_bulk_undo_and_audit(page, live) -> None:
    app, base = live
    add_moderator(app, "alice@example.org", sites=("lemali",))
    flip = add_comment(app, "Est-ce un spam ? coin flip", score=0.5)
    promo = [add_comment(app, f"Promo casino numéro {i}", score=0.6 + i / 100) for i in range(2)]
    sign_in(page, base)

    page.click("details.filters summary")
    page.fill("input[name=q]", "coin flip")
    page.click("form.filter-form button")
    page.wait_for_url("**q=coin+flip**")
    assert page.locator(".comment-row").count() == 1
    page.keyboard.press("a")  # approve the current (first) row
    page.wait_for_selector(".flash")
    page.wait_for_load_state("load")
    assert status_of(app, flip) == "approved"

    page.goto(f"{base}/queue")
    assert page.locator(".comment-row").count() == 2
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    assert page.locator("#selected-count").inner_text() == "2"
    page.keyboard.press("s")  # acts on the selection
    page.wait_for_selector("text=2 comments decided.")
    # The text shows while the new page is parsed; the keys are handled once it has loaded
    # (the handler is installed on DOMContentLoaded): a key pressed before is lost.
    page.wait_for_load_state("load")
    assert [status_of(app, c) for c in promo] == ["spam", "spam"]
    assert page.locator('.count[data-status="spam"]').inner_text() == "2"

    page.keyboard.press("u")  # undoes the last decision of the bulk
    page.wait_for_selector("text=again")
    page.wait_for_load_state("load")
    assert sorted(status_of(app, c) for c in promo) == ["pending", "spam"]

    page.keyboard.press("?")
    # The key handler opens the dialog after the keypress returns: wait for it (it raises on
    # timeout) instead of reading its visibility at once, which raced on a loaded machine.
    page.wait_for_selector("dialog#help", state="visible")
    assert page.locator("dialog#help").is_visible()
    page.keyboard.press("Escape")

    page.click("nav >> text=Audit")
    row = page.locator(f'#audit tr[data-comment="{flip}"]').first
    assert "alice@example.org" in row.inner_text() and "Approved" in row.inner_text().title()
    assert page.dialogs == [] and page.evaluate("window.__violations") == []


def test_hostile_content_stays_text(page, live) -> None:
    app, base = live
    add_moderator(app, "alice@example.org", sites=("lemali",))
    ids = [
        add_comment(
            app,
            text,
            name=HOSTILE_NAME,
            url="javascript:alert('site')",
            email=f"x{i}@evil.example",
            score=0.5,
        )
        for i, text in enumerate(XSS)
    ]
    spam = add_comment(app, XSS[1], name="<b>bold</b>", status=CommentStatus.SPAM, score=0.99)
    sign_in(page, base)
    urls = ["/queue", "/queue?status=spam", "/dashboard", "/audit"]
    urls += [f"/queue/{i}" for i in [*ids, spam]]
    for path in urls:
        page.goto(base + path)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__pwned") is None, path
        assert page.locator("script:not([src])").count() == 0, path
        assert page.locator("a[href^='javascript']").count() == 0, path
        assert page.locator("main img, main iframe, .content svg").count() == 0, path
        assert page.evaluate("window.__violations") == [], path
    page.goto(f"{base}/queue/{ids[1]}")
    assert "onerror" in page.locator(".content").inner_text()  # shown as text
    assert "⟨U+202E⟩" in page.locator(".facts").inner_text()  # bidi override made visible
    assert page.dialogs == []


def test_site_pages_show_hostile_text_as_text(page, live) -> None:
    from sqlalchemy import select

    from moderation import db
    from moderation import settings as site_settings
    from moderation.models import Role, Site
    from moderation.webhook_models import EventState
    from tests.test_site_pages import add_event, campaign

    app, base = live
    add_moderator(app, "alice@example.org", Role.ADMIN, sites=("lemali",))
    ids = campaign(app)
    for cid, text in zip(ids, XSS, strict=True):
        with app.app_context(), db.transaction() as s:
            s.get(Comment, cid).content = text
    add_event(app, ids[0], EventState.FAILED, [(None, XSS[1], 10000)])
    with app.app_context(), db.transaction() as s:
        site = s.scalar(select(Site).where(Site.name == "lemali"))
        site.callback_url = "javascript:alert('cb')"
        words = site_settings.merge(site_settings.load(site), {"words.moderated": XSS})
        site_settings.save(site, words)
    sign_in(page, base)
    urls = ["/sites", "/sites/lemali/settings", "/sites/lemali/rules"]
    urls += ["/sites/lemali/deliveries", f"/queue?campaign={ids[0]}", f"/queue/{ids[1]}"]
    for path in urls:
        page.goto(base + path)
        assert page.evaluate("window.__pwned") is None, path
        assert page.locator("script:not([src])").count() == 0, path
        assert page.locator("a[href^='javascript'], main img, main svg").count() == 0, path
    assert "onerror" in page.locator(".content").inner_text()
    page.goto(f"{base}/sites/lemali/settings")
    page.fill("textarea[name='author_lists.block_ips']", XSS[1])
    page.click("button:text('Save settings')")
    page.wait_for_selector("#settings-error")
    assert "onerror" in page.locator("#settings-error").inner_text()
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("window.__violations") == [] and page.dialogs == []
