"""The Spark engine: the local pipeline's stages as Spark jobs, with the same report.

Only plumbing lives here (reading, keying, joining, grouping, broadcasting); every
per-item computation is a function of :mod:`syndicate.shard`, built from the
functions the local pipeline uses. Documents are keyed by their corpus index (the
position in id order among kept documents, as in the local engine), so pairs and
clusters come out the same whatever the partitioning.

Broadcast (grows with): the chrome line keys (recurring short lines), the TF-IDF
document-frequency vector (fixed: 2^20 counts), the word document frequencies used
by lineage (the vocabulary). Collected to the driver: the chrome skeleton (one
small entry per line of text: shared lines and placeholders), the report's
entries unless ``output_dir`` is given, and small counts.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from operator import add
from pathlib import Path
from typing import Any

import numpy as np

from .. import boilerplate, candidates, ingest, pipeline, relation, shard, vectorize
from ..config import RunConfig
from ..errors import DependencyError, InputError
from ..report import Report, assemble_report, document_entry
from ..types import Article, Skipped

_INSTALL = "the spark engine needs PySpark (and Java 17+): pip install 'syndicate[spark]'"


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
        return _Run(spark, config).scan(path, timings, None if output_dir is None else os.fspath(output_dir))
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

    # --- the scan -----------------------------------------------------------------------

    def scan(self, path: str, timings: bool, output_dir: str | None) -> Report:
        cfg = self.config
        arts, skipped, files_seen = self.articles(path)
        self.clock.lap("ingest")

        # Normalise; chrome from the skeleton of shared lines; strip; index in id order.
        normed = self._keep(arts.map(lambda pa: (pa[0], pa[1], pipeline.normalized(pa[1]))))
        skipped += normed.filter(lambda t: isinstance(t[2], Skipped)).map(lambda t: t[2]).collect()
        normed = normed.filter(lambda t: not isinstance(t[2], Skipped))
        lines = self._keep(normed.map(lambda t: (t[0], boilerplate.doc_lines(t[2].text))))
        shared = (
            lines.flatMap(lambda pl: [(k, pl[0]) for k in {k for k, _ in pl[1][1]}])
            .aggregateByKey(0, lambda n, _: n + 1, add, self.parts)
            .filter(lambda kv: kv[1] >= 2)
            .map(lambda kv: (kv[0], True))
        )
        # Mark shared lines by a join on the key (no broadcast of every shared line).
        flags = (
            lines.flatMap(lambda pl: [(k, pl[0]) for k in {k for k, _ in pl[1][1]}])
            .join(shared, self.parts)
            .map(lambda kv: (kv[1][0], kv[0]))
            .groupByKey(self.parts)
            .mapValues(set)
        )
        skel = (
            lines.leftOuterJoin(flags, self.parts)
            .map(lambda kv: (kv[0], shard.skeleton(kv[0], kv[1][0][0], kv[1][0][1], kv[1][1] or set())))
            .sortByKey(numPartitions=self.parts)
            .values()
            .collect()
        )
        chrome = self.sc.broadcast(shard.chrome(skel, cfg.boilerplate))
        del skel
        bp = cfg.boilerplate
        docs0 = self._keep(normed.map(lambda t: (t[0], pipeline.stripped(t[1], t[2], chrome.value, bp))))
        skipped += docs0.filter(lambda t: isinstance(t[1], Skipped)).map(lambda t: t[1]).collect()
        docs = (
            docs0.filter(lambda t: not isinstance(t[1], Skipped))
            .sortByKey(numPartitions=self.parts)
            .values()
            .zipWithIndex()
            .map(lambda di: (di[1], shard.indexed(di[0], di[1])))
        )
        docs = self._keep(docs.partitionBy(self.parts))
        n_docs = docs.count()
        skipped = sorted(skipped, key=lambda s: (s.path, s.reason))
        self.clock.lap("normalise")
        if n_docs == 0:
            reasons = Counter(s.reason for s in skipped)
            why = ", ".join(f"{r}: {n}" for r, n in sorted(reasons.items()))
            raise InputError(f"no readable article in {path}: {files_seen} files looked at, all skipped ({why})")

        # Views, term counts, document frequencies (a merged count), then features.
        vc = self._keep(
            docs.mapPartitions(
                lambda it: [(d.index, (v, c)) for d, v, c in shard.views_and_counts([d for _, d in it], cfg)],
                preservesPartitioning=True,
            )
        )
        df = vc.mapPartitions(lambda it: [shard.df_counts([c for _, (_, c) in it])]).treeReduce(np.add)
        model = vectorize.TfidfModel(df.astype(np.int64), n_docs)
        bmodel = self.sc.broadcast(model)
        feats = self._keep(
            vc.join(docs, self.parts).mapPartitions(
                lambda it: [(f.doc.index, f) for f in shard.features([(d, v, c) for _, ((v, c), d) in it], bmodel.value, cfg)],
                preservesPartitioning=True,
            )
        )
        feats.count()
        self.clock.lap("shingle")

        # Candidate channels.
        bands, rows = candidates.lsh_params(cfg.candidates, cfg.sketch.num_perm)
        max_bucket = cfg.candidates.max_bucket
        buckets = (
            feats.flatMap(lambda kf: [(k, kf[0]) for k in shard.band_keys(kf[1].sig, bands, rows)])
            .groupByKey(self.parts)
            .map(lambda kv: shard.bucket_pairs(list(kv[1]), max_bucket))
        )
        buckets = self._keep(buckets)
        capped = buckets.map(lambda b: b[1]).sum()
        lsh = buckets.flatMap(lambda b: [(p, 1) for p in b[0]])
        cc = cfg.candidates
        anchor_groups = self._keep(
            feats.flatMap(lambda kf: [(h, kf[0]) for h in shard.anchors(kf[1].view, cc)]).groupByKey(self.parts).mapValues(list)
        )
        pruned = anchor_groups.filter(lambda kv: len(kv[1]) > cc.anchor_max_df).count()
        anchor = (
            anchor_groups.filter(lambda kv: len(kv[1]) <= cc.anchor_max_df)
            .flatMap(lambda kv: [(p, 1) for p in shard.bucket_pairs(kv[1], cc.anchor_max_df)[0]])
            .reduceByKey(add, self.parts)
            .filter(lambda kv: kv[1] >= cc.min_shared_anchors)
            .map(lambda kv: (kv[0], 2))
        )
        bdf = self.sc.broadcast(model.df)
        xrows = self._keep(feats.mapValues(lambda f: f.x))
        directed = (
            xrows.flatMap(lambda kx: [(t, (kx[0], w)) for t, w in shard.indexed_terms(kx[1], bdf.value, cc)])
            .groupByKey(self.parts)
            .flatMap(lambda kv: shard.term_products(list(kv[1]), kv[0]))
            .groupByKey(self.parts)
            .flatMap(lambda kv: [(j, kv[0]) for j in shard.top_neighbours(list(kv[1]), cc)])
        )
        # (i, j) with its cosine over full TF-IDF rows, kept above the floor.
        tf_directed = self._keep(
            directed.join(xrows, self.parts)
            .map(lambda kv: (kv[1][0], (kv[0], kv[1][1])))
            .join(xrows, self.parts)
            .map(lambda kv: ((kv[0], kv[1][0][0]), shard.cosine(kv[1][1], kv[1][0][1])))
            .filter(lambda kv: kv[1] >= cc.tfidf_min_cosine)
            .keys()
        )
        tfidf = tf_directed.map(lambda p: ((min(p), max(p)), 4))
        lsh_pairs = self._keep(lsh.distinct(self.parts))
        anchor = self._keep(anchor)
        tfidf = self._keep(tfidf.distinct(self.parts))
        by_channel = {"lsh": lsh_pairs.count(), "anchors": anchor.count(), "tfidf": tfidf.count()}
        merged = self._keep(lsh_pairs.union(anchor).union(tfidf).reduceByKey(lambda x, y: x | y, self.parts))
        n_candidates = merged.count()
        neighbours = self._keep(tf_directed.groupByKey(self.parts).mapValues(lambda js: tuple(sorted(js))))
        self.clock.lap("candidates")

        # Baselines: each document's median cosine to its neighbours.
        base = (
            neighbours.flatMap(lambda kv: [(j, (kv[0], k)) for k, j in enumerate(kv[1])])
            .join(xrows, self.parts)
            .map(lambda kv: (kv[1][0][0], (kv[1][0][1], kv[1][1])))
            .groupByKey(self.parts)
            .join(xrows, self.parts)
            .mapValues(lambda v: shard.baseline(v[1], [x for _, x in sorted(v[0], key=lambda t: t[0])]))
        )
        # Cosine and the verification filter per candidate pair.
        by_a = merged.map(lambda kv: (kv[0][0], (kv[0][1], kv[1])))
        with_a = by_a.join(feats, self.parts).map(lambda kv: (kv[1][0][0], (kv[0], kv[1][0][1], kv[1][1])))
        pair_feats = with_a.join(feats, self.parts).map(lambda kv: ((kv[1][0][0], kv[0]), (kv[1][0][1], kv[1][0][2], kv[1][1])))
        vmin = cc.verify_min_cosine

        def worth(item: tuple[Any, Any]) -> tuple[Any, Any] | None:
            key, (ch, fa, fb) = item
            cos = shard.cosine(fa.x, fb.x)
            if cos >= vmin or pipeline.shares_enough(fa.view, fb.view, cfg):
                return key, (ch, cos, fa, fb)
            return None

        kept = self._keep(pair_feats.map(worth).filter(lambda x: x is not None))
        # Partners (neighbours and kept pairs) and each document's background matrix.
        partners = (
            kept.flatMap(lambda kv: [(kv[0][0], kv[0][1]), (kv[0][1], kv[0][0])])
            .union(neighbours.flatMap(lambda kv: [(kv[0], j) for j in kv[1]]))
            .distinct(self.parts)
        )
        sents = self._keep(feats.mapValues(lambda f: f.sentences))
        side_info = self._keep(
            partners.map(lambda ad: (ad[1], ad[0]))
            .join(sents, self.parts)
            .map(lambda kv: (kv[1][0], (kv[0], kv[1][1])))
            .groupByKey(self.parts)
            .join(sents, self.parts)
            .mapValues(lambda v: _background(list(v[0]), v[1]))
            .leftOuterJoin(base, self.parts)
            .mapValues(lambda v: (v[0][0], v[0][1], v[1] if v[1] is not None else 0.0))
        )
        # Document frequencies of the shingles and phrases each pair shares.
        ushingles = feats.flatMap(lambda kf: [(int(h), 1) for h in kf[1].view.shingled.unique.tolist()]).reduceByKey(add, self.parts)
        uphrases = feats.flatMap(lambda kf: [(int(h), 1) for h in kf[1].view.phrases.tolist()]).reduceByKey(add, self.parts)
        keys = self._keep(kept.mapValues(lambda v: shard.shared_keys(v[2], v[3])))
        sdf = keys.flatMap(lambda kv: [(h, kv[0]) for h in kv[1][0]]).join(ushingles, self.parts).map(lambda kv: (kv[1][0], (kv[0], kv[1][1]))).groupByKey(self.parts)
        pdf = keys.flatMap(lambda kv: [(h, kv[0]) for h in kv[1][1]]).join(uphrases, self.parts).map(lambda kv: (kv[1][0], (kv[0], kv[1][1]))).groupByKey(self.parts)
        sides = (
            kept.map(lambda kv: (kv[0][0], (kv[0], kv[1])))
            .join(side_info, self.parts)
            .map(lambda kv: (kv[1][0][0][1], (kv[1][0][0], kv[1][0][1], kv[1][1])))
            .join(side_info, self.parts)
            .map(lambda kv: (kv[1][0][0], (kv[1][0][1], kv[1][0][2], kv[1][1])))
        )

        def verify(item: tuple[Any, Any]) -> list[Any]:
            _, (((ch, cos, fa, fb), ia, ib), sd, pd) = item
            sa = shard.Side(fa, ia[2], ia[0], ia[1])
            sb = shard.Side(fb, ib[2], ib[0], ib[1])
            out = shard.verify_pair(sa, sb, ch, cos, list(sd or []), list(pd or []), cfg)
            return [] if out is None else [out]

        results = self._keep(sides.leftOuterJoin(sdf, self.parts).leftOuterJoin(pdf, self.parts).map(lambda kv: (kv[0], (kv[1][0][0], kv[1][0][1], kv[1][1]))).flatMap(verify))
        entries = self._keep(results.map(lambda r: ((r[0].a, r[0].b), r[3])))
        n_pairs = entries.count()
        self.clock.lap("verify")

        # Clusters: connected components of the reuse graph, then cluster.clusters per component.
        links = self._keep(results.map(lambda r: shard.reuse_link(r[0], r[1])).filter(lambda k: k is not None))
        n_reuse = links.count()
        comp = _components(links.map(lambda k: (k.a, k.b)), self.parts)
        groups = (
            links.map(lambda k: (k.a, k)).join(comp, self.parts).map(lambda kv: (kv[1][1], kv[1][0])).groupByKey(self.parts)
            .flatMap(lambda kv: shard.component_clusters(list(kv[1]), cfg))
            .sortBy(lambda g: g, numPartitions=self.parts)
            .zipWithIndex()
            .map(lambda gk: (gk[1] + 1, gk[0]))
        )
        groups = self._keep(groups)
        n_clusters = groups.count()
        self.clock.lap("cluster")

        # Lineage per cluster: members' features and the cluster's reuse pairs.
        member_of = groups.flatMap(lambda kg: [(i, (kg[0], kg[1])) for i in kg[1]])
        members = member_of.join(feats, self.parts).map(lambda kv: (kv[1][0][0], kv[1][1])).groupByKey(self.parts)
        reuse_entries = entries.filter(lambda kv: kv[1]["relation"] in relation.REUSE)
        cluster_pairs = (
            reuse_entries.map(lambda kv: (kv[0][0], kv))
            .join(member_of, self.parts)
            .filter(lambda kv: kv[1][0][0][1] in kv[1][1][1])
            .map(lambda kv: (kv[1][1][0], kv[1][0]))
            .groupByKey(self.parts)
        )
        token_counts = feats.flatMap(lambda kf: [(h, 1) for h in shard.token_hashes(kf[1].view)]).reduceByKey(add, self.parts).sortByKey().collect()
        btok = self.sc.broadcast(
            (np.asarray([h for h, _ in token_counts], dtype=np.uint64), np.asarray([c for _, c in token_counts], dtype=np.int64))
        )
        del token_counts

        def lineage_of(item: tuple[int, Any]) -> tuple[int, dict[str, Any]]:
            k, ((group, mem), prs) = item
            entry: dict[str, Any] = {"id": f"c{k}", "members": [f.doc.article.id for f in sorted(mem, key=lambda f: f.doc.index)]}
            entry.update(shard.cluster_lineage(group, list(mem), dict(prs or []), pipeline.token_df_lookup(*btok.value), cfg))
            return k, entry

        clusters = self._keep(groups.join(members, self.parts).leftOuterJoin(cluster_pairs, self.parts).map(lineage_of))
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
        doc_entries = docs.mapValues(document_entry)
        if output_dir is not None:
            _write(output_dir, doc_entries, entries, clusters)
            doc_list: list[dict[str, Any]] = []
            pair_list: list[dict[str, Any]] = []
            cluster_list: list[dict[str, Any]] = []
        else:
            doc_list = doc_entries.sortByKey().values().collect()
            pair_list = entries.values().collect()
            cluster_list = clusters.sortByKey().values().collect()
        self.clock.lap("report")
        if timings:
            stats["seconds"] = {k: round(v, 4) for k, v in self.clock.seconds.items()}
        for rdd in self._persisted:
            rdd.unpersist()
        return assemble_report(doc_list, pair_list, cluster_list, skipped, stats, pipeline.tool_info(), cfg, (bands, rows))


def _background(partners: list[tuple[int, Any]], sentences: Any) -> tuple[tuple[int, ...], Any]:
    ordered = sorted(partners, key=lambda t: t[0])
    return tuple(d for d, _ in ordered), shard.background(sentences, [r for _, r in ordered])


def _components(edges: Any, parts: int) -> Any:
    """(node, component) by minimum-label propagation; rounds grow with the graph's diameter."""
    both = edges.flatMap(lambda e: [(e[0], e[1]), (e[1], e[0])]).distinct(parts).cache()
    labels = both.map(lambda e: (e[0], e[0])).distinct(parts).cache()
    while True:
        proposed = both.join(labels, parts).map(lambda kv: (kv[1][0], kv[1][1]))
        new = labels.union(proposed).reduceByKey(min, parts).cache()
        changed = new.join(labels, parts).filter(lambda kv: kv[1][0] != kv[1][1]).count()
        labels.unpersist()
        labels = new
        if changed == 0:
            both.unpersist()
            return labels


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
