"""Stage functions over one partition of the corpus: what a distributed engine runs.

The local pipeline calls each stage on the whole corpus at once; a distributed
engine (``backends/spark.py``) calls the functions here on one partition's
documents (a :class:`Part`: consecutive corpus indexes), on its share of the
hashed keys (LSH band keys, anchors, index terms, shingles), or on the candidate
pairs and clusters placed on it. Each is built from the very functions the local
pipeline calls (``pipeline.build_view``, ``sketch.signatures``,
``candidates.keyed_pairs``, ``candidates.anchor_pair_counts``,
``candidates.top_term_rows``, ``candidates.top_neighbors``, ``vectorize.row_cosines``,
``pipeline.sets_share_enough``, ``verify.background_matrix``,
``pipeline.verify_candidate``, ``cluster.clusters``, ``lineage.build_lineage``),
fed a local subset of the corpus with document indexes mapped to local positions,
so both engines compute every score with one implementation.

What a partition needs of other partitions' documents arrives *gathered*: only the
fields the step reads, each document at most once per partition, keyed by corpus
index. Corpus-wide counts arrive as small tables covering only the keys the
partition looks up (document frequencies of the shingles and phrases its pairs share).
"""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from . import (
    boilerplate,
    candidates,
    cluster,
    lineage,
    pipeline,
    relation,
    sketch,
    vectorize,
    verify,
)
from .config import BoilerplateConfig, CandidateConfig, RunConfig
from .report import pair_entry
from .types import Article, Document, NormalizedText, Skipped

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Lines = tuple[int, list[tuple[str, int]]]
# A line of a chrome skeleton that no other document has and no pattern matches.
_PRIVATE = None


# --- preparing documents -------------------------------------------------------------------


def normalised(items: Sequence[tuple[int, Article]]) -> list[tuple[int, Article, NormalizedText | Skipped, Lines | None]]:
    """Each article's normalised text (or why it is skipped) and its lines for chrome detection."""
    out: list[tuple[int, Article, NormalizedText | Skipped, Lines | None]] = []
    for pos, art in items:
        norm = pipeline.normalized(art)
        out.append((pos, art, norm, None if isinstance(norm, Skipped) else boilerplate.doc_lines(norm.text)))
    return out


def _line_hashes(lines: Sequence[tuple[str, int]]) -> U64:
    return np.asarray(
        [int.from_bytes(hashlib.blake2b(k.encode("utf-8"), digest_size=8).digest(), "little") for k, _ in lines],
        dtype=np.uint64,
    )


def line_hashes(lines: Sequence[tuple[str, int]]) -> U64:
    """Distinct stable hashes (blake2b-64) of a document's line keys: shared lines are counted by hash."""
    return np.unique(_line_hashes(lines))


def skeleton(length: int, lines: Sequence[tuple[str, int]], shared: U64) -> tuple[int, list[tuple[str, int] | None]]:
    """The lines chrome detection reads: lines whose hash another document shares (``shared``,
    sorted) or matching a pattern are kept, any other is ``None``."""
    h = _line_hashes(lines)
    pos = np.minimum(np.searchsorted(shared, h), max(shared.shape[0] - 1, 0))
    hit = (shared[pos] == h).tolist() if shared.shape[0] else [False] * h.shape[0]
    out: list[tuple[str, int] | None] = [
        (k, n) if h or boilerplate.match_pattern(k) else _PRIVATE for (k, n), h in zip(lines, hit, strict=True)
    ]
    return length, out


def chrome(skeletons: Sequence[tuple[int, list[tuple[str, int] | None]]], config: BoilerplateConfig) -> set[str]:
    """Chrome line keys from the documents' skeletons (in document order): ``boilerplate.chrome_lines``."""
    docs = [
        (length, [line if line is not None else (f"\x00{d}:{k}", 0) for k, line in enumerate(lines)])
        for d, (length, lines) in enumerate(skeletons)
    ]
    return boilerplate.chrome_lines(docs, config)


