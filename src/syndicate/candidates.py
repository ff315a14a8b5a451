"""Candidate pairs from three channels, none of which compares every pair.

- ``lsh_pairs``: MinHash LSH over whole-document signatures (near duplicates).
  Band keys live in compact numpy arrays, sorted and grouped, instead of
  datasketch's in-memory ``MinHashLSH`` dicts (about 10 KB per document).
- ``anchor_pairs``: an inverted index over a hash-sampled subset of shingles
  ("anchors"), pruned by document frequency. Finds trimmed excerpts
  (containment) and paragraphs lifted into longer articles (partial reuse),
  which have low Jaccard.
- ``tfidf_pairs``: each document is indexed by its highest-weighted TF-IDF terms
  (terms in more than ``tfidf_max_df`` documents are not used), a sparse
  product over that pruned index scores only documents sharing such terms, and
  each document keeps its nearest neighbours (rewrites share few n-grams).

Pairs are ``(i, j)`` rows with ``i < j`` of document indexes.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from . import vectorize
from .config import CandidateConfig
from .shingle import fmix64
from .sketch import EMPTY

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]

# Pairs generated per batch of anchor groups before they are reduced (bounds the
# anchor channel's transient memory: ~60 bytes a pair while a batch is reduced).
ANCHOR_PAIR_BATCH = 1 << 21
# Rows of the TF-IDF term-index product computed at a time (~1,700 non-zeros a row
# at news length: ~40 MB a batch).
TFIDF_ROW_BATCH = 2048


@dataclass(frozen=True, slots=True, eq=False)
class Candidates:
    """Candidate pairs and what each channel contributed.

    Attributes:
        pairs: ``(k, 2)`` unique sorted pairs ``i < j``.
        channels: per pair, a bit set: 1 = LSH, 2 = anchors, 4 = TF-IDF.
        bands, rows: the LSH parameters used.
        pruned_anchors: anchors dropped for being in more than ``anchor_max_df`` documents.
        capped_buckets: LSH buckets larger than ``max_bucket`` (paired with neighbours only).
        neighbors: per document, its TF-IDF neighbour indexes (for same-story baselines).
    """

    pairs: I64
    channels: npt.NDArray[np.uint8]
    bands: int
    rows: int
    pruned_anchors: int
    capped_buckets: int
    neighbors: tuple[tuple[int, ...], ...]


def lsh_params(config: CandidateConfig, num_perm: int) -> tuple[int, int]:
    """Bands and rows for the threshold, weighted towards recall (datasketch's optimiser)."""
    from datasketch.lsh import _optimal_param

    fp, fn = config.lsh_weights
    bands, rows = _optimal_param(config.threshold, num_perm, fp, fn)
    return int(bands), int(rows)


def _pairs_in_groups(order: I64, starts: I64, lengths: I64, max_group: int) -> tuple[I64, int]:
    """All pairs within each group of ``order`` (groups given by start and length).

    Groups longer than ``max_group`` pair each member with its next
    ``max_group - 1`` members only, which bounds the work per group.
    Vectorised over groups: one numpy pass per offset ``d``.
    """
    keep = lengths >= 2
    starts, lengths = starts[keep], lengths[keep]
    capped = int(np.count_nonzero(lengths > max_group))
    if starts.shape[0] == 0:
        return np.zeros((0, 2), dtype=np.int64), capped
    member_group = np.repeat(np.arange(starts.shape[0]), lengths)
    pos = np.concatenate([np.arange(s, s + n) for s, n in zip(starts.tolist(), lengths.tolist(), strict=True)])
    group_end = (starts + lengths)[member_group]
    out: list[I64] = []
    width = int(min(lengths.max(), max_group))
    for d in range(1, width):
        ok = pos + d < group_end
        if not ok.any():
            break
        left = order[pos[ok]]
        right = order[pos[ok] + d]
        out.append(np.stack([np.minimum(left, right), np.maximum(left, right)], axis=1))
    return (np.concatenate(out) if out else np.zeros((0, 2), dtype=np.int64)), capped


def _groups(keys: U64) -> tuple[I64, I64, I64]:
    """Stable sort order of ``keys`` and the start/length of each run of equal keys."""
    order = np.argsort(keys, kind="stable").astype(np.int64)
    return (order, *runs(keys[order]))


def runs(values: npt.NDArray[np.generic]) -> tuple[I64, I64]:
    """Start and length of every run of equal items of a sorted array (:func:`equal_runs` for repeated ones only)."""
    n = values.shape[0]
    new = np.empty(n, dtype=bool)
    new[:1] = True
    np.not_equal(values[1:], values[:-1], out=new[1:])
    starts = np.flatnonzero(new).astype(np.int64)
    del new
    return starts, np.diff(starts, append=n).astype(np.int64)


def equal_runs(values: npt.NDArray[np.generic], min_length: int = 2) -> tuple[I64, I64]:
    """Start and length of every run of at least ``min_length`` (>= 2) equal items of a sorted array.

    Found from 1-byte flags of equal neighbours (+1 where a run starts, -1 after it
    ends) rather than 8-byte starts and lengths of every distinct value (:func:`runs`):
    most hashes of a corpus occur once. A shared-hash table of 50M hashes peaked at
    525 MiB this way, 1,358 MiB the other (tracemalloc, simulated hashes).
    """
    if min_length < 2:
        raise ValueError(f"min_length must be >= 2; got {min_length}")
    eq = np.equal(values[1:], values[:-1])
    edges = np.diff(eq.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    del eq
    starts = np.flatnonzero(edges == 1)
    lengths = np.flatnonzero(edges == -1) - starts + 1
    del edges
    keep = lengths >= min_length
    return starts[keep].astype(np.int64), lengths[keep].astype(np.int64)


def band_keys(sigs: U64, bands: int, rows: int) -> U64:
    """One 64-bit key per (document, band): shape ``(docs, bands)``."""
    n = sigs.shape[0]
    keys = np.zeros((n, bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for r in range(rows):
            cols = sigs[:, r : bands * rows : rows][:, :bands]
            keys = fmix64(keys * np.uint64(0x9E3779B97F4A7C15) + cols)
        keys = keys + np.arange(bands, dtype=np.uint64)[None, :] * np.uint64(0xD6E8FEB86659FD93)
    return keys


def lsh_pairs(sigs: U64, bands: int, rows: int, max_bucket: int) -> tuple[I64, int]:
    """Pairs of documents that agree on every row of at least one band."""
    nonempty = np.flatnonzero(sigs[:, 0] != EMPTY)
    if nonempty.shape[0] < 2:
        return np.zeros((0, 2), dtype=np.int64), 0
    keys = band_keys(sigs[nonempty], bands, rows)
    return keyed_pairs(keys.ravel(), np.repeat(nonempty.astype(np.int64), bands), max_bucket)


def keyed_pairs(keys: U64, owners: I64, max_group: int) -> tuple[I64, int]:
    """Unique pairs of owners sharing a key, groups capped at ``max_group``; and how many were capped.

    ``owners`` in document order (as :func:`lsh_pairs` flattens band keys): a capped
    group pairs each member with the next ones in that order. A distributed engine
    calls this on its share of the keys (all owners of a key on one partition).
    """
    order, starts, lengths = _groups(keys)
    pairs, capped = _pairs_in_groups(owners[order], starts, lengths, max_group)
    return _unique_pairs(pairs), capped


def anchor_index(shingle_sets: Sequence[U64], anchor_mod: int) -> tuple[U64, I64]:
    """Flat (anchor hash, document) arrays of every document's sampled shingles."""
    mod = np.uint64(anchor_mod)
    parts = [s[(s % mod) == 0] if anchor_mod > 1 else s for s in shingle_sets]
    if not parts:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    sizes = np.fromiter((a.shape[0] for a in parts), dtype=np.int64, count=len(parts))
    hashes = np.concatenate(parts).astype(np.uint64, copy=False)
    del parts
    return hashes, np.repeat(np.arange(sizes.shape[0], dtype=np.int64), sizes)


def anchor_pairs(shingle_sets: Sequence[U64], config: CandidateConfig) -> tuple[I64, int]:
    """Pairs sharing at least ``min_shared_anchors`` anchors of document frequency 2..max_df."""
    hashes, owners = anchor_index(shingle_sets, config.anchor_mod)
    codes, counts, pruned = _anchor_code_counts(hashes, owners, len(shingle_sets), config)
    del hashes, owners
    # Most pairs share one or two anchors (28.7M pairs, of which ~0.2M are kept, at
    # 100k articles): filtered before they are decoded into pairs.
    return _decode_pairs(codes[counts >= config.min_shared_anchors], len(shingle_sets)), pruned


def anchor_pair_counts(hashes: U64, owners: I64, n_docs: int, config: CandidateConfig) -> tuple[I64, I64, int]:
    """Pairs sharing an anchor of document frequency 2..max_df, how many such anchors each shares, pruned anchors.

    Pairs are sorted and unique. A distributed engine calls this on its share of the
    anchors (all owners of an anchor on one partition) and sums the counts per pair.
    """
    codes, counts, pruned = _anchor_code_counts(hashes, owners, n_docs, config)
    return _decode_pairs(codes, n_docs), counts.astype(np.int64), pruned


def _decode_pairs(codes: I64, n_docs: int) -> I64:
    n = np.int64(n_docs)
    return np.stack([codes // n, codes % n], axis=1).astype(np.int64)


def _anchor_code_counts(hashes: U64, owners: I64, n_docs: int, config: CandidateConfig) -> tuple[I64, I32, int]:
    """:func:`anchor_pair_counts` with each pair as one code ``a * n_docs + b``."""
    order = np.argsort(hashes, kind="stable")
    # Only anchors in two documents or more make pairs (equal_runs: no table of
    # every distinct anchor, most of which one document has).
    starts, lengths = equal_runs(hashes[order])
    pruned = int(np.count_nonzero(lengths > config.anchor_max_df))
    keep = lengths <= config.anchor_max_df
    starts, lengths = starts[keep], lengths[keep]
    owners = owners[order]
    del order
    # Groups in batches of about ANCHOR_PAIR_BATCH pairs, each reduced to unique pairs
    # and merged into the running totals: all pairs at once (one per shared anchor,
    # ~100 per copied pair) were a 460 MB transient at 10k documents (measured).
    ends = np.cumsum(lengths * (lengths - 1) // 2)
    cuts = np.searchsorted(ends, np.arange(ANCHOR_PAIR_BATCH, ends[-1] if ends.shape[0] else 0, ANCHOR_PAIR_BATCH))
    bounds = np.unique(np.concatenate(([0], cuts, [starts.shape[0]]))).tolist()
    n = np.int64(n_docs)
    codes, counts = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
    for lo, hi in itertools.pairwise(bounds):
        pairs, _ = _pairs_in_groups(owners, starts[lo:hi], lengths[lo:hi], config.anchor_max_df)
        batch, batch_counts = np.unique(pairs[:, 0] * n + pairs[:, 1], return_counts=True)
        codes, counts = _merge_totals(codes, counts, batch, batch_counts)
    return codes, counts, pruned


def _merge_totals(codes: I64, counts: I32, more: I64, more_counts: npt.NDArray[np.integer]) -> tuple[I64, I32]:
    """Sorted unique ``codes`` with summed counts, from two such arrays.

    Codes already counted are added to in place and new ones inserted where they sort:
    the totals are copied once per batch, not concatenated, sorted and reduced (with
    :func:`equal_runs`, :func:`anchor_pair_counts` at 100k articles, where the totals
    reach 28.7M pairs: 2,446 -> 1,630 MiB peak, tracemalloc).
    """
    if codes.shape[0] == 0:
        return more.astype(np.int64), more_counts.astype(np.int32)
    pos = np.searchsorted(codes, more)
    found = pos < codes.shape[0]
    found[found] = codes[pos[found]] == more[found]
    counts[pos[found]] += more_counts[found].astype(np.int32)  # unique positions: ``more`` is unique
    new = ~found
    return np.insert(codes, pos[new], more[new]), np.insert(counts, pos[new], more_counts[new].astype(np.int32))


def pair_totals(pairs: I64, counts: I64, n_docs: int) -> tuple[I64, I64]:
    """Sorted unique pairs and the sum of their counts (per-share anchor counts merge this way)."""
    if pairs.shape[0] == 0:
        return pairs.reshape(0, 2).astype(np.int64), np.zeros(0, dtype=np.int64)
    n = np.int64(n_docs)
    codes, inverse = np.unique(pairs[:, 0] * n + pairs[:, 1], return_inverse=True)
    totals = np.bincount(inverse.ravel(), weights=counts, minlength=codes.shape[0]).astype(np.int64)
    return np.stack([codes // n, codes % n], axis=1).astype(np.int64), totals


def tfidf_pairs(
    x: sp.csr_matrix, df: npt.NDArray[np.int64], config: CandidateConfig
) -> tuple[I64, tuple[tuple[int, ...], ...]]:
    """Nearest neighbours by TF-IDF over a pruned term index.

    Each row keeps its ``tfidf_top_terms`` heaviest terms whose document frequency
    is between 2 and ``tfidf_max_df``; the sparse product of that index with itself
    touches only documents that share such a term, so the work is bounded by
    ``tfidf_max_df`` per indexed term rather than by the number of pairs.
    """
    n = x.shape[0]
    empty: tuple[tuple[int, ...], ...] = tuple(() for _ in range(n))
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64), empty
    idx = top_term_rows(x, df, config)
    idx_t = idx.T.tocsr()
    # In row batches: the whole product was a 200 MB transient at 10k documents (measured).
    parts = [
        top_neighbors((idx[lo : lo + TFIDF_ROW_BATCH] @ idx_t).tocsr(), np.arange(lo, min(lo + TFIDF_ROW_BATCH, n), dtype=np.int64), config.tfidf_neighbors)
        for lo in range(0, n, TFIDF_ROW_BATCH)
    ]
    directed = np.concatenate(parts)
    if directed.shape[0] == 0:
        return np.zeros((0, 2), dtype=np.int64), empty
    # One vectorised cosine over all (row, neighbour) pairs; measured ~100x faster
    # than slicing and multiplying row by row.
    cos = vectorize.row_cosines(x, directed)
    directed = directed[cos >= config.tfidf_min_cosine]
    neighbors: list[list[int]] = [[] for _ in range(n)]
    for i, j in directed.tolist():
        neighbors[i].append(j)
    pairs = np.sort(directed, axis=1)
    return _unique_pairs(pairs), tuple(tuple(sorted(nb)) for nb in neighbors)


def top_neighbors(sims: sp.csr_matrix, row_ids: I64, k: int) -> I64:
    """Directed pairs ``(i, j)``: each row's ``k`` most similar columns ``j != i`` (ties: lower ``j`` first).

    ``sims`` holds rows of the term-index product, row ``r`` being document
    ``row_ids[r]`` (all documents locally; one partition's documents on a
    distributed engine, each row computed the same way). Zero similarities are ignored.
    """
    rows: list[I64] = []
    cols: list[I64] = []
    for r in range(sims.shape[0]):
        lo, hi = sims.indptr[r], sims.indptr[r + 1]
        c, v = sims.indices[lo:hi], sims.data[lo:hi]
        keep = (c != row_ids[r]) & (v != 0)
        if not keep.any():
            continue
        c, v = c[keep], v[keep]
        top = c[np.lexsort((c, -v))[:k]]
        rows.append(np.full(top.shape[0], row_ids[r], dtype=np.int64))
        cols.append(top.astype(np.int64))
    if not rows:
        return np.zeros((0, 2), dtype=np.int64)
    return np.stack([np.concatenate(rows), np.concatenate(cols)], axis=1)


def top_term_rows(x: sp.csr_matrix, df: npt.NDArray[np.int64], config: CandidateConfig) -> sp.csr_matrix:
    """Rows of ``x`` restricted to their heaviest terms of moderate document frequency (row by row).

    The index of :func:`tfidf_pairs`; a distributed engine calls it per document.
    """
    x = x.tocsr()
    term_df = df[x.indices]
    usable = (term_df >= 2) & (term_df <= config.tfidf_max_df)
    del term_df
    data = np.where(usable, x.data, 0.0)
    keep = np.zeros(data.shape[0], dtype=bool)
    k = config.tfidf_top_terms
    for i in range(x.shape[0]):
        lo, hi = x.indptr[i], x.indptr[i + 1]
        row = data[lo:hi]
        if hi - lo <= k:
            keep[lo:hi] = row > 0
        else:
            top = np.argpartition(-row, k)[:k]
            sel = np.zeros(hi - lo, dtype=bool)
            sel[top] = True
            keep[lo:hi] = sel & (row > 0)
    out = sp.csr_matrix((np.where(keep, data, 0.0), x.indices.copy(), x.indptr.copy()), shape=x.shape)
    out.eliminate_zeros()
    return out


def _unique_pairs(pairs: I64) -> I64:
    if pairs.shape[0] == 0:
        return pairs.reshape(0, 2).astype(np.int64)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return np.unique(pairs, axis=0).astype(np.int64)


def merge_channels(channel_pairs: Sequence[tuple[I64, int]]) -> tuple[I64, npt.NDArray[np.uint8]]:
    """Union of the channels' pairs, with a bit set per pair saying which found it."""
    parts = [p for p, _ in channel_pairs if p.shape[0]]
    if not parts:
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.uint8)
    allp = np.concatenate(parts)
    bits = np.concatenate([np.full(p.shape[0], bit, dtype=np.uint8) for p, bit in channel_pairs if p.shape[0]])
    uniq, inverse = np.unique(allp, axis=0, return_inverse=True)
    channels = np.zeros(uniq.shape[0], dtype=np.uint8)
    np.bitwise_or.at(channels, inverse.ravel(), bits)
    return uniq.astype(np.int64), channels
