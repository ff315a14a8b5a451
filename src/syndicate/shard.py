"""Stage functions over a shard of the corpus: what a distributed engine runs per item.

The local pipeline calls each stage on the whole corpus at once; a distributed
engine (``backends/spark.py``) calls the functions here on one partition, one
bucket, one candidate pair or one cluster. Each is built from the very functions
the local pipeline calls (``pipeline.build_view``, ``sketch.signatures``,
``candidates.group_pairs``, ``pipeline.verify_candidate``, ``cluster.clusters``,
``lineage.build_lineage``), fed a small local subset of the corpus with document
indexes remapped, so both engines compute every score with one implementation.

What a pair or a cluster needs from the rest of the corpus arrives as small
inputs: document frequencies of the shingles and phrases the pair shares (the
only ones its scores look up), the sentence-background matrix of each side
(``verify.background_matrix`` against its partners), and the same-story baseline
of each side.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

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
from .types import Document

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
# A line of a chrome skeleton that no other document has and no pattern matches.
_PRIVATE = None


# --- preparing documents -------------------------------------------------------------------


def skeleton(
    pos: int, length: int, lines: Sequence[tuple[str, int]], shared: set[str]
) -> tuple[int, list[tuple[str, int] | None]]:
    """The lines chrome detection reads: shared or pattern lines kept, any other as ``None``."""
    out: list[tuple[str, int] | None] = [
        (k, n) if k in shared or boilerplate.match_pattern(k) else _PRIVATE for k, n in lines
    ]
    return length, out


def chrome(skeletons: Sequence[tuple[int, list[tuple[str, int] | None]]], config: BoilerplateConfig) -> set[str]:
    """Chrome line keys from the documents' skeletons (in document order): ``boilerplate.chrome_lines``."""
    docs = [
        (length, [line if line is not None else (f"\x00{d}:{k}", 0) for k, line in enumerate(lines)])
        for d, (length, lines) in enumerate(skeletons)
    ]
    return boilerplate.chrome_lines(docs, config)


def indexed(doc: Document, index: int) -> Document:
    """The document with its corpus index (position in id order among kept documents)."""
    return dataclasses.replace(doc, index=index)


# --- features per partition ----------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Features:
    """Everything later stages need of one document."""

    doc: Document
    view: verify.DocView
    sig: U64
    x: sp.csr_matrix  # TF-IDF row (1 x N_FEATURES)
    sentences: sp.csr_matrix  # TF-IDF rows of its sentences


def views_and_counts(docs: Sequence[Document], config: RunConfig) -> list[tuple[Document, verify.DocView, sp.csr_matrix]]:
    """Views and raw term-count rows of a partition's documents."""
    if not docs:
        return []
    counts = vectorize.term_counts([d.content for d in docs])
    return [(d, pipeline.build_view(d.content, config.shingle), counts[k]) for k, d in enumerate(docs)]


def df_counts(rows: Sequence[sp.csr_matrix]) -> I64:
    """Document frequencies of a partition's count rows: summed across partitions."""
    if not rows:
        return np.zeros(vectorize.N_FEATURES, dtype=np.int64)
    return vectorize.document_frequencies(sp.vstack(list(rows), format="csr"))


def features(items: Sequence[tuple[Document, verify.DocView, sp.csr_matrix]], model: vectorize.TfidfModel, config: RunConfig) -> list[Features]:
    """Signatures, TF-IDF rows and sentence rows of a partition's documents."""
    if not items:
        return []
    views = [v for _, v, _ in items]
    sigs = sketch.signatures([v.shingled.unique for v in views], config.sketch)
    x = vectorize.weigh(sp.vstack([c for _, _, c in items], format="csr"), model)
    index = verify.sentence_index(views, model)
    out = []
    for k, (d, v, _) in enumerate(items):
        rows = index.words[index.rows(k)] if index.words.shape[1] == vectorize.N_FEATURES else _no_sentences()
        out.append(Features(d, v, sigs[k], x[k], rows.tocsr()))
    return out