def stripped(
    items: Sequence[tuple[int, Article, NormalizedText | Skipped, Lines | None]], chrome: set[str], config: BoilerplateConfig
) -> tuple[list[Document], list[Skipped]]:
    """The partition's documents with chrome blanked (index not yet set) and its skipped articles."""
    docs: list[Document] = []
    skipped: list[Skipped] = []
    for _, art, norm, _ in items:
        doc = norm if isinstance(norm, Skipped) else pipeline.stripped(art, norm, chrome, config)
        if isinstance(doc, Skipped):
            skipped.append(doc)
        else:
            docs.append(doc)
    return docs, skipped


def indexed(doc: Document, index: int) -> Document:
    """The document with its corpus index (position in id order among kept documents)."""
    return dataclasses.replace(doc, index=index)


# --- features per partition ----------------------------------------------------------------


def _no_sentences() -> sp.csr_matrix:
    return sp.csr_matrix((0, vectorize.N_FEATURES), dtype=np.float64)


Texts = tuple[bytes, bytes]  # a partition's documents and views, pickled


def texts(docs: list[Document], views: list[verify.DocView]) -> Texts:
    """A partition's documents and views, pickled once: only verification and lineage unpickle them."""
    return pickle.dumps(docs, protocol=pickle.HIGHEST_PROTOCOL), pickle.dumps(views, protocol=pickle.HIGHEST_PROTOCOL)


class Part:
    """One partition's documents (corpus indexes ``first``, ``first + 1``, ...) and their features.

    Documents and views are kept apart (:func:`texts`, :meth:`joined`): most steps
    read only signatures, TF-IDF rows, sentence rows or the documents' hash sets, and
    a step receives every byte of the blocks it reads (measured at 10k documents in
    two partitions: 240 of a partition's 290 MB are documents and views, whose
    unpickling took 0.17 s of 0.21 s per 500 articles).
    """

    __slots__ = ("_loaded", "_texts", "first", "n", "phrases", "sentences", "sets", "sigs", "tokens", "x")

    def __init__(
        self,
        first: int,
        n: int,
        sigs: U64,
        x: sp.csr_matrix,
        sentences: verify.SentenceIndex,
        sets: list[U64],
        phrases: list[U64],
        tokens: list[U64],
    ) -> None:
        self.first = first
        self.n = n
        self.sigs = sigs  # (documents, num_perm)
        self.x = x  # TF-IDF rows (documents, N_FEATURES)
        self.sentences = sentences  # document k = position k
        self.sets = sets  # per document: its shingle set
        self.phrases = phrases  # its wording phrases
        self.tokens = tokens  # its distinct token hashes
        self._texts: Texts | None = None
        self._loaded: dict[str, Any] = {}

    def __getstate__(self) -> tuple[Any, ...]:
        return self.first, self.n, self.sigs, self.x, self.sentences, self.sets, self.phrases, self.tokens

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.first, self.n, self.sigs, self.x, self.sentences, self.sets, self.phrases, self.tokens = state
        self._texts = None
        self._loaded = {}

    def joined(self, texts: Texts) -> Part:
        """This part with its documents and views."""
        self._texts = texts
        return self

    def _text(self, name: str, k: int) -> Any:
        if name not in self._loaded:
            if self._texts is None:
                raise RuntimeError("partition read without its documents (Part.joined)")
            self._loaded[name] = pickle.loads(self._texts[k])
        return self._loaded[name]

    @property
    def docs(self) -> list[Document]:
        out: list[Document] = self._text("docs", 0)
        return out

    @property
    def views(self) -> list[verify.DocView]:
        out: list[verify.DocView] = self._text("views", 1)
        return out

    @property
    def ids(self) -> I64:
        return np.arange(self.first, self.first + self.n, dtype=np.int64)

    def owns(self, i: int) -> bool:
        return self.first <= i < self.first + self.n

    def sentence_rows(self, i: int) -> sp.csr_matrix:
        """TF-IDF rows of document ``i``'s sentences."""
        if self.sentences.words.shape[1] != vectorize.N_FEATURES:
            return _no_sentences()
        return self.sentences.words[self.sentences.rows(i - self.first)].tocsr()


