"""The benchmark run: corpora, systems in child processes, metrics, results, table, plots.

``python -m benchmarks run --sizes 1000,10000 [--regimes given,withheld] [--out DIR]``

For each size a corpus is generated (or reused from ``benchmarks/corpora/``, which git
ignores). Every system runs in its own child process (``python -m benchmarks worker``)
so peak resident memory is per system. syndicate runs once per date regime; the
pair baselines (dates play no part in them) once per size, with regime ``-``; the
direction baselines re-orient syndicate's own pairs per regime (so direction is
compared on the same pairs). One JSON line per (system, size, regime) is appended to
``<out>/results.jsonl``; ``<out>/latest.md`` and the PNG plots describe this run.
"""

from __future__ import annotations

import json
import math
import platform
import random
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks import baselines
from benchmarks.corpus import GENERATOR_VERSION, GenConfig, generate, regime_input
from benchmarks.metrics import evaluate
from benchmarks.recall import candidate_recall
from benchmarks.truth import Truth, load_generated, planted_spans

HERE = Path(__file__).resolve().parent
CORPORA = HERE / "corpora"
RESULTS = HERE / "results"
# Largest corpus each baseline is run on (quadratic or memory-bound beyond).
CAPS = {
    "floor": 10**9,
    "syndicate": 10**9,
    "datasketch": 100_000,
    "datasketch_batch": 100_000,
    "rensa": 1_000_000,
    "tfidf": 20_000,
    "syndicate_candidates": 10**9,
}
PASSAGE_SAMPLE = 20_000
DEFAULT_SYSTEMS = (
    "floor",
    "syndicate",
    "syndicate_candidates",
    "datasketch",
    "datasketch_batch",
    "rensa",
    "tfidf",
)


# ------------------------------------------------------------------ environment


def git_commit() -> str:
    """``HEAD``'s hash, with ``-dirty`` if the tree has changes; ``unknown`` outside git."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=HERE, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=HERE, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("-dirty" if dirty else "")


def versions() -> dict[str, str | None]:
    """Versions of Python and the libraries that matter to the numbers."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    for pkg in ("syndicate", "datasketch", "scikit-learn", "numpy", "scipy", "rensa"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return out


def syndicate_available() -> bool:
    """Whether ``syndicate.scan`` imports and its pipeline loads."""
    try:
        import syndicate

        syndicate.scan  # noqa: B018
        from syndicate import pipeline  # noqa: F401
    except Exception:
        return False
    return True


# ---------------------------------------------------------------------- corpora


def corpus_path(size: int, seed: int, synthetic_only: bool = False, root: Path = CORPORA) -> Path:
    """Cache folder of a corpus; the name holds every input that changes its bytes."""
    suffix = "-synthetic" if synthetic_only else ""
    return root / f"n{size}-s{seed}-g{GENERATOR_VERSION}{suffix}"


