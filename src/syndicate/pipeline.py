"""The only place stages are chained: ``run(path, config) -> Report``."""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from . import (
    __version__,
    boilerplate,
    candidates,
    cluster,
    ingest,
    lineage,
    normalize,
    relation,
    shingle,
    sketch,
    vectorize,
    verify,
    viewstore,
)
from .backends import local
from .config import BoilerplateConfig, RunConfig, ShingleConfig
from .errors import InputError
from .report import (
    PairEntries,
    Report,
    build_report,
    channel_names,
    fill_texts,
    pack_entry,
    pair_entry,
    unpack_entry,
)
from .types import Article, Document, NormalizedText, Skipped

T = TypeVar("T")

# Items per work unit of the process pool (documents, candidate pairs).
VIEW_CHUNK = 256
VERIFY_CHUNK = 512
LINEAGE_CHUNK = 16
_LIBRARIES = ("datasketch", "scikit-learn", "numpy", "scipy", "click", "trafilatura", "networkx")


@dataclass(slots=True)
class _Clock:
    """Seconds per stage (reported only when timings are asked for)."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start


@contextmanager
def _bar(desc: str, total: int, enabled: bool) -> Iterator[Callable[[int], None] | None]:
    """A progress bar with rate and ETA on stderr (tqdm), or nothing."""
    if not enabled:
        yield None
        return
    from tqdm import tqdm

    with tqdm(desc=desc, total=total, unit="item", leave=False, file=sys.stderr, dynamic_ncols=True) as bar:
        yield bar.update


def tool_info() -> dict[str, Any]:
    """Name, version and library versions recorded in every report."""
    libs: dict[str, str | None] = {}
    for name in _LIBRARIES:
        try:
            libs[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            libs[name] = None
    return {"name": "syndicate", "version": __version__, "python": platform.python_version(), "libraries": libs}


def prepare(
    articles: Iterable[Article], config: RunConfig, progress: bool
) -> tuple[list[Document], list[Skipped]]:
    """Normalise, strip chrome; documents with no text left are skipped as ``empty``."""
    normed = []
    skipped: list[Skipped] = []
    arts = list(articles)
    with _bar("normalise", len(arts), progress) as tick:
        norms = local.ordered_map(
            _normalize_chunk, arts, jobs=local.resolve_jobs(config.jobs), chunk=VIEW_CHUNK, shared={}, progress=tick
        )
    for art, norm in zip(arts, norms, strict=True):
        if isinstance(norm, Skipped):
            skipped.append(norm)
        else:
            normed.append((art, norm))
    chrome = boilerplate.recurring_lines([n.text for _, n in normed], config.boilerplate)
    docs: list[Document] = []
    for art, norm in normed:
        doc = stripped(art, norm, chrome, config.boilerplate, len(docs))
        if isinstance(doc, Skipped):
            skipped.append(doc)
        else:
            docs.append(doc)
    return docs, skipped


def normalized(art: Article) -> NormalizedText | Skipped:
    """An article's normalised text, or why it is skipped (every engine, per article)."""
    norm = normalize.normalize(art.text)
    if not norm.text.strip():
        return Skipped(art.path, "empty", "no text after normalisation")
    return norm


def stripped(
    art: Article, norm: NormalizedText, chrome: set[str], config: BoilerplateConfig, index: int = -1
) -> Document | Skipped:
    """The document with chrome blanked, or why it is skipped (every engine, per article)."""
    content, removed = boilerplate.strip(norm, chrome, config)
    if not any(ch.isalnum() for ch in content):
        return Skipped(art.path, "empty", "only publisher chrome after cleaning")
    return Document(index, art, norm.offsets, content, removed)


def _normalize_chunk(arts: Sequence[Article]) -> list[NormalizedText | Skipped]:
    return [normalized(a) for a in arts]


def build_view(content: str, config: ShingleConfig) -> verify.DocView:
    """Everything verification needs of one document (a pure function of its content)."""
    quotes = normalize.quote_mask(content)
    sents = normalize.sentences(content)
    doc_phrases, sentence_phrases = verify.phrases(content, quotes, sents)
    return verify.DocView(
        content,
        shingle.shingle(content, quotes, config),
        quotes,
        sents,
        doc_phrases,
        sentence_phrases,
    )


