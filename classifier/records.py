"""Plain records passed between the classifier and its callers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

COMMENT_FIELDS = (
    "content",
    "author_name",
    "author_email",
    "author_url",
    "author_ip",
    "user_agent",
    "permalink",
    "language",
)


@dataclass(frozen=True)
class CommentInput:
    """One comment as the model reads it: the text and what came with it."""

    content: str
    author_name: str = ""
    author_email: str = ""
    author_url: str = ""
    author_ip: str = ""
    user_agent: str = ""
    permalink: str = ""
    language: str = ""

    def to_dict(self) -> dict[str, str]:
        """Return the fields as a JSON-safe dict."""
        return {name: str(getattr(self, name) or "") for name in COMMENT_FIELDS}


@dataclass(frozen=True)
class Span:
    """A [start, end) range of characters in one ORIGINAL field of the comment."""

    field: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        """Return the span as a JSON-safe dict."""
        return {"field": self.field, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Reason:
    """One signal that pushed a score up (weight > 0) or down (weight < 0)."""

    code: str
    message: str
    weight: float
    spans: list[Span] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return the reason as a JSON-safe dict."""
        return {
            "code": self.code,
            "message": self.message,
            "weight": round(float(self.weight), 4),
            "spans": [s.to_dict() for s in self.spans],
        }


@dataclass(frozen=True)
class Scored:
    """A calibrated spam probability and the reasons behind it."""

    probability: float
    reasons: list[Reason] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return the score as a JSON-safe dict."""
        return {
            "probability": round(float(self.probability), 6),
            "reasons": [r.to_dict() for r in self.reasons],
        }


@dataclass(frozen=True)
class Example:
    """A labelled comment for training or evaluation (label 1 = spam, 0 = ham)."""

    comment: CommentInput
    label: int
    weight: float = 1.0
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the example as a JSON-safe dict."""
        return {
            "comment": self.comment.to_dict(),
            "label": int(self.label),
            "weight": float(self.weight),
            "source": self.source,
        }
