"""Every document's verification view, kept in flat arrays instead of per-document objects.

A :class:`~syndicate.verify.DocView` of a news article held as Python objects costs
~31 KB (measured at 10,000 benchmark articles: shingle arrays, a per-character quote
mask, sentence tuples, one small array per sentence, each with its object overhead),
the largest part of a scan's memory. The store keeps only what cannot be recomputed
cheaply (token spans and hashes, the shingle set, quoted runs, sentence spans,
per-sentence phrase hashes: ~13 KB per article, in a few large arrays per work chunk,
which forked workers share without copying) and rebuilds the rest of a view on access
with the functions that built it (shingles, quoted shingles, the document's phrase set),
so a rebuilt view equals the one :func:`syndicate.pipeline.build_view` returned. A
small per-process cache keeps recently used views: verification visits pairs in an
order where a work chunk touches few documents.

A pack can be *spilled* (:func:`spill`): its per-token and per-sentence arrays are
written to a file, one contiguous record per document, and read back with one
positional read when a view is built; only the shingle sets (read in bulk by the
candidate stage) and a few counts stay in memory. The scan spills every pack into a
temporary folder, so a document's tokens, quoted runs, sentences and phrases (~10 KB
of a news article's ~13) are held by the page cache, not by the process.
"""

from __future__ import annotations

import os
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from . import shingle
from .verify import DocView, Outline


class _Outline(NamedTuple):
    content: str
    sentences: list[tuple[int, int]]


U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]


@dataclass(frozen=True, slots=True, eq=False)
class ViewPack:
    """The stored part of the views of consecutive documents (one work chunk).

    ``*_off`` arrays hold each document's (or, for ``phrase_off``, each sentence's)
    first row; row ``k`` of the pack's documents is ``off[k]:off[k + 1]``.
    """

    token_off: I64
    token_starts: I32
    token_ends: I32
    token_hashes: U64
    quote_off: I64
    quote_runs: I32  # (start, end) of each run of quoted characters
    unique_off: I64
    unique: U64  # each document's shingle set (kept: rebuilding it was ~100 us a document)
    sent_off: I64
    sentences: I32  # (start, end) of each sentence
    phrase_off: I64  # per sentence over all the pack's sentences
    phrases: U64

    def __len__(self) -> int:
        return int(self.token_off.shape[0]) - 1

    def unique_of(self, k: int) -> U64:
        return self.unique[self.unique_off[k] : self.unique_off[k + 1]]

    def token_hashes_of(self, k: int) -> U64:
        return self.token_hashes[self.token_off[k] : self.token_off[k + 1]]

    def sentences_of(self, k: int) -> I32:
        return self.sentences[self.sent_off[k] : self.sent_off[k + 1]]

    def phrases_of(self, k: int) -> U64:
        lo, hi = self.sent_off[k], self.sent_off[k + 1]
        return self.phrases[self.phrase_off[lo] : self.phrase_off[hi]]

    def phrase_total(self) -> int:
        return int(self.phrases.shape[0])

    def record(self, k: int) -> Record:
        t0, t1 = self.token_off[k], self.token_off[k + 1]
        lo, hi = int(self.sent_off[k]), int(self.sent_off[k + 1])
        bounds = self.phrase_off[lo : hi + 1]
        return Record(
            self.token_starts[t0:t1],
            self.token_ends[t0:t1],
            self.token_hashes[t0:t1],
            self.quote_runs[self.quote_off[k] : self.quote_off[k + 1]],
            self.sentences[lo:hi],
            bounds - bounds[0],
            self.phrases[bounds[0] : bounds[-1]],
        )


class Record(NamedTuple):
    """One document's stored arrays (``phrase_bounds``: each sentence's first phrase, and the end)."""

    token_starts: I32
    token_ends: I32
    token_hashes: U64
    quote_runs: I32
    sentences: I32
    phrase_bounds: I64
    phrases: U64


class Pack(Protocol):
    """What the store reads of a pack, in memory (:class:`ViewPack`) or spilled (:class:`SpilledPack`)."""

    def __len__(self) -> int: ...
    def unique_of(self, k: int) -> U64: ...
    def token_hashes_of(self, k: int) -> U64: ...
    def sentences_of(self, k: int) -> I32: ...
    def phrases_of(self, k: int) -> U64: ...
    def phrase_total(self) -> int: ...  # sentence phrases of all its documents (>= their phrase sets)
    def record(self, k: int) -> Record: ...


