"""The Spark engine: the local pipeline's stages as Spark jobs, with the same report.

Only plumbing lives here (reading, placing, exchanging, gathering, broadcasting);
every computation is a function of :mod:`syndicate.shard`, built from the functions
the local pipeline uses. Documents are keyed by their corpus index (the position in
id order among kept documents, as in the local engine); partition k holds the
consecutive indexes ``starts[k]`` to ``starts[k + 1] - 1``.

The data moves in *blocks*: one pickled record per partition (a partition's
documents and features, its share of the keys, its pairs), not one Python record
per item. Three moves, all over blocks:

- a zip joins partition k of several block RDDs (narrow, no shuffle);
- an exchange sends one chunk (numpy arrays) from every partition to every other
  through one shuffle: band keys, anchors and index terms to the partition their
  hash names, candidate pairs to the partition that verifies them;
- a gather brings a partition the fields it needs of documents other partitions
  own (TF-IDF rows, shingle sets, sentence rows, views), each at most once per
  partition, in two shuffles (the requests, then the answers).

Broadcast (grows with): the hashes of lines shared by two or more documents and the
chrome line keys (recurring lines), the TF-IDF document-frequency vector (fixed:
2^20 counts), the word document frequencies used by lineage (the vocabulary).
Collected to the driver: the chrome skeleton (one small entry per line of text:
shared lines and placeholders), the report's entries unless ``output_dir`` is given,
and counts per partition.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import json
import os
import pickle
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .. import candidates, ingest, pipeline, shard, vectorize, verify
from ..config import RunConfig
from ..errors import DependencyError, InputError
from ..report import Report, assemble_report, document_entry
from ..types import Article, Skipped

_INSTALL = "the spark engine needs PySpark (and Java 17+): pip install 'syndicate[spark]'"
# The Python worker daemon: PySpark's, started with the stage modules already imported.
DAEMON = "syndicate.backends.spark"


def _pyspark() -> Any:
    try:
        import pyspark
        from pyspark.sql import SparkSession
    except ImportError:
        raise DependencyError(_INSTALL) from None
    return pyspark, SparkSession


def session(master: str | None) -> tuple[Any, bool]:
    """The active SparkSession, or a new one on ``master``; whether it was created here."""
    _, spark_session = _pyspark()
    active = spark_session.getActiveSession()
    if active is not None:
        return active, False
    from pyspark import SparkConf

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    conf = SparkConf()  # spark-submit's settings when launched by it
    builder = spark_session.builder.appName("syndicate").config("spark.ui.showConsoleProgress", "false")
    if master:
        builder = builder.master(master)
    elif not conf.contains("spark.master"):
        builder = builder.master("local[*]")
    if (master or conf.get("spark.master", "local")).startswith("local") and not conf.contains("spark.driver.memory"):
        builder = builder.config("spark.driver.memory", "4g")
    if not conf.contains("spark.python.daemon.module"):
        builder = builder.config("spark.python.daemon.module", DAEMON)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # no Java, bad master URL
        raise DependencyError(f"cannot start Spark ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}); is Java 17+ installed?") from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark, True


class _Clock:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = self.seconds.get(name, 0.0) + now - self._last
        self._last = now


def run(path: str, config: RunConfig, *, timings: bool = False, output_dir: str | os.PathLike[str] | None = None) -> Report:
    """Scan ``path`` on Spark and return the same report as the local engine.

    ``path`` is a folder or file as for the local engine (read by the driver), a
    ``.jsonl``/``.ndjson`` file, or a Parquet dataset (``.parquet`` file or folder),
    both read by Spark. With ``output_dir``, documents, pairs, passages and clusters are
    written there as JSONL folders by the executors and the returned report lists none.

    Raises:
        DependencyError: PySpark or Java is missing.
        InputError: the path is missing or holds no readable article.
    """
    spark, created = session(config.spark_master)
    try:
        scan = _Run(spark, config)
        try:
            return scan.scan(path, timings, None if output_dir is None else os.fspath(output_dir))
        finally:
            scan.release()
    finally:
        if created:
            spark.stop()


class _Run:
    def __init__(self, spark: Any, config: RunConfig) -> None:
        self.spark = spark
        self.sc = spark.sparkContext
        self.config = config
        self.parts = config.partitions or self.sc.defaultParallelism
        self.clock = _Clock()
        self._persisted: list[Any] = []

    def _keep(self, rdd: Any) -> Any:
        from pyspark import StorageLevel

        rdd.persist(StorageLevel.MEMORY_AND_DISK)
        self._persisted.append(rdd)
        return rdd

    # --- input --------------------------------------------------------------------------

    def articles(self, path: str) -> tuple[Any, list[Skipped], int]:
        """(position, Article) in id order, skipped inputs, files seen."""
        low = path.rstrip("/").lower()
        if not os.path.exists(path) and "://" not in path:
            raise InputError(f"input path does not exist: {path}")
        if low.endswith(".parquet"):
            return self._dataset(self.spark.read.parquet(path).rdd.map(lambda r: r.asDict()), Path(path).name, "parquet")
        if low.endswith((".jsonl", ".ndjson")):
            return self._jsonl(path)
        result = ingest.read_corpus(path, self.config.ingest)
        rdd = self.sc.parallelize(list(enumerate(result.articles)), self.parts)
        return rdd, list(result.skipped), result.files_seen

    def _jsonl(self, path: str) -> tuple[Any, list[Skipped], int]:
        rel = Path(path).name

        def parse(item: tuple[str, int]) -> tuple[int, Any]:
            line, k = item
            lineno = k + 1
            if lineno == 1 and line.startswith("\ufeff"):
                line = line[1:]
            if not line.strip():
                return lineno, None
            try:
                return lineno, json.loads(line)
            except json.JSONDecodeError as exc:
                return lineno, Skipped(f"{rel}:{lineno}", "invalid_record", f"line {lineno}: invalid JSON: {exc}")

        records = self.sc.textFile(path, self.parts).zipWithIndex().map(parse).filter(lambda r: r[1] is not None)
        return self._records(records, rel, "jsonl", "line")

    def _dataset(self, rows: Any, rel: str, fmt: str) -> tuple[Any, list[Skipped], int]:
        def clean(item: tuple[dict[str, Any], int]) -> tuple[int, Any]:
            row, k = item
            return k + 1, {key: (None if v is None else str(v)) if key != "id" else v for key, v in row.items()}

        return self._records(rows.zipWithIndex().map(clean), rel, fmt, "record")

    def _records(self, records: Any, rel: str, fmt: str, label: str) -> tuple[Any, list[Skipped], int]:
        def article(item: tuple[int, Any]) -> tuple[str, Any]:
            n, rec = item
            if isinstance(rec, Skipped):
                return "", (n, rec)
            out = ingest.record_article(rec, f"{rel}:{n}", f"{label} {n}", rel, fmt)
            return (out.id if isinstance(out, Article) else ""), (n, out)

        keyed = self._keep(records.map(article))
        bad = keyed.filter(lambda kv: kv[0] == "").map(lambda kv: kv[1][1]).collect()

        def first(items: Iterable[tuple[int, Any]]) -> list[Any]:
            ordered = sorted(items, key=lambda t: t[0])
            n0, art0 = ordered[0]
            dup = [
                Skipped(f"{rel}:{n}", "duplicate_id", f"id {art0.id!r} already taken by {rel}:{n0}") for n, _ in ordered[1:]
            ]
            return [art0, *dup]

        grouped = keyed.filter(lambda kv: kv[0] != "").groupByKey(self.parts).mapValues(first)
        dups = grouped.flatMap(lambda kv: kv[1][1:]).collect()
        arts = grouped.map(lambda kv: kv[1][0]).sortBy(lambda a: a.id, numPartitions=self.parts)
        return arts.zipWithIndex().map(lambda t: (t[1], t[0])), [*bad, *dups], 1

    # --- blocks -------------------------------------------------------------------------
    #
    # A block RDD holds exactly one record per partition: that partition's data, pickled
    # once as a whole (numpy arrays and lists, not one Python record per item). Blocks of
    # the same length are zipped (a narrow join of partition k with partition k), and an
    # exchange moves one chunk per (source, destination) partition through one shuffle.

    def _map(self, fn: Any, *rdds: Any) -> Any:
        """A block RDD of ``fn(k, *blocks)`` over the zipped blocks of ``rdds``."""
        zipped, n = _zipped(rdds)

        def run(k: int, it: Iterator[Any]) -> list[bytes]:
            _one_blas_thread()
            out = [_pack(fn(k, *_blocks(it, n)))]
            _trim()
            return out

        return _as_blocks(zipped.mapPartitionsWithIndex(run))

    def _exchange(self, route: Any, *rdds: Any) -> Any:
        """``route(k, *blocks) -> {destination: chunk}``; each partition's block becomes the list of
        (source, chunk) sent to it, in source order (one shuffle)."""
        zipped, n = _zipped(rdds)

        def send(k: int, it: Iterator[Any]) -> list[tuple[int, tuple[int, bytes]]]:
            _one_blas_thread()
            out = [(d, (k, _pack(c))) for d, c in sorted(route(k, *_blocks(it, n)).items())]
            _trim()
            return out

        def receive(_: int, it: Iterator[tuple[int, tuple[int, bytes]]]) -> list[bytes]:
            # Chunks stay pickled here: the step reading this block unpickles each once.
            return [_pack(_Received(sorted((v for _, v in it), key=lambda t: int(t[0]))))]

        return _as_blocks(zipped.mapPartitionsWithIndex(send).partitionBy(self.parts, _identity).mapPartitionsWithIndex(receive))

    def _gather(self, requests: Any, owners: list[Any], extract: Any, prepare: Any = None) -> Any:
        """Per partition, ``[(i, extract(*owner_blocks, i))]`` for every index its ``requests`` block
        lists that another partition owns: each document at most once per partition (two shuffles)."""
        starts = self.starts

        def ask(k: int, need: I64) -> dict[int, Any]:
            need = np.unique(np.asarray(need, dtype=np.int64))
            return {q: c for q, c in _split(_owners(starts, need), need).items() if q != k}

        def answer(_: int, asks: list[tuple[int, Any]], *blocks: Any) -> dict[int, Any]:
            ctx = prepare(*blocks) if prepare is not None else blocks
            return {src: [(i, extract(*ctx, i)) for i in idx.tolist()] for src, (idx,) in asks}

        return self._exchange(answer, self._exchange(ask, requests), *owners)

    # --- the scan -----------------------------------------------------------------------

    def scan(self, path: str, timings: bool, output_dir: str | None) -> Report:
        cfg = self.config
        cc = cfg.candidates
        arts, skipped, files_seen = self.articles(path)
        self.parts = parts = arts.getNumPartitions()
        self.clock.lap("ingest")

        # Normalise; chrome lines from each document's skeleton: its lines that another
        # document shares (counted by hash) or that match a pattern; strip; index in id order.
        normed = self._keep(_as_blocks(arts.mapPartitions(lambda it: [_pack(shard.normalised(list(it)))])))

        def line_route(_: int, items: list[Any]) -> dict[int, Any]:
            h = np.concatenate([_U64, *[shard.line_hashes(ln[1]) for _, _, _, ln in items if ln is not None]])
            return _split(_by_hash(h, parts), h)

        shared_parts = self._map(lambda _, got: _shared(got), self._exchange(line_route, normed)).map(_unpack).collect()
        bshared = self.sc.broadcast(np.sort(np.concatenate([_U64, *shared_parts])))
        skel = normed.flatMap(
            lambda b: [shard.skeleton(ln[0], ln[1], bshared.value) for _, _, _, ln in _unpack(b) if ln is not None]
        ).collect()
        chrome = self.sc.broadcast(shard.chrome(skel, cfg.boilerplate))
        del skel
        bp = cfg.boilerplate
        strip = self._keep(self._map(lambda _, items: shard.stripped(items, chrome.value, bp), normed))
        info = strip.map(lambda b: _sizes(_unpack(b))).collect()
        skipped += [s for _, sk in info for s in sk]
        self.starts = starts = np.concatenate(([0], np.cumsum([n for n, _ in info]))).astype(np.int64)
        n_docs = int(starts[-1])
        skipped = sorted(skipped, key=lambda s: (s.path, s.reason))
        self.clock.lap("normalise")
        if n_docs == 0:
            reasons = Counter(s.reason for s in skipped)
            why = ", ".join(f"{r}: {n}" for r, n in sorted(reasons.items()))
            raise InputError(f"no readable article in {path}: {files_seen} files looked at, all skipped ({why})")

        # Views and term counts; document frequencies (a merged count); then features.
        vc = self._keep(self._map(lambda k, blk: shard.views_and_counts(int(starts[k]), blk[0], cfg), strip))
        df = vc.map(lambda b: shard.df_counts(_unpack(b)[1])).treeReduce(np.add)
        model = vectorize.TfidfModel(np.asarray(df, dtype=np.int64), n_docs)
        bmodel = self.sc.broadcast(model)
        feats = self._keep(self._map(lambda k, blk: shard.features(int(starts[k]), blk[0], blk[1], bmodel.value, cfg), vc))
        texts = self._keep(self._map(lambda _, blk: blk[0], vc))
        feats.count()
        texts.count()
        for rdd in (normed, strip, vc):
            self._drop(rdd)
        self.clock.lap("shingle")

        # Candidate channels: band keys, anchors and index terms go to the partition their
        # hash names; pairs then go to the partition owning their first document.
        bands, rows = candidates.lsh_params(cc, cfg.sketch.num_perm)
        max_bucket = cc.max_bucket

        def band_route(_: int, part: shard.Part) -> dict[int, Any]:
            keys, owners = shard.band_keys(part, bands, rows)
            return _split(_by_hash(keys, parts), keys, owners)

        def anchor_route(_: int, part: shard.Part) -> dict[int, Any]:
            hashes, owners = shard.anchors(part, cc)
            return _split(_by_hash(hashes, parts), hashes, owners)

        lsh = self._keep(self._map(lambda _, got: shard.bucket_pairs(*_keys(got), max_bucket), self._exchange(band_route, feats)))
        anchor = self._keep(self._map(lambda _, got: shard.anchor_counts(*_keys(got), n_docs, cc), self._exchange(anchor_route, feats)))

        # Paraphrase channel: each term's postings go to every partition with a document it
        # indexes; each partition computes its rows of the index product.
        bdf = self.sc.broadcast(model.df)

        def post_route(_: int, part: shard.Part) -> dict[int, Any]:
            t, d, w = shard.term_postings(part, bdf.value, cc)
            return _split(t % parts, t, d, w)

        def fan_route(_: int, got: list[Any]) -> dict[int, Any]:
            t, d, w = _cat(got, _I64, _I64, _F64)
            own = _owners(starts, d)
            out: dict[int, Any] = {}
            for q in np.unique(own).tolist():
                m = np.isin(t, np.unique(t[own == q]))
                out[q] = (t[m], d[m], w[m])
            return out

        fanned = self._exchange(fan_route, self._exchange(post_route, feats))
        directed = self._keep(
            self._map(lambda _, part, got: shard.term_neighbours(part, bdf.value, _cat(got, _I64, _I64, _F64), n_docs, cc), feats, fanned)
        )
        xrows = self._gather(self._map(lambda _, d: d[:, 1], directed), [feats], _x_row)
        tf = self._keep(self._map(lambda _, part, d, got: shard.neighbours(part, d, _gathered(got), cc), feats, directed, xrows))

        def merge_route(_: int, lo: Any, an: Any, tfo: Any) -> dict[int, Any]:
            out: dict[int, Any] = {}
            for slot, arrays in ((0, (lo[0],)), (1, (an[0], an[1])), (2, (tfo[0],))):
                for q, chunk in _split(_place(starts, arrays[0]), *arrays).items():
                    out.setdefault(q, ([], [], []))[slot].append(chunk)
            return out

        def merge(_: int, got: list[Any]) -> Any:
            return shard.merge_candidates(
                [p for _, c in got for (p,) in c[0]], [(p, n) for _, c in got for (p, n) in c[1]],
                [p for _, c in got for (p,) in c[2]], n_docs, cc,
            )

        merged = self._keep(self._map(merge, self._exchange(merge_route, lsh, anchor, tf)))
        counts = self._map(lambda _, lo, an, m: (lo[1], an[2], m[2]), lsh, anchor, merged).map(_unpack).collect()
        capped = sum(c for c, _, _ in counts)
        pruned = sum(p for _, p, _ in counts)
        per_channel = [sum(m[k] for _, _, m in counts) for k in range(3)]
        by_channel = {"lsh": per_channel[0], "anchors": per_channel[1], "tfidf": per_channel[2]}
        for rdd in (lsh, anchor, directed):
            self._drop(rdd)

        # Which candidates are worth verifying: cosine, else enough shared shingles.
        g1 = self._keep(self._map(lambda _, got: _gathered(got), self._gather(self._map(lambda _, m: m[0].ravel(), merged), [feats], _x_and_set)))
        kept = self._keep(self._map(lambda _, part, m, got: _kept(part, m, got, cfg), feats, merged, g1))
        n_candidates = sum(kept.map(lambda b: _unpack(b)[3]).collect())
        self._drop(merged)
        self.clock.lap("candidates")

        # Partners (neighbours and the other side of each pair) and background matrices.
        def edge_route(_: int, kp: Any) -> dict[int, Any]:
            edges = np.concatenate([kp[0], kp[0][:, ::-1]]).reshape(-1, 2)
            return _split(_owners(starts, edges[:, 0]), edges)

        partners = self._keep(
            self._map(
                lambda k, got, tfo: shard.partners(int(starts[k]), [c for _, (c,) in got], tfo[1]),
                self._exchange(edge_route, kept), tf,
            )
        )
        g_bg = self._gather(self._map(lambda _, pr: _union(pr.values()), partners), [feats], _sentence_rows)
        bg_rows = self._keep(self._map(lambda _, got: _gathered(got), g_bg))
        sides = self._keep(self._map(lambda _, part, pr, tfo, rows: shard.sides(part, pr, tfo[2], rows), feats, partners, tf, bg_rows))
        # The other side of each pair, and document frequencies of the keys pairs share.
        g2 = self._gather(self._map(lambda _, kp: kp[0].ravel(), kept), [feats, texts, sides], _remote, _joined)

        def key_route(_: int, part: shard.Part) -> dict[int, Any]:
            out: dict[int, Any] = {}
            for slot, h in enumerate((
                np.concatenate([_U64, *part.sets]),
                np.concatenate([_U64, *part.phrases]),
            )):
                for q, (c,) in _split(_by_hash(h, parts), h).items():
                    out.setdefault(q, ([], []))[slot].append(c)
            return out

        tables = self._map(
            lambda _, got: tuple(verify.hash_df([c for _, ch in got for c in ch[slot]]) for slot in (0, 1)),
            self._exchange(key_route, feats),
        )
        asks = self._map(lambda _, part, kp, got: shard.shared_keys(part, kp[0], got), feats, kept, g1)

        def ask_route(_: int, keys: Any) -> dict[int, Any]:
            out: dict[int, Any] = {}
            for slot, h in enumerate(keys):
                for q, (c,) in _split(_by_hash(h, parts), h).items():
                    out.setdefault(q, [_U64, _U64])[slot] = c
            return out

        def answer_route(_: int, tb: Any, got: list[Any]) -> dict[int, Any]:
            return {src: tuple((h, shard.lookup(tb[slot], h)) for slot, h in enumerate(keys)) for src, keys in got}

        dfs = self._exchange(answer_route, tables, self._exchange(ask_route, asks))

        def verify_map(_: int, part: shard.Part, tx: Any, kp: Any, sd: Any, rows: Any, got: list[Any], d: list[Any]) -> Any:
            sh, ph = (_table([ans[slot] for _, ans in d]) for slot in (0, 1))
            res = shard.verify_part(part.joined(tx), kp[0], kp[1], kp[2], sd, _gathered(got), rows, sh, ph, cfg)
            # (a, b, relation, link); the report entries stay pickled for the steps that read them.
            return [(a, b, rel, link) for a, b, rel, _, link in res], _pack([((a, b), e) for a, b, _, e, _ in res])

        results = self._keep(self._map(verify_map, feats, texts, kept, sides, bg_rows, g2, dfs))
        sizes = results.map(lambda b: _result_counts(_unpack(b)[0])).collect()
        n_pairs = sum(n for n, _ in sizes)
        n_reuse = sum(r for _, r in sizes)
        for rdd in (kept, partners, sides, bg_rows, g1):
            self._drop(rdd)
        self.clock.lap("verify")

        # Clusters: connected components of the reuse graph, then cluster.clusters per component.
        groups = self._keep(self._components(results))
        numbered = self._keep(
            groups.flatMap(_unpack).sortBy(lambda g: g, numPartitions=parts).zipWithIndex().map(lambda gk: (gk[1] + 1, gk[0]))
        )
        n_clusters = numbered.count()
        self.clock.lap("cluster")

        # Lineage per cluster, on the partition owning its first member: members' features,
        # the cluster's reuse pairs, and word document frequencies (broadcast).
        placed = self._keep(
            _as_blocks(
                numbered.map(lambda kg: ((kg[0] - 1) % parts, kg))
                .partitionBy(parts, _identity)
                .mapPartitions(lambda it: [_pack(sorted(v for _, v in it))])
            )
        )
        g3 = self._gather(self._map(lambda _, pl: np.asarray(sorted({i for _, g in pl for i in g}), dtype=np.int64), placed), [feats, texts], _member, _joined)

        def member_route(k: int, pl: Any) -> dict[int, Any]:
            out: dict[int, Any] = {}
            for c, g in pl:
                for i, q in zip(g, _owners(starts, np.asarray(g, dtype=np.int64)).tolist(), strict=True):
                    out.setdefault(q, []).append((i, c, k))
            return out

        def pair_route(_: int, res: Any, got: list[Any]) -> dict[int, Any]:
            clusters_of: dict[int, list[tuple[int, int]]] = {}
            for _, items in got:
                for i, c, q in items:
                    clusters_of.setdefault(i, []).append((c, q))
            out: dict[int, Any] = {}
            entries = dict(_unpack(res[1]))
            for a, b, _, link in res[0]:
                if link is not None:
                    # A cluster holding both sides is among those of the local side.
                    for c, q in clusters_of.get(a, clusters_of.get(b, [])):
                        out.setdefault(q, []).append((c, a, b, entries[(a, b)]))
            return out

        cpairs = self._exchange(pair_route, results, self._exchange(member_route, placed))

        def tok_route(_: int, part: shard.Part) -> dict[int, Any]:
            h = shard.token_hashes(part)
            return _split(_by_hash(h, parts), h)

        tok = self._map(lambda _, got: verify.hash_df([c for _, (c,) in got]), self._exchange(tok_route, feats)).map(_unpack).collect()
        btok = self.sc.broadcast(_table(tok))
        del tok

        def lineage_map(_: int, part: shard.Part, tx: Any, pl: Any, got: list[Any], cp: list[Any]) -> Any:
            part = part.joined(tx)
            members = _gathered(got)
            for i in {i for _, g in pl for i in g if part.owns(i)}:
                members[i] = _member(part, i)
            pairs: dict[int, list[tuple[int, int, dict[str, Any]]]] = {}
            for _, items in cp:
                for c, a, b, e in items:
                    pairs.setdefault(c, []).append((a, b, e))
            token_df = pipeline.token_df_lookup(*btok.value)
            out = []
            for c, g in pl:
                inside = set(g)
                prs = {(a, b): e for a, b, e in sorted(pairs.get(c, []), key=lambda t: (t[0], t[1])) if b in inside}
                docs = {i: members[i][0] for i in g}
                entry: dict[str, Any] = {"id": f"c{c}", "members": [docs[i].article.id for i in g]}
                entry.update(
                    shard.cluster_lineage(g, docs, {i: members[i][1] for i in g}, {i: members[i][2] for i in g}, prs, token_df, cfg)
                )
                out.append((c, entry))
            return out

        clusters = self._keep(self._map(lineage_map, feats, texts, placed, g3, cpairs))
        clusters.count()
        self.clock.lap("lineage")

        stats: dict[str, Any] = {
            "files_seen": files_seen,
            "documents": n_docs,
            "skipped": len(skipped),
            "candidate_pairs": n_candidates,
            "candidates_by_channel": by_channel,
            "pruned_anchors": pruned,
            "capped_buckets": int(capped),
            "pairs": n_pairs,
            "reuse_pairs": n_reuse,
            "clusters": n_clusters,
        }
        doc_entries = texts.flatMap(lambda b: [(d.index, document_entry(d)) for d in _unpack(_unpack(b)[0])])
        pair_entries = results.flatMap(lambda b: _unpack(_unpack(b)[1]))
        cluster_entries = clusters.flatMap(_unpack)
        if output_dir is not None:
            _write(output_dir, doc_entries, pair_entries, cluster_entries)
            doc_list: list[dict[str, Any]] = []
            pair_list: list[dict[str, Any]] = []
            cluster_list: list[dict[str, Any]] = []
        else:
            doc_list = doc_entries.values().collect()
            pair_list = pair_entries.values().collect()
            cluster_list = [e for _, e in sorted(cluster_entries.collect(), key=lambda t: int(t[0]))]
        self.clock.lap("report")
        if timings:
            stats["seconds"] = {k: round(v, 4) for k, v in self.clock.seconds.items()}
        return assemble_report(doc_list, pair_list, cluster_list, skipped, stats, pipeline.tool_info(), cfg, (bands, rows))

    def _components(self, results: Any) -> Any:
        """Blocks of clusters (sorted tuples): minimum-label propagation over the reuse graph
        (one shuffle per round; rounds grow with the graph's diameter), then
        ``cluster.clusters`` per component on the partition owning its smallest document."""
        starts, cfg, parts = self.starts, self.config, self.parts

        def spread(_: int, res: Any) -> dict[int, Any]:
            e = _links(res[0])
            e = np.concatenate([e, e[:, ::-1]])
            return _split(_owners(starts, e[:, 0]), e)

        def init(_: int, got: list[Any]) -> Any:
            e = np.concatenate([np.zeros((0, 2), dtype=np.int64), *[c for _, (c,) in got]])
            nodes = np.unique(e[:, 0])
            return e[:, 0].copy(), e[:, 1].copy(), nodes, nodes.copy(), -1

        def message(_: int, st: Any) -> dict[int, Any]:
            u, v, nodes, labels, _ = st
            return _split(_owners(starts, v), v, labels[np.searchsorted(nodes, u)])

        def update(_: int, st: Any, got: list[Any]) -> Any:
            u, v, nodes, labels, _ = st
            to, label = _cat(got, _I64, _I64)
            new = labels.copy()
            np.minimum.at(new, np.searchsorted(nodes, to), label)
            return u, v, nodes, new, int(np.count_nonzero(new != labels))

        state = self._keep(self._map(init, self._exchange(spread, results)))
        while True:
            new = self._keep(self._map(update, state, self._exchange(message, state)))
            changed = sum(new.map(lambda b: _unpack(b)[4]).collect())
            self._drop(state)
            state = new
            if changed == 0:
                break

        def by_component(k: int, res: Any, st: Any) -> dict[int, Any]:
            _, _, nodes, labels, _ = st
            out: dict[int, Any] = {}
            for a, b, _, link in res[0]:
                if link is not None:
                    local = a if starts[k] <= a < starts[k + 1] else b
                    comp = int(labels[np.searchsorted(nodes, local)])
                    out.setdefault(comp % parts, []).append((comp, link))
            return out

        def clusters_of(_: int, got: list[Any]) -> list[tuple[int, ...]]:
            comps: dict[int, list[Any]] = {}
            for _, items in got:
                for comp, link in items:
                    comps.setdefault(comp, []).append(link)
            return [g for comp in sorted(comps) for g in shard.component_clusters(comps[comp], cfg)]

        groups = self._map(clusters_of, self._exchange(by_component, results, state))
        groups.count()
        self._drop(state)
        return groups

    def release(self) -> None:
        """Unpersist what the scan cached (also when it failed: the session may be the caller's)."""
        for rdd in self._persisted:
            rdd.unpersist()
        self._persisted = []

    def _drop(self, rdd: Any) -> None:
        rdd.unpersist()
        self._persisted = [r for r in self._persisted if r is not rdd]


# --- block plumbing (module level: shipped to the executors) ------------------------------

_U64 = np.zeros(0, dtype=np.uint64)
_I64 = np.zeros(0, dtype=np.int64)
_F64 = np.zeros(0, dtype=np.float64)
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]


_BLAS: list[bool] = []


def _block_serializer() -> Any:
    from pyspark.serializers import BatchedSerializer, CPickleSerializer

    batched: Any = BatchedSerializer
    return batched(CPickleSerializer(), 1)


def _one_blas_thread() -> None:
    """One BLAS thread per Python worker (once per process): parallelism comes from Spark's
    tasks, as from the local engine's pool (see ``pipeline.run``)."""
    if not _BLAS:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="blas")
        _BLAS.append(True)


