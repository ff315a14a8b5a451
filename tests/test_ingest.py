"""Tests of syndicate.ingest: every skip reason, metadata sources, formats, determinism."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

import syndicate.ingest as ingest
from syndicate.config import IngestConfig
from syndicate.errors import ConfigError, InputError
from syndicate.ingest import read_corpus
from syndicate.types import SKIP_REASONS, Article, IngestResult, Skipped

BODY = "The council approved the budget on Monday after a long debate.\n\nIt passed 7-2."

ARTICLE_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Harbour bridge reopens after repairs | The Coastal Herald</title>
<meta property="og:site_name" content="The Coastal Herald">
<meta property="og:title" content="Harbour bridge reopens after repairs">
<meta property="og:url" content="https://coastalherald.example/news/bridge-reopens">
<meta property="article:published_time" content="2024-03-14T08:30:00Z">
<meta name="author" content="Jane Doe">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li></ul></nav>
<article>
<h1>Harbour bridge reopens after repairs</h1>
<p>The harbour bridge reopened to traffic on Thursday morning after six months of repairs
that cost the city more than 40 million dollars, officials said.</p>
<p>“We are delighted to see the bridge open again,” said Mayor Alice Brown, who cut a
ribbon at the northern end of the span shortly after dawn.</p>
<p>Engineers replaced corroded cables and resurfaced the deck, which carries about
60,000 vehicles a day between the port and the city centre.</p>
<p>Commuters welcomed the news. Many had faced detours of up to an hour while the bridge
was closed, and local businesses reported falling trade.</p>
</article>
<footer><p>© 2024 The Coastal Herald. All rights reserved.</p>
<a href="/privacy">Privacy policy</a> <a href="/subscribe">Subscribe now</a></footer>
</body></html>
"""


def _write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _read(path: Path, **options: Any) -> IngestResult:
    return read_corpus(path, IngestConfig(**options))


def _only_skip(result: IngestResult) -> Skipped:
    assert not result.articles
    (skipped,) = result.skipped
    assert skipped.reason in SKIP_REASONS
    return skipped


# --- paths ---------------------------------------------------------------------------------


def test_missing_path_raises(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(InputError) as info:
        _read(missing)
    assert str(info.value) == f"input path does not exist: {missing}"


def test_neither_file_nor_folder_raises(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="neither a file nor a folder"):
        _read(fifo)


def test_bad_fallback_encoding_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="fallback_encoding"):
        _read(tmp_path, fallback_encoding="no-such-codec")


def test_folder_ids_and_formats(tmp_path: Path) -> None:
    _write(tmp_path / "b.txt", BODY)
    _write(tmp_path / "sub" / "001_abc.md", "# Title\n\n" + BODY)
    _write(tmp_path / ".hidden.txt", BODY)
    _write(tmp_path / ".git" / "x.txt", BODY)
    result = _read(tmp_path)
    assert [(a.id, a.path, a.format, a.span_basis) for a in result.articles] == [
        ("b", "b.txt", "txt", "file"),
        ("sub/001_abc", "sub/001_abc.md", "md", "file"),
    ]
    assert result.articles[0].text == BODY
    assert result.skipped == ()
    assert result.files_seen == 2


def test_single_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "one.txt", BODY)
    result = _read(path)
    assert [a.id for a in result.articles] == ["one"]
    assert result.files_seen == 1


def test_zero_articles_is_not_an_error(tmp_path: Path) -> None:
    _write(tmp_path / "a.pdf", b"%PDF")
    result = _read(tmp_path)
    assert result.articles == ()
    assert [s.reason for s in result.skipped] == ["unsupported"]
    assert _read(tmp_path / "a.pdf").files_seen == 1


# --- skip reasons --------------------------------------------------------------------------


def test_binary_nul(tmp_path: Path) -> None:
    skipped = _only_skip(_read(_write(tmp_path / "a.txt", b"abc\x00def" * 10)))
    assert (skipped.path, skipped.reason) == ("a.txt", "binary")


