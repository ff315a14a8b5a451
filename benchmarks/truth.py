"""The common ground-truth structure every loader produces and every metric reads.

A :class:`Truth` says which document pairs are reuse (and of what type), which are
labelled negatives, which derivation edges exist, how documents group into
families, which documents are the originals, and where the reused characters are.
Pairs are always ``(a, b)`` with ``a < b``, as in syndicate's report.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

Pair = tuple[str, str]
Ranges = list[tuple[int, int]]


def pair(a: str, b: str) -> Pair:
    """The canonical (sorted) form of an unordered pair."""
    return (a, b) if a < b else (b, a)


@dataclass(slots=True)
class Truth:
    """Ground truth for one labelled corpus.

    Attributes:
        documents: ids of the documents a scan sees.
        positives: reuse pairs and their type (edit type, ``chain``, ``sibling`` ...).
        weak: pairs sharing too little to count either way (ignored by pair metrics).
        hard_negatives: labelled negative pairs (same-event independent articles, or the
            negatives of a labelled pair file).
        judged: if set, only these pairs are judged; predictions outside it are ignored
            (pair files label a sample, not all pairs).
        edges: true derivation edges ``(source, derived, type)`` between visible documents.
        family: document -> family label, for clustering metrics (None if unknown).
        roots: family label -> visible original documents (empty set: original hidden).
        passages: planted reused spans per positive pair ``(ranges in a, ranges in b)``;
            may be filled lazily for just the pairs needed (see ``planted_spans``).
        name: where the truth came from.
    """

    documents: list[str]
    positives: dict[Pair, str]
    weak: set[Pair] = field(default_factory=set)
    hard_negatives: set[Pair] = field(default_factory=set)
    judged: set[Pair] | None = None
    edges: list[tuple[str, str, str]] = field(default_factory=list)
    family: dict[str, int] | None = None
    roots: dict[int, set[str]] = field(default_factory=dict)
    passages: dict[Pair, tuple[Ranges, Ranges]] = field(default_factory=dict)
    name: str = ""


def load_generated(corpus: Path | str) -> Truth:
    """Truth of a corpus written by :func:`benchmarks.corpus.generate` (without passages)."""
    corpus = Path(corpus)
    raw = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))
    documents: list[str] = []
    family: dict[str, int] = {}
    roots: dict[int, set[str]] = {}
    for d in raw["documents"]:
        if not d["visible"]:
            continue
        documents.append(d["id"])
        family[d["id"]] = d["family"]
        roots.setdefault(d["family"], set())
        if d["edit"] == "root":
            roots[d["family"]].add(d["id"])
    positives = {pair(p["a"], p["b"]): p["type"] for p in raw["pairs"]}
    weak = {pair(p["a"], p["b"]) for p in raw["weak_pairs"]}
    hard = {pair(p["a"], p["b"]) for p in raw["hard_negatives"]}
    edges = [
        (e["source"], e["derived"], "hidden_intermediate" if e["via_hidden"] else e["edit"])
        for e in raw["edges"]
    ]
    return Truth(
        documents=documents,
        positives=positives,
        weak=weak,
        hard_negatives=hard,
        edges=edges,
        family=family,
        roots=roots,
        name=str(corpus),
    )


def merge_ranges(ranges: Iterable[tuple[int, int]], gap: int = 0) -> Ranges:
    """Sorted, non-overlapping ranges; ranges at most ``gap`` characters apart are joined."""
    out: Ranges = []
    for s, e in sorted(ranges):
        if e <= s:
            continue
        if out and s <= out[-1][1] + gap:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def planted_spans(corpus: Path | str, pairs: Iterable[Pair]) -> dict[Pair, tuple[Ranges, Ranges]]:
    """Planted reused character ranges for ``pairs`` of a generated corpus.

    For each pair, the ranges of each document's sentences that derive from an
    original sentence the other document also derives from (quotes and chrome
    excluded). Adjacent sentences (separated by at most 2 characters: a space or a
    paragraph break) are joined. Streams ``spans.jsonl``, keeping only the ids needed.
    """
    wanted = list(pairs)
    ids = {x for p in wanted for x in p}
    spans: dict[str, list[tuple[int, int, int]]] = {}
    with (Path(corpus) / "spans.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec["id"] in ids:
                spans[rec["id"]] = [(s, e, o) for s, e, o, _m in rec["spans"] if isinstance(o, int)]
    out: dict[Pair, tuple[Ranges, Ranges]] = {}
    for a, b in wanted:
        sa, sb = spans.get(a, []), spans.get(b, [])
        shared = {o for _s, _e, o in sa} & {o for _s, _e, o in sb}
        out[(a, b)] = (
            merge_ranges(((s, e) for s, e, o in sa if o in shared), gap=2),
            merge_ranges(((s, e) for s, e, o in sb if o in shared), gap=2),
        )
    return out
