"""Typed data that flows between pipeline stages.

Everything here is a frozen, slotted dataclass. Character offsets are always
offsets into ``Article.text`` (the decoded file, the HTML's extracted text, or a
JSON record's ``text`` field, as ``Article.span_basis`` says), never byte offsets.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

# Reasons a file is skipped; each is documented in the README and tested.
SKIP_REASONS = (
    "binary",            # looks like a binary file (NUL bytes / not text)
    "empty",             # nothing left after decoding and cleaning
    "too_large",         # larger than IngestConfig.max_bytes
    "unreadable",        # OS error while reading
    "undecodable",       # neither UTF-8 nor the fallback could decode it
    "unsupported",       # extension syndicate does not read
    "invalid_record",    # JSON/JSONL record without a usable id/text, or broken JSON
    "duplicate_id",      # a second document with an id already taken
    "no_article_text",   # HTML page from which no main text could be extracted
)


@dataclass(frozen=True, slots=True)
class Article:
    """One input article as read from disk, before normalisation.

    Attributes:
        id: stable identifier: path relative to the scanned folder without its
            extension (``"sub/001"``); for JSON/JSONL records, the record's ``id``
            field as given (a later duplicate is skipped as ``duplicate_id``).
        path: path of the source file relative to the scanned folder (POSIX separators).
        text: the text every span refers to (see ``span_basis``).
        span_basis: ``"file"`` (decoded file), ``"extracted_text"`` (HTML main
            text) or ``"record_text"`` (a JSON record's text field).
        encoding: the encoding used to decode the file (``"utf-8"``, ``"cp1252"`` ...).
        title, publisher, author, url: metadata when known.
        published: ISO 8601 date or datetime string when known.
        published_source: where ``published`` came from: ``"record"``, ``"sidecar"``,
            ``"html_meta"``, ``"html_text"`` (reliability decreases in that order).
        format: ``"txt"``, ``"md"``, ``"html"``, ``"json"``, ``"jsonl"``.
    """

    id: str
    path: str
    text: str
    span_basis: str = "file"
    encoding: str = "utf-8"
    title: str | None = None
    publisher: str | None = None
    author: str | None = None
    url: str | None = None
    published: str | None = None
    published_source: str | None = None
    format: str = "txt"


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input file (or record) that did not become a document, and why."""

    path: str
    reason: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What ingest returns: the articles (sorted by id) and the skipped inputs (sorted by path)."""

    articles: tuple[Article, ...]
    skipped: tuple[Skipped, ...]
    files_seen: int


@dataclass(frozen=True, slots=True, eq=False)
class OffsetMap:
    """Normalised character position -> original character position, stored compactly.

    Normalisation shifts positions only where it deletes, folds or expands a
    character or collapses whitespace, so ``original - normalised`` is constant over
    long runs. The map keeps one (start, shift) per run: 2 runs per news article of
    the benchmark corpus on average, against 12 KB for a 4-byte entry per character
    (the largest per-document array of a scan before this, ~11% of its peak memory at
    10,000 articles). Indexing gives what the full array would: an int for an int, an
    array for a slice or an array of positions.

    Attributes:
        starts: first normalised position of each run (``starts[0] == 0``), increasing.
        shifts: ``original - normalised`` position within each run.
        size: number of positions (normalised length + 1: the last maps to the original length).
    """

    starts: npt.NDArray[np.int32]
    shifts: npt.NDArray[np.int32]
    size: int

    @classmethod
    def of(cls, offsets: npt.ArrayLike) -> OffsetMap:
        """The compact form of a full offsets array."""
        full = np.asarray(offsets, dtype=np.int64)
        if full.shape[0] == 0:
            return cls(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32), 0)
        shift = full - np.arange(full.shape[0], dtype=np.int64)
        starts = np.flatnonzero(np.concatenate(([True], shift[1:] != shift[:-1])))
        return cls(starts.astype(np.int32), shift[starts].astype(np.int32), int(full.shape[0]))

    def __len__(self) -> int:
        return self.size

    def take(self, positions: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Original positions of an array of normalised positions (negative ones count from the end)."""
        pos = np.asarray(positions, dtype=np.int64)
        pos = np.where(pos < 0, pos + self.size, pos)
        if pos.size and (pos.min() < 0 or pos.max() >= self.size):
            raise IndexError(f"offset position out of range 0..{self.size - 1}")
        run = np.searchsorted(self.starts, pos, side="right") - 1
        out: npt.NDArray[np.int64] = pos + self.shifts[run].astype(np.int64)
        return out

    def __getitem__(self, key: int | slice | npt.ArrayLike) -> Any:
        if isinstance(key, (int, np.integer)):
            i = int(key) + (self.size if key < 0 else 0)
            if not 0 <= i < self.size:
                raise IndexError(f"offset position {int(key)} out of range 0..{self.size - 1}")
            return i + int(self.shifts[bisect_right(self.starts, i) - 1])
        if isinstance(key, slice):
            return self.take(np.arange(self.size)[key])
        return self.take(key)

    def __array__(self, dtype: Any = None, copy: Any = None) -> npt.NDArray[Any]:
        full = self.take(np.arange(self.size)).astype(np.int32)
        return full if dtype is None else full.astype(dtype)

    def tolist(self) -> list[int]:
        out: list[int] = self.take(np.arange(self.size)).tolist()
        return out

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of the normalised text to the original text."""
        if end <= start:
            o = self[start]
            return o, o
        return self[start], self[end - 1] + 1


@dataclass(frozen=True, slots=True, eq=False)
class NormalizedText:
    """Normalised text plus a map back to the original.

    ``offsets[i]`` is the index in the original text of the character that
    produced ``text[i]``; ``offsets[len(text)]`` is the original length, so the
    original span of ``text[i:j]`` is ``original[offsets[i]:offsets[j-1] + 1]``.
    """

    text: str
    offsets: OffsetMap

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of the normalised text to the original text."""
        return self.offsets.original_span(start, end)


@dataclass(frozen=True, slots=True)
class Stripped:
    """A region removed as publisher chrome, in original-text character offsets."""

    start: int
    end: int
    text: str
    rule: str  # "pattern:<name>" or "recurring"


@dataclass(frozen=True, slots=True, eq=False)
class Document:
    """An article after normalisation and boilerplate removal.

    ``content`` is the normalised text with boilerplate replaced by newlines (same
    length as the normalised text, so ``offsets`` map it back to ``article.text``),
    which is what every later stage reads. The normalised text itself is not kept:
    nothing after boilerplate removal reads it.
    """

    index: int
    article: Article
    offsets: OffsetMap
    content: str
    stripped: tuple[Stripped, ...] = field(default_factory=tuple)