def test_binary_control_share(tmp_path: Path) -> None:
    skipped = _only_skip(_read(_write(tmp_path / "a.txt", bytes(range(1, 32)) * 20 + b"text")))
    assert skipped.reason == "binary"


def test_empty(tmp_path: Path) -> None:
    _write(tmp_path / "a.txt", " \n\t\r\n")
    _write(tmp_path / "b.txt", b"")
    _write(tmp_path / "c.txt", "\u200b\n")
    result = _read(tmp_path)
    assert [(s.path, s.reason) for s in result.skipped] == [
        ("a.txt", "empty"),
        ("b.txt", "empty"),
        ("c.txt", "empty"),
    ]


def test_too_large(tmp_path: Path) -> None:
    _write(tmp_path / "a.txt", "x" * 101)
    _write(tmp_path / "b.txt", "x" * 100)
    result = _read(tmp_path, max_bytes=100)
    assert [a.id for a in result.articles] == ["b"]
    assert [(s.path, s.reason) for s in result.skipped] == [("a.txt", "too_large")]
    assert "101 bytes" in result.skipped[0].detail


def test_too_large_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path / "a.txt", "x" * 1000)

    def no_open(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a too large file must not be opened")

    monkeypatch.setattr(ingest, "open", no_open, raising=False)
    assert _only_skip(_read(tmp_path, max_bytes=10)).reason == "too_large"


def test_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "a.txt", BODY)
    _write(tmp_path / "b.txt", BODY)
    if os.geteuid() != 0:
        path.chmod(0)
    else:  # root reads anything: simulate the permission error
        real_open = open

        def fake_open(file: Any, *args: Any, **kwargs: Any) -> Any:
            if Path(file).name == "a.txt":
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(ingest, "open", fake_open, raising=False)
    try:
        result = _read(tmp_path)
    finally:
        path.chmod(0o644)
    assert [a.id for a in result.articles] == ["b"]
    assert [(s.path, s.reason, s.detail) for s in result.skipped] == [
        ("a.txt", "unreadable", "Permission denied")
    ]


def test_undecodable_and_fallback(tmp_path: Path) -> None:
    _write(tmp_path / "cp.txt", "café – naïve".encode("cp1252"))
    _write(tmp_path / "bad.txt", b"caf\xe9 \x81\x8d\x8f\x90\x9d")
    _write(tmp_path / "bom.txt", b"\xef\xbb\xbfhello")
    result = _read(tmp_path)
    by_id = {a.id: a for a in result.articles}
    assert by_id["cp"].text == "café – naïve" and by_id["cp"].encoding == "cp1252"
    assert by_id["bom"].text == "hello" and by_id["bom"].encoding == "utf-8-sig"
    (skipped,) = result.skipped
    assert (skipped.path, skipped.reason) == ("bad.txt", "undecodable")
    assert "not UTF-8" in skipped.detail and "cp1252" in skipped.detail


def test_unsupported(tmp_path: Path) -> None:
    _write(tmp_path / "a.docx", b"PK")
    _write(tmp_path / "README", "text")
    result = _read(tmp_path)
    assert [(s.path, s.reason) for s in result.skipped] == [
        ("README", "unsupported"),
        ("a.docx", "unsupported"),
    ]
    assert "'.docx'" in result.skipped[1].detail


def test_extensions_config_limits_what_is_read(tmp_path: Path) -> None:
    _write(tmp_path / "a.md", BODY)
    _write(tmp_path / "b.txt", BODY)
    result = _read(tmp_path, extensions=(".txt",))
    assert [a.id for a in result.articles] == ["b"]
    assert [s.reason for s in result.skipped] == ["unsupported"]