def views_and_counts(first: int, docs: Sequence[Document], config: RunConfig) -> tuple[Texts, sp.csr_matrix]:
    """The partition's documents indexed from ``first`` and their views (pickled), and raw term-count rows."""
    docs = [indexed(d, first + k) for k, d in enumerate(docs)]
    if not docs:
        return texts([], []), sp.csr_matrix((0, vectorize.N_FEATURES), dtype=np.float64)
    counts = vectorize.term_counts([d.content for d in docs])
    return texts(docs, [pipeline.build_view(d.content, config.shingle) for d in docs]), counts


def df_counts(counts: sp.csr_matrix) -> I64:
    """Document frequencies of a partition's count rows: summed across partitions."""
    return vectorize.document_frequencies(counts)


def features(first: int, texts: Texts, counts: sp.csr_matrix, model: vectorize.TfidfModel, config: RunConfig) -> Part:
    """Signatures, TF-IDF rows, sentence rows and hash sets of a partition's documents."""
    views: list[verify.DocView] = pickle.loads(texts[1])
    sets = [v.shingled.unique for v in views]
    if not views:
        sigs = np.zeros((0, config.sketch.num_perm), dtype=np.uint64)
        x = sp.csr_matrix((0, vectorize.N_FEATURES), dtype=np.float64)
    else:
        sigs = sketch.signatures(sets, config.sketch)
        x = vectorize.weigh(counts, model)
    tokens = [np.unique(v.shingled.token_hashes) for v in views]
    return Part(first, len(views), sigs, x, verify.sentence_index(views, model), sets, [v.phrases for v in views], tokens)


class _Stack:
    """The partition's documents (positions 0..k-1) followed by gathered ones (sorted by index)."""

    def __init__(self, part: Part, gathered: Iterable[int]) -> None:
        self.part = part
        self.others = sorted(int(i) for i in gathered if not part.owns(int(i)))
        self.where = {i: part.n + k for k, i in enumerate(self.others)}

    def __len__(self) -> int:
        return self.part.n + len(self.others)

    def pos(self, i: int) -> int:
        """Position of corpus index ``i`` (-1 when neither local nor gathered)."""
        return i - self.part.first if self.part.owns(i) else self.where.get(i, -1)

    def positions(self, idx: I64) -> I64:
        return np.asarray([self.pos(i) for i in idx.ravel().tolist()], dtype=np.int64).reshape(idx.shape)

    def x(self, rows: Mapping[int, sp.csr_matrix]) -> sp.csr_matrix:
        return sp.vstack([self.part.x, *[rows[i] for i in self.others]], format="csr")

    def sentences(self, rows: Mapping[int, sp.csr_matrix]) -> verify.SentenceIndex:
        local = [self.part.sentence_rows(i) for i in self.part.ids.tolist()]
        return mini_index([*local, *[rows[i] for i in self.others]])


def mini_index(rows: Sequence[sp.csr_matrix]) -> verify.SentenceIndex:
    """A sentence index over a few documents' sentence rows (document k = position k)."""
    offsets = np.concatenate(([0], np.cumsum([r.shape[0] for r in rows]))).astype(np.int64)
    words = sp.vstack(list(rows), format="csr") if rows else _no_sentences()
    return verify.SentenceIndex(words, offsets)


# --- candidates ----------------------------------------------------------------------------


def band_keys(part: Part, bands: int, rows: int) -> tuple[U64, I64]:
    """The partition's LSH band keys, flattened document by document as ``candidates.lsh_pairs`` does, and their owners."""
    nonempty = np.flatnonzero(part.sigs[:, 0] != sketch.EMPTY).astype(np.int64)
    keys = candidates.band_keys(part.sigs[nonempty], bands, rows)
    return keys.ravel(), np.repeat(nonempty + part.first, bands)


def bucket_pairs(keys: U64, owners: I64, max_bucket: int) -> tuple[I64, int]:
    """LSH pairs of one share of the band keys (``candidates.keyed_pairs``, owners in document order)."""
    order = np.argsort(owners, kind="stable")
    return candidates.keyed_pairs(keys[order], owners[order], max_bucket)


def anchors(part: Part, config: CandidateConfig) -> tuple[U64, I64]:
    """The partition's anchors and their owners (``candidates.anchor_index``)."""
    hashes, owners = candidates.anchor_index(part.sets, config.anchor_mod)
    return hashes, owners + part.first