def _no_sentences() -> sp.csr_matrix:
    return sp.csr_matrix((0, vectorize.N_FEATURES), dtype=np.float64)


def mini_index(rows: Sequence[sp.csr_matrix]) -> verify.SentenceIndex:
    """A sentence index over a few documents' sentence rows (document k = position k)."""
    offsets = np.concatenate(([0], np.cumsum([r.shape[0] for r in rows]))).astype(np.int64)
    return verify.SentenceIndex(sp.vstack(list(rows), format="csr"), offsets)


# --- candidates ----------------------------------------------------------------------------


def band_keys(sig: U64, bands: int, rows: int) -> list[int]:
    """A document's LSH band keys (none for an empty signature), as in ``candidates.lsh_pairs``."""
    if sig[0] == sketch.EMPTY:
        return []
    return [int(k) for k in candidates.band_keys(sig[None, :], bands, rows)[0]]


def bucket_pairs(members: Sequence[int], max_group: int) -> tuple[list[tuple[int, int]], int]:
    """Pairs of one bucket (members sorted as the local engine orders them) and whether it was capped."""
    arr = np.sort(np.asarray(members, dtype=np.int64), kind="stable")
    pairs, capped = candidates.group_pairs(arr, max_group)
    return [(a, b) for a, b in pairs.tolist() if a != b], capped


def anchors(view: verify.DocView, config: CandidateConfig) -> list[int]:
    """A document's anchor hashes (``candidates.anchor_index`` of one document)."""
    hashes, _ = candidates.anchor_index([view.shingled.unique], config.anchor_mod)
    return [int(h) for h in hashes]


def indexed_terms(x: sp.csr_matrix, df: I64, config: CandidateConfig) -> list[tuple[int, float]]:
    """(term, weight) of the terms that index a document in the paraphrase channel."""
    row = candidates.top_term_rows(x, df, config)
    return list(zip(row.indices.tolist(), row.data.tolist(), strict=True))


def term_products(members: Sequence[tuple[int, float]], term: int) -> list[tuple[int, tuple[int, int, float]]]:
    """(i, (j, term, w_i * w_j)) for every ordered pair of documents indexed by one term."""
    return [(i, (j, term, wi * wj)) for i, wi in members for j, wj in members if i != j]


def top_neighbours(contributions: Sequence[tuple[int, int, float]], config: CandidateConfig) -> list[int]:
    """A document's nearest neighbours in the paraphrase channel before the cosine floor.

    Similarities are summed over shared terms in increasing term order, as the
    sparse product of the local engine does, so ties break identically.
    """
    sims: dict[int, float] = {}
    for j, _, p in sorted(contributions, key=lambda c: (c[0], c[1])):
        sims[j] = sims.get(j, 0.0) + p
    if not sims:
        return []
    cols = np.asarray(sorted(sims), dtype=np.int64)
    vals = np.asarray([sims[j] for j in cols.tolist()], dtype=np.float64)
    top: list[int] = cols[np.lexsort((cols, -vals))[: config.tfidf_neighbors]].tolist()
    return top


def cosine(xa: sp.csr_matrix, xb: sp.csr_matrix) -> float:
    """TF-IDF cosine of two rows (``vectorize.row_cosines``)."""
    return float(vectorize.row_cosines(sp.vstack([xa, xb], format="csr"), np.asarray([[0, 1]], dtype=np.int64))[0])


def baseline(x: sp.csr_matrix, neighbour_rows: Sequence[sp.csr_matrix]) -> float:
    """A document's same-story baseline from its neighbours' rows (in neighbour order)."""
    mini = sp.vstack([x, *neighbour_rows], format="csr")
    return float(pipeline._baselines(mini, (tuple(range(1, len(neighbour_rows) + 1)),))[0])


# --- verification --------------------------------------------------------------------------


def background(sentences: sp.csr_matrix, partner_rows: Sequence[sp.csr_matrix]) -> F64:
    """``verify.background_matrix`` of a document against its partners (in partner order)."""
    index = mini_index([sentences, *partner_rows])
    return verify.background_matrix(index, 0, range(1, len(partner_rows) + 1))