def _pack_chunk(ranges: Sequence[tuple[int, int]]) -> list[viewstore.Pack]:
    st = local.state()
    cfg: ShingleConfig = st["shingle"]
    folder: str | None = st["spill"]
    out: list[viewstore.Pack] = []
    for s, e in ranges:
        pack = viewstore.pack([build_view(c, cfg) for c in st["contents"][s:e]])
        out.append(pack if folder is None else viewstore.spill(pack, os.path.join(folder, f"views-{s:010d}.bin")))
    return out


def _views(docs: list[Document], config: RunConfig, progress: bool, spill: str | None = None) -> viewstore.ViewStore:
    """Every document's view, packed per work chunk (workers return a few arrays, not objects).

    With ``spill`` (a folder) the packs' per-document records are written there by the
    workers and read back when a view is built: the scan then holds ~3 KB of a news
    article's ~13 KB of packed view (measured: see ``viewstore``).
    """
    contents = [d.content for d in docs]
    ranges = [(s, min(s + VIEW_CHUNK, len(contents))) for s in range(0, len(contents), VIEW_CHUNK)]
    with _bar("shingle", len(docs), progress) as tick:
        packs = local.ordered_map(
            _pack_chunk,
            ranges,
            jobs=local.resolve_jobs(config.jobs),
            chunk=1,
            shared={"shingle": config.shingle, "contents": contents, "spill": spill},
            progress=None if tick is None else (lambda k: tick(k * VIEW_CHUNK)),
        )
    return viewstore.ViewStore(contents, packs, config.shingle.n)


def _baselines(x: Any, neighbors: tuple[tuple[int, ...], ...]) -> npt.NDArray[np.float64]:
    """Each document's median TF-IDF cosine to its neighbours: its same-story baseline."""
    out = np.zeros(len(neighbors))
    sizes = np.asarray([len(nb) for nb in neighbors], dtype=np.int64)
    if not sizes.any():
        return out
    # Every document's neighbour cosines in one batched call (one call per document
    # was ~6% of verification at 1k documents, mostly sparse indexing overhead).
    pairs = np.column_stack((np.repeat(np.arange(len(neighbors)), sizes), np.fromiter(
        (j for nb in neighbors for j in nb), dtype=np.int64, count=int(sizes.sum())
    )))
    cos = vectorize.row_cosines(x, pairs)
    bounds = np.concatenate(([0], np.cumsum(sizes)))
    for i in np.flatnonzero(sizes).tolist():
        out[i] = float(np.median(cos[bounds[i] : bounds[i + 1]]))
    return out


@dataclass(frozen=True, slots=True, eq=False)
class CandidateStage:
    """What candidate generation hands to verification."""

    sigs: npt.NDArray[np.uint64]
    bands: int
    rows: int
    x: Any  # TF-IDF rows (sparse)
    model: vectorize.TfidfModel
    neighbors: tuple[tuple[int, ...], ...]
    pairs: npt.NDArray[np.int64]
    channels: npt.NDArray[np.uint8]
    by_channel: dict[str, int]
    pruned_anchors: int
    capped_buckets: int


def candidate_stage(docs: list[Document], views: viewstore.ViewStore, config: RunConfig, clock: _Clock) -> CandidateStage:
    """Signatures and the three candidate channels, merged."""
    sets = [views.unique(i) for i in range(len(views))]
    with clock.stage("sketch"):
        sigs = sketch.signatures(sets, config.sketch)
    with clock.stage("candidates"):
        bands, rows = candidates.lsh_params(config.candidates, config.sketch.num_perm)
        lsh, capped = candidates.lsh_pairs(sigs, bands, rows, config.candidates.max_bucket)
        anchors, pruned = candidates.anchor_pairs(sets, config.candidates)
        counts = vectorize.term_counts([d.content for d in docs])
        model = vectorize.fit(counts)
        # Weighed in place: the counts are not needed again (~5 KB a news article: 53 MB at 10k).
        x = vectorize.weigh(counts, model, copy=False)
        del counts
        tf_pairs, neighbors = candidates.tfidf_pairs(x, model.df, config.candidates)
        pairs, channels = candidates.merge_channels([(lsh, 1), (anchors, 2), (tf_pairs, 4)])
    by_channel = {"lsh": int(lsh.shape[0]), "anchors": int(anchors.shape[0]), "tfidf": int(tf_pairs.shape[0])}
    return CandidateStage(sigs, bands, rows, x, model, neighbors, pairs, channels, by_channel, pruned, capped)