def ensure_corpus(size: int, seed: int, synthetic_only: bool = False, root: Path = CORPORA) -> Path:
    """Generate the corpus unless a complete cached copy exists (``manifest.json`` last)."""
    path = corpus_path(size, seed, synthetic_only, root)
    if not (path / "manifest.json").exists():
        print(f"generating corpus {path.name} ...", file=sys.stderr, flush=True)
        t = time.perf_counter()
        generate(path, GenConfig(size=size, seed=seed, use_real_text=not synthetic_only))
        print(f"  done in {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)
    return path


# ----------------------------------------------------------------------- worker


def peak_rss_mb() -> float:
    """Peak resident memory of this process, MiB.

    Reads ``VmHWM`` from ``/proc/self/status`` (reset by ``exec``, so a worker does not
    inherit the parent's peak as ``ru_maxrss`` does on Linux); elsewhere ``ru_maxrss``.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def children_peak_rss_mb() -> float:
    """Largest peak resident memory of any waited-for child process (e.g. ``--jobs``), MiB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0


def run_system(
    system: str, docs: Path, metadata_file: Path | None, use_dates: bool
) -> Any:
    """Run one system in this process; return its report (a dict, or syndicate's ``Report``)."""
    if system == "syndicate":
        import syndicate

        options: dict[str, Any] = {"use_dates": use_dates}
        if metadata_file is not None:
            options["metadata_file"] = str(metadata_file)
        return syndicate.scan(docs, timings=True, **options)
    if system == "syndicate_candidates":
        from benchmarks.recall import candidate_payload

        return candidate_payload(docs)
    fn = baselines.PAIR_SYSTEMS[system]
    return fn(docs)


def worker(system: str, docs: Path, metadata_file: Path | None, use_dates: bool, out: Path) -> None:
    """Child-process entry: run a system, write report, wall time and peak RSS to ``out``."""
    rss0 = peak_rss_mb()
    t = time.perf_counter()
    report = run_system(system, docs, metadata_file, use_dates)
    wall = time.perf_counter() - t
    write_seconds = None
    if not isinstance(report, dict):
        # syndicate's report is written as `syndicate scan -o` writes it (pairs streamed
        # one at a time), inside the measured peak; its seconds are recorded apart from
        # the scan's. Read back for scoring after the peak is taken.
        from syndicate.report import write_atomic

        t = time.perf_counter()
        report_file = out.with_name(out.name + ".report.json")
        write_atomic(report_file, report.json_chunks())
        write_seconds = time.perf_counter() - t
    payload: dict[str, Any] = {
        "wall_seconds": wall,
        "write_seconds": write_seconds,
        "peak_rss_mb": peak_rss_mb(),
        # The --jobs pool's forked workers are not in this process's peak: record the
        # largest worker's (its resident set counts pages it shares with this process).
        "children_peak_rss_mb": children_peak_rss_mb(),
        "rss_start_mb": rss0,
    }
    if write_seconds is not None:
        del report
        payload["report"] = json.loads(report_file.read_text(encoding="utf-8"))
        report_file.unlink()
    else:
        payload["report"] = report
    out.write_text(json.dumps(payload), encoding="utf-8")


def spawn(
    system: str, docs: Path, metadata_file: Path | None, use_dates: bool, tmp: Path, timeout: float
) -> dict[str, Any]:
    """Run :func:`worker` in a child process; returns its payload or ``{"error": ...}``."""
    out = tmp / f"{system}-{time.monotonic_ns()}.json"
    cmd = [
        sys.executable,
        "-m",
        "benchmarks",
        "worker",
        "--system",
        system,
        "--docs",
        str(docs),
        "--out",
        str(out),
    ]
    if metadata_file is not None:
        cmd += ["--metadata", str(metadata_file)]
    if not use_dates:
        cmd.append("--no-dates")
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s"}
    if proc.returncode != 0 or not out.exists():
        tail = (proc.stderr or "").strip().splitlines()[-3:]
        return {"error": f"exit {proc.returncode}: {' | '.join(tail)}"}
    payload: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    out.unlink()
    return payload


# ---------------------------------------------------------------------- scoring


def _regime_dates(corpus: Path, regime: str) -> dict[str, str | None]:
    dates: dict[str, str | None] = {}
    with (corpus / f"metadata.{regime}.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            dates[rec["id"]] = rec.get("published")
    return dates


def _lengths(corpus: Path) -> dict[str, int]:
    raw = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))
    return {d["id"]: d["length"] for d in raw["documents"] if d["visible"]}


def _passage_truth(corpus: Path, truth: Truth, seed: int) -> None:
    keys = sorted(truth.positives)
    if len(keys) > PASSAGE_SAMPLE:
        keys = random.Random(seed).sample(keys, PASSAGE_SAMPLE)
    truth.passages = planted_spans(corpus, keys)