def _trim() -> None:
    """Give the memory a block task freed back to the system: Python workers are reused, and
    an idle worker otherwise keeps the peak of its largest task (glibc keeps freed heap)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _pack(obj: Any) -> bytes:
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


def _unpack(data: bytes) -> Any:
    return pickle.loads(data)


def _identity(k: int) -> int:
    return k


def _as_blocks(rdd: Any) -> Any:
    """The block RDD written one record per batch: zipping two such RDDs then needs no
    re-serialisation (PySpark's ``zip`` otherwise re-batches both inputs in Python workers
    of their own: a read, unpickle, pickle and write of every block per zip)."""
    return rdd._reserialize(_block_serializer())


def _zipped(rdds: Sequence[Any]) -> tuple[Any, int]:
    z = rdds[0]
    for r in rdds[1:]:
        z = z.zip(r)
    return z, len(rdds)


def _blocks(it: Iterator[Any], n: int) -> list[Any]:
    """The one record of a partition of ``n`` zipped block RDDs, unpacked."""
    records = list(it)
    if len(records) != 1:
        raise RuntimeError(f"a block partition holds {len(records)} records, not 1")
    rec, out = records[0], []
    for _ in range(n - 1):
        rec, last = rec
        out.append(last)
    out.append(rec)
    return [_received(_unpack(b)) for b in reversed(out)]


class _Received(list):  # type: ignore[type-arg]
    """An exchanged block: (source, pickled chunk) in source order."""


def _received(block: Any) -> Any:
    return [(src, _unpack(c)) for src, c in block] if isinstance(block, _Received) else block


def _owners(starts: I64, idx: I64) -> I64:
    """The partition owning each corpus index (partitions hold consecutive indexes from ``starts``)."""
    return (np.searchsorted(starts, idx, side="right") - 1).astype(np.int64)


def _place(starts: I64, pairs: I64) -> I64:
    """The partition a pair is verified on: its first or its second document's, by the
    parity of their sum (placing every pair with its first document would give the
    first partitions most pairs)."""
    side = (pairs[:, 0] + pairs[:, 1]) % 2
    return _owners(starts, pairs[np.arange(pairs.shape[0]), side])


def _by_hash(h: U64, parts: int) -> I64:
    return (h % np.uint64(parts)).astype(np.int64)


def _split(dest: I64, *arrays: Any) -> dict[int, tuple[Any, ...]]:
    """Rows of ``arrays`` by destination partition, keeping their order within each destination."""
    order = np.argsort(dest, kind="stable")
    d = dest[order]
    cuts = [0, *(np.flatnonzero(d[1:] != d[:-1]) + 1).tolist(), d.shape[0]]
    return {int(d[lo]): tuple(a[order[lo:hi]] for a in arrays) for lo, hi in itertools.pairwise(cuts) if hi > lo}


def _cat(got: list[Any], *empty: Any) -> tuple[Any, ...]:
    """Chunks received from every source, concatenated column by column."""
    return tuple(np.concatenate([e, *[c[k] for _, c in got]]) for k, e in enumerate(empty))


def _keys(got: list[Any]) -> tuple[U64, I64]:
    keys, owners = _cat(got, _U64, _I64)
    return keys, owners


def _gathered(got: list[Any]) -> dict[int, Any]:
    return {i: p for _, items in got for i, p in items}


def _table(parts: Sequence[tuple[U64, I64]]) -> tuple[U64, I64]:
    """One sorted (hashes, counts) table from tables over disjoint hashes."""
    h = np.concatenate([_U64, *[p[0] for p in parts]])
    c = np.concatenate([_I64, *[p[1] for p in parts]])
    order = np.argsort(h, kind="stable")
    return h[order], c[order]


def _shared(got: list[Any]) -> U64:
    """Line hashes in two or more documents (each document sends its distinct hashes)."""
    h, c = verify.hash_df([c for _, (c,) in got])
    return h[c >= 2]


def _sizes(block: tuple[list[Any], list[Skipped]]) -> tuple[int, list[Skipped]]:
    return len(block[0]), block[1]


def _union(items: Iterable[tuple[int, ...]]) -> I64:
    return np.unique(np.asarray([i for t in items for i in t], dtype=np.int64))


def _x_row(part: shard.Part, i: int) -> Any:
    return part.x[i - part.first]


def _x_and_set(part: shard.Part, i: int) -> Any:
    k = i - part.first
    return part.x[k], part.sets[k], part.phrases[k]


def _sentence_rows(part: shard.Part, i: int) -> Any:
    return part.sentence_rows(i)


def _member(part: shard.Part, i: int) -> Any:
    k = i - part.first
    return part.docs[k], part.views[k], part.sentence_rows(i)


def _joined(part: shard.Part, tx: Any, *rest: Any) -> tuple[Any, ...]:
    return part.joined(tx), *rest


def _remote(part: shard.Part, sd: Any, i: int) -> shard.Remote:
    k = i - part.first
    return shard.Remote(part.docs[k], part.views[k], part.sigs[k], sd[i])


def _kept(part: shard.Part, m: Any, partners: dict[int, Any], config: RunConfig) -> Any:
    pairs, channels, _ = m
    keep, cos = shard.worth(part, pairs, partners, config)
    return pairs[keep], channels[keep], cos[keep], int(pairs.shape[0])


def _links(res: Any) -> I64:
    return np.asarray([(a, b) for a, b, _, link in res if link is not None], dtype=np.int64).reshape(-1, 2)


def _result_counts(res: Any) -> tuple[int, int]:
    return len(res), sum(1 for *_, link in res if link is not None)


def _write(out: str, docs: Any, pairs: Any, clusters: Any) -> None:
    """Documents, pairs (without passages), passages and clusters as JSONL folders (one part per partition)."""
    from ..report import _round

    def dump(x: Any) -> str:
        return json.dumps(_round(x), ensure_ascii=False, sort_keys=False)

    def passages(entry: dict[str, Any]) -> Iterator[dict[str, Any]]:
        for k, p in enumerate(entry["passages"]):
            yield {"a": entry["a"], "b": entry["b"], "index": k, **p}

    docs.sortByKey().values().map(dump).saveAsTextFile(os.path.join(out, "documents"))
    ordered = pairs.values().sortBy(lambda e: (e["a"], e["b"]))
    ordered.map(lambda e: dump({k: v for k, v in e.items() if k != "passages"})).saveAsTextFile(os.path.join(out, "pairs"))
    ordered.flatMap(passages).map(dump).saveAsTextFile(os.path.join(out, "passages"))
    clusters.sortByKey().values().map(dump).saveAsTextFile(os.path.join(out, "clusters"))


def _daemon() -> None:
    """PySpark's Python worker daemon, with syndicate's stage modules (numpy, scipy,
    scikit-learn, networkx) imported once: the workers it forks inherit them instead of
    importing them each (about 2 s per worker; a scan runs tens of workers, as each input
    of a zipped step runs in a worker of its own). ``spark.python.daemon.module``."""
    _one_blas_thread()
    import pyspark.worker  # noqa: F401  (imported by each forked worker otherwise: 0.2 s, compiled from pyspark.zip)
    from pyspark import daemon

    daemon.manager()


if __name__ == "__main__":
    _daemon()