def anchor_counts(hashes: U64, owners: I64, n_docs: int, config: CandidateConfig) -> tuple[I64, I64, int]:
    """Pairs, shared-anchor counts and pruned anchors of one share of the anchors (``candidates.anchor_pair_counts``)."""
    order = np.argsort(owners, kind="stable")
    return candidates.anchor_pair_counts(hashes[order], owners[order], n_docs, config)


def term_postings(part: Part, df: I64, config: CandidateConfig) -> tuple[I64, I64, F64]:
    """(term, document, weight) of the terms that index the partition's documents in the paraphrase channel."""
    idx = candidates.top_term_rows(part.x, df, config).tocoo()
    return idx.col.astype(np.int64), idx.row.astype(np.int64) + part.first, idx.data.astype(np.float64)


def term_neighbours(part: Part, df: I64, postings: tuple[I64, I64, F64], n_docs: int, config: CandidateConfig) -> I64:
    """Directed (i, j) paraphrase-channel neighbours of the partition's documents, before the cosine floor.

    ``postings``: every (term, document, weight) of each term the partition's
    documents are indexed by. The partition's rows of the index product are the
    local engine's rows (same products, summed in the same term order), and
    ``candidates.top_neighbors`` picks from them.
    """
    terms, docs, weights = postings
    idx = candidates.top_term_rows(part.x, df, config)
    if idx.nnz == 0:
        return np.zeros((0, 2), dtype=np.int64)
    used = np.unique(terms)
    a = sp.csr_matrix((idx.data, np.searchsorted(used, idx.indices), idx.indptr), shape=(idx.shape[0], used.shape[0]))
    b = sp.csr_matrix((weights, (np.searchsorted(used, terms), docs)), shape=(used.shape[0], n_docs))
    return candidates.top_neighbors((a @ b).tocsr(), part.ids, config.tfidf_neighbors)


def neighbours(
    part: Part, directed: I64, rows: Mapping[int, sp.csr_matrix], config: CandidateConfig
) -> tuple[I64, list[tuple[int, ...]], F64]:
    """The paraphrase channel's pairs, each local document's neighbours and its same-story baseline.

    As ``candidates.tfidf_pairs`` and ``pipeline._baselines`` (``rows``: gathered
    TF-IDF rows of the neighbours).
    """
    stack = _Stack(part, rows.keys())
    x = stack.x(rows)
    cos = vectorize.row_cosines(x, stack.positions(directed))
    directed = directed[cos >= config.tfidf_min_cosine]
    nbs: list[list[int]] = [[] for _ in range(part.n)]
    for i, j in directed.tolist():
        nbs[i - part.first].append(j)
    sorted_nbs = [tuple(sorted(nb)) for nb in nbs]
    base = pipeline._baselines(x, tuple(tuple(stack.pos(j) for j in nb) for nb in sorted_nbs))
    pairs = np.unique(np.sort(directed, axis=1), axis=0).reshape(-1, 2).astype(np.int64)
    return pairs, sorted_nbs, base[: part.n]


def merge_candidates(
    lsh: Sequence[I64], anchor: Sequence[tuple[I64, I64]], tfidf: Sequence[I64], n_docs: int, config: CandidateConfig
) -> tuple[I64, npt.NDArray[np.uint8], tuple[int, int, int]]:
    """Candidate pairs of the partition's documents (as first member), with channel bits, and pairs per channel.

    Anchor counts from every share of the anchors are summed before the
    ``min_shared_anchors`` floor, as ``candidates.anchor_pairs`` counts them.
    """
    def unique(parts: Sequence[I64]) -> I64:
        allp = np.concatenate([np.zeros((0, 2), dtype=np.int64), *parts])
        return np.unique(allp, axis=0).reshape(-1, 2).astype(np.int64)

    lsh_pairs, tf_pairs = unique(lsh), unique(tfidf)
    summed, total = candidates.pair_totals(
        np.concatenate([np.zeros((0, 2), dtype=np.int64), *[p for p, _ in anchor]]),
        np.concatenate([np.zeros(0, dtype=np.int64), *[c for _, c in anchor]]),
        n_docs,
    )
    anchor_pairs = summed[total >= config.min_shared_anchors]
    pairs, channels = candidates.merge_channels([(lsh_pairs, 1), (anchor_pairs, 2), (tf_pairs, 4)])
    return pairs, channels, (lsh_pairs.shape[0], anchor_pairs.shape[0], tf_pairs.shape[0])