@dataclass(frozen=True, slots=True, eq=False)
class Side:
    """One side of a candidate pair, with what it needs from the rest of the corpus."""

    f: Features
    baseline: float
    partners: tuple[int, ...]  # corpus indexes, sorted (the rows of ``matrix``)
    matrix: F64


def shared_keys(a: Features, b: Features) -> tuple[list[int], list[int]]:
    """Shingles and phrases the two documents share: the df lookups their scores need."""
    sh = np.intersect1d(a.view.shingled.unique, b.view.shingled.unique, assume_unique=True)
    ph = np.intersect1d(a.view.phrases, b.view.phrases, assume_unique=True)
    return [int(h) for h in sh], [int(h) for h in ph]


def _table(found: Sequence[tuple[int, int]]) -> tuple[U64, I64]:
    items = sorted(found)
    return np.asarray([h for h, _ in items], dtype=np.uint64), np.asarray([c for _, c in items], dtype=np.int64)


def verify_pair(
    a: Side,
    b: Side,
    channels: int,
    cos: float,
    shingle_df: Sequence[tuple[int, int]],
    phrase_df: Sequence[tuple[int, int]],
    config: RunConfig,
) -> tuple[verify.Match, str, float, dict[str, Any]] | None:
    """``pipeline.verify_candidate`` on the pair's own documents, and its report entry."""
    ia, ib = a.f.doc.index, b.f.doc.index

    def local(partners: tuple[int, ...]) -> tuple[int, ...]:
        # Background reads partner ids only to leave out the other side of the pair.
        return tuple(1 if d == ib else 0 if d == ia else -1 for d in partners)

    index = mini_index([a.f.sentences, b.f.sentences])
    bg = verify.Background(index, [local(a.partners), local(b.partners)], {0: a.matrix, 1: b.matrix})
    out = pipeline.verify_candidate(
        0, 1, channels, [a.f.view, b.f.view], np.stack([a.f.sig, b.f.sig]), cos,
        np.asarray([a.baseline, b.baseline]), _table(shingle_df), _table(phrase_df), index, bg, config,
    )
    if out is None:
        return None
    m, rel, conf = out
    m = dataclasses.replace(m, a=ia, b=ib)
    return m, rel, conf, pair_entry(m, rel, conf, {ia: a.f.doc, ib: b.f.doc})  # type: ignore[arg-type]


def reuse_link(m: verify.Match, rel: str) -> cluster.Link | None:
    """The cluster link of a reuse pair (None for same-story pairs)."""
    return cluster.link(m.a, m.b, rel, m.passages) if rel in relation.REUSE else None


# --- clusters and lineage ------------------------------------------------------------------


def component_clusters(links: Sequence[cluster.Link], config: RunConfig) -> list[tuple[int, ...]]:
    """``cluster.clusters`` of one connected component of the reuse graph."""
    return cluster.clusters(sorted(links, key=lambda k: (k.a, k.b)), config.cluster)


def cluster_lineage(
    group: tuple[int, ...],
    members: Sequence[Features],
    pairs: dict[tuple[int, int], dict[str, Any]],
    token_df: Callable[[str], int],
    config: RunConfig,
) -> dict[str, Any]:
    """``lineage.build_lineage`` of one cluster from its members and its reuse pairs."""
    by_index = {f.doc.index: f for f in members}
    ordered = [by_index[i] for i in group]
    pos = {i: k for k, i in enumerate(group)}
    index = mini_index([f.sentences for f in ordered])
    inner = pipeline._sentence_lookup([f.view for f in ordered], index)

    def sentence_sim(x: int, y: int) -> Any:
        return inner(pos[x], pos[y])

    docs = {i: by_index[i].doc for i in group}
    return lineage.build_lineage(group, docs, pairs, config.lineage, token_df, sentence_sim)  # type: ignore[arg-type]


def token_hashes(view: verify.DocView) -> list[int]:
    """Distinct token hashes of a document (for the word document frequencies of lineage)."""
    return [int(h) for h in np.unique(view.shingled.token_hashes)]
