"""The real YouTube Spam Collection loads as documented (skipped when the data is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier.datasets import load_corpus

YOUTUBE = Path(__file__).resolve().parents[3] / "shared" / "data" / "youtube-spam-collection"

pytestmark = pytest.mark.skipif(not YOUTUBE.is_dir(), reason="YouTube Spam Collection absent")


def test_the_three_videos_load_with_their_documented_counts() -> None:
    rows = load_corpus([YOUTUBE])  # SOURCE.md is skipped
    counts = {}
    for r in rows:
        spam, ham = counts.get(r.source, (0, 0))
        counts[r.source] = (spam + r.label, ham + 1 - r.label)
    assert counts == {
        "Youtube01-Psy": (175, 175),
        "Youtube02-KatyPerry": (175, 175),
        "Youtube03-LMFAO": (236, 202),
    }
