"""Command line: ``python -m benchmarks {run,generate,score,worker}``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _ints(text: str) -> list[int]:
    try:
        return [int(x.replace("_", "")) for x in text.split(",") if x]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers; got {text!r}"
        ) from None


def _names(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and dispatch; returns the exit code."""
    from benchmarks.corpus import REGIMES
    from benchmarks.run import CORPORA, DEFAULT_SYSTEMS, RESULTS

    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)

    r = sub.add_parser("run", help="generate/reuse corpora, run systems, write results")
    r.add_argument("--sizes", type=_ints, default=[1000, 10000], help="e.g. 1000,10000")
    r.add_argument(
        "--regimes", type=_names, default=["given", "withheld"], help=f"of {','.join(REGIMES)}"
    )
    r.add_argument("--systems", type=_names, default=list(DEFAULT_SYSTEMS))
    r.add_argument("--out", type=Path, default=RESULTS)
    r.add_argument("--corpora", type=Path, default=CORPORA, help="corpus cache folder")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--synthetic-only", action="store_true", help="do not read ../shared/data")
    r.add_argument("--timeout", type=float, default=3 * 3600, help="seconds per system run")

    g = sub.add_parser("generate", help="write one corpus")
    g.add_argument("out", type=Path)
    g.add_argument("--size", type=int, required=True)
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--synthetic-only", action="store_true")
    g.add_argument("--format", choices=("auto", "txt", "jsonl"), default="auto")

    s = sub.add_parser("score", help="score a report JSON against labelled truth")
    s.add_argument("report", type=Path)
    kind = s.add_mutually_exclusive_group(required=True)
    kind.add_argument("--generated", type=Path, help="corpus folder from `generate`")
    kind.add_argument("--pan", type=Path, help="PAN text-alignment folder")
    kind.add_argument("--csv", type=Path, help="CSV with a,b,label")
    kind.add_argument("--folders", type=Path, help="folder with source/ and derived/")

    w = sub.add_parser("worker", help=argparse.SUPPRESS)
    w.add_argument("--system", required=True)
    w.add_argument("--docs", type=Path, required=True)
    w.add_argument("--metadata", type=Path)
    w.add_argument("--no-dates", action="store_true")
    w.add_argument("--out", type=Path, required=True)

    args = ap.parse_args(argv)
    if args.cmd == "run":
        from benchmarks.run import run

        bad = [x for x in args.regimes if x not in REGIMES]
        if bad:
            ap.error(f"--regimes must be among {','.join(REGIMES)}; got {','.join(bad)}")
        run(
            args.sizes,
            regimes=args.regimes,
            systems=args.systems,
            out=args.out,
            seed=args.seed,
            synthetic_only=args.synthetic_only,
            timeout=args.timeout,
            corpora=args.corpora,
        )
        print(f"results: {args.out / 'results.jsonl'}, table: {args.out / 'latest.md'}")
        return 0
    if args.cmd == "generate":
        from benchmarks.corpus import GenConfig, generate

        cfg = GenConfig(
            size=args.size,
            seed=args.seed,
            use_real_text=not args.synthetic_only,
            format=args.format,
        )
        print(json.dumps(generate(args.out, cfg), indent=2))
        return 0
    if args.cmd == "score":
        from benchmarks import loaders
        from benchmarks.metrics import evaluate
        from benchmarks.truth import load_generated, planted_spans

        report = json.loads(args.report.read_text(encoding="utf-8"))
        if args.generated:
            truth = load_generated(args.generated)
            truth.passages = planted_spans(args.generated, truth.positives)
        elif args.pan:
            truth = loaders.load_pan(args.pan)
        elif args.csv:
            truth = loaders.load_pair_csv(
                args.csv, [str(d["id"]) for d in report.get("documents", [])] or None
            )
        else:
            truth = loaders.load_source_derived(args.folders)
        print(json.dumps(evaluate(truth, report), indent=2))
        return 0
    if args.cmd == "worker":
        from benchmarks.run import worker

        worker(args.system, args.docs, args.metadata, not args.no_dates, args.out)
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