def result_line(
    system: str,
    size: int,
    regime: str,
    manifest: dict[str, Any],
    payload: dict[str, Any] | None,
    quality: dict[str, Any] | None,
    common: dict[str, Any],
) -> dict[str, Any]:
    """One JSON line of ``results.jsonl`` (``payload`` None: quality only, no cost)."""
    line: dict[str, Any] = dict(common) | {"system": system, "size": size, "regime": regime}
    line["corpus"] = {
        k: manifest[k]
        for k in ("documents", "text_chars", "text_bytes", "base_stories", "doc_format")
    } | {"seed": manifest["config"]["seed"], "generator_version": manifest["generator_version"]}
    if payload is None:
        if quality is not None:
            line["quality"] = quality
        return line
    if "error" in payload:
        line["error"] = payload["error"]
        return line
    report = payload.get("report", {})
    stats = report.get("stats", {})
    wall = float(payload.get("wall_seconds", 0.0))
    mb = manifest["text_bytes"] / 1e6
    line["seconds"] = wall
    if payload.get("write_seconds") is not None:
        line["write_seconds"] = payload["write_seconds"]  # writing the JSON report, not in "seconds"
    line["seconds_per_stage"] = stats.get("seconds", {})
    line["docs_per_s"] = manifest["documents"] / wall if wall else None
    line["mb_per_s"] = mb / wall if wall else None
    line["stage_docs_per_s"] = {
        k: manifest["documents"] / v
        for k, v in line["seconds_per_stage"].items()
        if isinstance(v, int | float) and v > 0
    }
    line["peak_rss_mb"] = payload.get("peak_rss_mb")
    line["rss_start_mb"] = payload.get("rss_start_mb")
    line["children_peak_rss_mb"] = payload.get("children_peak_rss_mb")
    line["stats"] = {
        k: v for k, v in stats.items() if k != "seconds" and not isinstance(v, list | dict)
    }
    if quality is not None:
        line["quality"] = quality
    return line


def add_ratios(lines: list[dict[str, Any]]) -> None:
    """Speed ratios against the floor and the tutorial loop measured in the same run."""
    by_key = {
        (x["system"], x["size"]): x
        for x in lines
        if "seconds" in x and x["regime"] in ("-", "given")
    }
    for x in lines:
        if "seconds" not in x:
            continue
        ratios: dict[str, float] = {}
        for ref in ("floor", "datasketch", "datasketch_batch"):
            other = by_key.get((ref, x["size"]))
            if other and x["seconds"]:
                ratios[f"speed_vs_{ref}"] = other["seconds"] / x["seconds"]
        tut = by_key.get(("datasketch", x["size"]))
        if tut and "quality" in tut and "quality" in x and tut["quality"]["pairs"]["f1"]:
            ratios["f1_vs_datasketch"] = x["quality"]["pairs"]["f1"] / tut["quality"]["pairs"]["f1"]
        x["ratios"] = ratios


# -------------------------------------------------------------------------- run


