"""Per-site learning: weight a site's own labels, de-duplicate them, gate a candidate model.

Pure functions over Examples and SpamModels; the service decides which examples a site has.

Weighting: each site example weighs ``w = clip(n_shared / n_site, 1, MAX_SITE_WEIGHT)``, so
the site's labels together weigh as much as the shared corpus once the site has enough of
them, and no single early label weighs more than ``MAX_SITE_WEIGHT`` shared examples.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from classifier.calibrate import Thresholds, choose_thresholds
from classifier.metrics import evaluate_scores, json_safe
from classifier.model import SpamModel
from classifier.normalize import normalize_text
from classifier.records import Example
from classifier.train import train_model

MAX_SITE_WEIGHT = 10.0
HOLDOUT_SHARE = 0.2
MIN_PER_CLASS_FOR_THRESHOLDS = 20
_WORD = re.compile(r"\w+")


def site_weight(n_site: int, n_shared: int, cap: float = MAX_SITE_WEIGHT) -> float:
    """Return the weight of one site example: equal total shares, capped per example."""
    if n_site <= 0:
        return 1.0
    return float(min(max(n_shared / n_site, 1.0), cap))


def fingerprint(example: Example) -> str:
    """Return the normalised words that identify copies of one comment (punctuation aside)."""
    return " ".join(_WORD.findall(normalize_text(example.comment.content)))


def dedupe(examples: Sequence[Example]) -> list[Example]:
    """Keep one example per normalised text, the latest label winning (input oldest first).

    A campaign of 200 copies then counts once, and a later correction overrides an earlier
    verdict on the same text.
    """
    latest: dict[str, Example] = {}
    for ex in examples:
        key = fingerprint(ex)
        latest.pop(key, None)  # re-insert so the order follows the latest occurrence
        latest[key] = ex
    return list(latest.values())


def training_set(
    shared: Sequence[Example], site: Sequence[Example], cap: float = MAX_SITE_WEIGHT
) -> list[Example]:
    """Return the shared examples plus the site's, de-duplicated and weighted."""
    own = dedupe(site)
    w = site_weight(len(own), len(shared), cap)
    weighted = [Example(ex.comment, ex.label, ex.weight * w, ex.source or "site") for ex in own]
    return list(shared) + weighted


def train_site_model(
    shared: Sequence[Example],
    site: Sequence[Example],
    *,
    seed: int = 0,
    cap: float = MAX_SITE_WEIGHT,
) -> SpamModel:
    """Train a model on the shared corpus and the site's weighted labels."""
    model = train_model(training_set(shared, site, cap), seed=seed)
    model.card["adaptation"] = {
        "site_examples": len(dedupe(site)),
        "shared_examples": len(shared),
        "site_weight": site_weight(len(dedupe(site)), len(shared), cap),
        "cap": cap,
    }
    return model


def holdout_split(
    examples: Sequence[Example], share: float = HOLDOUT_SHARE
) -> tuple[list[Example], list[Example]]:
    """Split oldest-first examples into (train, held-out): each class's most recent ``share``.

    Per class, so a small site still holds out some spam and some ham (one of each at least
    when the class has two or more examples).
    """
    held: set[int] = set()
    for label in (0, 1):
        idx = [i for i, ex in enumerate(examples) if ex.label == label]
        n_out = max(1, math.floor(len(idx) * share)) if len(idx) >= 2 else 0
        held.update(idx[len(idx) - n_out :])
    train = [ex for i, ex in enumerate(examples) if i not in held]
    return train, [ex for i, ex in enumerate(examples) if i in held]


def with_thresholds(model: SpamModel, held_out: Sequence[Example]) -> SpamModel:
    """Re-choose thresholds on held-out examples when each class has enough of them."""
    labels = [ex.label for ex in held_out]
    if min(labels.count(0), labels.count(1)) < MIN_PER_CLASS_FOR_THRESHOLDS:
        return model
    t = model.thresholds
    scores = model.score_many([ex.comment for ex in held_out])
    chosen = choose_thresholds(labels, scores, t.max_ham_to_spam, t.max_spam_approved)
    card = dict(model.card)
    card["thresholds"] = {"low": chosen.low, "high": chosen.high}
    # The card's `validation` and `threshold_rule` describe the thresholds chosen in training;
    # these are the ones the model now carries, with their figures on the held-out labels.
    card["site_thresholds"] = {
        "n": len(held_out),
        "from": "held-out site feedback",
        "rule": "held-out error rates within the budgets",
        "metrics": evaluate_scores(labels, scores, chosen.low, chosen.high),
    }
    return SpamModel(model.pipeline, model.platt, _same_budgets(chosen, t), card)


def _same_budgets(chosen: Thresholds, old: Thresholds) -> Thresholds:
    return Thresholds(chosen.low, chosen.high, old.max_ham_to_spam, old.max_spam_approved)


@dataclass
class GateReport:
    """A candidate against the current model on the same held-out examples."""

    promote: bool
    reason: str
    candidate: dict[str, Any] = field(default_factory=dict)
    current: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the report as a JSON-safe dict."""
        return {
            "promote": self.promote,
            "reason": self.reason,
            "candidate": json_safe(self.candidate),
            "current": json_safe(self.current),
        }


def _figures(model: SpamModel, held_out: Sequence[Example]) -> dict[str, Any]:
    labels = [ex.label for ex in held_out]
    scores = model.score_many([ex.comment for ex in held_out])
    out = evaluate_scores(labels, scores, model.low_threshold, model.high_threshold)
    out["errors"] = int(
        sum(
            1
            for y, s in zip(labels, scores, strict=True)
            if (y == 0 and s >= model.high_threshold) or (y == 1 and s < model.low_threshold)
        )
    )
    out["version"] = model.version
    return out


def gate(
    candidate: SpamModel, current: SpamModel | None, held_out: Sequence[Example]
) -> GateReport:
    """Promote when the candidate is not worse than the current model on held-out examples.

    Not worse means: ROC-AUC not lower, and no more automatic errors (ham marked spam plus
    spam approved) at each model's own thresholds. Ties promote.
    """
    if current is None:
        cand = _figures(candidate, held_out) if held_out else {}
        return GateReport(True, "no current model", cand, {})
    labels = {ex.label for ex in held_out}
    if labels != {0, 1}:
        return GateReport(False, "held-out feedback lacks spam or ham: nothing to compare on")
    cand, cur = _figures(candidate, held_out), _figures(current, held_out)
    if cand["roc_auc"] < cur["roc_auc"] - 1e-9:
        reason = f"ROC-AUC {cand['roc_auc']:.4f} below current {cur['roc_auc']:.4f}"
        return GateReport(False, reason, cand, cur)
    if cand["errors"] > cur["errors"]:
        reason = f"{cand['errors']} automatic errors, current makes {cur['errors']}"
        return GateReport(False, reason, cand, cur)
    reason = f"ROC-AUC {cand['roc_auc']:.4f} >= {cur['roc_auc']:.4f}, errors {cand['errors']}"
    return GateReport(True, reason + f" <= {cur['errors']}", cand, cur)
