"""Spark local[2] beside the local engine on benchmark corpora: same run, same reports.

Run: ``python -m benchmarks.spark benchmarks/corpora/n1000-s0-g1 [more corpora]``
(``make bench-spark``). Per corpus, one JSON line: seconds and documents per second of
each engine, their ratio, and whether the two reports are identical (timings aside).
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any


def compare(root: str, master: str = "local[2]") -> dict[str, Any]:
    """Scan one generated corpus (dates given) with both engines; timings and agreement."""
    import syndicate

    docs, meta = f"{root}/docs", f"{root}/metadata.given.jsonl"
    t = time.perf_counter()
    local = syndicate.scan(docs, metadata_file=meta, jobs=2).to_dict()
    t_local = time.perf_counter() - t
    t = time.perf_counter()
    spark = syndicate.scan(docs, metadata_file=meta, engine="spark", spark_master=master).to_dict()
    t_spark = time.perf_counter() - t
    n = local["stats"]["documents"]
    return {
        "corpus": root,
        "documents": n,
        "pairs": local["stats"]["pairs"],
        "clusters": local["stats"]["clusters"],
        "local_jobs2_s": round(t_local, 1),
        "spark_s": round(t_spark, 1),
        "spark_master": master,
        "local_docs_per_s": round(n / t_local, 1),
        "spark_docs_per_s": round(n / t_spark, 1),
        "spark_over_local_time": round(t_spark / t_local, 2),
        "identical": local == spark,
        "differing_fields": [k for k in local if local[k] != spark[k]],
    }


def main(argv: list[str]) -> None:
    """One JSON line per corpus given on the command line."""
    for root in argv:
        print(json.dumps(compare(root)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
