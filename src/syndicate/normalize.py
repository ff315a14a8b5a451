"""Normalised text with an exact map back to the original, quotations and sentences.

``normalize`` turns an article's text into the form every later stage reads, and
keeps for every normalised character the index of the original character that
produced it, so spans found on normalised text can be shown in the original.

It works in three passes, each of which only deletes, folds one character into
one character, or (rarely) expands one cluster, so the offset map stays exact:

1. delete invisible and control characters (Unicode Cc/Cf/Cs, the ``\\r`` of
   ``\\r\\n``) and fold one-to-one: typographic quotes and dashes, every kind of
   space, and line separators (``\\r``, U+2028 ...);
2. NFKC, applied only to the few clusters that need it (a character NFKC changes,
   or a base character with the combining marks that follow it);
3. whitespace: one space between words, ``"\\n"`` for a line break, ``"\\n\\n"``
   for a paragraph break, nothing at the start or end.

Each pass finds its work with a regular expression and copies the untouched
stretches as slices, so ordinary news text costs a few regex scans in C. Pure
ASCII skips the Unicode tables; text that is already NFKC after folding skips
pass 2. The first call builds the tables from ``unicodedata`` (about 0.3-0.5 s,
once per process).

Measured (best of 5, shared machine, seeds repeated to 2.4 MB): 26 MB/s on the
seeds (curly quotes, NBSP), 24 MB/s pure ASCII, 15 MB/s with CRLF line ends,
11 MB/s (UTF-8 bytes) Cyrillic, 8 MB/s when every sentence ends in ``…``, and
3 MB/s for fully decomposed (NFD) Latin, where every accent is a cluster.
A single cold run of the command in ``benchmarks/RESULTS.md`` ("Normalisation
throughput") gives 7-16 MB/s.

Example:
    >>> from syndicate.normalize import normalize
    >>> norm = normalize("  “Hello”\u00a0 world…\\r\\n\\r\\n\\r\\nBye ")
    >>> norm.text
    '"Hello" world...\\n\\nBye'
    >>> norm.original_span(0, 7)
    (2, 9)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache

import numpy as np
import numpy.typing as npt

from .types import NormalizedText, OffsetMap

__all__ = ["normalize", "quote_mask", "sentences"]

# One-to-one folds applied before and after NFKC (before, because NFKC turns
# U+2033 DOUBLE PRIME into two primes; after, because NFKC can produce a dash).
_FOLDS: dict[str, str] = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032`\u2039\u203a\u02bc", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    **dict.fromkeys("\r\x0b\x0c\x85\u2028\u2029", "\n"),
}

_ASTRAL = 0x10000  # first code point above the Basic Multilingual Plane
_HANGUL_JAMO_VT = (
    (0x1160, 0x11FF),
    (0xD7B0, 0xD7FF),
)  # vowels/finals compose with the previous jamo


class _Tables:
    """Character classes derived from the running Python's Unicode database.

    Python's ``re`` scans fastest for a single character class, and tests a
    class with a bitmap only inside the Basic Multilingual Plane. So each
    pattern is one class, exact in the BMP, that also takes every character
    above it (and ``\r``) as a candidate; the few candidates are then checked
    in Python.

    Attributes:
        fold: one-to-one folds (typographic quotes and dashes, spaces, line separators).
        fold_table: ``fold`` keyed by code point, for ``str.translate``.
        fold_re: finds a character to fold.
        delete_re: finds a candidate to delete (see ``delete_astral``).
        delete_astral: code points above the BMP that are deleted.
        special_re: finds runs of characters that NFKC may change or combine.
        marks: BMP characters that join the character before them in NFKC
            (combining marks, second halves of canonical pairs, Hangul vowels
            and finals, and characters whose NFKC form starts with one of these).
    """

    __slots__ = (
        "delete_astral",
        "delete_re",
        "fold",
        "fold_re",
        "fold_table",
        "marks",
        "special_re",
    )

    def __init__(self) -> None:
        fold = dict(_FOLDS)
        delete: set[int] = set()
        marks: set[int] = set()
        changes: list[int] = []
        for cp in _code_points():
            ch = chr(cp)
            if (
                unicodedata.category(ch) in ("Cc", "Cf", "Cs")
                and ch not in fold
                and ch not in "\t\n"
            ):
                delete.add(cp)
                continue
            if ch.isspace() and ch not in fold and ch not in " \n":
                fold[ch] = " "
            if unicodedata.combining(ch):
                marks.add(cp)
            decomposition = unicodedata.decomposition(ch)
            if decomposition:
                parts = decomposition.split()
                if not decomposition.startswith("<") and len(parts) == 2:
                    marks.add(int(parts[1], 16))  # composes with the character before it
                if unicodedata.normalize("NFKC", ch) != ch:
                    changes.append(cp)
        for lo, hi in _HANGUL_JAMO_VT:
            marks.update(range(lo, hi + 1))
        marks.update(
            cp for cp in changes if ord(unicodedata.normalize("NFKC", chr(cp))[0]) in marks
        )
        astral = f"{chr(_ASTRAL)}-{chr(0x10FFFF)}"
        bmp_delete = (cp for cp in delete if cp < _ASTRAL)
        bmp_special = (cp for cp in marks.union(changes) if cp < _ASTRAL)
        self.fold = fold
        self.fold_table = {ord(k): v for k, v in fold.items()}
        self.fold_re = re.compile(f"[{_char_class(ord(c) for c in fold)}]")
        self.delete_re = re.compile(f"[{_char_class(bmp_delete)}\r{astral}]")
        self.delete_astral = frozenset(cp for cp in delete if cp >= _ASTRAL)
        self.special_re = re.compile(f"[{_char_class(bmp_special)}{astral}]+")
        self.marks = frozenset(cp for cp in marks if cp < _ASTRAL)

    def is_mark(self, ch: str) -> bool:
        """Whether ``ch`` may join the character before it (every astral character may)."""
        cp = ord(ch)
        return cp >= _ASTRAL or cp in self.marks

    def deletes(self, text: str, i: int) -> bool:
        """Whether the candidate ``text[i]`` found by ``delete_re`` is deleted."""
        cp = ord(text[i])
        if cp == 0x0D:
            return text.startswith("\n", i + 1)
        return cp < _ASTRAL or cp in self.delete_astral


def _code_points() -> list[int]:
    """Every code point that can carry a decomposition, mark, control or space."""
    return [*range(0x30000), *range(0xE0000, 0xE1000)]


def _char_class(code_points: Iterable[int]) -> str:
    """A regex character class body for the given code points, as ranges."""
    cps = sorted(code_points)
    parts: list[str] = []
    i = 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        lo, hi = re.escape(chr(cps[i])), re.escape(chr(cps[j]))
        parts.append(lo if i == j else f"{lo}-{hi}")
        i = j + 1
    return "".join(parts)


@cache
def _tables() -> _Tables:
    return _Tables()


_ASCII_DELETE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]|\r(?=\n)")
_ASCII_FOLD = re.compile(r"[\r\t\x0b\x0c`]")
_ASCII_FOLDS = str.maketrans({"\r": "\n", "\t": " ", "\x0b": "\n", "\x0c": "\n", "`": "'"})
_ABNORMAL_SPACE = re.compile(r"[ \n]{2,}")


def normalize(text: str) -> NormalizedText:
    """Normalise text for comparison and keep a map back to the original.

    Args:
        text: the original text (``Article.text``).

    Returns:
        The normalised text and, for each of its characters, the index of the
        original character that produced it (plus a final entry ``len(text)``).
        A character composed from a base and combining marks maps to the base.

    Example:
        >>> normalize("It’s  a  test\u2014really").text
        "It's a test-really"
    """
    ascii_only = text.isascii()
    chars, offsets = _delete_and_fold(text, ascii_only)
    if not ascii_only:
        chars, offsets = _nfkc(chars, offsets)
    chars, offsets = _whitespace(chars, offsets)
    full = np.empty(len(chars) + 1, dtype=np.int64)
    full[:-1] = offsets
    full[-1] = len(text)
    return NormalizedText(text=chars, offsets=OffsetMap.of(full))


def _delete_and_fold(text: str, ascii_only: bool) -> tuple[str, npt.NDArray[np.int64]]:
    """Pass 1: drop invisible/control characters and fold quotes, dashes, spaces."""
    if ascii_only:
        gone = [m.start() for m in _ASCII_DELETE.finditer(text)]
    else:
        tables = _tables()
        gone = [
            m.start() for m in tables.delete_re.finditer(text) if tables.deletes(text, m.start())
        ]
    offsets = np.arange(len(text), dtype=np.int64)
    if gone:
        offsets = np.delete(offsets, gone)
        bounds = [-1, *gone, len(text)]
        text = "".join(text[bounds[k] + 1 : bounds[k + 1]] for k in range(len(bounds) - 1))
    if ascii_only:
        if _ASCII_FOLD.search(text):
            text = text.translate(_ASCII_FOLDS)
    else:
        fold = _tables().fold
        text = _tables().fold_re.sub(lambda m: fold[m.group()], text)
    return text, offsets


def _nfkc(text: str, offsets: npt.NDArray[np.int64]) -> tuple[str, npt.NDArray[np.int64]]:
    """Pass 2: NFKC on the clusters that need it; everything else is copied.

    A cluster is a character NFKC may change, or a base character with the
    marks that follow it; NFKC of a text is the concatenation of NFKC of its
    clusters and of the stretches between them. Each output character maps to
    the input character that produced it; a character composed from several
    maps to the first (the base), ``…`` -> ``...`` all to the ellipsis.
    """
    if unicodedata.is_normalized("NFKC", text):
        return text, offsets
    tables = _tables()
    pieces: list[str] = []
    counts = bytearray(b"\x01") * len(text)  # output characters per input character
    pos = 0
    for m in tables.special_re.finditer(text):
        run_start, run_end = m.span()
        start = run_start - 1 if run_start > 0 and tables.is_mark(text[run_start]) else run_start
        for end in range(run_start + 1, run_end + 1):
            if end < run_end and tables.is_mark(text[end]):
                continue
            cluster = text[start:end]
            out, cluster_counts = _nfkc_cluster(cluster)
            if out != cluster:
                pieces.append(text[pos:start])
                pieces.append(out)
                counts[start:end] = cluster_counts
                pos = end
            start = end
    if not pieces:
        return text, offsets
    pieces.append(text[pos:])
    source = np.repeat(np.arange(len(text)), np.frombuffer(counts, dtype=np.uint8))
    return "".join(pieces), offsets[source]


@lru_cache(maxsize=1 << 16)
def _nfkc_cluster(cluster: str) -> tuple[str, bytes]:
    """NFKC of one cluster, folded, and how many output characters each input yields.

    Output character ``t`` is credited to the first input character whose
    prefix of the cluster already normalises to more than ``t`` characters, so
    a composed character goes to its base and an expansion to its source.
    Cached: clusters repeat (``e`` + acute, an emoji after a space ...).
    """
    fold_table = _tables().fold_table
    out = unicodedata.normalize("NFKC", cluster).translate(fold_table)
    if len(cluster) == 1:
        return out, bytes([len(out)])
    counts = bytearray(len(cluster))
    reached = 0
    for k in range(1, len(cluster) + 1):
        length = len(out) if k == len(cluster) else len(unicodedata.normalize("NFKC", cluster[:k]))
        if length > reached:
            counts[k - 1] = min(length, len(out)) - reached
            reached = min(length, len(out))
    return out, bytes(counts)


def _whitespace(text: str, offsets: npt.NDArray[np.int64]) -> tuple[str, npt.NDArray[np.int64]]:
    """Pass 3: collapse whitespace runs and strip the ends.

    Every replacement is a subsequence of its run (a space of an all-space run,
    the run's newline, or its first two newlines), so this pass only deletes.
    """
    lead = len(text) - len(text.lstrip(" \n"))
    trail = len(text.rstrip(" \n"))
    drops: list[tuple[int, int]] = [(0, lead)] if lead else []
    for m in _ABNORMAL_SPACE.finditer(text, lead, trail):
        drops.extend(_run_drops(m.group(), m.start()))
    if trail < len(text):
        drops.append((trail, len(text)))
    if not drops:
        return text, offsets
    keep = np.ones(len(text), dtype=bool)
    pieces: list[str] = []
    pos = 0
    for a, b in drops:
        keep[a:b] = False
        pieces.append(text[pos:a])
        pos = b
    pieces.append(text[pos:])
    return "".join(pieces), offsets[keep]


def _run_drops(run: str, start: int) -> list[tuple[int, int]]:
    """Index ranges to delete from a whitespace run of two or more characters."""
    first = run.find("\n")
    if first < 0:
        return [(start + 1, start + len(run))]
    second = run.find("\n", first + 1)
    keep = [first] if second < 0 else [first, second]
    bounds = [-1, *keep, len(run)]
    return [
        (start + bounds[k] + 1, start + bounds[k + 1])
        for k in range(len(bounds) - 1)
        if bounds[k + 1] > bounds[k] + 1
    ]


_PARAGRAPH_BREAK = re.compile(r"\n\n+")
_LINE_BREAK = re.compile(r"\n+")


def quote_mask(text: str) -> npt.NDArray[np.bool_]:
    """Mark the characters of normalised text that lie inside a direct quotation.

    Double quotes (``"``, which ``normalize`` makes of every typographic double
    quote) are paired left to right within a paragraph; the characters strictly
    between a pair are marked, the quote marks themselves are not. A paragraph
    with an odd number of quotes leaves its last quote open to the paragraph's
    end, as newspapers do for a quotation that goes on in the next paragraph.
    Single quotes are taken for apostrophes and ignored.

    Paragraphs are separated by blank lines (``"\\n\\n"``); a text without any
    blank line is taken to have one paragraph per line.

    Args:
        text: normalised text (``normalize(...).text``).

    Returns:
        A boolean array of ``len(text)``.

    Example:
        >>> quote_mask('He said "no" twice.').nonzero()[0].tolist()
        [9, 10]
    """
    mask = np.zeros(len(text), dtype=bool)
    if '"' not in text:
        return mask
    splitter = _PARAGRAPH_BREAK if "\n\n" in text else _LINE_BREAK
    start = 0
    for m in splitter.finditer(text):
        _mark_paragraph(text, start, m.start(), mask)
        start = m.end()
    _mark_paragraph(text, start, len(text), mask)
    return mask


def _mark_paragraph(text: str, start: int, end: int, mask: npt.NDArray[np.bool_]) -> None:
    """Mark quotations within ``text[start:end]``."""
    quotes: list[int] = []
    i = text.find('"', start, end)
    while i >= 0:
        quotes.append(i)
        i = text.find('"', i + 1, end)
    for k in range(0, len(quotes), 2):
        close = quotes[k + 1] if k + 1 < len(quotes) else end
        mask[quotes[k] + 1 : close] = True


# Abbreviations after which a period does not end a sentence (case-sensitive).
_ABBREVIATIONS = frozenset(
    [
        "Mr",
        "Mrs",
        "Ms",
        "Messrs",
        "Dr",
        "Prof",
        "Sr",
        "Sen",
        "Sens",
        "Rep",
        "Reps",
        "Gov",
        "Gen",
        "Lt",
        "Col",
        "Maj",
        "Capt",
        "Cmdr",
        "Adm",
        "Sgt",
        "Cpl",
        "Pvt",
        "Rev",
        "Hon",
        "Pres",
        "Supt",
        "Det",
        "Insp",
        "Gov",
        "Amb",
        "St",
        "Ste",
        "Mt",
        "Ft",
        "No",
        "Nos",
        "Vol",
        "Fig",
        "Art",
        "Sec",
        "Ch",
        "Para",
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Sept",
        "Oct",
        "Nov",
        "Dec",
        "vs",
        "approx",
        "ca",
        "cf",
    ]
)
# After an initial ("J.") or initialism ("U.S.") a period ends a sentence only
# when one of these words follows.
_SENTENCE_STARTERS = frozenset(
    [
        "The",
        "A",
        "An",
        "He",
        "She",
        "It",
        "They",
        "We",
        "I",
        "You",
        "His",
        "Her",
        "Its",
        "Their",
        "Our",
        "My",
        "This",
        "That",
        "These",
        "Those",
        "There",
        "But",
        "And",
        "Or",
        "So",
        "Yet",
        "If",
        "When",
        "While",
        "After",
        "Before",
        "As",
        "In",
        "On",
        "At",
        "For",
        "From",
        "To",
        "With",
        "By",
        "Some",
        "Many",
        "Most",
        "One",
        "Two",
        "Meanwhile",
        "However",
        "Also",
        "Now",
        "Then",
        "Still",
        "Earlier",
        "Later",
        "Last",
        "Next",
    ]
)
_CANDIDATE_END = re.compile(r"[.!?]+[\"')\]]*(?= +[\"'(\[]?\w)")
_INITIALISM = re.compile(r"(?:\w\.)+\w|[A-Z]")
_LINE = re.compile(r"[^\n]+")


def char_before(text: str, pos: int) -> str:
    """The last non-space character of ``text`` before ``pos`` ("" when there is none)."""
    k = pos - 1
    while k >= 0 and text[k].isspace():
        k -= 1
    return text[k] if k >= 0 else ""


def sentences(text: str) -> list[tuple[int, int]]:
    """Split normalised text into sentence spans.

    A sentence ends at a newline, and at ``.``, ``!`` or ``?`` (with any closing
    quotes or brackets) followed by a space and a capital letter, digit, quote
    or bracket. A period does not end a sentence after a common abbreviation
    (``Mr.``, ``Dr.``, ``St.``, ``No.``, ``Feb.`` ...), nor after an initial or
    initialism (``J. Smith``, ``U.S. President``) unless a typical sentence
    opener follows (``... in the U.S. The ...``). Decimals never split: no
    space follows their point.

    Args:
        text: normalised text (``normalize(...).text``).

    Returns:
        Half-open ``(start, end)`` spans in order, without surrounding spaces;
        every non-space character lies in exactly one span.

    Example:
        >>> t = "Mr. Smith met U.S. officials. They agreed."
        >>> [t[a:b] for a, b in sentences(t)]
        ['Mr. Smith met U.S. officials.', 'They agreed.']
    """
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        start = line.start()
        for m in _CANDIDATE_END.finditer(text, line.start(), line.end()):
            if _ends_sentence(text, m.start(), m.end(), line.start()):
                _add_span(text, start, m.end(), spans)
                start = m.end()
        _add_span(text, start, line.end(), spans)
    return spans


def _ends_sentence(text: str, punct: int, after: int, line_start: int) -> bool:
    """Whether the candidate end at ``text[punct:after]`` really ends a sentence."""
    if not _opens_sentence(text[after + 1]):
        return False
    if text[punct] != "." or text.startswith("..", punct):
        return True
    word_start = max(text.rfind(" ", line_start, punct) + 1, line_start)
    word = text[word_start:punct].lstrip("\"'([")
    if word in _ABBREVIATIONS:
        return False
    if _INITIALISM.fullmatch(word):
        next_start = after + 1
        next_end = text.find(" ", next_start)
        next_word = text[next_start : next_end if next_end >= 0 else len(text)]
        return next_word.lstrip("\"'([").rstrip(",.;:!?\"')]") in _SENTENCE_STARTERS
    return True


def _opens_sentence(ch: str) -> bool:
    """Whether ``ch`` can start a sentence: a capital, digit, quote or bracket."""
    return ch.isupper() or ch.isdigit() or ch in "\"'([" or (ch.isalpha() and not ch.islower())


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    """Append ``text[start:end]`` without surrounding whitespace, if anything is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
