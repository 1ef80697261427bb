"""Read a WordPress export's moderated comments with their status: spam, approved or trash.

Unlike ``classifier.datasets`` (which reads exports as a corpus, spam and approved only), this
keeps trashed comments, which a site may choose to learn from, and the comment dates.
Exports of every WXR version (1.0 to 1.2, each its own `wp:` namespace) are read.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from classifier.records import CommentInput

_WP = "{http://wordpress.org/export/1.2/}"
_WP_ANY = re.compile(r"\{http://wordpress\.org/export/[0-9.]+/\}")
# Control characters pasted into comments end up in exports, but XML 1.0 forbids them.
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
STATUSES = {"spam": "spam", "1": "approved", "trash": "trash"}


class WxrError(ValueError):
    """An export that cannot be read."""


@dataclass(frozen=True)
class HistoricComment:
    """One moderated comment from the export."""

    status: str  # spam, approved or trash
    comment: CommentInput
    date_gmt: str = ""


def _child(node: ET.Element, wp: str, name: str) -> str:
    found = node.find(wp + name)
    return (found.text or "") if found is not None else ""


def _namespace(root: ET.Element) -> str:
    """Return the export's `wp:` namespace as an ElementTree prefix (its WXR version's)."""
    for node in root.iter():
        found = _WP_ANY.match(node.tag)
        if found:
            return found.group(0)
    return _WP


def read_history(path: str | Path) -> list[HistoricComment]:
    """Return the export's spam, approved and trashed comments in file order."""
    try:
        data = Path(path).read_bytes()
        if b"\x00" not in data[:4]:  # an 8-bit encoding, where these bytes are characters
            data = _CONTROL.sub(b"", data)
        # An export an admin chose; expat refuses entity bombs and fetches nothing external.
        root = ET.fromstring(data)  # noqa: S314
    except (ET.ParseError, OSError) as exc:
        raise WxrError(f"{path}: not a readable WordPress export ({exc})") from None
    if root.tag != "rss":
        raise WxrError(f"{path}: not a WordPress export (no <rss> root)")
    language = (root.findtext("channel/language") or "").strip()
    wp = _namespace(root)
    out = []
    for item in root.iter("item"):
        permalink = (item.findtext("link") or "").strip()
        for node in item.iter(wp + "comment"):
            status = STATUSES.get(_child(node, wp, "comment_approved").strip().lower())
            if status is None:
                continue  # pending comments carry no verdict
            comment = CommentInput(
                content=_child(node, wp, "comment_content"),
                author_name=_child(node, wp, "comment_author"),
                author_email=_child(node, wp, "comment_author_email"),
                author_url=_child(node, wp, "comment_author_url"),
                author_ip=_child(node, wp, "comment_author_IP"),
                permalink=permalink,
                language=language,
            )
            out.append(HistoricComment(status, comment, _child(node, wp, "comment_date_gmt")))
    return out
