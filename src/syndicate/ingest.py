"""Reading the input: a folder or one file -> Articles, and why anything else was skipped.

Every file looked at ends up either as one or more ``Article`` or as a
``Skipped`` entry with one of ``types.SKIP_REASONS``. Files are read in sorted
order of their relative path, so which of two documents with the same id wins
(the first) never depends on the filesystem.

Formats, by extension (only those in ``IngestConfig.extensions`` are read):

- ``.txt``, ``.md`` (and any other listed extension): plain text, span basis
  ``"file"``; metadata only from the sidecar file.
- ``.html``, ``.htm``: main text, title, site name, author, date and URL
  extracted with trafilatura (span basis ``"extracted_text"``; its blocks are
  separated by blank lines). The page is parsed here and trafilatura only ever
  sees the parsed tree, so it never touches the network.
- ``.jsonl``: one JSON object per line with ``id`` and ``text`` (and optionally
  ``title``, ``url``, ``publisher``, ``author``, ``published``), streamed line
  by line; ``max_bytes`` applies to each line, not to the file. Skipped records
  are named ``"file.jsonl:LINE"`` (1-based).
- ``.json``: one such object, or a list of them (skipped items are named
  ``"file.json[INDEX]"``, 0-based).

A record's ``published`` that is not an ISO 8601 date is dropped (the record is
kept). Files and folders whose name starts with ``"."`` are ignored entirely.
"""

from __future__ import annotations

import codecs
import csv
import json
import logging
import os
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from .config import IngestConfig
from .errors import ConfigError, InputError
from .types import Article, IngestResult, Skipped

__all__ = ["read_corpus", "record_article"]

_BOM = codecs.BOM_UTF8
_SNIFF_BYTES = 8192
_MAX_CONTROL_SHARE = 0.10
_CONTROL_BYTES = frozenset(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D, 0x1B} | {0x7F}
_HTML_EXTENSIONS = (".html", ".htm")
_JSONL_EXTENSIONS = (".jsonl", ".ndjson")
_META_FIELDS = ("title", "publisher", "author", "url", "published")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_VISIBLE = re.compile(r"[^\s\u200b-\u200d\u2060\ufeff\u00ad]")


@dataclass(frozen=True, slots=True)
class _Sidecar:
    """Metadata rows keyed by relative file path (with extension) and by id."""

    by_file: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    by_id: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def lookup(self, rel: str, article_id: str) -> Mapping[str, str]:
        """The metadata for a file: by its path first, else by its id."""
        return self.by_file.get(rel) or self.by_id.get(article_id) or {}


@dataclass(slots=True)
class _Collector:
    """Accumulates articles and skipped inputs; the first document to take an id keeps it."""

    articles: list[Article] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    taken: dict[str, str] = field(default_factory=dict)

    def skip(self, where: str, reason: str, detail: str = "") -> None:
        self.skipped.append(Skipped(path=where, reason=reason, detail=detail))

    def add(self, article: Article, where: str) -> None:
        first = self.taken.get(article.id)
        if first is not None:
            self.skip(where, "duplicate_id", f"id {article.id!r} already taken by {first}")
            return
        self.taken[article.id] = where
        self.articles.append(article)


def read_corpus(path: str | os.PathLike[str], config: IngestConfig) -> IngestResult:
    """Read a folder (recursively) or a single file into articles.

    Args:
        path: a folder, or one ``.txt``/``.md``/``.html``/``.json``/``.jsonl`` file.
        config: the ingest stage's config.

    Returns:
        The articles sorted by id, the skipped files and records sorted by path
        (records of one file in line order), and how many files were looked at
        (dot-files and the sidecar metadata file are not counted). Zero articles
        is not an error here.

    Raises:
        InputError: the path does not exist or is neither file nor folder, or the
            sidecar metadata file is missing or malformed.
        ConfigError: ``fallback_encoding`` is not a known codec.

    Example:
        >>> from syndicate.config import IngestConfig
        >>> result = read_corpus("seeds", IngestConfig())  # doctest: +SKIP
        >>> [a.id for a in result.articles][:2]  # doctest: +SKIP
        ['000_4934db06a41ae9da', '001_837e0b8bdc2cf9e8']
    """
    _check_codec(config.fallback_encoding)
    collector = _Collector()
    root, files = _input_files(Path(path), collector)
    sidecar_path = _sidecar_path(config.metadata_file, root)
    sidecar = _read_sidecar(sidecar_path) if sidecar_path is not None else _Sidecar()
    if sidecar_path is not None:
        files = [f for f in files if not _same_file(f, sidecar_path)]
    for file in files:
        _read_file(file, file.relative_to(root).as_posix(), config, sidecar, collector)
    return IngestResult(
        articles=tuple(sorted(collector.articles, key=lambda a: a.id)),
        skipped=tuple(sorted(collector.skipped, key=_skip_order)),
        files_seen=len(files),
    )


