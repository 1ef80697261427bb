"""Save and load models as skops files with a JSON model card beside them.

Loading never unpickles: skops rebuilds only the types listed in TRUSTED_TYPES, and only after
the file's sha256 matches its card and the card's library versions match the running ones.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from skops import io as skio

from classifier.calibrate import Platt, Thresholds
from classifier.features import SIGNALS
from classifier.metrics import json_safe
from classifier.model import SpamModel
from classifier.train import library_versions

FORMAT = 2  # 2: hashed n-grams (1 kept vocabularies, slow to save and load)
# Types beyond skops' own default-trusted set (stock scikit-learn, numpy and scipy types),
# named one by one: the pipeline's top-level functions and our linear model.
TRUSTED_TYPES: list[str] = [
    "classifier.blend.NBLogisticRegression",
    "classifier.pipeline.content_texts",
    "classifier.pipeline.prepare_comments",
    "classifier.pipeline.signal_matrix",
]


class ArtifactError(Exception):
    """A model file that must not be loaded: missing, tampered with, or from other versions."""


def card_path(path: str | Path) -> Path:
    """Return the JSON card path beside a model file."""
    return Path(path).with_suffix(".json")


def file_sha256(path: str | Path) -> str:
    """Return the hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_model(model: SpamModel, path: str | Path) -> dict[str, Any]:
    """Write the model to `path` (skops) and its card beside it; return the card."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    t = model.thresholds
    payload = {
        "format": FORMAT,
        "pipeline": model.pipeline,
        "calibration": {"a": model.platt.a, "b": model.platt.b},
        "thresholds": {
            "low": t.low,
            "high": t.high,
            "max_ham_to_spam": t.max_ham_to_spam,
            "max_spam_approved": t.max_spam_approved,
        },
    }
    skio.dump(payload, path)
    sha = file_sha256(path)
    card = dict(model.card)
    # The card states what the file holds, even if thresholds were moved after training.
    card["thresholds"] = {"low": t.low, "high": t.high}
    card["budgets"] = {
        "max_ham_to_spam": t.max_ham_to_spam,
        "max_spam_approved": t.max_spam_approved,
    }
    card["artifact"] = {"file": path.name, "sha256": sha, "bytes": path.stat().st_size}
    card["version"] = f"{str(card.get('created_at', ''))[:10].replace('-', '')}-{sha[:8]}"
    card_path(path).write_text(json.dumps(json_safe(card), indent=2, sort_keys=True) + "\n")
    model.card = card
    return card


def _read_card(path: Path) -> dict[str, Any]:
    cpath = card_path(path)
    if not cpath.is_file():
        raise ArtifactError(f"model card {cpath} is missing: refusing to load {path} without it")
    try:
        card = json.loads(cpath.read_text())
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"model card {cpath} is not valid JSON: {exc}") from None
    if not isinstance(card, dict) or card.get("format") != FORMAT:
        raise ArtifactError(f"model card {cpath} has an unknown format (expected {FORMAT})")
    return card


def _check(path: Path, card: dict[str, Any]) -> None:
    expected = (card.get("artifact") or {}).get("sha256")
    actual = file_sha256(path)
    if expected != actual:
        raise ArtifactError(
            f"{path} does not match its model card (sha256 {actual[:12]}..., card says "
            f"{str(expected)[:12]}...): the file was altered or the card belongs to another model"
        )
    saved = card.get("versions") or {}
    here = library_versions()
    diffs = [f"{k} {saved.get(k)} (running {v})" for k, v in here.items() if saved.get(k) != v]
    if diffs:
        raise ArtifactError(
            f"{path} was saved with other library versions: {', '.join(diffs)}; "
            "retrain it with `flask classifier train` on this installation"
        )
    # Each signal has a column: a model trained with another list would read shifted columns.
    # (Cards written before the list was recorded have none, and are not checked.)
    if "signals" in card and card["signals"] != list(SIGNALS):
        raise ArtifactError(
            f"{path} was trained with other hand-made signals than this code computes; "
            "retrain it with `flask classifier train`"
        )


def load_model(path: str | Path) -> SpamModel:
    """Load a model after checking its hash and library versions against its card."""
    path = Path(path)
    if not path.is_file():
        raise ArtifactError(f"model file {path} not found")
    card = _read_card(path)
    _check(path, card)
    try:
        payload = skio.load(path, trusted=TRUSTED_TYPES)
    except skio.exceptions.UntrustedTypesFoundException as exc:
        raise ArtifactError(f"{path} holds types outside the trusted list: {exc}") from None
    except Exception as exc:  # a corrupt zip or schema: say so rather than crash the worker
        raise ArtifactError(f"{path} could not be read as a skops model: {exc}") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ArtifactError(f"{path} is not a Palabre model (format {FORMAT})")
    try:
        th = payload["thresholds"]
        platt = Platt(float(payload["calibration"]["a"]), float(payload["calibration"]["b"]))
        thresholds = Thresholds(
            float(th["low"]),
            float(th["high"]),
            float(th["max_ham_to_spam"]),
            float(th["max_spam_approved"]),
        )
        pipeline = payload["pipeline"]
    except (KeyError, TypeError, ValueError) as exc:
        raise ArtifactError(f"{path} is not a complete Palabre model (missing {exc})") from None
    if card.get("thresholds") != {"low": th["low"], "high": th["high"]}:
        raise ArtifactError(f"{path}: thresholds in the card differ from those in the model")
    return SpamModel(pipeline, platt, thresholds, card)
