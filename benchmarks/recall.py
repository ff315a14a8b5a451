"""Candidate-stage recall: how many true pairs survive to verification, per channel.

Two halves, so the expensive one runs in the benchmark's child process:

- :func:`candidate_payload` (child process): syndicate's candidate pairs before
  verification (``syndicate.pipeline.candidate_ids``) and every document pair whose
  *exact* shingle Jaccard is at least :data:`JACCARD_MIN`, found without all-pairs by
  prefix filtering (exact for a Jaccard threshold) and then verified exactly.
  The shingle sets are syndicate's own: the documents as the scan sees them
  (``syndicate.pipeline.prepare``: normalised, publisher chrome stripped), shingled with
  ``syndicate.shingle.shingle(content, None, ShingleConfig())`` and taken as ``.unique``
  (default 5-word shingles, 64-bit hashes): the very sets the LSH channel signs.
- :func:`candidate_recall` (parent): share of the truth's positive pairs among the
  candidates, overall, per channel (``lsh``, ``anchors``, ``tfidf``) and per edit type;
  candidates per document; LSH recall on the exact-Jaccard pairs, overall and by
  Jaccard band.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from benchmarks.truth import Truth, pair

CHANNELS = ("lsh", "anchors", "tfidf")
JACCARD_MIN = 0.5
JACCARD_BANDS = ((0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01))


def syndicate_sets(docs: Path) -> tuple[list[str], list[npt.NDArray[np.uint64]]]:
    """Document ids and shingle sets exactly as syndicate's LSH channel sees them."""
    from syndicate import ingest, pipeline
    from syndicate.config import ShingleConfig, build_config
    from syndicate.shingle import shingle

    config = build_config(progress=False)
    result = ingest.read_corpus(str(docs), config.ingest)
    prepared, _skipped = pipeline.prepare(result.articles, config, False)
    sc = ShingleConfig()
    ids = [d.article.id for d in prepared]
    sets = [shingle(d.content, None, sc).unique for d in prepared]
    return ids, sets


def index_bytes_per_document(sets: list[npt.NDArray[np.uint64]]) -> dict[str, float]:
    """Bytes the candidate index keeps per document, by part (default parameters).

    Signatures (num_perm uint64), LSH band keys with their owner (2 x uint64 per
    band), and the anchor index (hash + owner per sampled shingle): the arrays
    ``syndicate.candidates`` builds. datasketch's MinHashLSH kept ~10 KB per document.
    """
    from syndicate import candidates
    from syndicate.config import CandidateConfig, SketchConfig

    cc, sk = CandidateConfig(), SketchConfig()
    bands, _rows = candidates.lsh_params(cc, sk.num_perm)
    n = max(1, len(sets))
    mod = np.uint64(cc.anchor_mod)
    anchors = sum(int(np.count_nonzero(s % mod == 0)) for s in sets)
    parts = {"signatures": 8.0 * sk.num_perm, "band_keys": 16.0 * bands, "anchors": 16.0 * anchors / n}
    return {**{k: round(v, 1) for k, v in parts.items()}, "total": round(sum(parts.values()), 1)}


def jaccard_pairs(
    sets: list[npt.NDArray[np.uint64]], threshold: float = JACCARD_MIN
) -> list[tuple[int, int, float]]:
    """Every pair ``(i, j, jaccard)``, ``i < j``, with exact Jaccard >= ``threshold``.

    Prefix filtering: order shingles rarest first (ties by hash); a set of size ``n``
    keeps its first ``n - ceil(threshold * n) + 1`` shingles as its prefix. Two sets
    with Jaccard >= threshold share a shingle in their prefixes, so only pairs that do
    (and pass the size filter) are intersected exactly. No pair is missed.

    Example:
        >>> a = np.array([1, 2, 3, 4], dtype=np.uint64)
        >>> b = np.array([1, 2, 3, 5], dtype=np.uint64)
        >>> jaccard_pairs([a, b, np.array([9], dtype=np.uint64)], 0.5)
        [(0, 1, 0.6)]
    """
    nonempty = [s for s in sets if s.shape[0]]
    if not nonempty:
        return []
    allh = np.concatenate(nonempty)
    uniq, counts = np.unique(allh, return_counts=True)
    # rank: rarest first, ties broken by hash value (uniq is sorted by hash)
    order = np.lexsort((uniq, counts))
    rank_of = np.empty(uniq.shape[0], dtype=np.int64)
    rank_of[order] = np.arange(uniq.shape[0])
    toks: list[npt.NDArray[np.int64]] = []
    owners: list[npt.NDArray[np.int64]] = []
    for i, s in enumerate(sets):
        n = s.shape[0]
        if not n:
            continue
        ranks = np.sort(rank_of[np.searchsorted(uniq, s)])
        p = n - math.ceil(threshold * n - 1e-9) + 1
        toks.append(ranks[:p])
        owners.append(np.full(min(p, n), i, dtype=np.int64))
    tok = np.concatenate(toks)
    own = np.concatenate(owners)
    idx = np.lexsort((own, tok))
    tok, own = tok[idx], own[idx]
    bounds = np.flatnonzero(np.diff(tok)) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [tok.shape[0]]))
    sizes = np.array([s.shape[0] for s in sets], dtype=np.int64)
    seen: set[tuple[int, int]] = set()
    out: list[tuple[int, int, float]] = []
    for s0, e0 in zip(starts.tolist(), ends.tolist(), strict=True):
        if e0 - s0 < 2:
            continue
        group = own[s0:e0].tolist()
        for x in range(len(group)):
            i = group[x]
            for y in range(x + 1, len(group)):
                j = group[y]
                if (i, j) in seen:
                    continue
                seen.add((i, j))
                small, big = sorted((int(sizes[i]), int(sizes[j])))
                if small < threshold * big - 1e-9:
                    continue
                inter = np.intersect1d(sets[i], sets[j], assume_unique=True).shape[0]
                jac = inter / (sizes[i] + sizes[j] - inter)
                if jac >= threshold - 1e-12:
                    out.append((i, j, float(jac)))
    out.sort()
    return out