# Per document, the record's fields in file order: 8-byte items first, so every field
# of a record that starts on an 8-byte boundary is aligned. Counts per document:
# tokens t, quoted runs q, sentences s, phrases p.
_FIELDS: tuple[tuple[str, type[np.generic]], ...] = (
    ("token_hashes", np.uint64),
    ("phrases", np.uint64),
    ("phrase_bounds", np.int64),
    ("token_starts", np.int32),
    ("token_ends", np.int32),
    ("quote_runs", np.int32),
    ("sentences", np.int32),
)


def _field_items(t: int, q: int, s: int, p: int) -> tuple[int, ...]:
    """Items of each of :data:`_FIELDS` in a record of t tokens, q quoted runs, s sentences, p phrases."""
    return (t, p, s + 1, t, t, 2 * q, 2 * s)
_OPEN_FILES: OrderedDict[str, int] = OrderedDict()
_MAX_OPEN_FILES = 64


def _fd(path: str) -> int:
    """A read-only descriptor of ``path``, from a small per-process cache (positional reads only)."""
    fd = _OPEN_FILES.get(path)
    if fd is None:
        fd = os.open(path, os.O_RDONLY)
        _OPEN_FILES[path] = fd
        if len(_OPEN_FILES) > _MAX_OPEN_FILES:
            os.close(_OPEN_FILES.popitem(last=False)[1])
    else:
        _OPEN_FILES.move_to_end(path)
    return fd


def read_exact(path: str, size: int, offset: int) -> bytes:
    """``size`` bytes of the spilled file ``path`` at ``offset`` (one positional read)."""
    buf = os.pread(_fd(path), size, offset)
    if len(buf) != size:
        raise OSError(f"spilled file {path} is truncated")
    return buf


class SpilledRows:
    """A float32 CSR matrix whose values and columns live in the file ``path``.

    Slicing rows reads them back (two positional reads) as a CSR matrix equal to the
    same slice of the original; only the row pointers stay in memory. The sentence
    index is held so (~4 KB a news article: 420 MB at 100k articles).
    """

    dtype = np.dtype(np.float32)

    def __init__(self, path: str, indptr: I64, shape: tuple[int, int]) -> None:
        self.path, self.indptr, self.shape = path, indptr, shape

    def __getitem__(self, rows: slice) -> sp.csr_matrix:
        first, last, step = rows.indices(self.shape[0])
        if step != 1:
            raise ValueError("spilled rows are read in consecutive slices")
        last = max(first, last)
        lo, hi = int(self.indptr[first]), int(self.indptr[last])
        nnz = int(self.indptr[-1])
        data = np.frombuffer(read_exact(self.path, 4 * (hi - lo), 4 * lo), dtype=np.float32) if hi > lo else np.zeros(0, np.float32)
        cols = np.frombuffer(read_exact(self.path, 4 * (hi - lo), 4 * (nnz + lo)), dtype=np.int32) if hi > lo else np.zeros(0, np.int32)
        return sp.csr_matrix((data, cols, (self.indptr[first : last + 1] - lo).astype(np.int64)), shape=(last - first, self.shape[1]))


def spill_rows(matrix: sp.csr_matrix, path: str) -> SpilledRows:
    """Write a float32 CSR matrix's values, then its columns, to ``path`` (see :class:`SpilledRows`)."""
    with open(path, "wb") as fh:
        fh.write(np.ascontiguousarray(matrix.data, dtype=np.float32).tobytes())
        fh.write(np.ascontiguousarray(matrix.indices, dtype=np.int32).tobytes())
    return SpilledRows(path, matrix.indptr.astype(np.int64), (int(matrix.shape[0]), int(matrix.shape[1])))


def close_files() -> None:
    """Close this process's cached descriptors of spilled packs (before their folder is removed)."""
    while _OPEN_FILES:
        os.close(_OPEN_FILES.popitem()[1])


