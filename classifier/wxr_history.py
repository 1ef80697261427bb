"""Read a WordPress export's moderated comments with their status: spam, approved or trash.

Unlike ``classifier.datasets`` (which reads exports as a corpus, spam and approved only), this
keeps trashed comments, which a site may choose to learn from, and the comment dates.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from classifier.records import CommentInput

_WP = "{http://wordpress.org/export/1.2/}"
STATUSES = {"spam": "spam", "1": "approved", "trash": "trash"}


class WxrError(ValueError):
    """An export that cannot be read."""


@dataclass(frozen=True)
class HistoricComment:
    """One moderated comment from the export."""

    status: str  # spam, approved or trash
    comment: CommentInput
    date_gmt: str = ""


def _child(node: ET.Element, name: str) -> str:
    found = node.find(_WP + name)
    return (found.text or "") if found is not None else ""


def read_history(path: str | Path) -> list[HistoricComment]:
    """Return the export's spam, approved and trashed comments in file order."""
    try:
        # An export an admin chose; expat refuses entity bombs and fetches nothing external.
        root = ET.parse(path).getroot()  # noqa: S314
    except (ET.ParseError, OSError) as exc:
        raise WxrError(f"{path}: not a readable WordPress export ({exc})") from None
    if root.tag != "rss":
        raise WxrError(f"{path}: not a WordPress export (no <rss> root)")
    language = (root.findtext("channel/language") or "").strip()
    out = []
    for item in root.iter("item"):
        permalink = (item.findtext("link") or "").strip()
        for node in item.iter(_WP + "comment"):
            status = STATUSES.get(_child(node, "comment_approved").strip().lower())
            if status is None:
                continue  # pending comments carry no verdict
            comment = CommentInput(
                content=_child(node, "comment_content"),
                author_name=_child(node, "comment_author"),
                author_email=_child(node, "comment_author_email"),
                author_url=_child(node, "comment_author_url"),
                author_ip=_child(node, "comment_author_IP"),
                permalink=permalink,
                language=language,
            )
            out.append(HistoricComment(status, comment, _child(node, "comment_date_gmt")))
    return out
