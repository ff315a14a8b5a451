"""Typed data that flows between pipeline stages.

Everything here is a frozen, slotted dataclass. Character offsets are always
offsets into ``Article.text`` (the decoded file, the HTML's extracted text, or a
JSON record's ``text`` field, as ``Article.span_basis`` says), never byte offsets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
class NormalizedText:
    """Normalised text plus a map back to the original.

    ``offsets[i]`` is the index in the original text of the character that
    produced ``text[i]``; ``offsets[len(text)]`` is the original length, so the
    original span of ``text[i:j]`` is ``original[offsets[i]:offsets[j-1] + 1]``.
    """

    text: str
    offsets: npt.NDArray[np.int32]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of the normalised text to the original text."""
        if end <= start:
            o = int(self.offsets[start])
            return o, o
        return int(self.offsets[start]), int(self.offsets[end - 1]) + 1


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

    ``norm`` is the normalised full text; ``content`` is the normalised text with
    boilerplate replaced by newlines (same length as ``norm.text``, so offsets are
    shared), which is what every later stage reads.
    """

    index: int
    article: Article
    norm: NormalizedText
    content: str
    stripped: tuple[Stripped, ...] = field(default_factory=tuple)
