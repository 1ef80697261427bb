"""Model versions on disk: every trained model kept, the current ones installed atomically.

Layout, under the folder of MODEL_PATH (``<instance>/model/`` by default)::

    versions/<version>/model.skops (+ model.json)   every model ever promoted or trained
    model.skops (+ .json)                           the shared model (MODEL_PATH)
    sites/<site_id>/model.skops (+ .json)           a site's own model, when it has one
    <target>.history.json                           versions installed at a target, oldest first

Installing writes both files to temporary names in the target's folder, then renames the card
first and the model last: a reader sees either the old pair, or a new card with the old model
(whose hash then mismatches, so the Scorer refuses it and keeps its model until the next check).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the service starts without importing scikit-learn until a model loads
    from classifier.model import SpamModel

MODEL_FILE = "model.skops"


def card_path(path: str | Path) -> Path:
    """Return the JSON card beside a model file (as classifier.artifacts names it)."""
    return Path(path).with_suffix(".json")


class StoreError(Exception):
    """A version or rollback the store cannot provide."""


def root(model_path: str | Path) -> Path:
    """Return the store's folder: the folder of the shared model."""
    return Path(model_path).parent


def site_path(model_path: str | Path, site_id: int) -> Path:
    """Return where a site's own model is installed."""
    return root(model_path) / "sites" / str(site_id) / MODEL_FILE


def target_path(model_path: str | Path, site_id: int | None) -> Path:
    """Return the shared model's path (site None) or the site's."""
    return Path(model_path) if site_id is None else site_path(model_path, site_id)


def version_path(model_path: str | Path, version: str) -> Path:
    """Return the stored file of one version."""
    return root(model_path) / "versions" / version / MODEL_FILE


def history_path(target: Path) -> Path:
    """Return the history file of an install target."""
    return target.with_name(target.stem + ".history.json")


def history(target: Path) -> list[str]:
    """Return the versions installed at ``target``, oldest first."""
    path = history_path(target)
    if not path.is_file():
        return []
    data = json.loads(path.read_text())
    return [str(v) for v in data] if isinstance(data, list) else []


def _write_history(target: Path, versions: list[str]) -> None:
    path = history_path(target)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    tmp.write_text(json.dumps(versions, indent=1) + "\n")
    os.replace(tmp, path)


def store(model: SpamModel, model_path: str | Path) -> str:
    """Save a model under versions/<version>/ and return its version."""
    from classifier.artifacts import save_model

    versions = root(model_path) / "versions"
    tmp = versions / f".tmp-{uuid.uuid4().hex}"
    card = save_model(model, tmp / MODEL_FILE)
    version = str(card["version"])
    final = versions / version
    if final.exists():  # the same bytes were stored before
        shutil.rmtree(tmp)
    else:
        os.replace(tmp, final)
    return version


def _install_files(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tag = uuid.uuid4().hex
    tmp_model = target.with_name(f".{target.name}.{tag}")
    tmp_card = target.with_name(f".{card_path(target).name}.{tag}")
    shutil.copyfile(source, tmp_model)
    shutil.copyfile(card_path(source), tmp_card)
    os.replace(tmp_card, card_path(target))
    os.replace(tmp_model, target)


def _adopt(model_path: str | Path, target: Path) -> None:
    """Keep a model installed outside the store (`classifier train --out`) so it can come back."""
    if history(target) or not target.is_file():
        return
    version = _card_version(target)
    if not version:
        return
    kept = version_path(model_path, version)
    if not kept.is_file():
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(card_path(target), card_path(kept))
        shutil.copyfile(target, kept)
    _write_history(target, [version])


def install(model_path: str | Path, site_id: int | None, version: str) -> Path:
    """Make ``version`` the current model of the site (or the shared one) and record it."""
    source = version_path(model_path, version)
    if not source.is_file():
        raise StoreError(f"no stored model version {version}")
    target = target_path(model_path, site_id)
    _adopt(model_path, target)
    _install_files(source, target)
    _write_history(target, history(target) + [version])
    return target


def current_version(model_path: str | Path, site_id: int | None) -> str:
    """Return the version installed at the target, or "" when there is none."""
    return _card_version(target_path(model_path, site_id))


def _card_version(target: Path) -> str:
    if not target.is_file():
        return ""
    try:
        card = json.loads(card_path(target).read_text())
    except (OSError, ValueError):
        return ""
    return str(card.get("version") or "")


def rollback(model_path: str | Path, site_id: int | None) -> str:
    """Restore the version installed before the current one; return it ("" = shared model).

    A site whose first model is rolled back loses its own model and uses the shared one again.
    """
    target = target_path(model_path, site_id)
    past = history(target)
    if not past:
        raise StoreError("no promoted model to roll back")
    past.pop()
    if not past:
        if site_id is None:
            raise StoreError("the shared model has no earlier version to restore")
        target.unlink(missing_ok=True)
        card_path(target).unlink(missing_ok=True)
        _write_history(target, [])
        return ""
    _install_files(version_path(model_path, past[-1]), target)
    _write_history(target, past)
    return past[-1]
