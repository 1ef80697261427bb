"""Keyboard shortcuts that must not hijack controls, and comment/site pages that stay honest."""

from __future__ import annotations

import pytest

from moderation import db
from moderation.models import Comment, CommentStatus, Role
from tests.browser.test_moderation_flow import sign_in
from tests.mods import add_comment, add_moderator, status_of

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ROWS = "Array.from(document.querySelectorAll('.comment-row'))"
ROW_IDS = ROWS + ".map(r => +r.dataset.id)"
CURRENT = ROWS + ".findIndex(r => r.classList.contains('is-current'))"
CURRENT_IN_VIEW = """() => {
  const r = document.querySelector('.comment-row.is-current').getBoundingClientRect();
  return r.top >= -1 && r.bottom <= window.innerHeight + 1;  // subpixel rounding
}"""


def loaded(page, url: str | None = None) -> None:
    """Wait for the page (and the key handler, installed on DOMContentLoaded) to be ready."""
    if url:
        page.wait_for_url(url)
    page.wait_for_load_state("load")


def queue(app, n: int, **kw) -> list[int]:
    return [add_comment(app, f"Commentaire numéro {i}", score=0.5, **kw) for i in range(n)]


def sign_in_as_alice(page, app, base) -> None:
    """Alice, a moderator of the test site, signs in and lands on the loaded queue."""
    add_moderator(app, "alice@example.org", sites=("lemali",))
    sign_in(page, base)
    loaded(page)


def test_enter_activates_the_focused_control(page, live) -> None:
    app, base = live
    queue(app, 4)
    sign_in_as_alice(page, app, base)
    ids = page.evaluate(ROW_IDS)
    assert page.evaluate(CURRENT) == 0

    # Enter on row 3's Spam button marks row 3 spam; it does not open the current comment.
    page.focus(f'.comment-row[data-id="{ids[2]}"] button.act-spam')
    page.keyboard.press("Enter")
    page.wait_for_selector(f"text=Comment #{ids[2]}: spam.")
    loaded(page)
    assert page.url == f"{base}/queue"
    assert status_of(app, ids[2]) == "spam"
    assert [status_of(app, i) for i in (ids[0], ids[1], ids[3])] == ["pending"] * 3

    # Enter on a navigation link follows that link.
    page.focus("nav >> text=Dashboard")
    page.keyboard.press("Enter")
    loaded(page, f"{base}/dashboard")

    # Enter on the Filters summary opens the filters, and stays on the list.
    page.goto(f"{base}/queue")
    loaded(page)
    page.focus("details.filters summary")
    page.keyboard.press("Enter")
    page.wait_for_selector("details.filters[open]")
    assert page.url == f"{base}/queue"

    # With the focus on the page itself, Enter still opens the current comment.
    page.evaluate("document.activeElement.blur()")
    current = page.evaluate("+document.querySelector('.comment-row.is-current').dataset.id")
    page.keyboard.press("Enter")
    loaded(page, f"**/queue/{current}?next=**")


def test_keys_do_nothing_behind_the_help(page, live) -> None:
    app, base = live
    ids = queue(app, 3)
    sign_in_as_alice(page, app, base)
    page.keyboard.press("?")
    page.wait_for_selector("dialog#help", state="visible")
    for key in ["j", "x", "a", "s", "r", "u"]:
        page.keyboard.press(key)
    page.wait_for_timeout(500)  # a submitted form would have navigated by now
    assert page.locator("dialog#help").is_visible()
    assert page.url == f"{base}/queue" and page.locator(".flash").count() == 0
    assert page.evaluate(CURRENT) == 0 and page.locator("#selected-count").inner_text() == "0"
    assert [status_of(app, i) for i in ids] == ["pending"] * 3
    page.keyboard.press("?")  # closes it again
    page.wait_for_selector("dialog#help", state="hidden")
    page.keyboard.press("j")
    assert page.evaluate(CURRENT) == 1

    # On a comment, Escape closes the help instead of going back to the queue.
    page.goto(f"{base}/queue/{ids[0]}")
    loaded(page)
    page.keyboard.press("?")
    page.wait_for_selector("dialog#help", state="visible")
    page.keyboard.press("a")
    page.keyboard.press("Escape")
    page.wait_for_selector("dialog#help", state="hidden")
    page.wait_for_timeout(300)
    assert page.url == f"{base}/queue/{ids[0]}"
    assert status_of(app, ids[0]) == "pending"


def test_shortcuts_work_after_ticking_a_checkbox(page, live) -> None:
    app, base = live
    queue(app, 4)
    sign_in_as_alice(page, app, base)
    ids = page.evaluate(ROW_IDS)
    page.click(f'.comment-row[data-id="{ids[1]}"] input[type=checkbox]')
    assert page.evaluate("document.activeElement.type") == "checkbox"
    assert page.evaluate(CURRENT) == 1
    page.keyboard.press("j")
    page.keyboard.press("x")
    assert page.evaluate(CURRENT) == 2
    assert page.locator("#selected-count").inner_text() == "2"
    page.keyboard.press("s")  # acts on the two selected comments
    page.wait_for_selector("text=2 comments decided.")
    loaded(page)
    assert [status_of(app, i) for i in ids] == ["pending", "spam", "spam", "pending"]