def worth(
    part: Part, pairs: I64, partners: Mapping[int, tuple[sp.csr_matrix, U64, U64]], config: RunConfig
) -> tuple[npt.NDArray[np.bool_], F64]:
    """Which candidate pairs to verify and their TF-IDF cosines (``pipeline._worth_verifying``).

    ``partners``: gathered TF-IDF row, shingle set and phrases of each partner another partition owns.
    """
    rows = {i: x for i, (x, _, _) in partners.items()}
    stack = _Stack(part, rows.keys())
    cos = vectorize.row_cosines(stack.x(rows), stack.positions(pairs))
    keep = cos >= config.candidates.verify_min_cosine

    def unique(i: int) -> U64:
        return part.sets[i - part.first] if part.owns(i) else partners[i][1]

    for k in np.flatnonzero(~keep).tolist():
        keep[k] = pipeline.sets_share_enough(unique(int(pairs[k, 0])), unique(int(pairs[k, 1])), config)
    return keep, cos


# --- verification --------------------------------------------------------------------------


def partners(first: int, edges: Sequence[I64], neighbors: Sequence[tuple[int, ...]]) -> dict[int, tuple[int, ...]]:
    """Partners of the partition's documents that are in a pair to verify: their neighbours and
    the other side of each such pair (as ``pipeline._verify`` collects them).

    ``edges``: (local document, other side) of every pair to verify.
    """
    found: dict[int, set[int]] = {}
    for chunk in edges:
        for a, b in chunk.tolist():
            found.setdefault(a, set()).add(b)
    return {i: tuple(sorted(ps | set(neighbors[i - first]))) for i, ps in sorted(found.items())}


class Side(NamedTuple):
    """What verification needs of a document beyond its features (a tuple: cheap to unpickle)."""

    baseline: float
    partners: tuple[int, ...]  # corpus indexes, sorted (the rows of ``matrix``)
    matrix: F64  # verify.background_matrix against the partners


def sides(
    part: Part,
    partners: Mapping[int, tuple[int, ...]],
    baselines: F64,
    rows: Mapping[int, sp.csr_matrix],
) -> dict[int, Side]:
    """Background matrices (``verify.background_matrix``) of the partition's documents that are in a pair to verify.

    ``rows``: gathered sentence rows of their partners.
    """
    stack = _Stack(part, rows.keys())
    index = stack.sentences(rows)
    return {
        a: Side(float(baselines[a - part.first]), ps, verify.background_matrix(index, stack.pos(a), [stack.pos(d) for d in ps]))
        for a, ps in partners.items()
    }


class Remote(NamedTuple):
    """A partner document gathered for verification."""

    doc: Document
    view: verify.DocView
    sig: U64
    side: Side


def shared_keys(part: Part, pairs: I64, partners: Mapping[int, tuple[Any, U64, U64]]) -> tuple[U64, U64]:
    """Shingles and phrases the partition's pairs share: the document frequencies their scores look up.

    ``partners``: gathered (TF-IDF row, shingle set, phrases) of the other sides.
    """

    def sets(i: int) -> tuple[U64, U64]:
        if part.owns(i):
            return part.sets[i - part.first], part.phrases[i - part.first]
        return partners[i][1], partners[i][2]

    sh: list[U64] = [np.zeros(0, dtype=np.uint64)]
    ph: list[U64] = [np.zeros(0, dtype=np.uint64)]
    for a, b in pairs.tolist():
        (ua, pa), (ub, pb) = sets(a), sets(b)
        sh.append(np.intersect1d(ua, ub, assume_unique=True))
        ph.append(np.intersect1d(pa, pb, assume_unique=True))
    return np.unique(np.concatenate(sh)), np.unique(np.concatenate(ph))


def lookup(table: tuple[U64, I64], keys: U64) -> I64:
    """Counts of ``keys`` in a (sorted hashes, counts) table (every key is in it)."""
    hashes, counts = table
    if keys.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    return counts[np.searchsorted(hashes, keys)]


