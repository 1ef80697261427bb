"""Palabre's comment spam classifier: a pure ML library (no Flask, no SQLAlchemy).

Typical use::

    from classifier import CommentInput
    from classifier.artifacts import load_model

    model = load_model("instance/model.skops")
    scored = model.score(CommentInput(content="Win a free iPhone: http://bit.ly/x"))
"""

from classifier.artifacts import ArtifactError
from classifier.model import SpamModel
from classifier.records import CommentInput, Example, Reason, Scored, Span

__all__ = ["ArtifactError", "CommentInput", "Example", "Reason", "Scored", "Span", "SpamModel"]