def candidate_payload(docs: Path) -> dict[str, Any]:
    """Child-process half: candidates with channels, exact-Jaccard pairs, timings."""
    from syndicate.config import build_config
    from syndicate.pipeline import candidate_ids

    t0 = time.perf_counter()
    cands = candidate_ids(str(docs), build_config(progress=False))
    t1 = time.perf_counter()
    ids, sets = syndicate_sets(docs)
    t2 = time.perf_counter()
    jpairs = jaccard_pairs(sets, JACCARD_MIN)
    t3 = time.perf_counter()
    return {
        "documents": len(ids),
        "index_bytes_per_document": index_bytes_per_document(sets),
        "candidates": [[a, b, list(ch)] for a, b, ch in cands],
        "jaccard_pairs": [[ids[i], ids[j], round(jac, 6)] for i, j, jac in jpairs],
        "shingles": "syndicate.shingle.shingle(content, None, ShingleConfig()).unique on "
        "syndicate.pipeline.prepare() content (normalised, chrome stripped)",
        "seconds": {
            "candidate_ids": round(t1 - t0, 3),
            "shingle_sets": round(t2 - t1, 3),
            "exact_jaccard": round(t3 - t2, 3),
        },
    }


def _share(n: int, d: int) -> float | None:
    return n / d if d else None


def candidate_recall(truth: Truth, payload: dict[str, Any]) -> dict[str, Any]:
    """Candidate recall against the truth and LSH recall on exact-Jaccard pairs.

    Example:
        >>> t = Truth(documents=["a", "b", "c"], positives={("a", "b"): "verbatim"})
        >>> p = {"documents": 3, "candidates": [["b", "a", ["lsh"]]],
        ...      "jaccard_pairs": [["a", "b", 0.9], ["a", "c", 0.5]]}
        >>> r = candidate_recall(t, p)
        >>> r["recall"], r["by_channel"]["lsh"]["recall"], r["jaccard"]["lsh_recall"]
        (1.0, 1.0, 0.5)
    """
    channels: dict[tuple[str, str], set[str]] = {}
    for a, b, ch in payload["candidates"]:
        channels.setdefault(pair(str(a), str(b)), set()).update(ch)
    n_docs = int(payload.get("documents") or len(truth.documents))
    judged = {k: t for k, t in truth.positives.items() if k not in truth.weak}
    found = [k for k in judged if k in channels]
    by_channel: dict[str, dict[str, Any]] = {}
    for c in CHANNELS:
        n_c = sum(1 for chs in channels.values() if c in chs)
        hit = sum(1 for k in judged if c in channels.get(k, ()))
        only = sum(1 for k in judged if channels.get(k) == {c})
        by_channel[c] = {
            "candidates": n_c,
            "per_document": _share(n_c, n_docs),
            "recall": _share(hit, len(judged)),
            "only_this_channel": only,
        }
    totals = Counter(judged.values())
    per_type: dict[str, dict[str, Any]] = {}
    for t in sorted(totals):
        keys = [k for k, tt in judged.items() if tt == t]
        row: dict[str, Any] = {
            "n": totals[t],
            "recall": _share(sum(1 for k in keys if k in channels), totals[t]),
        }
        for c in CHANNELS:
            row[c] = _share(sum(1 for k in keys if c in channels.get(k, ())), totals[t])
        per_type[t] = row
    hard = truth.hard_negatives
    jac = [(pair(str(a), str(b)), float(j)) for a, b, j in payload.get("jaccard_pairs", [])]
    bands = []
    for lo, hi in JACCARD_BANDS:
        keys = [k for k, j in jac if lo <= j < hi]
        bands.append(
            {
                "jaccard": [lo, min(hi, 1.0)],
                "n": len(keys),
                "lsh_recall": _share(
                    sum(1 for k in keys if "lsh" in channels.get(k, ())), len(keys)
                ),
                "candidate_recall": _share(sum(1 for k in keys if k in channels), len(keys)),
            }
        )
    lsh_hit = sum(1 for k, _j in jac if "lsh" in channels.get(k, ()))
    return {
        "documents": n_docs,
        "candidates": len(channels),
        "candidates_per_document": _share(len(channels), n_docs),
        "true_pairs": len(judged),
        "found": len(found),
        "recall": _share(len(found), len(judged)),
        "missed_examples": sorted(k for k in judged if k not in channels)[:10],
        "by_channel": by_channel,
        "per_type": per_type,
        "hard_negatives_among_candidates": _share(sum(1 for k in hard if k in channels), len(hard)),
        "jaccard": {
            "threshold": JACCARD_MIN,
            "shingles": payload.get("shingles", ""),
            "pairs": len(jac),
            "lsh_recall": _share(lsh_hit, len(jac)),
            "candidate_recall": _share(sum(1 for k, _j in jac if k in channels), len(jac)),
            "true_positive_share": _share(sum(1 for k, _j in jac if k in judged), len(jac)),
            "by_band": bands,
        },
        "seconds": payload.get("seconds", {}),
    }