def verify_part(
    part: Part,
    pairs: I64,
    channels: npt.NDArray[np.uint8],
    cos: F64,
    own: Mapping[int, Side],
    remote: Mapping[int, Remote],
    rows: Mapping[int, sp.csr_matrix],
    shingle_df: tuple[U64, I64],
    phrase_df: tuple[U64, I64],
    config: RunConfig,
) -> list[tuple[int, int, str, dict[str, Any], cluster.Link | None]]:
    """``pipeline.verify_candidate`` on every pair of the partition, over a corpus of its own.

    The corpus is the partition's documents and the gathered ones (``rows``: sentence
    rows of all partners, ``remote``: the other sides of the pairs), with their
    baselines and background matrices; document frequencies cover every shingle and
    phrase a pair shares. Returns (a, b, relation, report entry, cluster link).
    """
    stack = _Stack(part, rows.keys())
    n = len(stack)
    views: list[verify.DocView | None] = [*part.views, *[None] * (n - part.n)]
    sigs = np.full((n, config.sketch.num_perm), sketch.EMPTY, dtype=np.uint64)
    sigs[: part.n] = part.sigs
    baselines = np.zeros(n)
    neighbors: list[tuple[int, ...]] = [()] * n
    matrices: dict[int, F64] = {}
    docs: dict[int, Document] = {}
    for i, side in own.items():
        p = stack.pos(i)
        baselines[p], neighbors[p], matrices[p] = side.baseline, tuple(stack.pos(d) for d in side.partners), side.matrix
        docs[i] = part.docs[p]
    for i, r in remote.items():
        p = stack.pos(i)
        views[p], sigs[p], docs[i] = r.view, r.sig, r.doc
        baselines[p], neighbors[p], matrices[p] = r.side.baseline, tuple(stack.pos(d) for d in r.side.partners), r.side.matrix
    index = stack.sentences(rows)
    background = verify.Background(index, neighbors, matrices)
    local = stack.positions(pairs)
    out: list[tuple[int, int, str, dict[str, Any], cluster.Link | None]] = []
    for k, (ia, ib) in enumerate(pairs.tolist()):
        res = pipeline.verify_candidate(
            int(local[k, 0]), int(local[k, 1]), int(channels[k]), views, sigs, float(cos[k]), baselines,
            shingle_df, phrase_df, index, background, config,
        )
        if res is None:
            continue
        m, rel, conf = res
        m = dataclasses.replace(m, a=ia, b=ib)
        link = cluster.link(ia, ib, rel, m.passages) if rel in relation.REUSE else None
        out.append((ia, ib, rel, pair_entry(m, rel, conf, docs), link))  # type: ignore[arg-type]
    return out


# --- clusters and lineage ------------------------------------------------------------------


def component_clusters(links: Sequence[cluster.Link], config: RunConfig) -> list[tuple[int, ...]]:
    """``cluster.clusters`` of one connected component of the reuse graph."""
    return cluster.clusters(sorted(links, key=lambda k: (k.a, k.b)), config.cluster)


def cluster_lineage(
    group: tuple[int, ...],
    docs: Mapping[int, Document],
    views: Mapping[int, verify.DocView],
    rows: Mapping[int, sp.csr_matrix],
    pairs: dict[tuple[int, int], dict[str, Any]],
    token_df: Callable[[str], int],
    config: RunConfig,
) -> dict[str, Any]:
    """``lineage.build_lineage`` of one cluster from its members and its reuse pairs (in (a, b) order)."""
    pos = {i: k for k, i in enumerate(group)}
    index = mini_index([rows[i] for i in group])
    inner = pipeline._sentence_lookup([views[i] for i in group], index)

    def sentence_sim(x: int, y: int) -> Any:
        return inner(pos[x], pos[y])

    return lineage.build_lineage(group, docs, pairs, config.lineage, token_df, sentence_sim)  # type: ignore[arg-type]


def token_hashes(part: Part) -> U64:
    """Distinct token hashes of each of the partition's documents, concatenated (for lineage's word frequencies)."""
    return np.concatenate([np.zeros(0, dtype=np.uint64), *part.tokens])