def run(
    sizes: Sequence[int],
    regimes: Sequence[str] = ("given", "withheld"),
    systems: Sequence[str] = DEFAULT_SYSTEMS,
    out: Path = RESULTS,
    seed: int = 0,
    synthetic_only: bool = False,
    timeout: float = 3 * 3600,
    corpora: Path = CORPORA,
) -> list[dict[str, Any]]:
    """Run the benchmark; append results, write ``latest.md`` and plots; return the lines."""
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / ".tmp"
    tmp.mkdir(exist_ok=True)
    common = {
        "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "commit": git_commit(),
        "versions": versions(),
        "machine": {"cpus": _cpus(), "platform": platform.platform()},
    }
    have_syndicate = syndicate_available()
    have_rensa = baselines.rensa_available()
    lines: list[dict[str, Any]] = []
    for size in sizes:
        corpus = ensure_corpus(size, seed, synthetic_only, corpora)
        manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
        truth = load_generated(corpus)
        _passage_truth(corpus, truth, seed)
        lengths = _lengths(corpus)
        size_lines: list[dict[str, Any]] = []

        def log(line: dict[str, Any], size_lines: list[dict[str, Any]] = size_lines) -> None:
            size_lines.append(line)
            q = line.get("quality", {}).get("pairs", {})
            d = line.get("quality", {}).get("derivation", {})
            cr = line.get("candidate_recall")
            msg = (
                line.get("error")
                or (
                    (
                        f"{cr['candidates_per_document']:.1f} candidates/doc, recall "
                        f"{cr['recall']:.4f}, LSH recall at J>=0.5 {cr['jaccard']['lsh_recall'] or 0:.4f}"
                    )
                    if cr
                    else ""
                )
                or (
                    (
                        f"{line['seconds']:.1f} s, {line['peak_rss_mb']:.0f} MiB"
                        if "seconds" in line
                        else ""
                    )
                    + (
                        f", P {q['precision']:.3f} R {q['recall']:.3f} F1 {q['f1']:.3f}"
                        if q
                        else ""
                    )
                    + (
                        f", dir {d['direction_accuracy']:.3f} root {d['root_accuracy']:.3f}"
                        if d.get("predicted_edges")
                        else ""
                    )
                )
            )
            print(
                f"  {line['system']:<22} n={line['size']:<8} {line['regime']:<9} {msg}",
                file=sys.stderr,
                flush=True,
            )

        for system in systems:
            if system == "syndicate":
                continue
            if system == "syndicate_candidates":
                if not have_syndicate:
                    continue
                docs, _side = regime_input(corpus, "given")
                payload = spawn(system, docs, None, False, tmp, timeout)
                line = result_line(system, size, "-", manifest, None, None, common)
                if "error" in payload:
                    line["error"] = payload["error"]
                else:
                    line["candidate_recall"] = candidate_recall(truth, payload["report"])
                    line["index_bytes_per_document"] = payload["report"].get("index_bytes_per_document")
                    line["candidate_wall_seconds"] = payload["wall_seconds"]
                    line["candidate_peak_rss_mb"] = payload["peak_rss_mb"]
                    line["note"] = (
                        "syndicate.pipeline.candidate_ids (before verification) plus exact "
                        "shingle Jaccard; a measurement, not a timed system"
                    )
                log(line)
                continue
            if size > CAPS.get(system, 10**9):
                log(
                    result_line(
                        system,
                        size,
                        "-",
                        manifest,
                        {"error": f"skipped: size > cap {CAPS[system]}"},
                        None,
                        common,
                    )
                )
                continue
            if system == "rensa" and not have_rensa:
                log(
                    result_line(
                        system,
                        size,
                        "-",
                        manifest,
                        {"error": "skipped: rensa not importable"},
                        None,
                        common,
                    )
                )
                continue
            docs, _side = regime_input(corpus, "given")
            payload = spawn(system, docs, None, False, tmp, timeout)
            quality = (
                None
                if system == "floor" or "error" in payload
                else evaluate(truth, payload["report"])
            )
            log(result_line(system, size, "-", manifest, payload, quality, common))
        if "syndicate" in systems:
            for regime in regimes:
                if not have_syndicate:
                    log(
                        result_line(
                            "syndicate",
                            size,
                            regime,
                            manifest,
                            {"error": "skipped: syndicate.scan unavailable"},
                            None,
                            common,
                        )
                    )
                    continue
                docs, sidecar = regime_input(corpus, regime)
                payload = spawn("syndicate", docs, sidecar, regime != "withheld", tmp, timeout)
                if "error" in payload:
                    log(result_line("syndicate", size, regime, manifest, payload, None, common))
                    continue
                report = payload["report"]
                log(
                    result_line(
                        "syndicate",
                        size,
                        regime,
                        manifest,
                        payload,
                        evaluate(truth, report),
                        common,
                    )
                )
                dates = _regime_dates(corpus, regime)
                for rule in ("earliest", "longer"):
                    oriented = baselines.orient(report, rule, dates, lengths)
                    q = evaluate(truth, oriented)
                    line = result_line(
                        f"{rule}+syndicate_pairs", size, regime, manifest, None, q, common
                    )
                    line["note"] = f"direction rule '{rule}' applied to syndicate's reuse pairs"
                    log(line)
        add_ratios(size_lines)
        with (out / "results.jsonl").open("a", encoding="utf-8") as fh:
            for line in size_lines:
                fh.write(json.dumps(line, sort_keys=True) + "\n")
        lines.extend(size_lines)
    if not any(tmp.iterdir()):
        tmp.rmdir()
    from benchmarks.report import write_markdown, write_plots

    write_markdown(lines, out / "latest.md")
    write_plots(lines, out)
    return lines


def _cpus() -> int:
    import os

    return os.cpu_count() or 1


def scaling_exponent(sizes: Sequence[float], seconds: Sequence[float]) -> float | None:
    """Least-squares slope of log(seconds) on log(size): 1.0 is linear growth."""
    pts = [
        (math.log(n), math.log(s)) for n, s in zip(sizes, seconds, strict=True) if n > 0 and s > 0
    ]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    den = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / den if den else None
