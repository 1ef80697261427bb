"""The moderation queue in HTML: list, comment page, decisions, bulk, undo, claims."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from werkzeug.wrappers import Response

from . import campaigns, db, decisions, queries
from .accounts import visible_site_ids, visible_sites
from .db import utcnow
from .highlight import parts, reveal
from .models import Comment, CommentStatus, Moderator, Site
from .web import login_required, safe_next

bp = Blueprint("queue", __name__, url_prefix="/queue", template_folder="templates")
Page = str | tuple[str, int] | Response


def _mod() -> Moderator:
    mod: Moderator = g.moderator
    return mod


def _back(default_comment: int | None = None) -> str:
    return safe_next(request.form.get("next"), url_for("queue.index"))


def _expected() -> CommentStatus | None:
    raw = request.form.get("expected_status", "")
    return CommentStatus(raw) if raw in set(CommentStatus) else None


def _moderator_emails(ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = db.session().execute(
        select(Moderator.id, Moderator.email).where(Moderator.id.in_(wanted))
    )
    return {i: e for i, e in rows}


@bp.get("")
@login_required
def index() -> Page:
    """List comments matching the filters, most uncertain first, with counts per status."""
    f = queries.parse_filter(request.args)
    with db.reading() as s:  # read-only: comments arriving meanwhile need not wait for it
        site_ids = visible_site_ids(s, _mod())
        page = queries.list_queue(s, site_ids, f)
        sites = {site.id: site for site in visible_sites(s, _mod())}
        claimers = _moderator_emails({c.claimed_by_id for c in page.items})
        campaign = campaigns.summary(s, f.campaign_id, site_ids) if f.campaign_id else None
    return render_template(
        "queue/index.html",
        page=page,
        f=f,
        sites=sites,
        claimers=claimers,
        now=utcnow(),
        campaign=campaign,
    )


@bp.get("/<int:comment_id>")
@login_required
def show(comment_id: int) -> Page:
    """Show one comment in full, claiming it while it is pending."""
    s = db.session()
    try:
        comment = decisions.visible_comment(s, _mod(), comment_id)
    except decisions.NotFound:
        s.rollback()
        return render_template("queue/missing.html"), 404
    claimed = decisions.claim(s, _mod(), comment, current_app.config["CLAIM_MINUTES"])
    site_ids = visible_site_ids(s, _mod())
    history = queries.author_history(s, comment, site_ids)
    people = _moderator_emails({comment.claimed_by_id, comment.decided_by_id})
    site = s.get(Site, comment.site_id)
    campaign = campaigns.summary(s, comment.campaign_id, site_ids) if comment.campaign_id else None
    s.commit()
    return render_template(
        "queue/show.html",
        c=comment,
        site=site,
        campaign=campaign,
        parts=parts(comment.content, comment.reasons),
        history=history,
        claimed=claimed,
        people=people,
        back=safe_next(request.args.get("next"), url_for("queue.index")),
        now=utcnow(),
    )


def _conflict_page(exc: decisions.DecisionError) -> tuple[str, int]:
    db.session().rollback()
    return render_template("queue/conflict.html", error=exc, back=_back()), exc.status


def _decide(comment_id: int, action: str) -> Page:
    s = db.session()
    reason = request.form.get("reason", "")
    try:
        comment = decisions.decide(s, comment_id, _mod(), action, reason, _expected())
    except decisions.DecisionError as exc:
        return _conflict_page(exc)
    s.commit()
    flash(_("Comment #%(id)d: %(status)s.", id=comment.id, status=status_label(comment.status)))
    return redirect(_back(), code=303)


@bp.post("/<int:comment_id>/approve")
@login_required
def approve(comment_id: int) -> Page:
    """Approve a comment."""
    return _decide(comment_id, "approve")


@bp.post("/<int:comment_id>/spam")
@login_required
def spam(comment_id: int) -> Page:
    """Mark a comment as spam."""
    return _decide(comment_id, "spam")


@bp.post("/<int:comment_id>/reject")
@login_required
def reject(comment_id: int) -> Page:
    """Reject a comment: not spam, but not publishable."""
    return _decide(comment_id, "reject")


@bp.post("/bulk")
@login_required
def bulk() -> Page:
    """Apply one action to every selected comment; report what was refused."""
    ids = [i for i in map(queries.row_id, request.form.getlist("ids")) if i is not None]
    action = request.form.get("action", "")
    s = db.session()
    try:
        results = decisions.decide_many(
            s, ids, _mod(), action, request.form.get("reason", ""), _expected()
        )
    except decisions.DecisionError as exc:
        return _conflict_page(exc)
    s.commit()
    return _bulk_report(results)


def _bulk_report(results: list[decisions.BulkResult]) -> Response:
    done = sum(1 for r in results if r.error is None)
    flash(ngettext("%(num)d comment decided.", "%(num)d comments decided.", done))
    for r in results:
        if r.error is not None:
            flash(refusal(r.comment_id, r.error), "error")
    return redirect(_back(), code=303)


@bp.post("/campaign/<int:campaign_id>/bulk")
@login_required
def campaign_bulk(campaign_id: int) -> Page:
    """Apply one action to every comment of a campaign still in the status the moderator saw."""
    s = db.session()
    expected = _expected() or CommentStatus.PENDING
    ids = campaigns.member_ids(s, campaign_id, visible_site_ids(s, _mod()), expected)
    action, reason = request.form.get("action", ""), request.form.get("reason", "")
    results: list[decisions.BulkResult] = []
    try:
        for i in range(0, len(ids), decisions.MAX_BULK):
            chunk = ids[i : i + decisions.MAX_BULK]
            results += decisions.decide_many(s, chunk, _mod(), action, reason, expected)
    except decisions.DecisionError as exc:
        return _conflict_page(exc)
    s.commit()
    return _bulk_report(results)


@bp.post("/undo")
@login_required
def undo() -> Page:
    """Undo the moderator's last decision."""
    s = db.session()
    try:
        comment = decisions.undo(s, _mod())
    except decisions.DecisionError as exc:
        return _conflict_page(exc)
    s.commit()
    flash(
        _(
            "Undone: comment #%(id)d is %(status)s again.",
            id=comment.id,
            status=status_label(comment.status),
        )
    )
    return redirect(_back(), code=303)


