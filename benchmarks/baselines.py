"""What users would otherwise run, producing syndicate's report shape.

Pair detectors (each returns a report dict: ``documents``, ``pairs``, ``clusters``
as connected components without direction, ``stats.seconds`` per stage):

- :func:`datasketch_tutorial`: the usual tutorial loop: one ``MinHash.update()`` per
  5-word shingle, then ``MinHashLSH`` (threshold 0.5, 128 permutations); every LSH
  candidate whose estimated Jaccard reaches the threshold is reported.
- :func:`datasketch_batch`: the same with ``update_batch`` (issue 5's second yardstick).
- :func:`tfidf_allpairs`: scikit-learn TF-IDF and all-pairs cosine in row blocks,
  reported at cosine >= 0.5 (quadratic: only run on sizes that fit).
- :func:`rensa_lsh`: rensa's Rust ``RMinHash`` + ``RMinHashLSH`` when importable.

Direction baselines (:func:`orient`) turn any report's pairs into a derivation forest
with one rule: the earliest date wins, or the longer document wins.

:func:`floor` is the single-process floor of issue 5: read, lowercase, tokenise and
5-gram-shingle every document, nothing else.

Documents are read the way the scan contract says: ``.txt`` files under a folder
(id = relative path without extension) or JSONL records (``id``, ``text``).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

SHINGLE = 5
NUM_PERM = 128
THRESHOLD = 0.5
_TOKEN = re.compile(r"\w+")


def iter_documents(docs: Path) -> Iterator[tuple[str, str]]:
    """``(id, text)`` for every ``.txt`` file and JSONL record under ``docs``, sorted."""
    for path in sorted(docs.rglob("*")):
        if path.suffix == ".txt":
            data = path.read_bytes()
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data.decode("cp1252", errors="replace")
            yield path.relative_to(docs).with_suffix("").as_posix(), text
        elif path.suffix == ".jsonl":
            with path.open(encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        rec = json.loads(line)
                        yield str(rec["id"]), str(rec["text"])


def shingles(text: str, k: int = SHINGLE) -> set[str]:
    """Lowercased word ``k``-grams joined by spaces (the tutorial's representation)."""
    tokens = _TOKEN.findall(text.lower())
    if len(tokens) < k:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + k]) for i in range(len(tokens) - k + 1)}


class _Clock:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._t = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._t
        self._t = now


def floor(docs: Path) -> dict[str, Any]:
    """Read, lowercase, tokenise and shingle every document; report only counts and time."""
    clock = _Clock()
    n = chars = n_shingles = 0
    for _id, text in iter_documents(docs):
        n += 1
        chars += len(text)
        n_shingles += len(shingles(text))
    clock.lap("read_shingle")
    return _report([], [], clock, {"documents": n, "chars": chars, "shingles": n_shingles})


