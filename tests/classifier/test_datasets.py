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


def test_sms_collection_loads_with_its_latin1_bytes_crlf_and_odd_characters(
    tmp_path: Path,
) -> None:
    sms = tmp_path / "SMSSpamCollection"  # as downloaded from UCI: no extension
    sms.write_bytes(
        b"ham\tGo until jurong point, crazy..\r\n"
        + "spam\tWINNER!! a \u00a3900 prize reward!\r\n".encode()
        + b"spam\tURGENT! You have won a \xa31000 cash prize\r\n"  # a latin-1 pound sign
        + b'ham\tHe said "I\'ll be there"\tthen left\r\n'
        + "ham\tpage\x0cbreak and line\u2028separator\r\n".encode()  # end no line
        + b"\r\n"
    )
    rows = load_file(sms)
    assert [r.label for r in rows] == [0, 1, 1, 0, 0]
    assert rows[1].comment.content == "WINNER!! a \u00a3900 prize reward!"
    assert rows[2].comment.content == "URGENT! You have won a \u00a31000 cash prize"
    assert rows[3].comment.content == 'He said "I\'ll be there"\tthen left'
    assert rows[4].comment.content == "page\x0cbreak and line\u2028separator"
    assert rows[0].source == "SMSSpamCollection"
    sms.write_bytes(b"ham\tfine\nspam text with no tab\n")
    with pytest.raises(CorpusError, match=r"SMSSpamCollection:2: no tab"):
        load_file(sms)


def test_csv_saved_by_excel_as_cp1252_or_utf16_loads(tmp_path: Path) -> None:
    text = 'text,label,author_name\r\n"Tr\u00e8s bon, merci",ham,H\u00e9l\u00e8ne\r\n'
    text += '"Gagnez 1000\u20ac \u2013 cliquez",spam,Promo\r\n'
    for name, encoding in (("excel.csv", "cp1252"), ("unicode.csv", "utf-16")):
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        rows = load_file(path)
        assert [r.label for r in rows] == [0, 1], name
        assert rows[0].comment.author_name == "H\u00e9l\u00e8ne"
        assert rows[1].comment.content == "Gagnez 1000\u20ac \u2013 cliquez"


def test_csv_blank_rows_are_skipped_and_errors_name_the_right_line(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(
        b"\xef\xbb\xbf\r\n\r\n Text , LABEL ,extra\r\n"  # BOM, blank lines, extra column
        b'"two\r\nlines",Spam,x\r\n"plain",HAM\r\n"w",1\r\n"x",0\r\n,,\r\n,,\r\n'
    )
    rows = load_file(path)
    assert [r.label for r in rows] == [1, 0, 1, 0]
    assert rows[0].comment.content == "two\nlines"
    path.write_text('text,label\n"two\nlines",spam\n"no label",\n')
    with pytest.raises(CorpusError, match=r"c\.csv:4: no label"):
        load_file(path)


def test_csv_with_an_unclosed_quote_is_refused_not_swallowed(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text('text,label\n"unclosed,ham\n"casino http://x.xyz",spam\n"ok",ham\n')
    with pytest.raises(CorpusError, match=r"c\.csv:3: malformed CSV"):
        load_file(path)


def test_csv_field_longer_than_csv_default_limit_loads(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text('text,label\n"' + "word " * 60_000 + '",spam\n"short",ham\n')
    rows = load_file(path)
    assert [r.label for r in rows] == [1, 0] and len(rows[0].comment.content) == 300_000


def test_youtube_csv_header_is_read_in_any_case(fixtures: Path, tmp_path: Path) -> None:
    text = (fixtures / "youtube.csv").read_text(encoding="utf-8")
    path = tmp_path / "yt.csv"
    header = "COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS"
    path.write_text(text.replace(header, header.lower()))
    rows = load_file(path)
    assert [r.label for r in rows] == [1, 0, 1, 0]
    assert rows[0].comment.author_name == "Julius NM"


def test_wxr_of_every_version_and_with_control_characters_loads(
    fixtures: Path, tmp_path: Path
) -> None:
    text = (fixtures / "export.wxr").read_text(encoding="utf-8")
    for version in ("1.0", "1.1"):
        path = tmp_path / f"export-{version}.xml"
        path.write_text(text.replace("export/1.2/", f"export/{version}/"), encoding="utf-8")
        assert [r.label for r in load_file(path)] == [1, 0], version
    path = tmp_path / "control.xml"
    path.write_text(text.replace("Nice post!", "Nice\x0b post!\x1f"), encoding="utf-8")
    assert load_file(path)[0].comment.content.startswith("Nice post! Buy")


def test_folder_sources_are_relative_paths_and_unknown_files_are_listed(
    fixtures: Path, tmp_path: Path
) -> None:
    for sub in ("en", "fr"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "comments.csv").write_bytes((fixtures / "comments.csv").read_bytes())
    (tmp_path / "semicolons.csv").write_text("text;label\nhello;ham\n")
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (tmp_path / "README").write_text("about this corpus\n")
    skipped: list[Path] = []
    rows = load_corpus([tmp_path], skipped)
    assert sorted({r.source for r in rows}) == ["en/comments", "fr/comments"]
    assert len(rows) == 72
    assert [p.name for p in skipped] == ["empty.csv", "semicolons.csv"]
    with pytest.raises(CorpusError, match="empty.csv: empty file"):
        load_file(tmp_path / "empty.csv")


@pytest.mark.parametrize(
    ("header_and_rows", "labels"),
    [
        # Kaggle's SMS Spam Collection: v1 (label), v2 (text), then empty columns; latin-1 bytes.
        (
            "v1,v2,,,\r\nham,Ok lar... see u at 5,,,\r\nspam,Txt WIN to 80086 for \xa31000,,,\r\n",
            [0, 1],
        ),
        ("Category,Message\nham,On my way\nspam,Claim your prize now\n", [0, 1]),
        ("message,is_spam\nOn my way,0\nClaim your prize now,1\n", [0, 1]),
        ("id,comment_content,class\n7,Bravo !,ham\n8,casino en ligne,spam\n", [0, 1]),
    ],
)
def test_other_corpora_csv_column_names_are_read(
    tmp_path: Path, header_and_rows: str, labels: list[int]
) -> None:
    path = tmp_path / "corpus.csv"
    path.write_bytes(header_and_rows.encode("latin-1"))
    rows = load_file(path)
    assert [r.label for r in rows] == labels
    assert rows[1].comment.content in {
        "Txt WIN to 80086 for £1000",
        "Claim your prize now",
        "casino en ligne",
    }


def test_a_csv_without_a_label_column_is_still_unknown(tmp_path: Path) -> None:
    path = tmp_path / "comments.csv"
    path.write_text("id,comment,author\n1,Bravo,Awa\n")
    with pytest.raises(CorpusError, match="unknown corpus format"):
        load_file(path)
    lone = tmp_path / "lone.csv"
    lone.write_text("v1,text\nham,hello\n")  # v1 counts only beside v2
    with pytest.raises(CorpusError, match="unknown corpus format"):
        load_file(lone)
