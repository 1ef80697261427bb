"""Regenerate docs/screenshots/*.png: seed a demo database, serve it, photograph the pages.

Run from the repository root: .venv/bin/python docs/screenshots/make.py [NAME ...]
(names: queue dashboard comment rules settings; none: all of them).
"""

from __future__ import annotations

import random
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402
from sqlalchemy import select  # noqa: E402

from moderation import db, decisions  # noqa: E402
from moderation import settings as site_settings  # noqa: E402
from moderation.db import utcnow  # noqa: E402
from moderation.models import Comment, CommentStatus, Moderator, Role, RuleHit, Site  # noqa: E402
from tests.browser.live import CHROMIUM, CHROMIUM_ARGS, make_app, serve  # noqa: E402
from tests.mods import PASSWORD, add_comment, add_moderator  # noqa: E402

OUT = Path(__file__).resolve().parent
TEXTS = [
    ("Merci pour cet article, très clair sur la saison des pluies à Mopti.", 0.08),
    ("Je ne suis pas d'accord avec la conclusion, mais l'analyse est solide.", 0.21),
    ("Gagnez 500 000 FCFA par semaine depuis chez vous !!! Contactez +223 70 00 00 00", 0.64),
    ("Super site, visitez aussi mon blog http://bit.ly/xx-bon-plan", 0.57),
    ("Est-ce que la route de Ségou est de nouveau ouverte ?", 0.31),
    ("BEST CASINO BONUS free spins click here http://casino.example", 0.97),
    ("Bravo à l'équipe de rédaction, continuez ainsi.", 0.04),
    ("Quelqu'un sait où acheter des semences de mil certifiées ?", 0.44),
]


def seed(app) -> None:
    rng = random.Random(7)
    mod_id = add_moderator(app, "awa@lemali.example", Role.ADMIN, sites=("lemali", "sahel-info"))
    now = utcnow()
    for day in range(14):
        for _ in range(rng.randint(6, 18)):
            text, score = rng.choice(TEXTS)
            status = (
                CommentStatus.SPAM
                if score > 0.9
                else CommentStatus.APPROVED
                if score < 0.2
                else CommentStatus.PENDING
            )
            when = now - timedelta(days=day, minutes=rng.randint(0, 1200))
            site = rng.choice(["lemali", "sahel-info"])
            add_comment(
                app,
                text,
                site=site,
                status=status,
                score=score,
                created_at=when,
                email=f"user{rng.randint(1, 30)}@example.ml",
                name="Awa Traoré",
            )
    with app.app_context(), db.transaction() as s:
        mod = s.get(Moderator, mod_id)
        pending = s.scalars(
            select(decisions.Comment)
            .where(decisions.Comment.status == "pending")
            .order_by(decisions.Comment.created_at)
            .limit(60)
        ).all()
        for i, c in enumerate(pending):
            decisions.decide(s, c.id, mod, ["approve", "spam", "reject", "approve"][i % 4])
        for c in s.scalars(
            select(decisions.Comment).where(decisions.Comment.status == "spam").limit(3)
        ):
            decisions.decide(s, c.id, mod, "approve", expected_status=CommentStatus.SPAM)
    # Reasons as the bootstrap model words them for this comment (codes, messages and spans of
    # classifier.explain), so the French page shows them translated.
    reasons = [
        {"source": "classifier", "code": "phone_number", "weight": 2.70,
         "message": "phone number '+223 70 00 00 00'",
         "spans": [{"field": "content", "start": 63, "end": 79}]},
        {"source": "classifier", "code": "call_to_action", "weight": 2.25,
         "message": "call to action 'contactez'",
         "spans": [{"field": "content", "start": 53, "end": 62}]},
        {"source": "classifier", "code": "author_url", "weight": 1.74,
         "message": "author gave a website",
         "spans": [{"field": "author_url", "start": 0, "end": 28}]},
        {"source": "classifier", "code": "promo_words", "weight": 1.05,
         "message": "sales words 'gagnez'",
         "spans": [{"field": "content", "start": 0, "end": 6}]},
    ]  # fmt: skip
    add_comment(
        app,
        TEXTS[2][0],
        score=0.51,
        reasons=reasons,
        name="Moussa K.",
        email="moussa@example.ml",
        url="http://gains-faciles.example",
    )


RULES = [  # (code, effect, shadow, share of the site's comments it touches)
    ("links.too_many", "hold", False, 0.35),
    ("words.moderated", "hold", True, 0.2),
    ("campaign.near_duplicate", "hold", False, 0.15),
    ("author.trusted", "allow", False, 0.25),
]


def seed_rule_hits(app) -> None:
    """Give lemali's comments rule hits, as intake would have, for the statistics page."""
    rng = random.Random(11)
    with app.app_context(), db.transaction() as s:
        site = s.get(Site, 1)  # lemali, created first
        changes = {"languages": ["fr"], "words.moderated": ["bonus", "crypto", "gagnez"]}
        site_settings.save(site, site_settings.merge(site_settings.load(site), changes))
        for c in s.scalars(select(Comment).where(Comment.site_id == 1)):
            for code, effect, shadow, share in RULES:
                spammy = c.score is not None and c.score > 0.5
                if rng.random() < share * (1.6 if spammy == (effect == "hold") else 0.4):
                    s.add(
                        RuleHit(comment_id=c.id, site_id=1, code=code, effect=effect, shadow=shadow)
                    )


def main(names: list[str]) -> None:
    wanted = set(names) or {"queue", "dashboard", "comment", "rules", "settings"}
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp))
        seed(app)
        seed_rule_hits(app)
        with serve(app) as base, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, viewport in [("", (1280, 860)), ("-phone", (390, 844))]:
                page = browser.new_page(
                    viewport={"width": viewport[0], "height": viewport[1]},
                    locale="fr-FR",
                    device_scale_factor=1,
                )
                page.goto(f"{base}/login")
                page.fill("input[name=email]", "awa@lemali.example")
                page.fill("input[name=password]", PASSWORD)
                page.click("button.primary")
                page.wait_for_url(f"{base}/queue")
                if "queue" in wanted:
                    page.screenshot(path=OUT / f"queue{name}.png")
                if "dashboard" in wanted:
                    page.goto(f"{base}/dashboard")
                    page.screenshot(path=OUT / f"dashboard{name}.png", full_page=not name)
                if "comment" in wanted:
                    page.goto(f"{base}/queue")
                    page.click(".comment-row .row-link >> nth=0")
                    page.wait_for_selector(".comment-full")
                    page.screenshot(path=OUT / f"comment{name}.png", full_page=not name)
                if "rules" in wanted and not name:
                    page.goto(f"{base}/sites/lemali/rules")
                    page.screenshot(path=OUT / "rule-stats.png", full_page=True)
                if "settings" in wanted and not name:
                    page.goto(f"{base}/sites/lemali/settings")
                    page.screenshot(path=OUT / "settings.png")
                page.close()
            browser.close()
    print("screenshots written to", OUT)


if __name__ == "__main__":
    main(sys.argv[1:])
