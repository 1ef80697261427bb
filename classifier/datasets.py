"""Read labelled corpora, recognising each file's format by its content.

Formats: CSV `text,label` (optional author columns), the YouTube Spam Collection CSV
(`COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS`; DATE is never read), tab-separated `label<TAB>text`
with spam/ham labels, and WordPress WXR exports (approved `spam` is spam, `1` is ham).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from classifier.records import CommentInput, Example
from classifier.wxr_history import WxrError, read_history

__all__ = ["CorpusError", "Example", "detect_format", "load_corpus", "load_file"]

_LABELS = {"spam": 1, "1": 1, "true": 1, "yes": 1, "ham": 0, "0": 0, "false": 0, "no": 0}
_SKIP_SUFFIXES = {".md", ".txt.md", ".rst", ".py", ".json", ".skops", ".gz", ".zip"}


class CorpusError(ValueError):
    """A corpus file that cannot be read, with the reason in words."""


def detect_format(path: Path) -> str | None:
    """Return 'csv', 'youtube', 'tsv', 'wxr' or None, from the first bytes of the file."""
    try:
        head = path.read_bytes()[:4096].decode("utf-8-sig", errors="replace")
    except OSError:
        return None
    stripped = head.lstrip()
    if stripped.startswith("<?xml") or stripped.startswith("<rss"):
        return "wxr" if "wordpress.org/export" in head else None
    first = stripped.splitlines()[0] if stripped else ""
    columns = {c.strip().strip('"').lower() for c in next(csv.reader([first]), [])}
    if {"comment_id", "author", "content", "class"} <= columns:
        return "youtube"
    if {"text", "label"} <= columns:
        return "csv"
    label = first.split("\t", 1)[0].strip().lower()
    if "\t" in first and label in ("spam", "ham"):
        return "tsv"
    return None


def _label(value: str, where: str) -> int:
    try:
        return _LABELS[value.strip().lower()]
    except KeyError:
        raise CorpusError(f"{where}: unknown label {value!r} (expected spam/ham or 1/0)") from None


def _read_csv(path: Path, source: str) -> list[Example]:
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    out = []
    for i, row in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "") for k, v in row.items()}
        comment = CommentInput(
            content=row.get("text", ""),
            author_name=row.get("author_name", ""),
            author_email=row.get("author_email", ""),
            author_url=row.get("author_url", ""),
        )
        out.append(Example(comment, _label(row.get("label", ""), f"{path}:{i}"), source=source))
    return out


def _read_youtube(path: Path, source: str) -> list[Example]:
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""))
    out = []
    for i, row in enumerate(reader, start=2):
        content = (row.get("CONTENT") or "").rstrip("\ufeff")
        comment = CommentInput(content=content, author_name=row.get("AUTHOR") or "")
        out.append(Example(comment, _label(row.get("CLASS") or "", f"{path}:{i}"), source=source))
    return out


def _read_tsv(path: Path, source: str) -> list[Example]:
    out = []
    for i, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        label, _, text = line.partition("\t")
        out.append(Example(CommentInput(content=text), _label(label, f"{path}:{i}"), source=source))
    return out


def _read_wxr(path: Path, source: str) -> list[Example]:
    """Read an export's spam and approved comments (trash and pending carry no verdict)."""
    try:
        history = read_history(path)
    except WxrError as exc:
        raise CorpusError(str(exc)) from None
    return [
        Example(h.comment, 1 if h.status == "spam" else 0, source=source)
        for h in history
        if h.status in ("spam", "approved")
    ]


_READERS = {"csv": _read_csv, "youtube": _read_youtube, "tsv": _read_tsv, "wxr": _read_wxr}


def load_file(path: str | Path) -> list[Example]:
    """Read one corpus file; raise CorpusError if its format is not recognised."""
    path = Path(path)
    kind = detect_format(path)
    if kind is None:
        raise CorpusError(
            f"{path}: unknown corpus format (expected text,label CSV, YouTube CSV, "
            "label<TAB>text or WordPress WXR)"
        )
    return _READERS[kind](path, path.stem)


def _files(folder: Path) -> Iterable[Path]:
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if not path.is_file() or any(part.startswith(".") for part in rel.parts):
            continue
        if path.name.upper().startswith("README") or path.suffix.lower() in _SKIP_SUFFIXES:
            continue
        if detect_format(path) is not None:
            yield path


def load_corpus(paths: Iterable[str | Path]) -> list[Example]:
    """Read files and folders (every recognised corpus file inside, recursively) in order."""
    out: list[Example] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for file in _files(path):
                out.extend(load_file(file))
        elif path.is_file():
            out.extend(load_file(path))
        else:
            raise CorpusError(f"{path}: no such file or folder")
    return out
