"""Dashboard figures from seeded data: per day, queue age, automatic vs human, overturns."""

from __future__ import annotations

from datetime import timedelta

from moderation import db, decisions, stats
from moderation.charts import stacked_bars
from moderation.db import utcnow
from moderation.models import CommentStatus, Moderator
from tests.mods import add_comment, add_moderator, site_id


def test_figures_per_site(app) -> None:
    mod_id = add_moderator(app, "alice@example.org", sites=("lemali", "autre"))
    now = utcnow()
    old = add_comment(app, "old pending", created_at=now - timedelta(hours=5))
    add_comment(app, "fresh pending")
    ham = add_comment(app, "auto ham", status=CommentStatus.APPROVED, score=0.1)
    spam = add_comment(app, "auto spam", status=CommentStatus.SPAM, score=0.95)
    add_comment(app, "kept spam", status=CommentStatus.SPAM, score=0.97)
    add_comment(app, "yesterday", status=CommentStatus.APPROVED, created_at=now - timedelta(days=1))
    add_comment(app, "elsewhere", site="autre", status=CommentStatus.SPAM)
    with app.app_context(), db.transaction() as s:
        mod = s.get(Moderator, mod_id)
        decisions.decide(s, spam, mod, "approve", expected_status=CommentStatus.SPAM)
        decisions.decide(s, ham, mod, "reject", expected_status=CommentStatus.APPROVED)
        decisions.undo(s, mod)  # the rejection is undone: not an overturn
        decisions.decide(s, old, mod, "approve")
    lemali, autre = site_id(app, "lemali"), site_id(app, "autre")
    with app.app_context():
        figures = {f.site.name: f for f in stats.site_figures(db.session(), [lemali, autre])}
        days = stats.per_day(db.session(), [lemali], days=3)
    f = figures["lemali"]
    assert f.pending == 1
    assert f.oldest_pending is not None and now - f.oldest_pending < timedelta(minutes=5)
    assert f.automatic == 4  # auto ham, auto spam, kept spam, yesterday
    assert f.human == 2  # the undone rejection and its undo do not count
    assert (f.classifier_final, f.overturned) == (4, 1)
    assert figures["autre"].automatic == 1 and figures["autre"].human == 0
    assert [d for d, _ in days] == [now.date() - timedelta(days=i) for i in (2, 1, 0)]
    totals = {k: sum(c[k] for _, c in days) for k in days[0][1]}
    assert totals == {"pending": 1, "approved": 4, "spam": 1, "rejected": 0}
    assert days[-2][1]["approved"] >= 1  # "yesterday" (and "old pending" just after midnight)
    chart = stacked_bars(days)
    assert len(chart.bars) >= 3 and all(b.height > 0 for b in chart.bars)
