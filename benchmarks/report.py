"""Markdown table and PNG plots from result lines (``results.jsonl`` records)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.corpus import PAIR_TYPES


def _f(x: Any, digits: int = 3) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:,.{digits}f}"
    return f"{x:,}" if isinstance(x, int) else str(x)


def _rate(x: Any) -> str:
    return "—" if x is None else f"{x:,.0f}"


def write_markdown(lines: Sequence[dict[str, Any]], path: Path) -> None:
    """One table of cost and quality per run line, per-type recall, scaling exponents."""
    from benchmarks.run import scaling_exponent

    if not lines:
        path.write_text("No results.\n", encoding="utf-8")
        return
    first = lines[0]
    out = [
        "# Benchmark results (latest run)",
        "",
        f"commit `{first.get('commit')}`, {first.get('timestamp')}, "
        f"{first.get('machine', {}).get('cpus')} CPUs, versions: "
        + ", ".join(f"{k} {v}" for k, v in first.get("versions", {}).items() if v),
        "",
        "Regime `-`: the system ignores dates. `×floor`/`×tutorial`: speed ratio against the "
        "read+tokenise+shingle floor and the datasketch per-shingle `update()` loop in the same run "
        "(>1 is faster). Pair P/R/F1 over reuse pairs; HN FP: share of same-event hard-negative "
        "pairs reported as reuse; dir: direction accuracy; root: original-source accuracy; "
        "passage P/R: character level on detected true pairs.",
        "",
        "| system | docs | regime | s | docs/s | MB/s | peak MiB | ×floor | ×tutorial "
        "| P | R | F1 | HN FP | ARI | dir | root | passage P | passage R |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for x in lines:
        if "candidate_recall" in x:
            continue
        if "error" in x:
            out.append(
                f"| {x['system']} | {x['size']:,} | {x['regime']} | {x['error']} |" + " |" * 14
            )
            continue
        q = x.get("quality") or {}
        p = q.get("pairs", {})
        d = q.get("derivation", {})
        pa = q.get("passages", {})
        r = x.get("ratios", {})
        has_dir = x["system"] != "floor" and bool(d.get("predicted_edges"))
        out.append(
            "| "
            + " | ".join(
                [
                    x["system"],
                    f"{x['size']:,}",
                    x["regime"],
                    _f(x.get("seconds"), 1),
                    _rate(x.get("docs_per_s")),
                    _f(x.get("mb_per_s"), 2),
                    _rate(x.get("peak_rss_mb")),
                    _f(r.get("speed_vs_floor"), 2),
                    _f(r.get("speed_vs_datasketch"), 2),
                    _f(p.get("precision")),
                    _f(p.get("recall")),
                    _f(p.get("f1")),
                    _f(p.get("hard_negative_fp_rate")),
                    _f(q.get("ari")),
                    _f(d.get("direction_accuracy")) if has_dir else "—",
                    _f(d.get("root_accuracy")) if has_dir else "—",
                    _f(pa.get("char_precision")),
                    _f(pa.get("char_recall")),
                ]
            )
            + " |"
        )
    scored = [
        x for x in lines if (x.get("quality") or {}).get("pairs") and x["regime"] in ("-", "given")
    ]
    if scored:
        biggest = max(x["size"] for x in scored)
        rows = [
            x
            for x in scored
            if x["size"] == biggest and not x["system"].startswith(("earliest", "longer"))
        ]
        types = [t for t in PAIR_TYPES if any(t in x["quality"]["pairs"]["per_type"] for x in rows)]
        out += ["", f"## Pair recall by type ({biggest:,} docs)", ""]
        out.append("| system | " + " | ".join(types) + " |")
        out.append("|---|" + "---:|" * len(types))
        for x in rows:
            per = x["quality"]["pairs"]["per_type"]
            out.append(
                f"| {x['system']} | "
                + " | ".join(_f(per[t]["recall"]) if t in per else "—" for t in types)
                + " |"
            )
        n_row = rows[0]["quality"]["pairs"]["per_type"]
        out.append(
            "| (true pairs) | "
            + " | ".join(_f(n_row[t]["n"]) if t in n_row else "—" for t in types)
            + " |"
        )
    out += candidate_section(lines)
    timed = [x for x in lines if x.get("seconds") and x["regime"] in ("-", "given")]
    systems = sorted({x["system"] for x in timed})
    exps = []
    for s in systems:
        pts = sorted(
            (x["size"], x["seconds"], x.get("peak_rss_mb") or 0.0)
            for x in timed
            if x["system"] == s
        )
        if len(pts) >= 2:
            t_exp = scaling_exponent([p[0] for p in pts], [p[1] for p in pts])
            m_exp = scaling_exponent([p[0] for p in pts], [p[2] for p in pts])
            sizes = ", ".join(f"{p[0]:,}" for p in pts)
            exps.append(f"| {s} | {sizes} | {_f(t_exp, 2)} | {_f(m_exp, 2)} |")
    if exps:
        out += ["", "## Growth (least-squares exponent of time and peak memory against size)", ""]
        out += [
            "| system | sizes | time exponent | memory exponent |",
            "|---|---|---:|---:|",
            *exps,
        ]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def candidate_section(lines: Sequence[dict[str, Any]]) -> list[str]:
    """Markdown lines: candidate-stage recall per size and, for the largest, per type."""
    rows = [x for x in lines if "candidate_recall" in x]
    if not rows:
        return []
    out = [
        "",
        "## Candidate stage (syndicate, before verification)",
        "",
        "Recall: share of true positive pairs among the candidate pairs (all channels, then "
        "per channel). LSH @J>=0.5: share of all document pairs whose exact Jaccard of "
        "syndicate's own shingle sets (normalised, chrome stripped, 5-word) is >= 0.5 that "
        "the LSH channel proposes.",
        "",
        "| docs | candidates | per doc | recall | lsh | anchors | tfidf | lsh/doc | anchors/doc "
        "| tfidf/doc | pairs J>=0.5 | LSH @J>=0.5 | LSH @J 0.5-0.6 | HN among candidates |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for x in rows:
        c = x["candidate_recall"]
        ch = c["by_channel"]
        j = c["jaccard"]
        out.append(
            "| "
            + " | ".join(
                [
                    f"{x['size']:,}",
                    _f(c["candidates"]),
                    _f(c["candidates_per_document"], 1),
                    _f(c["recall"], 4),
                    *(_f(ch[k]["recall"], 4) for k in ("lsh", "anchors", "tfidf")),
                    *(_f(ch[k]["per_document"], 1) for k in ("lsh", "anchors", "tfidf")),
                    _f(j["pairs"]),
                    _f(j["lsh_recall"], 4),
                    _f(j["by_band"][0]["lsh_recall"], 4),
                    _f(c["hard_negatives_among_candidates"], 3),
                ]
            )
            + " |"
        )
    big = max(rows, key=lambda x: x["size"])
    per = big["candidate_recall"]["per_type"]
    types = [t for t in PAIR_TYPES if t in per]
    out += [
        "",
        f"Candidate recall by type ({big['size']:,} docs; channel columns: share of the type's "
        "pairs that channel proposes):",
        "",
        "| channel | " + " | ".join(types) + " |",
        "|---|" + "---:|" * len(types),
        "| all | " + " | ".join(_f(per[t]["recall"], 4) for t in types) + " |",
    ]
    for k in ("lsh", "anchors", "tfidf"):
        out.append(f"| {k} | " + " | ".join(_f(per[t][k], 3) for t in types) + " |")
    out.append("| (true pairs) | " + " | ".join(_f(per[t]["n"]) for t in types) + " |")
    return out


def write_plots(lines: Sequence[dict[str, Any]], out: Path) -> list[Path]:
    """``throughput.png``, ``memory.png`` and ``f1_by_edit_type.png``; returns the paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written: list[Path] = []
    timed = [x for x in lines if x.get("seconds") and x["regime"] in ("-", "given")]
    systems = sorted({x["system"] for x in timed})
    for key, fname, ylabel, title in (
        (
            "docs_per_s",
            "throughput.png",
            "documents per second (log)",
            "Throughput against corpus size",
        ),
        (
            "peak_rss_mb",
            "memory.png",
            "peak resident memory, MiB (log)",
            "Peak memory against corpus size",
        ),
    ):
        fig, ax = plt.subplots(figsize=(8, 5), dpi=110)
        for s in systems:
            pts = sorted((x["size"], x[key]) for x in timed if x["system"] == s and x.get(key))
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=s)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("corpus size, documents (log)")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(out / fname)
        plt.close(fig)
        written.append(out / fname)
    scored = [
        x
        for x in lines
        if (x.get("quality") or {}).get("pairs")
        and x["regime"] in ("-", "given")
        and not x["system"].startswith(("earliest", "longer"))
    ]
    if scored:
        biggest = max(x["size"] for x in scored)
        rows = [x for x in scored if x["size"] == biggest]
        types = [t for t in PAIR_TYPES if any(t in x["quality"]["pairs"]["per_type"] for x in rows)]
        fig, ax = plt.subplots(figsize=(11, 5), dpi=110)
        width = 0.8 / max(1, len(rows))
        for i, x in enumerate(rows):
            per = x["quality"]["pairs"]["per_type"]
            vals = [per[t]["f1"] if t in per else 0.0 for t in types]
            label = f"{x['system']} (P {x['quality']['pairs']['precision']:.2f})"
            ax.bar([j + i * width for j in range(len(types))], vals, width, label=label)
        ax.set_xticks([j + width * (len(rows) - 1) / 2 for j in range(len(types))])
        ax.set_xticklabels(types, rotation=30, ha="right")
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("F1 (type recall with overall precision)")
        ax.set_title(f"Pair F1 by edit type, {biggest:,} documents")
        ax.grid(True, axis="y", alpha=0.3)
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        fig.tight_layout()
        fig.savefig(out / "f1_by_edit_type.png")
        plt.close(fig)
        written.append(out / "f1_by_edit_type.png")
    return written
