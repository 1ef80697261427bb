"""Corpus loaders: each format read by content, folders walked, unknown files refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier.datasets import CorpusError, detect_format, load_corpus, load_file


def test_formats_are_detected_by_content(fixtures: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "renamed.data"
    renamed.write_bytes((fixtures / "sms.tsv").read_bytes())
    assert detect_format(fixtures / "comments.csv") == "csv"
    assert detect_format(fixtures / "youtube.csv") == "youtube"
    assert detect_format(renamed) == "tsv"
    assert detect_format(fixtures / "export.wxr") == "wxr"
    assert detect_format(fixtures / "README.md") is None


def test_text_label_csv_reads_author_columns(fixtures: Path) -> None:
    rows = load_file(fixtures / "comments.csv")
    assert len(rows) == 36
    assert sum(r.label for r in rows) == 18
    first = rows[0]
    assert first.comment.author_name == "Best Casino Bonus"
    assert first.comment.author_email == "promo@yopmail.com"
    assert first.comment.author_url == "http://casino-bonus.xyz"
    assert first.source == "comments"


def test_youtube_csv_keeps_content_author_and_class_only(fixtures: Path) -> None:
    rows = load_file(fixtures / "youtube.csv")
    assert [r.label for r in rows] == [1, 0, 1, 0]
    assert rows[0].comment.author_name == "Julius NM"
    assert rows[3].comment.content == "wierd but funny\nsecond line"
    assert not rows[1].comment.content.endswith("\ufeff")
    assert all("2013" not in str(r.comment.to_dict()) for r in rows)  # DATE is never read


def test_tsv_reads_spam_and_ham_lines(fixtures: Path) -> None:
    rows = load_file(fixtures / "sms.tsv")
    assert [r.label for r in rows] == [0, 1, 0, 1]
    assert rows[1].comment.content.startswith("WINNER!!")


def test_wxr_keeps_spam_and_approved_and_skips_the_rest(fixtures: Path) -> None:
    rows = load_file(fixtures / "export.wxr")
    assert [r.label for r in rows] == [1, 0]
    spam = rows[0].comment
    assert spam.author_url == "http://replica-watches.xyz"
    assert spam.author_ip == "203.0.113.5"
    assert spam.permalink == "https://blog.example.fr/2024/hello/"
    assert spam.language == "fr-FR"


def test_folder_reads_every_corpus_and_skips_readme_and_unknown(fixtures: Path) -> None:
    rows = load_corpus([fixtures])
    assert sorted({r.source for r in rows}) == ["comments", "export", "sms", "youtube"]
    assert len(rows) == 36 + 4 + 4 + 2


def test_unknown_or_missing_files_are_refused_with_a_message(
    fixtures: Path, tmp_path: Path
) -> None:
    with pytest.raises(CorpusError, match="unknown corpus format"):
        load_corpus([fixtures / "notes.txt"])
    with pytest.raises(CorpusError, match="no such file"):
        load_corpus([tmp_path / "absent.csv"])
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\nhello,maybe\n")
    with pytest.raises(CorpusError, match="unknown label 'maybe'"):
        load_corpus([bad])