class VerifyInput(NamedTuple):
    """What verification reads of the candidate stage: no TF-IDF rows (~5 KB a news article)."""

    sigs: npt.NDArray[np.uint64]
    pairs: npt.NDArray[np.int64]
    channels: npt.NDArray[np.uint8]
    neighbors: tuple[tuple[int, ...], ...]
    cos: npt.NDArray[np.float64]  # TF-IDF cosine of each candidate pair
    baselines: npt.NDArray[np.float64]  # each document's same-story baseline


def verify_input(cand: CandidateStage) -> VerifyInput:
    """The candidates with their cosines and the documents' baselines, read off the TF-IDF rows once."""
    return VerifyInput(
        cand.sigs, cand.pairs, cand.channels, cand.neighbors,
        vectorize.row_cosines(cand.x, cand.pairs), _baselines(cand.x, cand.neighbors),
    )


def candidate_ids(path: str, config: RunConfig) -> list[tuple[str, str, list[str]]]:
    """Candidate pairs (ids, channels) before verification: for measuring candidate recall."""
    result = ingest.read_corpus(path, config.ingest)
    docs, _ = prepare(result.articles, config, False)
    cand = candidate_stage(docs, _views(docs, config, False), config, _Clock())
    ids = [d.article.id for d in docs]
    return [
        (ids[a], ids[b], channel_names(int(c)))
        for (a, b), c in zip(cand.pairs.tolist(), cand.channels.tolist(), strict=True)
    ]


def run(path: str, config: RunConfig, *, timings: bool = False) -> Report:
    """Scan a folder (or JSONL file) and return the report.

    The documents' packed views and sentence vectors are spilled to a temporary folder
    (``TMPDIR``; ~12 KB per news article) and removed when the scan ends.

    Raises:
        InputError: the path is missing or holds no readable article.
    """
    from threadpoolctl import threadpool_limits

    # One BLAS thread per process: parallelism comes from the --jobs pool, and the
    # products here are small (tens of sentences). Measured at 1k documents, jobs=1:
    # verification took 19.6 CPU-s with OpenBLAS's default threads, 9.7 with one;
    # with jobs=2 the pool's workers and BLAS threads oversubscribed the two cores.
    with threadpool_limits(limits=1, user_api="blas"), tempfile.TemporaryDirectory(prefix="syndicate-") as spill:
        try:
            return _run(path, config, timings, spill)
        finally:
            viewstore.close_files()


