"""Every moderator page works at a phone's width (390 px), in French and in English.

The data is seeded on purpose with long unbroken strings (e-mail, URLs, user agent, reasons,
webhook errors): none of them may widen the page. Wide tables scroll inside their own box.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from moderation import db
from moderation import settings as site_settings
from moderation.db import utcnow
from moderation.learning_models import TrainingRun
from moderation.models import ActorType, Comment, CommentStatus, Role, RuleHit, Site, StatusChange
from moderation.webhook_models import EventState, WebhookDelivery, WebhookEvent
from tests.browser.conftest import WATCH
from tests.browser.test_moderation_flow import sign_in
from tests.mods import add_comment, add_moderator

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 390, "height": 844}
SITE = "lemali"
EMAIL = "aminata.kone.moderation.commentaires@redaction.lemaliactualites.example.ml"
URL = (
    "https://www.gainsfacilesaumali.example/inscription?parrain=0123456789abcdef0123456789abcdef"
    "&utm_source=commentaires&utm_medium=spam&utm_campaign=saisondespluies2024"
)
AGENT = (
    "Mozilla/5.0 (Linux; Android 13; TECNO_Spark_10_Pro_Build/TP1A.220624.014;wv) "
    "AppleWebKit/537.36 (KHTML,like_Gecko) Version/4.0 Chrome/120.0.6099.230_Mobile_Safari/537.36"
    "[FB_IAB/FB4A;FBAV/445.0.0.34.118;FBBV/512345678;FBDM/{density=2.0,width=720,height=1600}]"
)
TOKEN = "ref_" + "0123456789abcdef" * 6  # 100 characters, no break opportunity
PAGES = [
    "/queue",
    "/queue/{cid}",
    "/queue?campaign={campaign}",
    "/audit",
    "/dashboard",
    "/dashboard/learning",
    "/sites",
    f"/sites/{SITE}/settings",
    f"/sites/{SITE}/rules",
    f"/sites/{SITE}/deliveries",
]
OVERFLOW = "[document.documentElement.scrollWidth, window.innerWidth]"
# Buttons shown on the page (not in a closed dialog) lower than 32 px: too small for a finger.
SMALL_BUTTONS = """Array.from(document.querySelectorAll('button'))
  .filter(b => b.getClientRects().length && b.getBoundingClientRect().height < 32)
  .map(b => b.textContent.trim())"""


def seed(app) -> dict[str, int]:
    """A moderator (admin, long e-mail) and one site whose every page shows long strings."""
    add_moderator(app, "alice@example.org", Role.ADMIN, sites=(SITE,))
    reasons = [
        {
            "source": "classifier",
            "code": "author_url",
            "message": f"author gave a website '{URL}'",
            "weight": 1.74,
            "spans": [{"field": "author_url", "start": 0, "end": 40}],
        },
        {
            "source": "signal",
            "code": "repeated_chars",
            "message": f"repeated characters '{TOKEN}'",
            "weight": 0.5,
            "spans": [{"field": "content", "start": 10, "end": 110}],
        },
    ]
    cid = add_comment(
        app,
        f"Gagnez vite {TOKEN} {URL}",
        name="Aminata_Koné_Diarra_Traoré_Coulibaly",
        email=EMAIL,
        url=URL,
        reasons=reasons,
    )
    others = [add_comment(app, f"Promo {i} {URL}", email=EMAIL, url=URL) for i in range(3)]
    now = utcnow()
    with app.app_context(), db.transaction() as s:
        comment = s.get(Comment, cid)
        comment.user_agent = AGENT
        comment.permalink = f"https://lemali.example/{TOKEN}/{URL}"
        comment.post_id = TOKEN
        for other in others:
            s.get(Comment, other).campaign_id = others[0]
        s.add(
            StatusChange(
                comment_id=cid,
                from_status=CommentStatus.PENDING,
                to_status=CommentStatus.REJECTED,
                actor_type=ActorType.MODERATOR,
                actor_label=EMAIL,
                reason=f"Lien publicitaire {URL} {TOKEN}",
                created_at=now,
            )
        )
        site = s.scalar(select(Site).where(Site.name == SITE))
        site.callback_url = f"{URL}&hook={TOKEN}"
        changes = {"words.moderated": ["bonus", TOKEN, URL]}
        site_settings.save(site, site_settings.merge(site_settings.load(site), changes))
        for code in ["links.too_many", "words.moderated", "campaign.near_duplicate"]:
            s.add(RuleHit(comment_id=cid, site_id=site.id, code=code, effect="hold"))
        s.add(
            TrainingRun(
                site_id=site.id,
                candidate_version=f"lemali-{TOKEN[:40]}",
                current_version="shared-2024-06-01",
                metrics={"candidate": {"roc_auc": 0.91}, "current": {"roc_auc": 0.88}},
                promoted=True,
                reason=f"candidate better on held-out feedback {TOKEN}",
                created_at=now - timedelta(days=1),
            )
        )
        event = WebhookEvent(
            event_id=f"evt_{TOKEN[:56]}",
            site_id=site.id,
            comment_id=cid,
            type="comment.spam",
            payload={"type": "comment.spam"},
            state=EventState.FAILED,
            attempts=1,
            next_attempt_at=now,
            created_at=now,
        )
        s.add(event)
        s.flush()
        s.add(
            WebhookDelivery(
                event_id=event.id,
                site_id=site.id,
                attempt=1,
                url=site.callback_url,
                status_code=None,
                error=f"ConnectionError: {URL} {TOKEN}"[:500],
                duration_ms=10000,
            )
        )
    return {"cid": cid, "campaign": others[0]}


def check(page, what: str, problems: dict[str, object]) -> None:
    """Record what is wrong with the page on a phone: wider than the screen, tiny buttons."""
    page.wait_for_load_state("load")
    width = page.evaluate(OVERFLOW)
    if width[0] > width[1] + 1:  # subpixel rounding
        problems[what] = width
    small = page.evaluate(SMALL_BUTTONS)
    if small:
        problems[f"{what} buttons"] = small


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_page_fits_a_phone(browser, live, lang: str) -> None:
    app, base = live
    ids = seed(app)
    context = browser.new_context(viewport=PHONE, locale=f"{lang}-ML")
    context.set_default_timeout(15000)
    page = context.new_page()
    page.add_init_script(WATCH)
    problems: dict[str, object] = {}
    try:
        page.goto(f"{base}/login")
        assert page.locator("html").get_attribute("lang") == lang
        check(page, "/login", problems)
        sign_in(page, base)
        for path in PAGES:
            page.goto(base + path.format(**ids))
            check(page, path, problems)
            assert page.locator("html").get_attribute("lang") == lang, path

        # The queue with its filters open, and the keyboard help over it.
        page.goto(f"{base}/queue")
        page.wait_for_load_state("load")
        page.click("details.filters summary")
        page.wait_for_selector("details.filters[open]")
        check(page, "/queue (filters open)", problems)
        page.click("button[data-help]")
        page.wait_for_selector("dialog#help", state="visible")
        check(page, "help dialog", problems)
        box = page.locator("dialog#help").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert page.evaluate("window.__violations") == []
    finally:
        context.close()
    # [scrollWidth, innerWidth] of every page wider than the phone, or its too small buttons.
    assert not problems, problems
