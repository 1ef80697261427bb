"""Read labelled corpora, recognising each file's format by its content.

Formats: CSV `text,label` (optional author columns; the text and label columns may also go by the
names other spam corpora give them, TEXT_COLUMNS and LABEL_COLUMNS), the YouTube Spam Collection CSV
(`COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS`; DATE is never read), tab-separated `label<TAB>text`
with spam/ham labels, and WordPress WXR exports (approved `spam` is spam, `1` is ham).

Text files are UTF-8 (with or without a BOM) or UTF-16 with a BOM. A line that is not UTF-8 is
read as cp1252 instead of refusing the file: the UCI SMS Spam Collection holds such bytes (a
latin-1 `£`) among UTF-8 lines, and Excel on Windows saves CSVs as cp1252.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path

from classifier.records import CommentInput, Example
from classifier.wxr_history import WxrError, read_history

__all__ = ["CorpusError", "Example", "detect_format", "load_corpus", "load_file"]

_LABELS = {"spam": 1, "1": 1, "true": 1, "yes": 1, "ham": 0, "0": 0, "false": 0, "no": 0}
# Names of the text and label columns of a `text,label` CSV, first match wins: ours, then those
# of common spam corpora (Kaggle's SMS Spam Collection has `v1,v2`; others `Category,Message`,
# `message,is_spam`...). v1 and v2 count only as a pair.
TEXT_COLUMNS = ("text", "content", "comment", "comment_content", "message", "body", "sms")
LABEL_COLUMNS = ("label", "class", "category", "spam", "is_spam")
_SKIP_SUFFIXES = {".md", ".rst", ".py", ".json", ".skops", ".gz", ".zip"}


class CorpusError(ValueError):
    """A corpus file that cannot be read, with the reason in words."""


def _decode_line(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return line.decode("cp1252")
    except UnicodeDecodeError:  # one of the five bytes cp1252 leaves undefined
        return line.decode("latin-1")


def _decode(data: bytes, errors: str = "strict") -> str:
    """Return the text of a file's bytes with Unix line ends (see the module docstring)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors=errors)
    else:
        data = data.removeprefix(codecs.BOM_UTF8)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = "\n".join(_decode_line(line) for line in data.split(b"\n"))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_text(path: Path) -> str:
    try:
        return _decode(path.read_bytes())
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: not valid UTF-16 ({exc.reason} at byte {exc.start})") from None


def detect_format(path: Path) -> str | None:
    """Return 'csv', 'youtube', 'tsv', 'wxr' or None, from the first bytes of the file."""
    try:
        with open(path, "rb") as fh:
            head = _decode(fh.read(4096), errors="replace")
    except OSError:
        return None
    stripped = head.lstrip()
    if stripped.startswith("<?xml") or stripped.startswith("<rss"):
        return "wxr" if "wordpress.org/export" in head else None
    first = stripped.splitlines()[0] if stripped else ""
    columns = {c.strip().strip('"').lower() for c in next(csv.reader([first]), [])}
    if {"comment_id", "author", "content", "class"} <= columns:
        return "youtube"
    if _text_and_label(columns) is not None:
        return "csv"
    label = first.split("\t", 1)[0].strip().lower()
    if "\t" in first and label in ("spam", "ham"):
        return "tsv"
    return None


def _text_and_label(columns: Iterable[str]) -> tuple[str, str] | None:
    """Return the names of a CSV's text and label columns (TEXT_COLUMNS, LABEL_COLUMNS), or None."""
    names = set(columns)
    text = next((c for c in TEXT_COLUMNS if c in names), None)
    label = next((c for c in LABEL_COLUMNS if c in names), None)
    if text is not None and label is not None:
        return text, label
    return ("v2", "v1") if {"v1", "v2"} <= names else None


def _label(value: str, where: str) -> int:
    try:
        return _LABELS[value.strip().lower()]
    except KeyError:
        what = f"unknown label {value!r}" if value.strip() else "no label"
        raise CorpusError(f"{where}: {what} (expected spam/ham or 1/0)") from None


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row keyed by lower-case column name) for each CSV row not blank."""
    text = _read_text(path)
    # csv refuses fields over 128 KiB; a pasted essay may be longer, never longer than the file.
    csv.field_size_limit(max(csv.field_size_limit(), len(text)))
    # strict: an unclosed quote is an error, not the rest of the file read as one field.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, and the rows of empty cells Excel leaves at the end
            if header is None:
                header = [cell.strip().lower() for cell in cells]
                continue
            yield reader.line_num, dict(zip(header, cells, strict=False))
    except csv.Error as exc:
        raise CorpusError(f"{path}:{reader.line_num}: malformed CSV ({exc})") from None


def _read_csv(path: Path, source: str) -> list[Example]:
    out = []
    columns: tuple[str, str] | None = None
    for i, row in _csv_rows(path):
        columns = columns or _text_and_label(row) or ("text", "label")
        text, label = columns
        comment = CommentInput(
            content=row.get(text, ""),
            author_name=row.get("author_name", ""),
            author_email=row.get("author_email", ""),
            author_url=row.get("author_url", ""),
        )
        out.append(Example(comment, _label(row.get(label, ""), f"{path}:{i}"), source=source))
    return out


def _read_youtube(path: Path, source: str) -> list[Example]:
    out = []
    for i, row in _csv_rows(path):
        content = row.get("content", "").rstrip("\ufeff")
        comment = CommentInput(content=content, author_name=row.get("author", ""))
        out.append(Example(comment, _label(row.get("class", ""), f"{path}:{i}"), source=source))
    return out


def _read_tsv(path: Path, source: str) -> list[Example]:
    out = []
    # split("\n"), not splitlines(): a text may hold a form feed or U+2028, which end no line.
    for i, line in enumerate(_read_text(path).split("\n"), start=1):
        if not line.strip():
            continue
        label, tab, text = line.partition("\t")
        if not tab:
            raise CorpusError(f"{path}:{i}: no tab between the label and the text")
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


def load_file(path: str | Path, source: str | None = None) -> list[Example]:
    """Read one corpus file (source: `source`, else the file's stem); CorpusError if unknown."""
    path = Path(path)
    kind = detect_format(path)
    if kind is None and path.is_file() and not path.stat().st_size:
        raise CorpusError(f"{path}: empty file")
    if kind is None:
        raise CorpusError(
            f"{path}: unknown corpus format (expected a CSV with a text and a label column, "
            "YouTube CSV, label<TAB>text or WordPress WXR)"
        )
    return _READERS[kind](path, source or path.stem)


def _files(folder: Path, skipped: list[Path] | None) -> Iterable[Path]:
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if not path.is_file() or any(part.startswith(".") for part in rel.parts):
            continue
        if path.name.upper().startswith("README") or path.suffix.lower() in _SKIP_SUFFIXES:
            continue
        if detect_format(path) is not None:
            yield path
        elif skipped is not None:
            skipped.append(path)


def load_corpus(paths: Iterable[str | Path], skipped: list[Path] | None = None) -> list[Example]:
    """Read files and folders (every recognised corpus file inside, recursively) in order.

    A folder's files are sources named by their path in it (`en/comments`: two files of one
    name are two sources). Its files of unknown format are left out, and added to `skipped`.
    """
    out: list[Example] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for file in _files(path, skipped):
                out.extend(load_file(file, file.relative_to(path).with_suffix("").as_posix()))
        elif path.is_file():
            out.extend(load_file(path))
        else:
            raise CorpusError(f"{path}: no such file or folder")
    return out
