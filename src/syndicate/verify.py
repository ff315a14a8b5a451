"""Scores for each candidate pair, and the passages behind them.

Per pair: exact and estimated Jaccard of shingle sets, containment in each
direction, TF-IDF cosine and how far it stands above each document's usual
similarity to its neighbours (the same-story baseline), pair-exclusive shared
phrasing (shingles that only these two documents have in the whole corpus),
quote share, passage coverage of each side, and sentence-alignment statistics.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from . import vectorize
from .align import (
    RawPassage,
    coverage,
    drop_conflicting_details,
    merge_passages,
    merge_spans,
    paraphrase_passages,
    sentence_weights,
    verbatim_passages,
)
from .candidates import equal_runs, runs
from .config import AlignConfig
from .shingle import Shingled, ngram_hashes, token_hash
from .sketch import jaccard_estimate

F64 = npt.NDArray[np.float64]
U64 = npt.NDArray[np.uint64]
SENTENCE_BLOCK = 2048  # documents per batch of sentences vectorised in sentence_index


@dataclass(frozen=True, slots=True, eq=False)
class DocView:
    """What verification needs of one document (normalised coordinates)."""

    content: str
    shingled: Shingled
    quotes: npt.NDArray[np.bool_]
    sentences: list[tuple[int, int]]
    phrases: U64  # distinct hashes of stem bigrams outside quotations
    sentence_phrases: tuple[U64, ...]  # the same, per sentence


def nonspace(text: str) -> int:
    """Non-space characters of ``text`` (spaces, newlines, tabs, carriage returns are not counted).

    Counted per span when needed: a cumulative array over the whole document (the
    earlier way, 24 KB per news article) cost ~6% of verification to build per pair side.
    """
    return len(text) - text.count(" ") - text.count("\n") - text.count("\t") - text.count("\r")


def _bigram_hashes(text: str) -> U64:
    words = vectorize.wording_stems(text)
    if len(words) < 2:
        return np.zeros(0, dtype=np.uint64)
    th = np.fromiter((token_hash(w) for w in words), dtype=np.uint64, count=len(words))
    return np.unique(ngram_hashes(th, 2))


def phrases(
    content: str, quotes: npt.NDArray[np.bool_], sentences: list[tuple[int, int]]
) -> tuple[U64, tuple[U64, ...]]:
    """Hashes of wording bigrams (lowercase content words, stemmed) of the narration, quotes blanked.

    Per document and per sentence. Bigrams are formed over the wording words only,
    so "best served" survives a name in between being changed.
    """
    # Quoted characters blanked in one array operation (a per-character join was ~10% of
    # building a document's view).
    codes = np.frombuffer(content.encode("utf-32-le"), dtype=np.uint32).copy()
    codes[quotes] = 32
    narration = codes.tobytes().decode("utf-32-le")
    per_sentence = tuple(_bigram_hashes(narration[s:e]) for s, e in sentences)
    doc = np.unique(np.concatenate(per_sentence)) if per_sentence else np.zeros(0, dtype=np.uint64)
    return doc, per_sentence


def rare_phrase_matrix(
    da: DocView, db: DocView, phrase_df: tuple[U64, npt.NDArray[np.int64]], max_df: int = 3
) -> F64:
    """Per sentence pair, the rarity-weighted count of rare phrases both sentences contain.

    A phrase is rare when at most ``max_df`` documents of the corpus contain it;
    it weighs ``1 / (df - 1)``.
    """
    out = np.zeros((len(da.sentences), len(db.sentences)))
    shared = np.intersect1d(da.phrases, db.phrases, assume_unique=True)
    if shared.shape[0] == 0:
        return out
    dfs = _df_of(shared, *phrase_df)
    rare = shared[dfs <= max_df]
    if rare.shape[0] == 0:
        return out
    weight = dict(zip(rare.tolist(), (1.0 / np.maximum(dfs[dfs <= max_df] - 1, 1)).tolist(), strict=True))
    where_b: dict[int, list[int]] = {}
    for j, ph in enumerate(db.sentence_phrases):
        for h in np.intersect1d(ph, rare, assume_unique=True).tolist():
            where_b.setdefault(h, []).append(j)
    for i, ph in enumerate(da.sentence_phrases):
        for h in np.intersect1d(ph, rare, assume_unique=True).tolist():
            for j in where_b.get(h, ()):
                out[i, j] += weight[h]
    return out


@dataclass(frozen=True, slots=True, eq=False)
class Match:
    """A scored candidate pair ``a < b`` (document indexes)."""

    a: int
    b: int
    channels: int
    scores: dict[str, float]
    passages: list[RawPassage] = field(default_factory=list)


class SentenceIndex:
    """Sentence vectors of all documents, rows grouped per document.

    Products between two documents' sentence blocks run densely over the columns
    both blocks use: each block is cached as (sorted column ids, dense rows).
    Measured on the 1k benchmark corpus: the sparse product with a transposed
    2^20-column block spent most of its time converting formats (72 s of 167 s).
    ``words`` is a CSR matrix, or rows kept on disk and read by slices
    (``viewstore.SpilledRows``, what a local scan uses).
    """

    def __init__(
        self, words: sp.csr_matrix, offsets: npt.NDArray[np.int64], cache_bytes: int = 256 << 20, sim_bytes: int = 64 << 20
    ) -> None:
        # float32: the blocks every product reads are float32 already, so keeping the
        # rows in float32 changes no value and saves a third of the index (~2 KB an article).
        self.words = words if words.dtype == np.float32 else words.astype(np.float32)
        self.offsets = offsets
        self._blocks: OrderedDict[int, tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]] = OrderedDict()
        self._cache_bytes = cache_bytes
        self._cached = 0
        # Recent similarity matrices by ordered pair: a pair's own matrix was computed
        # moments before for its first document's background, and a document's
        # self-similarity comes back in each of its pairs. Same computation either
        # way, so a hit returns the very values a miss would.
        self._sims: OrderedDict[tuple[int, int], F64] = OrderedDict()
        self._sim_bytes = sim_bytes
        self._sims_cached = 0

    def similarity(self, a: int, b: int) -> F64:
        """:func:`sentence_similarity` of ``a`` and ``b``, from the cache when recent (read-only)."""
        key = (a, b)
        hit = self._sims.get(key)
        if hit is not None:
            self._sims.move_to_end(key)
            return hit
        value = _block_product(self, a, b)
        value.setflags(write=False)
        self._sims[key] = value
        self._sims_cached += value.nbytes
        while self._sims_cached > self._sim_bytes and len(self._sims) > 1:
            _, old = self._sims.popitem(last=False)
            self._sims_cached -= old.nbytes
        return value

    def rows(self, d: int) -> slice:
        return slice(int(self.offsets[d]), int(self.offsets[d + 1]))

    def block(self, d: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """Column ids used by document d's sentences and its dense sentence rows over them."""
        hit = self._blocks.get(d)
        if hit is not None:
            self._blocks.move_to_end(d)
            return hit
        sub = self.words[self.rows(d)]
        cols, inverse = np.unique(sub.indices, return_inverse=True)
        dense = np.zeros((sub.shape[0], cols.shape[0]), dtype=np.float32)
        row_of = np.repeat(np.arange(sub.shape[0]), np.diff(sub.indptr))
        dense[row_of, inverse.ravel()] = sub.data
        value = (cols.astype(np.int64), dense)
        self._blocks[d] = value
        self._cached += cols.nbytes + dense.nbytes
        # Bounded by bytes, per process: the blocks are ~50 KB per news article.
        while self._cached > self._cache_bytes and len(self._blocks) > 1:
            _, (c, m) = self._blocks.popitem(last=False)
            self._cached -= c.nbytes + m.nbytes
        return value


