"""The corpora we wrote: data/README.md counts them truly, and the probes stay out of training."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from classifier.datasets import load_file
from classifier.normalize import normalize_text

DATA = Path(__file__).resolve().parents[2] / "data"
ROW = re.compile(
    r"^\| `(?P<name>[\w.]+\.csv)` \| (?P<rows>[\d,]+) \| (?P<label>ham|spam) \| (?P<urls>\d+) \|$"
)


def _table() -> dict[str, tuple[int, str, int]]:
    lines = (DATA / "README.md").read_text(encoding="utf-8").splitlines()
    found = (ROW.match(line) for line in lines)
    return {
        m["name"]: (int(m["rows"].replace(",", "")), m["label"], int(m["urls"])) for m in found if m
    }


def test_the_readme_table_lists_every_bootstrap_file_with_its_true_counts() -> None:
    table = _table()
    files = sorted((DATA / "bootstrap").glob("*.csv"))
    assert sorted(table) == [f.name for f in files]
    for f in files:
        with f.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        urls = sum(1 for r in rows if (r.get("author_url") or "").strip())
        assert table[f.name] == (len(rows), rows[0]["label"], urls), f.name
        assert {r["label"] for r in rows} == {table[f.name][1]}, f.name


@pytest.mark.parametrize("probe", sorted((DATA / "probe").glob("*.csv")), ids=lambda p: p.name)
def test_no_probe_text_is_a_training_text(probe: Path) -> None:
    training = {
        normalize_text(e.comment.content)
        for f in sorted((DATA / "bootstrap").glob("*.csv"))
        for e in load_file(f)
    }
    leaked = [
        e.comment.content for e in load_file(probe) if normalize_text(e.comment.content) in training
    ]
    assert not leaked, leaked[:5]
