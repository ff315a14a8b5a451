"""Spark local[2] beside the local engine on benchmark corpora: same run, same reports.

Run: ``python -m benchmarks.spark benchmarks/corpora/n1000-s0-g1 [more corpora]``
(``make bench-spark``); ``--partitions N`` sets the Spark engine's partitions (0 = its
default). Per corpus, one JSON line: git commit, load averages before and after, seconds
(and seconds per stage) and documents per second of each engine, their ratio, and
whether the two reports are identical (timings aside). The Spark time includes
starting and stopping its session.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any


def _commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip() or None


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def compare(root: str, master: str = "local[2]", partitions: int = 0) -> dict[str, Any]:
    """Scan one generated corpus (dates given) with both engines; timings and agreement."""
    import syndicate

    docs, meta = f"{root}/docs", f"{root}/metadata.given.jsonl"
    load_before = _load()
    t = time.perf_counter()
    local = syndicate.scan(docs, metadata_file=meta, jobs=2, timings=True).to_dict()
    t_local = time.perf_counter() - t
    t = time.perf_counter()
    spark = syndicate.scan(
        docs, metadata_file=meta, engine="spark", spark_master=master, partitions=partitions, timings=True
    ).to_dict()
    t_spark = time.perf_counter() - t
    local_stages = local["stats"].pop("seconds")
    spark_stages = spark["stats"].pop("seconds")
    n = local["stats"]["documents"]
    return {
        "corpus": root,
        "commit": _commit(),
        "documents": n,
        "pairs": local["stats"]["pairs"],
        "clusters": local["stats"]["clusters"],
        "local_jobs2_s": round(t_local, 1),
        "spark_s": round(t_spark, 1),
        "spark_master": master,
        "spark_partitions": partitions,
        "local_docs_per_s": round(n / t_local, 1),
        "spark_docs_per_s": round(n / t_spark, 1),
        "spark_over_local_time": round(t_spark / t_local, 2),
        "identical": local == spark,
        "differing_fields": [k for k in local if local[k] != spark[k]],
        "local_stage_s": local_stages,
        "spark_stage_s": spark_stages,
        "load_before": load_before,
        "load_after": _load(),
    }


def main(argv: list[str]) -> None:
    """One JSON line per corpus given on the command line (``--partitions N`` first, optional)."""
    partitions = 0
    if argv[:1] == ["--partitions"]:
        partitions, argv = int(argv[1]), argv[2:]
    for root in argv:
        print(json.dumps(compare(root, partitions=partitions)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