def test_invalid_records(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "ok", "text": BODY}),
        "{not json",
        json.dumps({"text": BODY}),
        json.dumps({"id": "no-text"}),
        json.dumps({"id": "t", "text": ""}),
        json.dumps({"id": True, "text": BODY}),
        json.dumps(["a", "list"]),
        "",
        json.dumps({"id": 7, "text": BODY}),
    ]
    _write(tmp_path / "r.jsonl", "\n".join(lines) + "\n")
    result = _read(tmp_path)
    assert [a.id for a in result.articles] == ["7", "ok"]
    assert [(s.path, s.reason) for s in result.skipped] == [
        ("r.jsonl:2", "invalid_record"),
        ("r.jsonl:3", "invalid_record"),
        ("r.jsonl:4", "invalid_record"),
        ("r.jsonl:5", "invalid_record"),
        ("r.jsonl:6", "invalid_record"),
        ("r.jsonl:7", "invalid_record"),
    ]
    assert result.skipped[1].detail.startswith("line 3 lacks 'id'")
    assert "invalid JSON" in result.skipped[0].detail


def test_invalid_json_file(tmp_path: Path) -> None:
    _write(tmp_path / "a.json", "{broken")
    _write(tmp_path / "b.json", "42")
    result = _read(tmp_path)
    assert [(s.path, s.reason) for s in result.skipped] == [
        ("a.json", "invalid_record"),
        ("b.json", "invalid_record"),
    ]


def test_duplicate_id_first_in_sorted_order_wins(tmp_path: Path) -> None:
    _write(tmp_path / "a.md", "markdown wins")
    _write(tmp_path / "a.txt", "text loses")
    _write(tmp_path / "z.jsonl", json.dumps({"id": "a", "text": "record loses"}) + "\n")
    result = _read(tmp_path)
    assert [(a.id, a.text) for a in result.articles] == [("a", "markdown wins")]
    assert [(s.path, s.reason) for s in result.skipped] == [
        ("a.txt", "duplicate_id"),
        ("z.jsonl:1", "duplicate_id"),
    ]
    assert "already taken by a.md" in result.skipped[0].detail


def test_no_article_text(tmp_path: Path) -> None:
    page = "<html><head><title>Menu</title></head><body><nav></nav><div></div></body></html>"
    skipped = _only_skip(_read(_write(tmp_path / "p.html", page)))
    assert (skipped.path, skipped.reason) == ("p.html", "no_article_text")


def test_every_skip_reason_is_reachable(tmp_path: Path) -> None:
    _write(tmp_path / "binary.txt", b"\x00\x01")
    _write(tmp_path / "empty.txt", "  ")
    _write(tmp_path / "large.txt", "x" * 5000)
    _write(tmp_path / "undecodable.txt", b"\x81\x8d")
    _write(tmp_path / "unsupported.pdf", b"%PDF")
    _write(
        tmp_path / "records.jsonl", '{"id": "dup", "text": "a"}\n{"id": "dup", "text": "b"}\n{}\n'
    )
    _write(tmp_path / "page.html", "<html><body><nav></nav></body></html>")
    result = _read(tmp_path, max_bytes=1000)
    reasons = {s.reason for s in result.skipped}
    assert reasons == set(SKIP_REASONS) - {"unreadable"}


# --- JSON and JSONL ------------------------------------------------------------------------


def test_jsonl_records_with_metadata(tmp_path: Path) -> None:
    records = [
        {
            "id": "r1",
            "text": BODY,
            "title": " Budget passes ",
            "url": "https://example.org/r1",
            "publisher": "Example Times",
            "author": ["A. Writer", "B. Writer"],
            "published": "2024-03-14T08:30:00Z",
        },
        {"id": "r2", "text": BODY, "published": "last Tuesday"},
    ]
    _write(tmp_path / "feed.jsonl", "\ufeff" + "\n".join(json.dumps(r) for r in records))
    r1, r2 = _read(tmp_path).articles
    assert r1 == Article(
        id="r1",
        path="feed.jsonl",
        text=BODY,
        span_basis="record_text",
        encoding="utf-8-sig",
        title="Budget passes",
        publisher="Example Times",
        author="A. Writer, B. Writer",
        url="https://example.org/r1",
        published="2024-03-14T08:30:00Z",
        published_source="record",
        format="jsonl",
    )
    assert r2.published is None and r2.published_source is None