def _run(path: str, config: RunConfig, timings: bool, spill: str | None = None) -> Report:
    clock = _Clock()
    progress = config.progress
    with clock.stage("ingest"):
        result = ingest.read_corpus(path, config.ingest)
    with clock.stage("normalise"):
        docs, empty = prepare(result.articles, config, progress)
    skipped = sorted([*result.skipped, *empty], key=lambda s: (s.path, s.reason))
    if not docs:
        reasons = Counter(s.reason for s in skipped)
        why = ", ".join(f"{r}: {n}" for r, n in sorted(reasons.items()))
        raise InputError(
            f"no readable article in {path}: {result.files_seen} files looked at, all skipped ({why})"
            if result.files_seen
            else f"no readable article in {path}: the folder holds no files syndicate reads"
        )
    with clock.stage("shingle"):
        views = _views(docs, config, progress, spill)
    cand = candidate_stage(docs, views, config, clock)
    counts: dict[str, Any] = {
        "candidate_pairs": int(cand.pairs.shape[0]),
        "candidates_by_channel": cand.by_channel,
        "pruned_anchors": cand.pruned_anchors,
        "capped_buckets": cand.capped_buckets,
    }
    bands_rows = (cand.bands, cand.rows)
    with clock.stage("verify"):
        vin, model = verify_input(cand), cand.model
        # The TF-IDF rows (~5 KB a news article) are not read after the cosines: released
        # before the sentence index is built (the 100k scan's peak was there, with both)
        # and the pairs are verified.
        del cand
        index = verify.sentence_index(views.outlines(), model)
        if spill is not None:
            index = verify.SentenceIndex(viewstore.spill_rows(index.words, os.path.join(spill, "sentences.bin")), index.offsets)
        matches = _verify(docs, views, vin, index, config, progress)
    counts["pairs"] = len(matches)
    counts["reuse_pairs"] = sum(1 for v in matches if v.link is not None)
    # Derivation needs none of the candidate arrays (signatures, pairs) and only the
    # report form of the pairs: released before it runs.
    del vin
    with clock.stage("cluster"):
        links = [v.link for v in matches if v.link is not None]
        groups = cluster.clusters(links, config.cluster)
    # Pair entries are kept as compact JSON (PairEntries: ~1.6 KB a pair against ~8 KB
    # as dicts), without passage texts: derivation workers decode and fill their
    # cluster's pairs, the report decodes each pair when it is written.
    sides = [(v.a, v.b) for v in matches]
    reuse = {(v.a, v.b): k for k, v in enumerate(matches) if v.link is not None}
    blobs = [v.entry for v in matches]
    del matches, links
    sentence_sim = _sentence_lookup(views, index)
    token_df = _token_df(views)
    with clock.stage("lineage"):
        shared = {
            "docs": docs, "groups": groups, "pairs": _pairs_by_cluster(groups, reuse), "blobs": blobs,
            "config": config.lineage, "token_df": token_df, "sentence_sim": sentence_sim,
        }
        with _bar("lineage", len(groups), progress) as tick:
            lineages = local.ordered_map(
                _lineage_chunk, range(len(groups)), jobs=local.resolve_jobs(config.jobs), chunk=LINEAGE_CHUNK, shared=shared, progress=tick
            )
        cluster_entries = []
        for k, (g, lin) in enumerate(zip(groups, lineages, strict=True), start=1):
            entry: dict[str, Any] = {"id": f"c{k}", "members": [docs[i].article.id for i in g]}
            entry.update(lin)
            cluster_entries.append(entry)
    del views, index, sentence_sim, token_df, shared
    ids = [d.article.id for d in docs]
    order = sorted(range(len(sides)), key=lambda k: (ids[sides[k][0]], ids[sides[k][1]]))
    pairs = PairEntries([blobs[k] for k in order], [(docs[sides[k][0]], docs[sides[k][1]]) for k in order])
    del blobs
    stats: dict[str, Any] = {
        "files_seen": result.files_seen,
        "documents": len(docs),
        "skipped": len(skipped),
        **counts,
        "clusters": len(groups),
    }
    if timings:
        stats["seconds"] = {k: round(v, 4) for k, v in clock.seconds.items()}
    return build_report(docs, pairs, cluster_entries, skipped, stats, tool_info(), config, bands_rows)


def _pairs_by_cluster(groups: Sequence[tuple[int, ...]], reuse: dict[tuple[int, int], T]) -> list[dict[tuple[int, int], T]]:
    """Per cluster, the reuse pairs with both members in it (in the order of ``reuse``).

    One pass over the pairs: filtering every pair for every cluster was quadratic
    (18k clusters x 270k pairs at 100k documents).
    """
    clusters_of: dict[int, list[int]] = {}
    for k, g in enumerate(groups):
        for i in g:
            clusters_of.setdefault(i, []).append(k)
    out: list[dict[tuple[int, int], T]] = [{} for _ in groups]
    for (a, b), entry in reuse.items():
        for k in sorted(set(clusters_of.get(a, ())) & set(clusters_of.get(b, ()))):
            out[k][(a, b)] = entry
    return out


def _lineage_chunk(ks: Sequence[int]) -> list[dict[str, Any]]:
    st = local.state()
    docs = st["docs"]
    out = []
    for k in ks:
        pairs = {(a, b): _with_texts(unpack_entry(st["blobs"][e]), docs[a], docs[b]) for (a, b), e in st["pairs"][k].items()}
        out.append(lineage.build_lineage(st["groups"][k], docs, pairs, st["config"], st["token_df"], st["sentence_sim"]))
    return out