@dataclass(frozen=True, slots=True, eq=False)
class SpilledPack:
    """A :class:`ViewPack` whose per-document records live in the file ``path``.

    ``start[k]`` is the byte offset of document k's record, ``counts[k]`` its tokens,
    quoted runs, sentences and phrases; the shingle sets stay in memory.
    """

    path: str
    start: I64
    counts: npt.NDArray[np.int64]
    unique_off: I64
    unique: U64

    def __len__(self) -> int:
        return int(self.counts.shape[0])

    def unique_of(self, k: int) -> U64:
        return self.unique[self.unique_off[k] : self.unique_off[k + 1]]

    def _read(self, k: int, first: int, last: int) -> list[npt.NDArray[np.generic]]:
        """Fields ``first..last-1`` of document k's record, read with one positional read."""
        sizes = list(zip((d for _, d in _FIELDS), _field_items(*self.counts[k].tolist()), strict=True))
        skip = sum(np.dtype(d).itemsize * c for d, c in sizes[:first])
        size = sum(np.dtype(d).itemsize * c for d, c in sizes[first:last])
        buf = read_exact(self.path, size, int(self.start[k]) + skip)
        out, at = [], 0
        for dtype, c in sizes[first:last]:
            out.append(np.frombuffer(buf, dtype=dtype, count=c, offset=at))
            at += np.dtype(dtype).itemsize * c
        return out

    def token_hashes_of(self, k: int) -> U64:
        return self._read(k, 0, 1)[0]  # type: ignore[return-value]

    def phrases_of(self, k: int) -> U64:
        return self._read(k, 1, 2)[0]  # type: ignore[return-value]

    def phrase_total(self) -> int:
        return int(self.counts[:, 3].sum())

    def sentences_of(self, k: int) -> I32:
        return self._read(k, 6, 7)[0].reshape(-1, 2)  # type: ignore[return-value]

    def record(self, k: int) -> Record:
        th, ph, bounds, starts, ends, runs, sents = self._read(k, 0, len(_FIELDS))
        return Record(starts, ends, th, runs.reshape(-1, 2), sents.reshape(-1, 2), bounds, ph)  # type: ignore[arg-type]


def spill(pack: ViewPack, path: str) -> SpilledPack:
    """Write ``pack``'s per-document records to ``path`` (created) and return the spilled pack."""
    starts, counts = [], []
    at = 0
    with open(path, "wb") as fh:
        for k in range(len(pack)):
            r = pack.record(k)
            fields = {**r._asdict(), "quote_runs": r.quote_runs.ravel(), "sentences": r.sentences.ravel()}
            blob = b"".join(np.ascontiguousarray(fields[name], dtype=dtype).tobytes() for name, dtype in _FIELDS)
            blob += bytes(-len(blob) % 8)
            fh.write(blob)
            starts.append(at)
            counts.append((r.token_hashes.shape[0], r.quote_runs.shape[0], r.sentences.shape[0], r.phrases.shape[0]))
            at += len(blob)
    return SpilledPack(
        path,
        np.asarray(starts, dtype=np.int64),
        np.asarray(counts, dtype=np.int64).reshape(-1, 4),
        pack.unique_off,
        pack.unique,
    )


def _offsets(sizes: Sequence[int]) -> I64:
    return np.concatenate(([0], np.cumsum(np.asarray(sizes, dtype=np.int64)))).astype(np.int64)