def test_jsonl_line_too_large_and_empty_file(tmp_path: Path) -> None:
    big = json.dumps({"id": "big", "text": "x" * 500})
    small = json.dumps({"id": "small", "text": "fine"})
    _write(tmp_path / "a.jsonl", f"{big}\n{small}\n")
    _write(tmp_path / "b.jsonl", "\n\n")
    result = _read(tmp_path, max_bytes=200)
    assert [a.id for a in result.articles] == ["small"]
    assert [(s.path, s.reason) for s in result.skipped] == [
        ("a.jsonl:1", "too_large"),
        ("b.jsonl", "empty"),
    ]


def test_jsonl_skips_sort_by_line_number(tmp_path: Path) -> None:
    lines = [json.dumps({"id": str(i), "text": "t"}) if i % 5 else "{bad" for i in range(1, 13)]
    _write(tmp_path / "a.jsonl", "\n".join(lines))
    skipped = _read(tmp_path).skipped
    assert [s.path for s in skipped] == ["a.jsonl:5", "a.jsonl:10"]


def test_json_file_object_and_list(tmp_path: Path) -> None:
    _write(tmp_path / "one.json", json.dumps({"id": 1, "text": BODY, "title": "One"}))
    _write(tmp_path / "many.json", json.dumps([{"id": "m1", "text": BODY}, {"id": "m2"}]))
    result = _read(tmp_path)
    assert [(a.id, a.path, a.format, a.title) for a in result.articles] == [
        ("1", "one.json", "json", "One"),
        ("m1", "many.json", "json", None),
    ]
    assert [(s.path, s.reason) for s in result.skipped] == [("many.json[1]", "invalid_record")]


# --- HTML ----------------------------------------------------------------------------------


def test_html_page_with_metadata(tmp_path: Path) -> None:
    (article,) = _read(_write(tmp_path / "news" / "bridge.html", ARTICLE_HTML)).articles
    assert article.id == "bridge"
    assert article.format == "html" and article.span_basis == "extracted_text"
    assert article.title == "Harbour bridge reopens after repairs"
    assert article.publisher == "The Coastal Herald"
    assert article.author == "Jane Doe"
    assert article.url == "https://coastalherald.example/news/bridge-reopens"
    assert article.published == "2024-03-14"
    assert article.published_source == "html_meta"
    paragraphs = article.text.split("\n\n")
    assert any(p.startswith("The harbour bridge reopened") for p in paragraphs)
    assert any(p.startswith("Commuters welcomed the news.") for p in paragraphs)
    for chrome in ("Privacy policy", "Subscribe now", "All rights reserved", "Weather"):
        assert chrome not in article.text


def test_html_logging_stays_quiet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path / "a.html", "<html><body><nav></nav></body></html>")
    _write(tmp_path / "b.html", "https://example.org/not-html")
    result = _read(tmp_path)
    assert {s.reason for s in result.skipped} == {"no_article_text"}
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_html_declared_charset(tmp_path: Path) -> None:
    page = ARTICLE_HTML.replace('charset="utf-8"', 'charset="iso-8859-1"').replace("“", '"')
    page = page.replace("”", '"').replace("©", "(c)") + "<!-- café -->"
    (article,) = _read(_write(tmp_path / "p.htm", page.encode("latin-1"))).articles
    assert article.encoding == "iso8859-1"


# --- sidecar metadata ----------------------------------------------------------------------