def _with_texts(entry: dict[str, Any], da: Document, db: Document) -> dict[str, Any]:
    fill_texts(entry, da, db)
    return entry


def _sentence_lookup(views: Sequence[verify.DocView], index: verify.SentenceIndex) -> Callable[[int, int], Any]:
    """(x, y) -> sentence similarities, usable-sentence masks (narration, >= 6 words), x's sentence texts."""

    def usable(v: verify.DocView) -> npt.NDArray[np.bool_]:
        return np.asarray(
            [v.quotes[a:b].mean() < 0.5 and len(v.content[a:b].split()) >= 6 for a, b in v.sentences], dtype=bool
        )

    def lookup(x: int, y: int) -> Any:
        vx, vy = views[x], views[y]
        texts = [vx.content[a:b] for a, b in vx.sentences]
        return verify.sentence_similarity(index, x, y), usable(vx), usable(vy), texts

    return lookup


def _token_df(views: viewstore.ViewStore) -> Callable[[str], int]:
    """word -> number of documents containing it (mergeable counts over token hashes)."""
    return token_df_lookup(*verify.hash_df([np.unique(views.token_hashes(i)) for i in range(len(views))]))


def token_df_lookup(hashes: npt.NDArray[np.uint64], counts: npt.NDArray[np.int64]) -> Callable[[str], int]:
    """word -> document frequency, from sorted token hashes and their counts."""

    def lookup(word: str) -> int:
        h = np.uint64(shingle.token_hash(word))
        k = int(np.searchsorted(hashes, h))
        return int(counts[k]) if k < hashes.shape[0] and hashes[k] == h else 0

    return lookup


def _worth_verifying(
    views: viewstore.ViewStore, pairs: npt.NDArray[np.int64], cos: npt.NDArray[np.float64], config: RunConfig
) -> npt.NDArray[np.bool_]:
    """Candidates that could end as a reported pair: similar enough, or sharing enough shingles."""
    keep = cos >= config.candidates.verify_min_cosine
    for k in np.flatnonzero(~keep).tolist():
        keep[k] = sets_share_enough(views.unique(int(pairs[k, 0])), views.unique(int(pairs[k, 1])), config)
    return keep


def shares_enough(va: verify.DocView, vb: verify.DocView, config: RunConfig) -> bool:
    """Whether two documents share enough shingles to be partial reuse (verified whatever their cosine)."""
    return sets_share_enough(va.shingled.unique, vb.shingled.unique, config)


def sets_share_enough(ua: npt.NDArray[np.uint64], ub: npt.NDArray[np.uint64], config: RunConfig) -> bool:
    """:func:`shares_enough` from the two shingle sets (what a distributed engine ships of a partner)."""
    need = max(1, config.relation.partial_min_words - config.shingle.n + 1)
    shared = np.intersect1d(ua, ub, assume_unique=True)
    return bool(shared.shape[0] >= need)


def _verify(
    docs: list[Document],
    views: viewstore.ViewStore,
    vin: VerifyInput,
    index: verify.SentenceIndex,
    config: RunConfig,
    progress: bool,
) -> list[Verified]:
    """The candidate pairs worth verifying, scored and classified (same-story pairs below the cosine floor dropped)."""
    sigs, neighbors, baselines = vin.sigs, vin.neighbors, vin.baselines
    keep = _worth_verifying(views, vin.pairs, vin.cos, config)
    pairs, channels, cos = vin.pairs[keep], vin.channels[keep], vin.cos[keep]
    partners: list[set[int]] = [set(nb) for nb in neighbors]
    for i, j in pairs.tolist():
        partners[i].add(j)
        partners[j].add(i)
    background = verify.Background(index, [tuple(sorted(p)) for p in partners])
    # Only hashes two documents share: verification looks up nothing else.
    df = verify.hash_df([views.unique(i) for i in range(len(views))], min_count=2)
    phrase_df = verify.flat_df(views.all_phrases(), min_count=2)
    shared = {
        "views": views, "sigs": sigs, "cos": cos, "baselines": baselines, "df": df, "phrase_df": phrase_df,
        "index": index, "background": background, "pairs": pairs, "channels": channels, "config": config,
        "docs": docs,
    }
    order = locality_order(pairs, len(views))
    with _bar("verify", int(pairs.shape[0]), progress) as tick:
        results = local.ordered_map(
            _verify_chunk, order.tolist(), jobs=local.resolve_jobs(config.jobs), chunk=VERIFY_CHUNK, shared=shared, progress=tick
        )
    in_order: list[Verified | None] = [None] * len(results)
    for k, r in zip(order.tolist(), results, strict=True):
        in_order[k] = r
    return [r for r in in_order if r is not None]