class Outline(Protocol):
    """What :func:`sentence_index` reads of a document (a :class:`DocView` has it)."""

    @property
    def content(self) -> str: ...

    @property
    def sentences(self) -> list[tuple[int, int]]: ...


def sentence_index(docs: Iterable[Outline], model: vectorize.TfidfModel) -> SentenceIndex:
    """TF-IDF vectors (stems and stem bigrams, corpus IDF) of every sentence."""
    offsets = [0]
    blocks: list[sp.csr_matrix] = []
    texts: list[str] = []

    def flush() -> None:
        # Weighed in float32 a block of documents at a time: every sentence's text and
        # its float64 counts at once were a transient of ~1 GB at 100k articles.
        if texts:
            blocks.append(vectorize.weigh(vectorize.term_counts(texts), model, copy=False).astype(np.float32))
            texts.clear()

    for k, d in enumerate(docs, start=1):
        texts.extend(d.content[s:e] for s, e in d.sentences)
        offsets.append(offsets[-1] + len(d.sentences))
        if k % SENTENCE_BLOCK == 0:
            flush()
    flush()
    if not blocks:
        return SentenceIndex(sp.csr_matrix((0, 1)), np.asarray(offsets, dtype=np.int64))
    return SentenceIndex(vectorize.stack_rows(blocks), np.asarray(offsets, dtype=np.int64))