def test_sidecar_csv(tmp_path: Path) -> None:
    _write(tmp_path / "sub" / "a.txt", BODY)
    _write(tmp_path / "b.md", BODY)
    _write(tmp_path / "page.html", ARTICLE_HTML)
    _write(
        tmp_path / "meta.csv",
        "file,id,title,publisher,author,url,published\n"
        "sub/a.txt,,Title A,Pub A,Ann,https://a.example/1,2024-01-02\n"
        ",b,Title B,,,,\n"
        "page.html,,,Override Herald,,,2024-03-01T10:00:00+01:00\n",
    )
    result = _read(tmp_path, metadata_file=str(tmp_path / "meta.csv"))
    assert result.files_seen == 3 and result.skipped == ()
    by_id = {a.id: a for a in result.articles}
    a = by_id["sub/a"]
    assert (a.title, a.publisher, a.author, a.url) == (
        "Title A",
        "Pub A",
        "Ann",
        "https://a.example/1",
    )
    assert (a.published, a.published_source) == ("2024-01-02", "sidecar")
    assert (by_id["b"].title, by_id["b"].published) == ("Title B", None)
    page = by_id["page"]
    assert (
        page.publisher == "Override Herald" and page.title == "Harbour bridge reopens after repairs"
    )
    assert (page.published, page.published_source) == ("2024-03-01T10:00:00+01:00", "sidecar")


def test_sidecar_jsonl_relative_to_folder(tmp_path: Path) -> None:
    _write(tmp_path / "a.txt", BODY)
    _write(tmp_path / "meta.jsonl", json.dumps({"id": "a", "title": "From JSONL"}) + "\n")
    result = _read(tmp_path, metadata_file="meta.jsonl")
    assert [(a.id, a.title) for a in result.articles] == [("a", "From JSONL")]
    assert result.files_seen == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("meta.csv", "title,url\nx,y\n", "needs a 'file' or 'id' column"),
        ("meta.csv", "", "needs a 'file' or 'id' column"),
        ("meta.jsonl", "{oops\n", "line 1 is not valid JSON"),
        ("meta.jsonl", '{"title": "x"}\n', "neither 'file' nor 'id'"),
        ("meta.csv", "id,published\na,yesterday\n", "not an ISO 8601 date"),
        ("meta.xml", "<x/>", "must be .csv or .jsonl"),
        ("meta.csv", b"id,title\na,\xff\xfe\n", "cannot read metadata file"),
    ],
)
def test_bad_sidecar_raises(tmp_path: Path, name: str, content: str | bytes, message: str) -> None:
    _write(tmp_path / "in" / "a.txt", BODY)
    sidecar = _write(tmp_path / name, content)
    with pytest.raises(InputError, match=message) as info:
        _read(tmp_path / "in", metadata_file=str(sidecar))
    assert "\n" not in str(info.value)


def test_missing_sidecar_raises(tmp_path: Path) -> None:
    _write(tmp_path / "a.txt", BODY)
    with pytest.raises(InputError) as info:
        _read(tmp_path, metadata_file="nope.csv")
    assert str(info.value) == "metadata file does not exist: nope.csv"


# --- determinism ---------------------------------------------------------------------------


def _corpus_files() -> dict[str, str | bytes]:
    return {
        "b/2.txt": BODY,
        "a.txt": BODY + " a",
        "dup.txt": "first",
        "dup.md": "markdown first",
        "x.jsonl": json.dumps({"id": "dup", "text": "r"}) + "\n{bad\n",
        "bad.bin.txt": b"\x00\x00",
        "c/3.md": BODY,
        "z.pdf": b"%PDF",
    }


@pytest.mark.parametrize("order", [1, -1])
def test_order_independent(tmp_path: Path, order: int) -> None:
    files = _corpus_files()
    first, second = tmp_path / "one", tmp_path / "two"
    for name in sorted(files):
        _write(first / name, files[name])
    for name in sorted(files, reverse=order < 0, key=lambda n: (len(n), n)):
        _write(second / name, files[name])
    one, two = _read(first), _read(second)
    assert one == two
    assert [a.id for a in one.articles] == sorted(a.id for a in one.articles)
    assert one.files_seen == len(files)
    shutil.rmtree(second)