def locality_order(pairs: npt.NDArray[np.int64], n_docs: int) -> npt.NDArray[np.int64]:
    """An order of the pairs in which pairs of nearby documents come together.

    Documents are numbered by reverse Cuthill-McKee over the pair graph (scipy), and
    pairs sorted by their documents' numbers: a work chunk then touches few
    documents, so a worker's per-document caches (sentence blocks, background
    matrices, recent pair similarities) are reused instead of rebuilt; in corpus order
    a chunk's second documents are spread over the whole corpus. Measured at 10k
    (verification CPU, one process, shared machine): 85.7-90.0 s against 91.9-92.7 s
    in corpus order, a few percent.
    """
    if pairs.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    from scipy.sparse.csgraph import reverse_cuthill_mckee

    ones = np.ones(pairs.shape[0], dtype=np.int8)
    graph = sp.csr_matrix((ones, (pairs[:, 0], pairs[:, 1])), shape=(n_docs, n_docs))
    rank = np.empty(n_docs, dtype=np.int64)
    rank[reverse_cuthill_mckee(graph, symmetric_mode=False)] = np.arange(n_docs)
    ra, rb = rank[pairs[:, 0]], rank[pairs[:, 1]]
    return np.lexsort((np.maximum(ra, rb), np.minimum(ra, rb))).astype(np.int64)


class Verified(NamedTuple):
    """A verified pair as the scan keeps it: its report entry packed (no passage texts), its cluster link."""

    a: int
    b: int
    relation: str
    entry: bytes  # report.pack_entry of the pair's entry
    link: cluster.Link | None  # None unless the relation is reuse


def _verify_chunk(rows: Sequence[int]) -> list[Verified | None]:
    st = local.state()
    config: RunConfig = st["config"]
    docs: list[Document] = st["docs"]
    out: list[Verified | None] = []
    for k in rows:
        a, b = int(st["pairs"][k, 0]), int(st["pairs"][k, 1])
        res = verify_candidate(
            a, b, int(st["channels"][k]), st["views"], st["sigs"], float(st["cos"][k]), st["baselines"], st["df"],
            st["phrase_df"], st["index"], st["background"], config,
        )
        if res is None:
            out.append(None)
            continue
        # Packed in the worker: a Match's objects were ~3 KB a pair in the main
        # process through the rest of verification (~0.9 GB at 100k articles).
        m, rel, conf = res
        link = cluster.link(a, b, rel, m.passages) if rel in relation.REUSE else None
        out.append(Verified(a, b, rel, pack_entry(pair_entry(m, rel, conf, docs, texts=False)), link))
    return out


def verify_candidate(
    a: int,
    b: int,
    channels: int,
    views: Any,
    sigs: Any,
    cos: float,
    baselines: Any,
    df: tuple[Any, Any],
    phrase_df: tuple[Any, Any],
    index: verify.SentenceIndex,
    background: verify.Background,
    config: RunConfig,
) -> tuple[verify.Match, str, float] | None:
    """One candidate pair scored and classified; None for a same-story pair below the cosine floor.

    Every engine calls this per pair (the local one over the whole corpus, a
    distributed one over the pair's own documents).
    """
    m = verify.score_pair(
        a, b, channels, views, sigs, cos, baselines, df, phrase_df, index, background, config.shingle.n, config.align
    )
    rel, conf = relation.classify(m.scores, config.relation)
    keep = rel != "same_story" or m.scores["tfidf_cosine"] >= config.candidates.tfidf_min_cosine
    return (m, rel, conf) if keep else None
