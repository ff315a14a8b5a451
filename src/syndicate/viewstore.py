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
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

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
        packs: the packs of consecutive documents, in corpus order.
        n: shingle size the views were built with.
        cache: views kept per process (most recently used).
    """

    def __init__(self, contents: Sequence[str], packs: Sequence[ViewPack], n: int, cache: int = 512) -> None:
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

    def _where(self, i: int) -> tuple[ViewPack, int]:
        if not 0 <= i < len(self._contents):
            raise IndexError(f"document {i} out of range 0..{len(self._contents) - 1}")
        p = bisect_right(self._firsts, i) - 1
        return self._packs[p], i - self._firsts[p]

    def token_hashes(self, i: int) -> U64:
        """Document i's token hashes (a view into the pack)."""
        pk, k = self._where(i)
        return pk.token_hashes[pk.token_off[k] : pk.token_off[k + 1]]

    def unique(self, i: int) -> U64:
        """Document i's shingle set, as its view's ``shingled.unique``."""
        pk, k = self._where(i)
        return pk.unique[pk.unique_off[k] : pk.unique_off[k + 1]]

    def phrases(self, i: int) -> U64:
        """Document i's phrase set, as its view's ``phrases``."""
        pk, k = self._where(i)
        lo, hi = pk.sent_off[k], pk.sent_off[k + 1]
        flat = pk.phrases[pk.phrase_off[lo] : pk.phrase_off[hi]]
        return np.unique(flat) if hi > lo else np.zeros(0, dtype=np.uint64)

    def sentences(self, i: int) -> list[tuple[int, int]]:
        """Document i's sentence spans, as its view's ``sentences``."""
        pk, k = self._where(i)
        return [(int(a), int(b)) for a, b in pk.sentences[pk.sent_off[k] : pk.sent_off[k + 1]].tolist()]

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
        t0, t1 = pk.token_off[k], pk.token_off[k + 1]
        quotes = _mask(pk.quote_runs[pk.quote_off[k] : pk.quote_off[k + 1]], len(content))
        starts, ends = pk.token_starts[t0:t1], pk.token_ends[t0:t1]
        unique = pk.unique[pk.unique_off[k] : pk.unique_off[k + 1]]
        shingled = shingle.from_tokens(starts, ends, pk.token_hashes[t0:t1], quotes, self._n, unique)
        lo, hi = int(pk.sent_off[k]), int(pk.sent_off[k + 1])
        sentences = self.sentences(i)
        bounds = pk.phrase_off[lo : hi + 1]
        per_sentence = tuple(pk.phrases[bounds[j] : bounds[j + 1]] for j in range(hi - lo))
        doc_phrases = np.unique(np.concatenate(per_sentence)) if per_sentence else np.zeros(0, dtype=np.uint64)
        return DocView(content, shingled, quotes, sentences, doc_phrases, per_sentence)