def test_restored_current_row_is_shown_and_kept_per_list(page, live) -> None:
    app, base = live
    queue(app, 24)
    spam = queue(app, 3, status=CommentStatus.SPAM)
    sign_in_as_alice(page, app, base)
    for _ in range(14):
        page.keyboard.press("j")
    assert page.evaluate(CURRENT) == 14
    page.keyboard.press("a")
    page.wait_for_selector("text=approved.")
    loaded(page)
    # The same list after the decision: the row at that place is current, and on screen.
    assert page.evaluate(CURRENT) == 14
    page.wait_for_function(CURRENT_IN_VIEW)

    # Another list (the spam tab) does not inherit the place in the pending list.
    page.click(".tab-spam")
    loaded(page, "**status=spam**")
    assert page.evaluate(CURRENT) == 0
    assert page.evaluate(CURRENT_IN_VIEW)
    assert page.evaluate(ROW_IDS)[0] in spam


def test_reason_messages_are_revealed_wrapped_and_hinted_honestly(page, live) -> None:
    app, base = live
    add_moderator(app, "alice@example.org", Role.ADMIN, sites=("lemali", "blog\u202eoc"))
    text = "Wow \u2067\u2067 amazing \u202e\u202e\u202e deal " + "A" * 3000 + " fin"
    run = text.index("A")
    cid = add_comment(
        app,
        text,
        name="Casino King",
        reasons=[
            {
                "source": "signal",
                "code": "repeated_chars",
                "message": "repeated characters '\u202e\u202e\u202e', 'A" + "A" * 2999 + "'",
                "weight": 0.5,
                "spans": [{"field": "content", "start": run, "end": run + 3000}],
            },
            {
                "source": "signal",
                "code": "author_name_keywords",
                "message": "author name contains 'casino'",
                "weight": 1.0,
                "spans": [{"field": "author_name", "start": 0, "end": 6}],
            },
        ],
    )
    add_comment(app, "Bonjour", site="blog\u202eoc")
    sign_in(page, base)
    page.goto(f"{base}/queue/{cid}")
    loaded(page)
    items = page.locator("ul.reasons li")
    first, second = items.nth(0), items.nth(1)
    assert "⟨U+202E⟩⟨U+202E⟩⟨U+202E⟩" in first.inner_text()
    assert "\u202e" not in page.locator("ul.reasons").inner_text()
    assert first.locator("bdi").count() >= 1
    # Only the content reason has its spans highlighted, so only it says "highlighted".
    assert first.locator(".marked-hint").count() == 1
    assert second.locator(".marked-hint").count() == 0
    # The 3000-character run wraps instead of widening the page.
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1] + 2, width
    # The <bdi> around the message wraps it; the list item itself wraps too, whatever it holds.
    assert first.evaluate("li => getComputedStyle(li).overflowWrap") == "anywhere"

    # Site names: override characters are shown, not applied.
    for path in ["/sites", "/dashboard", "/queue"]:
        page.goto(base + path)
        loaded(page)
        shown = page.locator("main").inner_text()
        assert "blog⟨U+202E⟩oc" in shown, path
        assert "blog\u202eoc" not in shown, path


def is_page_load(response) -> bool:
    return response.request.is_navigation_request() and response.request.method == "GET"


def refuse(page, app, base: str, comment_id: int) -> None:
    """Open the comment, let someone else decide it meanwhile, press "a": refused."""
    page.goto(f"{base}/queue/{comment_id}?next=%2Fqueue")
    loaded(page)
    with app.app_context(), db.transaction() as s:
        comment = s.get(Comment, comment_id)
        assert comment is not None
        comment.status = CommentStatus.SPAM
    page.keyboard.press("a")
    page.wait_for_selector(".conflict")
    loaded(page, f"{base}/queue/{comment_id}/approve")  # a page at a POST-only URL


def test_undo_and_language_from_a_refused_page_land_on_html(page, live) -> None:
    app, base = live
    first, taken, other = queue(app, 3)
    sign_in_as_alice(page, app, base)
    page.goto(f"{base}/queue/{first}?next=%2Fqueue")
    loaded(page)
    page.keyboard.press("a")
    page.wait_for_selector("text=approved.")
    loaded(page, f"{base}/queue")

    # "u" on the refusal undoes the approval of the first comment and lands on a real page.
    refuse(page, app, base, taken)
    with page.expect_response(is_page_load) as got:
        page.keyboard.press("u")
    assert got.value.status == 200 and "text/html" in got.value.headers["content-type"]
    loaded(page, f"{base}/queue")  # where the refused form was going
    assert page.locator("text=Undone").count() == 1
    assert status_of(app, first) == "pending"

    # Nothing left to undo: a second refusal, at POST /queue/undo, reached from the first
    # one (its Referer is POST-only too); its language buttons still lead to a real page.
    refuse(page, app, base, other)
    page.keyboard.press("u")
    page.wait_for_selector("text=You have no decision to undo.")
    loaded(page, f"{base}/queue/undo")
    with page.expect_response(is_page_load) as got:
        page.click("form.lang button[value=fr]")
    assert got.value.status == 200 and "text/html" in got.value.headers["content-type"]
    loaded(page, f"{base}/queue")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator(".conflict").count() == 0