# --- finding files -------------------------------------------------------------------------


def _input_files(path: Path, collector: _Collector) -> tuple[Path, list[Path]]:
    """The folder ids are relative to, and the files to read in sorted order."""
    if not path.exists():
        raise InputError(f"input path does not exist: {path}")
    if path.is_file():
        return path.parent, [path]
    if not path.is_dir():
        raise InputError(f"input path is neither a file nor a folder: {path}")
    found: list[tuple[str, Path]] = []

    def unreadable_folder(exc: OSError) -> None:
        where = Path(exc.filename).relative_to(path).as_posix() if exc.filename else str(path)
        collector.skip(where, "unreadable", exc.strerror or str(exc))

    for folder, dirs, names in os.walk(path, onerror=unreadable_folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if not name.startswith("."):
                file = Path(folder, name)
                found.append((file.relative_to(path).as_posix(), file))
    found.sort(key=lambda item: item[0])
    return path, [file for _, file in found]


def _skip_order(skipped: Skipped) -> tuple[str, int, str]:
    """Sort key of skipped inputs: by file, then record number (``a.jsonl:9`` before ``:10``)."""
    m = re.fullmatch(r"(.*?)(?::(\d+)|\[(\d+)\])", skipped.path)
    if m is None:
        return skipped.path, -1, skipped.reason
    return m.group(1), int(m.group(2) or m.group(3)), skipped.reason


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


# --- one file ------------------------------------------------------------------------------


def _read_file(
    file: Path, rel: str, config: IngestConfig, sidecar: _Sidecar, out: _Collector
) -> None:
    """Turn one file into articles (added to ``out``) or a skipped entry."""
    ext = file.suffix.lower()
    if ext not in config.extensions:
        listed = ", ".join(config.extensions)
        out.skip(rel, "unsupported", f"extension {ext or '(none)'!r} is not read; read: {listed}")
        return
    try:
        info = file.stat()
    except OSError as exc:
        out.skip(rel, "unreadable", exc.strerror or str(exc))
        return
    if not stat.S_ISREG(info.st_mode):
        out.skip(rel, "unsupported", "not a regular file")
        return
    if ext in _JSONL_EXTENSIONS:
        _read_jsonl(file, rel, config, out)
        return
    if info.st_size > config.max_bytes:
        out.skip(rel, "too_large", f"{info.st_size} bytes > max_bytes {config.max_bytes}")
        return
    data = _read_bytes(file, rel, config.max_bytes, out)
    if data is None:
        return
    if ext in _HTML_EXTENSIONS:
        decoded = _decode(data, config.fallback_encoding, declared=_declared_charset(data))
    else:
        decoded = _decode(data, config.fallback_encoding)
    if isinstance(decoded, _Undecodable):
        out.skip(rel, "undecodable", decoded.detail)
        return
    text, encoding = decoded
    if not _VISIBLE.search(text):
        out.skip(rel, "empty", "nothing but whitespace")
    elif ext == ".json":
        _add_json(text, rel, encoding, out)
    elif ext in _HTML_EXTENSIONS:
        _add_html(text, rel, encoding, sidecar, out)
    else:
        _add_plain(text, rel, encoding, sidecar, out)


def _read_bytes(file: Path, rel: str, max_bytes: int, out: _Collector) -> bytes | None:
    """The file's bytes, or None after recording why it is skipped."""
    try:
        with open(file, "rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as exc:
        out.skip(rel, "unreadable", exc.strerror or str(exc))
        return None
    if len(data) > max_bytes:
        out.skip(rel, "too_large", f"more than max_bytes {max_bytes} bytes")
        return None
    reason = _binary_reason(data)
    if reason:
        out.skip(rel, "binary", reason)
        return None
    return data


def _binary_reason(data: bytes) -> str:
    """Why the start of ``data`` looks binary, or ``""``."""
    sample = data[:_SNIFF_BYTES]
    if b"\x00" in sample:
        return "NUL bytes in the first 8 KB"
    controls = sum(sample.count(bytes([b])) for b in _CONTROL_BYTES if bytes([b]) in sample)
    if sample and controls / len(sample) > _MAX_CONTROL_SHARE:
        return f"{controls} control bytes in the first {len(sample)} bytes"
    return ""


@dataclass(frozen=True, slots=True)
class _Undecodable:
    detail: str


def _decode(
    data: bytes, fallback: str, declared: str | None = None
) -> tuple[str, str] | _Undecodable:
    """Decode as UTF-8 (a BOM is stripped: ``"utf-8-sig"``), the declared charset, or the fallback."""
    if data.startswith(_BOM):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        problem = f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
    for encoding in (declared, fallback):
        if encoding:
            try:
                return data.decode(encoding), codecs.lookup(encoding).name
            except (UnicodeDecodeError, LookupError):
                problem += f", not {encoding}"
    return _Undecodable(problem)


def _declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a ``<meta>`` near its start, if any."""
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii") if m else None


def _check_codec(name: str) -> None:
    try:
        codecs.lookup(name)
    except LookupError:
        raise ConfigError(
            f"fallback_encoding must be a known codec; got {name!r} (e.g. 'cp1252', 'latin-1')"
        ) from None


# --- plain text ----------------------------------------------------------------------------


def _add_plain(text: str, rel: str, encoding: str, sidecar: _Sidecar, out: _Collector) -> None:
    article_id = _file_id(rel)
    meta = _sidecar_fields(sidecar.lookup(rel, article_id))
    fmt = "md" if rel.lower().endswith((".md", ".markdown")) else "txt"
    out.add(Article(id=article_id, path=rel, text=text, encoding=encoding, format=fmt, **meta), rel)


def _file_id(rel: str) -> str:
    """A file's id: its relative path without the extension (``"sub/001"``)."""
    folder, _, name = rel.rpartition("/")
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    return f"{folder}/{stem}" if folder else stem


def _sidecar_fields(row: Mapping[str, str]) -> dict[str, str]:
    """Article keyword arguments from a sidecar row (only the fields it has)."""
    meta = {k: row[k] for k in _META_FIELDS if row.get(k)}
    if "published" in meta:
        meta["published_source"] = "sidecar"
    return meta


# --- JSON and JSONL records ----------------------------------------------------------------


def _add_json(text: str, rel: str, encoding: str, out: _Collector) -> None:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        out.skip(rel, "invalid_record", f"invalid JSON: {exc}")
        return
    if isinstance(value, dict):
        _add_record(value, rel, "record", rel, "json", encoding, out)
    elif isinstance(value, list):
        if not value:
            out.skip(rel, "empty", "an empty JSON list")
        for i, item in enumerate(value):
            _add_record(item, f"{rel}[{i}]", f"item {i}", rel, "json", encoding, out)
    else:
        out.skip(rel, "invalid_record", "top level must be a JSON object or a list of objects")


def _read_jsonl(file: Path, rel: str, config: IngestConfig, out: _Collector) -> None:
    """Stream a JSONL file record by record."""
    try:
        with open(file, "rb") as f:
            reason = _binary_reason(f.read(_SNIFF_BYTES))
            if reason:
                out.skip(rel, "binary", reason)
                return
            f.seek(0)
            if not _read_jsonl_lines(f, rel, config, out):
                out.skip(rel, "empty", "no records")
    except OSError as exc:
        out.skip(rel, "unreadable", exc.strerror or str(exc))


def _read_jsonl_lines(f: IO[bytes], rel: str, config: IngestConfig, out: _Collector) -> bool:
    """Add the records of an open JSONL file; whether there was any non-blank line."""
    seen = False
    utf8_name = "utf-8"
    for lineno, line in _lines(f, config.max_bytes):
        where = f"{rel}:{lineno}"
        if line is None:
            seen = True
            out.skip(
                where, "too_large", f"line {lineno} is longer than max_bytes {config.max_bytes}"
            )
            continue
        if lineno == 1 and line.startswith(_BOM):
            line, utf8_name = line[len(_BOM) :], "utf-8-sig"
        if not line.strip():
            continue
        seen = True
        decoded = _decode(line, config.fallback_encoding)
        if isinstance(decoded, _Undecodable):
            out.skip(where, "undecodable", f"line {lineno}: {decoded.detail}")
            continue
        text, encoding = decoded
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            out.skip(where, "invalid_record", f"line {lineno}: invalid JSON: {exc}")
            continue
        encoding = utf8_name if encoding == "utf-8" else encoding
        _add_record(record, where, f"line {lineno}", rel, "jsonl", encoding, out)
    return seen


def _lines(f: IO[bytes], max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """Numbered lines of a binary file; ``None`` for a line longer than ``max_bytes``."""
    lineno = 0
    while line := f.readline(max_bytes + 1):
        lineno += 1
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while (rest := f.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass
            yield lineno, None
        else:
            yield lineno, line


def _add_record(
    record: Any, where: str, label: str, rel: str, fmt: str, encoding: str, out: _Collector
) -> None:
    """Add one JSON record as an article, or record why it is skipped."""
    if not isinstance(record, dict):
        out.skip(where, "invalid_record", f"{label} is not a JSON object")
        return
    raw_id = record.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int) or not str(raw_id).strip():
        out.skip(where, "invalid_record", f"{label} lacks 'id' (a non-empty string or integer)")
        return
    text = record.get("text")
    if not isinstance(text, str) or not text:
        out.skip(where, "invalid_record", f"{label} lacks 'text' (a non-empty string)")
        return
    if not _VISIBLE.search(text):
        out.skip(where, "empty", f"{label}: 'text' is nothing but whitespace")
        return
    meta = _record_fields(record)
    article = Article(
        id=str(raw_id),
        path=rel,
        text=text,
        span_basis="record_text",
        encoding=encoding,
        format=fmt,
        **meta,
    )
    out.add(article, where)


def record_article(record: Any, where: str, label: str, rel: str, fmt: str, encoding: str = "utf-8") -> Article | Skipped:
    """One JSON-like record as an article, or why it is skipped (ids are not checked for duplicates).

    The same rules as a JSONL line read from a folder; a distributed engine calls it per record.
    """
    out = _Collector()
    _add_record(record, where, label, rel, fmt, encoding, out)
    return out.articles[0] if out.articles else out.skipped[0]


def _record_fields(record: Mapping[str, Any]) -> dict[str, str]:
    """Article metadata keyword arguments from a JSON record."""
    meta: dict[str, str] = {}
    for name in _META_FIELDS:
        value = record.get(name)
        if isinstance(value, list) and name == "author":
            value = ", ".join(str(v).strip() for v in value if str(v).strip())
        if isinstance(value, str) and value.strip():
            meta[name] = value.strip()
    if "published" in meta:
        if _is_iso_date(meta["published"]):
            meta["published_source"] = "record"
        else:
            del meta["published"]
    return meta


def _is_iso_date(value: str) -> bool:
    """Whether ``value`` is an ISO 8601 date or datetime (``Z`` allowed)."""
    try:
        if len(value) == 10:
            date.fromisoformat(value)
        else:
            datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


# --- HTML ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Extracted:
    text: str
    meta: dict[str, str]


def _add_html(html: str, rel: str, encoding: str, sidecar: _Sidecar, out: _Collector) -> None:
    extracted = _extract_html(html)
    if extracted is None:
        out.skip(rel, "no_article_text", "no main text found in the page")
        return
    article_id = _file_id(rel)
    meta = {**extracted.meta, **_sidecar_fields(sidecar.lookup(rel, article_id))}
    article = Article(
        id=article_id,
        path=rel,
        text=extracted.text,
        span_basis="extracted_text",
        encoding=encoding,
        format="html",
        **meta,
    )
    out.add(article, rel)


def _extract_html(html: str) -> _Extracted | None:
    """Main text and metadata of a page, or None when it has no main text."""
    trafilatura, load_html = _trafilatura()
    tree = load_html(html)
    if tree is None:
        return None
    doc = trafilatura.bare_extraction(
        tree,
        with_metadata=True,
        include_comments=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if doc is None or isinstance(doc, dict):
        return None
    blocks = [line.strip() for line in (doc.text or "").splitlines() if line.strip()]
    if not blocks:
        return None
    fields = {"title": doc.title, "publisher": doc.sitename, "author": doc.author, "url": doc.url}
    meta = {k: v.strip() for k, v in fields.items() if isinstance(v, str) and v.strip()}
    published, source = _html_date(doc.date, html)
    if published:
        meta.update(published=published, published_source=source)
    return _Extracted(text="\n\n".join(blocks), meta=meta)


def _html_date(from_meta: str | None, html: str) -> tuple[str | None, str]:
    """The page's date: from its metadata, else found in its text (``html_text``)."""
    if from_meta:
        return from_meta, "html_meta"
    from htmldate import find_date  # installed with trafilatura
    from trafilatura.utils import load_html

    tree = load_html(html)
    found = find_date(tree, extensive_search=True, original_date=True) if tree is not None else None
    return (found, "html_text") if isinstance(found, str) else (None, "")


def _trafilatura() -> tuple[Any, Any]:
    """Import trafilatura lazily (it is slow to import) and keep its logging quiet."""
    import trafilatura
    from trafilatura.utils import load_html

    for name in ("trafilatura", "htmldate", "courlan", "justext", "readability"):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)
    return trafilatura, load_html


# --- sidecar metadata ----------------------------------------------------------------------


def _sidecar_path(metadata_file: str | None, root: Path) -> Path | None:
    """Where the sidecar is: as given, or else relative to the input folder."""
    if metadata_file is None:
        return None
    given = Path(metadata_file)
    if given.is_file():
        return given
    if not given.is_absolute() and (root / given).is_file():
        return root / given
    raise InputError(f"metadata file does not exist: {metadata_file}")


def _read_sidecar(path: Path) -> _Sidecar:
    """Parse the sidecar CSV (with a header) or JSONL, keyed by ``file`` and/or ``id``."""
    ext = path.suffix.lower()
    if ext not in (".csv", *_JSONL_EXTENSIONS):
        raise InputError(f"metadata file must be .csv or .jsonl; got {path}")
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(_csv_rows(f, path) if ext == ".csv" else _jsonl_rows(f, path))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read metadata file {path}: {exc}") from None
    by_file: dict[str, dict[str, str]] = {}
    by_id: dict[str, dict[str, str]] = {}
    for where, row in rows:
        meta = _sidecar_row(row, path, where)
        if row.get("file"):
            by_file[row["file"].strip().replace("\\", "/").removeprefix("./")] = meta
        elif row.get("id"):
            by_id[row["id"].strip()] = meta
        else:
            raise InputError(f"metadata file {path} {where} has neither 'file' nor 'id'")
    return _Sidecar(by_file=by_file, by_id=by_id)


def _csv_rows(f: IO[str], path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    reader = csv.DictReader(f)
    try:
        header = reader.fieldnames
        if not header or not {"file", "id"} & {h.strip() for h in header}:
            got = ", ".join(header or []) or "none"
            raise InputError(
                f"metadata file {path} needs a 'file' or 'id' column in its header; got: {got}"
            )
        for row in reader:
            clean = {
                (k or "").strip(): (v or "").strip() for k, v in row.items() if isinstance(v, str)
            }
            yield f"row {reader.line_num}", clean
    except csv.Error as exc:
        raise InputError(f"metadata file {path} is not valid CSV: {exc}") from None


def _jsonl_rows(f: IO[str], path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    for lineno, line in enumerate(f, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"metadata file {path} line {lineno} is not valid JSON: {exc}"
            ) from None
        if not isinstance(record, dict):
            raise InputError(f"metadata file {path} line {lineno} is not a JSON object")
        clean = {
            k: str(v).strip()
            for k, v in record.items()
            if isinstance(v, str | int) and not isinstance(v, bool)
        }
        yield f"line {lineno}", clean


def _sidecar_row(row: Mapping[str, str], path: Path, where: str) -> dict[str, str]:
    """The metadata fields of one sidecar row; a bad date is an error."""
    meta = {k: row[k] for k in _META_FIELDS if row.get(k)}
    if "published" in meta and not _is_iso_date(meta["published"]):
        raise InputError(
            f"metadata file {path} {where}: published {meta['published']!r} is not an ISO 8601 "
            "date; use e.g. 2024-03-14 or 2024-03-14T08:30:00Z"
        )
    return meta
