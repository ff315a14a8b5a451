"""CPU cost of the verification stage alone, for A/B comparisons of its code.

Runs the scan up to candidates once, then verification ``--reps`` times in this
process (one job, one BLAS thread, fresh sentence caches each time) and prints the
CPU seconds of each and their minimum. Compare two checkouts on one corpus by
running both, interleaved, on the same machine:

    PYTHONPATH=/tmp/old/src python -m benchmarks.verify_cost benchmarks/corpora/n1000-s0-g1
    python -m benchmarks.verify_cost benchmarks/corpora/n1000-s0-g1

CPU time, not wall time: on a shared machine it moves less, but still moves
(interleave runs and compare minima).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def measure(corpus: Path, reps: int) -> dict[str, object]:
    from threadpoolctl import threadpool_limits

    from syndicate import ingest, pipeline, verify
    from syndicate.config import build_config

    meta = corpus / "metadata.given.jsonl"
    cfg = build_config(jobs=1, progress=False, metadata_file=str(meta) if meta.exists() else None)
    docs_dir = corpus / "docs" if (corpus / "docs").is_dir() else corpus
    seconds = []
    with threadpool_limits(limits=1, user_api="blas"):
        docs, _ = pipeline.prepare(ingest.read_corpus(str(docs_dir), cfg.ingest).articles, cfg, False)
        views = pipeline._views(docs, cfg, False)
        cand = pipeline.candidate_stage(docs, views, cfg, pipeline._Clock())
        for _ in range(reps):
            index = verify.sentence_index(views.outlines(), cand.model)
            start = time.process_time()
            out = pipeline._verify(docs, views, pipeline.verify_input(cand), index, cfg, False)
            seconds.append(round(time.process_time() - start, 3))
    return {
        "corpus": str(corpus), "documents": len(docs), "candidates": int(cand.pairs.shape[0]), "pairs": len(out),
        "verify_cpu_s": seconds, "min_s": min(seconds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="a benchmark corpus folder (with docs/) or a folder of articles")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(measure(args.corpus, max(1, args.reps))))


if __name__ == "__main__":
    main()