def _components(ids: list[str], pairs: list[tuple[str, str]]) -> list[list[str]]:
    parent = {i: i for i in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for i in ids:
        groups.setdefault(find(i), []).append(i)
    return sorted((sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: g[0])


def _report(
    documents: list[dict[str, Any]],
    pairs: list[dict[str, Any]],
    clock: _Clock,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    ids = [d["id"] for d in documents]
    comps = _components(ids, [(p["a"], p["b"]) for p in pairs])
    clusters = [
        {"id": i, "members": m, "original": None, "original_confidence": None, "edges": []}
        for i, m in enumerate(comps)
    ]
    stats: dict[str, Any] = {"documents": len(documents), "pairs": len(pairs)}
    stats["seconds"] = dict(clock.seconds)
    stats |= extra or {}
    return {
        "documents": documents,
        "pairs": pairs,
        "clusters": clusters,
        "skipped": [],
        "stats": stats,
    }


def _pair(a: str, b: str, relation: str, scores: dict[str, float]) -> dict[str, Any]:
    x, y = (a, b) if a < b else (b, a)
    confidence = next(iter(scores.values()))
    return {
        "a": x,
        "b": y,
        "relation": relation,
        "confidence": confidence,
        "scores": scores,
        "passages": [],
    }


def _read_shingled(docs: Path, clock: _Clock) -> tuple[list[dict[str, Any]], list[set[str]]]:
    documents: list[dict[str, Any]] = []
    sets: list[set[str]] = []
    for doc_id, text in iter_documents(docs):
        documents.append({"id": doc_id, "length": len(text)})
        sets.append(shingles(text))
    clock.lap("read_shingle")
    return documents, sets


def _lsh_pairs(
    documents: list[dict[str, Any]],
    sigs: list[Any],
    make_lsh: Callable[[], Any],
    jaccard: Callable[[Any, Any], float],
    clock: _Clock,
) -> list[dict[str, Any]]:
    lsh = make_lsh()
    for i, m in enumerate(sigs):
        lsh.insert(i, m)
    clock.lap("index")
    pairs: list[dict[str, Any]] = []
    for i, m in enumerate(sigs):
        for j in lsh.query(m):
            j = int(j)
            if j > i:
                est = jaccard(m, sigs[j])
                if est >= THRESHOLD:
                    a, b = documents[i]["id"], documents[j]["id"]
                    pairs.append(_pair(a, b, "near_duplicate", {"jaccard_estimate": est}))
    clock.lap("query")
    return pairs


def datasketch_tutorial(docs: Path, batch: bool = False) -> dict[str, Any]:
    """MinHash (one ``update()`` per shingle, or ``update_batch``) + MinHashLSH."""
    from datasketch import MinHash, MinHashLSH

    clock = _Clock()
    documents, sets = _read_shingled(docs, clock)
    sigs = []
    for s in sets:
        m = MinHash(num_perm=NUM_PERM)
        if batch:
            m.update_batch([x.encode("utf-8") for x in s])
        else:
            for x in s:
                m.update(x.encode("utf-8"))
        sigs.append(m)
    clock.lap("sign")
    pairs = _lsh_pairs(
        documents,
        sigs,
        lambda: MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM),
        lambda x, y: float(x.jaccard(y)),
        clock,
    )
    return _report(documents, pairs, clock)


def datasketch_batch(docs: Path) -> dict[str, Any]:
    """:func:`datasketch_tutorial` with ``update_batch``."""
    return datasketch_tutorial(docs, batch=True)


def rensa_available() -> bool:
    """Whether rensa imports."""
    try:
        import rensa  # noqa: F401
    except ImportError:
        return False
    return True


def rensa_lsh(docs: Path) -> dict[str, Any]:
    """rensa ``RMinHash`` (128 permutations) + ``RMinHashLSH`` (16 bands)."""
    from rensa import RMinHash, RMinHashLSH

    clock = _Clock()
    documents, sets = _read_shingled(docs, clock)
    sigs = []
    for s in sets:
        m = RMinHash(num_perm=NUM_PERM, seed=42)
        m.update(list(s))
        sigs.append(m)
    clock.lap("sign")
    pairs = _lsh_pairs(
        documents,
        sigs,
        lambda: RMinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, num_bands=16),
        lambda x, y: float(x.jaccard(y)),
        clock,
    )
    return _report(documents, pairs, clock)


def tfidf_allpairs(docs: Path, threshold: float = THRESHOLD, block: int = 1000) -> dict[str, Any]:
    """TF-IDF vectors (scikit-learn defaults) and all-pairs cosine >= ``threshold``."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    clock = _Clock()
    documents: list[dict[str, Any]] = []
    texts: list[str] = []
    for doc_id, text in iter_documents(docs):
        documents.append({"id": doc_id, "length": len(text)})
        texts.append(text)
    clock.lap("read")
    x = TfidfVectorizer().fit_transform(texts)
    del texts
    clock.lap("vectorise")
    xt = x.T.tocsc()
    pairs: list[dict[str, Any]] = []
    for start in range(0, x.shape[0], block):
        sims = (x[start : start + block] @ xt).toarray()
        rows, cols = np.nonzero(sims >= threshold)
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            i = start + r
            if c > i:
                a, b = documents[i]["id"], documents[c]["id"]
                pairs.append(_pair(a, b, "near_duplicate", {"tfidf_cosine": float(sims[r, c])}))
    clock.lap("all_pairs")
    return _report(documents, pairs, clock)


PAIR_SYSTEMS: dict[str, Callable[[Path], dict[str, Any]]] = {
    "floor": floor,
    "datasketch": datasketch_tutorial,
    "datasketch_batch": datasketch_batch,
    "tfidf": tfidf_allpairs,
    "rensa": rensa_lsh,
}


def orient(
    report: dict[str, Any],
    rule: str,
    dates: dict[str, str | None],
    lengths: dict[str, int],
) -> dict[str, Any]:
    """A copy of ``report`` whose clusters come from a direction rule over its reuse pairs.

    ``rule`` is ``"earliest"`` (earlier ``published`` is the source; undated documents
    rank last, ties by id) or ``"longer"`` (the longer text is the source, ties by id).
    Each document takes as parent its best-scoring reuse neighbour that ranks before it;
    the first-ranked member of a connected component is its original. The ranking is a
    total order, so the result is a forest.
    """
    if rule == "earliest":

        def key(d: str) -> tuple[Any, ...]:
            date = dates.get(d)
            return (date is None, date or "", d)
    elif rule == "longer":

        def key(d: str) -> tuple[Any, ...]:
            return (-lengths.get(d, 0), d)
    else:
        raise ValueError(f"rule must be 'earliest' or 'longer'; got {rule!r}")
    reuse = [p for p in report.get("pairs", []) if p.get("relation") != "same_story"]
    best: dict[str, tuple[float, str]] = {}
    for p in reuse:
        a, b = str(p["a"]), str(p["b"])
        src, dst = (a, b) if key(a) < key(b) else (b, a)
        conf = float(p.get("confidence") or 0.0)
        if dst not in best or (conf, src) > best[dst]:
            best[dst] = (conf, src)
    ids = sorted({str(x) for p in reuse for x in (p["a"], p["b"])})
    clusters = []
    for i, members in enumerate(_components(ids, [(str(p["a"]), str(p["b"])) for p in reuse])):
        edges = [
            {"source": best[m][1], "derived": m, "confidence": best[m][0], "evidence": [rule]}
            for m in members
            if m in best
        ]
        original = min(members, key=key)
        clusters.append(
            {
                "id": i,
                "members": members,
                "original": original,
                "original_confidence": None,
                "edges": edges,
                "unseen_sources": [],
            }
        )
    out = dict(report)
    out["clusters"] = clusters
    return out
