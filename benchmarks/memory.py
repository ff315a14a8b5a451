"""Resident memory of a scan over time, main process and pool workers, by stage.

Runs ``syndicate.scan`` in this process with a ``psutil`` sampler thread and prints
one JSON object: the peaks, the stage seconds, and the samples (seconds since start,
main MiB, sum of the workers' MiB; workers share pages with the main process, so the
sum over-counts). Where a peak falls, compare its time with the stage seconds:

    python -m benchmarks.memory benchmarks/corpora/n10000-s0-g1 --every 0.5

The benchmark's own ``peak_rss_mb`` (``python -m benchmarks run``) is the figure of
record; this shows which stage makes it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import threading
import time
from pathlib import Path
from typing import Any


def measure(corpus: Path, every: float, jobs: int) -> dict[str, Any]:
    import psutil

    import syndicate

    docs = corpus / "docs" if (corpus / "docs").is_dir() else corpus
    meta = corpus / "metadata.given.jsonl"
    proc = psutil.Process()
    samples: list[tuple[float, int, int]] = []
    done = threading.Event()

    def sample() -> None:
        t0 = time.perf_counter()
        while not done.is_set():
            kids = 0
            for c in proc.children(recursive=True):
                with contextlib.suppress(psutil.Error):  # a worker that just exited
                    kids += c.memory_info().rss
            samples.append((round(time.perf_counter() - t0, 1), proc.memory_info().rss >> 20, kids >> 20))
            done.wait(every)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    options: dict[str, Any] = {"jobs": jobs, "progress": False, "timings": True}
    if meta.exists():
        options["metadata_file"] = str(meta)
    report = syndicate.scan(docs, **options)
    done.set()
    thread.join()
    return {
        "corpus": str(corpus),
        "documents": report.stats["documents"],
        "peak_main_mib": max(s[1] for s in samples),
        "peak_workers_sum_mib": max(s[2] for s in samples),
        "end_main_mib": samples[-1][1],
        "stage_seconds": report.stats.get("seconds", {}),
        "samples": samples,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory", description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="a benchmark corpus folder (with docs/) or a folder of articles")
    parser.add_argument("--every", type=float, default=0.5, help="seconds between samples")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.corpus, args.every, args.jobs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