def sentence_similarity(index: SentenceIndex, a: int, b: int) -> F64:
    """TF-IDF cosine of every sentence of ``a`` with every sentence of ``b`` (read-only)."""
    return index.similarity(a, b)


def _block_product(index: SentenceIndex, a: int, b: int) -> F64:
    ca, da = index.block(a)
    if a == b:  # a document with itself: every column is common (the same indexed product, so the same rounding)
        every = np.arange(ca.shape[0])
        self_out: F64 = (da[:, every] @ da[:, every].T).astype(np.float64)
        return self_out
    cb, db = index.block(b)
    common, ia, ib = np.intersect1d(ca, cb, assume_unique=True, return_indices=True)
    if common.shape[0] == 0:
        return np.zeros((da.shape[0], db.shape[0]))
    out: F64 = (da[:, ia] @ db[:, ib].T).astype(np.float64)
    return out


class Background:
    """Per document, each sentence's best similarity to each of its neighbours.

    The background of a sentence for a pair (a, b) is the median of its best
    similarity to a's other neighbours: what the event's usual coverage shares.
    The (neighbours x sentences) matrix is built once per document.
    """

    def __init__(
        self, index: SentenceIndex, neighbors: Sequence[Sequence[int]], matrices: dict[int, F64] | None = None
    ) -> None:
        self._index = index
        self._neighbors = neighbors
        self._stacked: dict[int, F64] = dict(matrices or {})

    def _matrix(self, a: int) -> F64:
        m = self._stacked.get(a)
        if m is None:
            m = background_matrix(self._index, a, self._neighbors[a])
            self._stacked[a] = m
        return m

    def of(self, a: int, exclude: int) -> F64:
        m = self._matrix(a)
        keep = np.asarray(self._neighbors[a], dtype=np.int64) != exclude
        if not keep.any():
            return np.zeros(m.shape[1])
        med: F64 = np.median(m[keep], axis=0)
        return med


def background_matrix(index: SentenceIndex, a: int, neighbors: Sequence[int]) -> F64:
    """Each sentence of ``a``'s best similarity to each neighbour: (neighbours x sentences)."""
    n = int(index.offsets[a + 1] - index.offsets[a])
    rows = []
    for d in neighbors:
        sim = sentence_similarity(index, a, d)
        rows.append(sim.max(axis=1) if sim.shape[1] else np.zeros(n))
    return np.stack(rows) if rows else np.zeros((0, n))


def hash_df(sets: Sequence[U64], min_count: int = 1) -> tuple[U64, npt.NDArray[np.int64]]:
    """Corpus document frequency of every distinct hash (sorted hashes, counts): mergeable counts.

    ``min_count=2`` keeps only hashes that two documents share: all a pair's shared
    hashes can be (the 10k benchmark corpus, dense with copies: 1.38M distinct
    shingles, 0.78M shared; 145k phrases, 99k shared).
    """
    if not sets:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    # np.unique(..., return_counts=True) copies its input before sorting: the fresh
    # concatenation is sorted in place instead (one copy of every document's hashes
    # less: ~340 MB of shingle hashes at 100k articles, twice the 21.3M sampled anchors).
    return flat_df(np.concatenate(sets).astype(np.uint64, copy=False), min_count)


def flat_df(flat: U64, min_count: int = 1) -> tuple[U64, npt.NDArray[np.int64]]:
    """:func:`hash_df` of the documents' hash sets concatenated in ``flat``, which is sorted in place."""
    flat.sort()
    starts, counts = runs(flat) if min_count <= 1 else equal_runs(flat, min_count)
    return flat[starts], counts