def _runs(mask: npt.NDArray[np.bool_]) -> I32:
    """(start, end) of each run of True in ``mask``."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.view(np.int8), [0]))))
    return edges.astype(np.int32).reshape(-1, 2)


def _mask(runs: I32, length: int) -> npt.NDArray[np.bool_]:
    """The boolean mask of ``length`` characters that ``runs`` mark (inverse of :func:`_runs`)."""
    out = np.zeros(length, dtype=bool)
    for a, b in runs.tolist():  # a few quotations per article
        out[a:b] = True
    return out


def pack(views: Sequence[DocView]) -> ViewPack:
    """The stored part of ``views``, in flat arrays."""
    sh = [v.shingled for v in views]
    runs = [_runs(v.quotes) for v in views]
    sents = [np.asarray(v.sentences, dtype=np.int32).reshape(-1, 2) for v in views]
    per_sentence = [p for v in views for p in v.sentence_phrases]
    u64, i32 = np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int32)
    return ViewPack(
        _offsets([s.n_tokens for s in sh]),
        np.concatenate([i32, *(s.token_starts for s in sh)]),
        np.concatenate([i32, *(s.token_ends for s in sh)]),
        np.concatenate([u64, *(s.token_hashes for s in sh)]),
        _offsets([r.shape[0] for r in runs]),
        np.concatenate([i32.reshape(0, 2), *runs]),
        _offsets([s.unique.shape[0] for s in sh]),
        np.concatenate([u64, *(s.unique for s in sh)]),
        _offsets([s.shape[0] for s in sents]),
        np.concatenate([i32.reshape(0, 2), *sents]),
        _offsets([p.shape[0] for p in per_sentence]),
        np.concatenate([u64, *per_sentence]),
    )


class ViewStore(Sequence[DocView]):
    """Views of a corpus, by corpus index, rebuilt on access from packed arrays.

    Args:
        contents: each document's content text (the documents hold it already).
        packs: the packs of consecutive documents, in corpus order (in memory or spilled).
        n: shingle size the views were built with.
        cache: views kept per process (most recently used).
    """

    def __init__(self, contents: Sequence[str], packs: Sequence[Pack], n: int, cache: int = 512) -> None:
        self._contents = contents
        self._packs = list(packs)
        self._firsts = [0, *np.cumsum([len(p) for p in self._packs]).tolist()]
        if self._firsts[-1] != len(contents):
            raise ValueError(f"view packs hold {self._firsts[-1]} documents for {len(contents)} contents")
        self._n = n
        self._cache: OrderedDict[int, DocView] = OrderedDict()
        self._cache_size = cache

    def __len__(self) -> int:
        return len(self._contents)

    def _where(self, i: int) -> tuple[Pack, int]:
        if not 0 <= i < len(self._contents):
            raise IndexError(f"document {i} out of range 0..{len(self._contents) - 1}")
        p = bisect_right(self._firsts, i) - 1
        return self._packs[p], i - self._firsts[p]

    def token_hashes(self, i: int) -> U64:
        """Document i's token hashes."""
        pk, k = self._where(i)
        return pk.token_hashes_of(k)

    def unique(self, i: int) -> U64:
        """Document i's shingle set, as its view's ``shingled.unique``."""
        pk, k = self._where(i)
        return pk.unique_of(k)

    def phrases(self, i: int) -> U64:
        """Document i's phrase set, as its view's ``phrases``."""
        pk, k = self._where(i)
        flat = pk.phrases_of(k)
        return np.unique(flat) if flat.shape[0] else np.zeros(0, dtype=np.uint64)

    def all_phrases(self) -> U64:
        """Every document's phrase set, one after the other (for corpus counts).

        Filled into one array sized by the packs' phrase counts (an upper bound):
        a list of per-document arrays and their concatenation were two copies, ~0.9 GB
        at the peak of a 100k scan.
        """
        out = np.empty(sum(pk.phrase_total() for pk in self._packs), dtype=np.uint64)
        at = 0
        for i in range(len(self)):
            p = self.phrases(i)
            out[at : at + p.shape[0]] = p
            at += p.shape[0]
        return out[:at]

    def sentences(self, i: int) -> list[tuple[int, int]]:
        """Document i's sentence spans, as its view's ``sentences``."""
        pk, k = self._where(i)
        return [(int(a), int(b)) for a, b in pk.sentences_of(k).tolist()]

    def outlines(self) -> Iterator[Outline]:
        """Every document's content and sentence spans (what a sentence index reads), without building views."""
        for i in range(len(self)):
            yield _Outline(self._contents[i], self.sentences(i))

    def __getitem__(self, i: int) -> DocView:  # type: ignore[override]
        hit = self._cache.get(i)
        if hit is not None:
            self._cache.move_to_end(i)
            return hit
        view = self._build(i)
        self._cache[i] = view
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return view

    def _build(self, i: int) -> DocView:
        pk, k = self._where(i)
        content = self._contents[i]
        r = pk.record(k)
        quotes = _mask(r.quote_runs, len(content))
        shingled = shingle.from_tokens(r.token_starts, r.token_ends, r.token_hashes, quotes, self._n, pk.unique_of(k))
        sentences = [(int(a), int(b)) for a, b in r.sentences.tolist()]
        b = r.phrase_bounds
        per_sentence = tuple(r.phrases[b[j] : b[j + 1]] for j in range(len(sentences)))
        doc_phrases = np.unique(r.phrases) if per_sentence else np.zeros(0, dtype=np.uint64)
        return DocView(content, shingled, quotes, sentences, doc_phrases, per_sentence)