@bp.post("/next")
@login_required
def next_comment() -> Page:
    """Claim the most uncertain pending comment nobody holds and open it."""
    s = db.session()
    site_ids = visible_site_ids(s, _mod())
    comment = decisions.claim_next(s, _mod(), site_ids, current_app.config["CLAIM_MINUTES"])
    s.commit()
    if comment is None:
        flash(_("Nothing left to review."), "info")
        return redirect(url_for("queue.index"), code=303)
    return redirect(url_for("queue.show", comment_id=comment.id), code=303)


@bp.post("/<int:comment_id>/release")
@login_required
def release(comment_id: int) -> Page:
    """Give the comment back to the queue."""
    s = db.session()
    comment = s.get(Comment, comment_id)
    if comment is not None:
        decisions.release(s, _mod(), comment)
    s.commit()
    return redirect(_back(), code=303)


def status_label(status: str) -> str:
    """Return a status's translated name."""
    labels = {
        "pending": _("pending"),
        "approved": _("approved"),
        "spam": _("spam"),
        "rejected": _("rejected"),
    }
    return labels.get(str(status), str(status))


def status_count(status: str, num: int) -> str:
    """Return "3 approved": a count with its status, agreed in number where the language does."""
    forms = {
        "pending": ngettext("%(num)d pending", "%(num)d pending", num),
        "approved": ngettext("%(num)d approved", "%(num)d approved", num),
        "spam": ngettext("%(num)d spam", "%(num)d spam", num),
        "rejected": ngettext("%(num)d rejected", "%(num)d rejected", num),
    }
    return forms.get(str(status), f"{num} {status}")


def refusal(comment_id: int, exc: decisions.DecisionError) -> str:
    """Explain in words why a decision was refused, naming who and when."""
    when = exc.at.strftime("%Y-%m-%d %H:%M UTC") if isinstance(exc.at, datetime) else ""
    if exc.code == "claimed":
        return _(
            "#%(id)d is being reviewed by %(by)s until %(when)s.",
            id=comment_id,
            by=reveal(exc.by),
            when=when,
        )
    if exc.code in ("conflict", "changed_since"):
        return _(
            "#%(id)d was changed to %(status)s by %(by)s at %(when)s.",
            id=comment_id,
            status=status_label(exc.current),
            by=reveal(exc.by),
            when=when,
        )
    if exc.code == "nothing_to_undo":
        return _("You have no decision to undo.")
    if exc.code == "not_found":
        return _("#%(id)d does not exist or is not on your sites.", id=comment_id)
    if exc.code == "no_change":
        return _("#%(id)d already has this status.", id=comment_id)
    return _("#%(id)d: the request was refused (%(code)s).", id=comment_id, code=exc.code)


@bp.app_context_processor
def _helpers() -> dict[str, object]:
    return {
        "status_label": status_label,
        "status_count": status_count,
        "refusal": refusal,
        "reveal": reveal,
    }