def _df_of(values: U64, df_hashes: U64, df_counts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Document frequencies of ``values``, each of which must be in the table (shared hashes are)."""
    pos = np.searchsorted(df_hashes, values)
    out: npt.NDArray[np.int64] = df_counts[np.minimum(pos, df_counts.shape[0] - 1)]
    return out


def _rare_shared(pa: U64, pb: U64, phrase_df: tuple[U64, npt.NDArray[np.int64]]) -> float:
    """Shared narration phrases weighted by rarity (1 / (df - 1)), per 100 phrases of the shorter.

    A phrase only these two documents have counts 1; one that three documents
    share counts 1/2, and so on: shared event vocabulary fades, shared wording stays.
    """
    smaller = min(pa.shape[0], pb.shape[0])
    if smaller == 0:
        return 0.0
    shared = np.intersect1d(pa, pb, assume_unique=True)
    if shared.shape[0] == 0:
        return 0.0
    dfs = _df_of(shared, *phrase_df).astype(np.float64)
    return float(100.0 * np.sum(1.0 / np.maximum(dfs - 1.0, 1.0)) / smaller)


def unmatched_layout(spans: list[tuple[int, int]], text: str) -> tuple[float, float, float]:
    """Share of a document's non-space characters outside the spans: before, between, after them.

    A bottom-truncated copy matches a prefix of its source (the source's unmatched
    text is its tail); a copy with local additions has unmatched text between
    matched parts, or a new lede before them.
    """
    if not spans:
        return 0.0, 0.0, 0.0
    total = nonspace(text)
    if total == 0:
        return 0.0, 0.0, 0.0
    merged = merge_spans(spans)
    head = nonspace(text[: merged[0][0]])
    tail = nonspace(text[merged[-1][1] :])
    interior = sum(nonspace(text[merged[k][1] : merged[k + 1][0]]) for k in range(len(merged) - 1))
    return head / total, interior / total, tail / total


def unmatched_fit(sentences: list[tuple[int, int]], spans: list[tuple[int, int]], self_sim: F64) -> float:
    """How well a document's unshared sentences fit its shared ones, relative to its own coherence.

    Mean, over sentences outside the shared passages, of their best TF-IDF cosine
    with a sentence inside them, divided by the same mean over the shared sentences
    (best match among the other shared ones). Sentences a copy cut from its
    source belong to the story (ratio near 1); local additions are new material
    (ratio well below 1). -1 when not measurable.
    """
    if not sentences or not spans:
        return -1.0
    sent = np.asarray(sentences, dtype=np.int64)
    spa = np.asarray(spans, dtype=np.int64)
    overlap = np.minimum(sent[:, 1:2], spa[:, 1]) - np.maximum(sent[:, 0:1], spa[:, 0])
    covered = np.maximum(overlap, 0).sum(axis=1) >= 0.5 * (sent[:, 1] - sent[:, 0])
    if covered.all() or covered.sum() < 2:
        return -1.0
    fit = float(self_sim[~covered][:, covered].max(axis=1).mean())
    inner = self_sim[covered][:, covered].copy()
    np.fill_diagonal(inner, 0.0)
    coherence = float(inner.max(axis=1).mean())
    return fit / coherence if coherence > 0 else -1.0


def _words_in(passages: list[RawPassage], text: str, side: str, kinds: set[str]) -> int:
    total = 0
    for p in passages:
        if p.kind in kinds:
            s, e = (p.a_start, p.a_end) if side == "a" else (p.b_start, p.b_end)
            total += len(text[s:e].split())
    return total


_WORDS = re.compile(r"\S+")


@lru_cache(maxsize=1 << 12)  # a document comes back in each of its pairs; str caches its hash
def _word_starts(text: str) -> npt.NDArray[np.int64]:
    """Start of every whitespace-delimited word of ``text``."""
    return np.asarray([m.start() for m in _WORDS.finditer(text)], dtype=np.int64)


def quoted_split(text: str, quotes: npt.NDArray[np.bool_], start: int, end: int) -> tuple[int, int]:
    """Words of ``text[start:end]`` outside and inside quotations (by each word's first character).

    A word cut by ``start`` counts from ``start``. Vectorised over the document's word
    starts: the loop over each passage's words was ~8% of verification.
    """
    if start >= end:
        return 0, 0
    starts = _word_starts(text)
    lo, hi = np.searchsorted(starts, [start, end]).tolist()
    inside = int(np.count_nonzero(quotes[starts[lo:hi]]))
    outside = hi - lo - inside
    if not text[start].isspace() and (lo == starts.shape[0] or starts[lo] != start):  # a cut word
        if quotes[start]:
            inside += 1
        else:
            outside += 1
    return outside, inside


def score_pair(
    a: int,
    b: int,
    channels: int,
    docs: Sequence[DocView],
    sigs: U64,
    tfidf_cos: float,
    baselines: F64,
    df: tuple[U64, npt.NDArray[np.int64]],
    phrase_df: tuple[U64, npt.NDArray[np.int64]],
    index: SentenceIndex,
    background: Background,
    n: int,
    config: AlignConfig,
) -> Match:
    """All scores and passages of one candidate pair."""
    da, db = docs[a], docs[b]
    ua, ub = da.shingled.unique, db.shingled.unique
    shared = np.intersect1d(ua, ub, assume_unique=True)
    union = ua.shape[0] + ub.shape[0] - shared.shape[0]
    only_pair = _df_of(shared, *df) == 2 if shared.shape[0] else np.zeros(0, dtype=bool)
    exclusive = int(np.count_nonzero(only_pair))
    quoted_a = np.unique(da.shingled.shingles[da.shingled.quoted])
    is_quoted = np.isin(shared, quoted_a, assume_unique=True)
    quote_shared = int(is_quoted.sum())
    exclusive_quoted = int(np.count_nonzero(is_quoted & only_pair))
    rare_phrases = _rare_shared(da.phrases, db.phrases, phrase_df)

    verbatim = verbatim_passages(da.shingled, db.shingled, n, da.quotes, config, (da.content, db.content))
    sim = sentence_similarity(index, a, b)
    anchors = rare_phrase_matrix(da, db, phrase_df)
    weights = sentence_weights(sim, background.of(a, b), background.of(b, a), anchors, config)
    weights = drop_conflicting_details(
        weights, da.sentences, db.sentences, da.content, db.content, config.sentence_min_detail_agreement
    )
    para, unordered = paraphrase_passages(da.sentences, db.sentences, sim, weights, da.quotes)
    passages = merge_passages(verbatim, para)

    # Words of verbatim passages inside and outside quotations, counted apart: a passage
    # that is mostly a shared public quote plus its attribution is no lifted narration.
    split = [quoted_split(da.content, da.quotes, p.a_start, p.a_end) for p in verbatim]
    in_verbatim = {id(p) for p in verbatim}
    para_only = [p for p in passages if id(p) not in in_verbatim]  # alignments no verbatim passage covers
    narration = {"verbatim", "near_verbatim", "paraphrase"}
    len_a, len_b = max(1, len(da.content.strip())), max(1, len(db.content.strip()))
    para_narr = [p for p in para if p.kind == "paraphrase"]
    scores = {
        "jaccard": shared.shape[0] / union if union else 0.0,
        "jaccard_estimate": jaccard_estimate(sigs[a], sigs[b]),
        "containment_a_in_b": shared.shape[0] / ua.shape[0] if ua.shape[0] else 0.0,
        "containment_b_in_a": shared.shape[0] / ub.shape[0] if ub.shape[0] else 0.0,
        "tfidf_cosine": tfidf_cos,
        "tfidf_excess": tfidf_cos - 0.5 * (baselines[a] + baselines[b]),
        "shared_shingles": float(shared.shape[0]),
        "exclusive_shared": float(exclusive),
        "exclusive_share": exclusive / shared.shape[0] if shared.shape[0] else 0.0,
        "quote_share": quote_shared / shared.shape[0] if shared.shape[0] else 0.0,
        "coverage_a": coverage([(p.a_start, p.a_end) for p in passages], len_a),
        "coverage_b": coverage([(p.b_start, p.b_end) for p in passages], len_b),
        "verbatim_coverage_a": coverage([(p.a_start, p.a_end) for p in verbatim if p.kind != "quote"], len_a),
        "verbatim_coverage_b": coverage([(p.b_start, p.b_end) for p in verbatim if p.kind != "quote"], len_b),
        "narration_coverage_a": coverage([(p.a_start, p.a_end) for p in passages if p.kind in narration], len_a),
        "narration_coverage_b": coverage([(p.b_start, p.b_end) for p in passages if p.kind in narration], len_b),
        "verbatim_words": float(sum(outside for outside, _ in split)),
        "longest_verbatim_words": float(max((outside for outside, _ in split), default=0)),
        "quote_words": float(sum(inside for _, inside in split) + _words_in(para_only, da.content, "a", {"quote"})),
        "exclusive_quoted": float(exclusive_quoted),
        "rare_phrase_density": rare_phrases,
        "paraphrase_sentences": float(len(para_narr)),
        "aligned_sentences": float(len(para)),
        "order_preservation": len(para) / unordered if unordered else 0.0,
    }
    for side, doc, key in (("a", da, "a"), ("b", db, "b")):
        spans = [(p.a_start, p.a_end) if key == "a" else (p.b_start, p.b_end) for p in passages]
        head, interior, tail = unmatched_layout(spans, doc.content)
        own = a if key == "a" else b
        fit = unmatched_fit(doc.sentences, spans, sentence_similarity(index, own, own)) if interior + head > 0.05 else -1.0
        scores[f"unmatched_fit_{side}"] = fit
        scores[f"unmatched_head_{side}"] = head
        scores[f"unmatched_interior_{side}"] = interior
        scores[f"unmatched_tail_{side}"] = tail
    return Match(a, b, channels, scores, passages)
