"""Derivation quality from cached verification: change lineage, re-score in seconds.

Verification is most of a scan and does not depend on dates or on the lineage
settings, so this tool runs the scan up to verified pairs and clusters once per
corpus and date regime (cached as a pickle under ``--cache``), then re-runs only
``lineage.build_lineage`` per cluster and scores direction and root accuracy
against the truth. The numbers match a full scan's (same stage functions, same
inputs); only the unseen-source notes are skipped.

    python -m benchmarks.lineage_eval benchmarks/corpora/n1000-s0-g1 --regimes given,withheld
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.metrics import derivation_metrics
from benchmarks.truth import load_generated


def verified(corpus: Path, regime: str, cache: Path) -> dict[str, Any]:
    """Documents, pair entries, clusters and token document frequencies (cached)."""
    path = cache / f"{corpus.name}-{regime}.pkl"
    if path.exists():
        with path.open("rb") as fh:
            data: dict[str, Any] = pickle.load(fh)
        return data
    from syndicate import cluster, ingest, pipeline, verify
    from syndicate.config import build_config
    from syndicate.report import fill_texts, unpack_entry

    cfg = build_config(metadata_file=str(corpus / f"metadata.{regime}.jsonl"), use_dates=regime != "withheld")
    result = ingest.read_corpus(str(corpus / "docs"), cfg.ingest)
    docs, _ = pipeline.prepare(result.articles, cfg, False)
    views = pipeline._views(docs, cfg, False)
    cand = pipeline.candidate_stage(docs, views, cfg, pipeline._Clock())
    index = verify.sentence_index(views.outlines(), cand.model)
    matches = pipeline._verify(docs, views, pipeline.verify_input(cand), index, cfg, False)
    entries = {}
    for v in matches:
        entries[(v.a, v.b)] = entry = unpack_entry(v.entry)
        fill_texts(entry, docs[v.a], docs[v.b])
    data = {
        "docs": docs,
        "entries": entries,
        "groups": cluster.clusters([v.link for v in matches if v.link is not None], cfg.cluster),
        "token_df": verify.hash_df([np.unique(v.shingled.token_hashes) for v in views]),
    }
    cache.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        pickle.dump(data, fh)
    return data


def derivation(corpus: Path, regime: str, cache: Path) -> dict[str, Any]:
    """Direction and root accuracy of the current lineage code on one regime."""
    from syndicate import lineage, pipeline, relation
    from syndicate.config import LineageConfig

    data = verified(corpus, regime, cache)
    docs, entries, groups = data["docs"], data["entries"], data["groups"]
    reuse = {k: e for k, e in entries.items() if e["relation"] in relation.REUSE}
    token_df = pipeline.token_df_lookup(*data["token_df"])
    config = LineageConfig(use_dates=regime != "withheld")
    clusters = []
    for group, pairs in zip(groups, pipeline._pairs_by_cluster(groups, reuse), strict=True):
        entry: dict[str, Any] = {"members": [docs[i].article.id for i in group]}
        entry.update(lineage.build_lineage(group, docs, pairs, config, token_df, None))
        clusters.append(entry)
    return derivation_metrics(load_generated(corpus), {"pairs": list(entries.values()), "clusters": clusters})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.lineage_eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, help="a generated corpus folder (benchmarks/corpora/n1000-s0-g1)")
    parser.add_argument("--regimes", default="given,partial,noisy,withheld")
    parser.add_argument("--cache", type=Path, default=Path("benchmarks/results/.lineage-cache"))
    args = parser.parse_args(argv)
    for regime in args.regimes.split(","):
        m = derivation(args.corpus, regime, args.cache)
        by_type = ", ".join(f"{t} {v:.2f}" for t, v in m["direction_by_type"].items())
        print(
            f"{args.corpus.name} {regime:9s} direction {m['direction_accuracy']:.3f} root {m['root_accuracy']:.3f} "
            f"undecided {m['direction_undecided']:.3f} edge precision {m['edge_precision']:.3f} ({by_type})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
