"""Quality metrics: pure functions of a :class:`~benchmarks.truth.Truth` and a report dict.

The report dict has syndicate's JSON shape (``report.to_dict()``); baselines produce
the same shape. Only these fields are read:

- ``pairs[]``: ``a``, ``b``, ``relation`` (``same_story`` is not reuse), ``passages[]``
  with ``a_start``/``a_end``/``b_start``/``b_end``;
- ``clusters[]``: ``members``, ``original``, ``edges[]`` with ``source``/``derived``.

Definitions:

- Pair precision/recall/F1 over reuse pairs; weak truth pairs are ignored; when the
  truth is a labelled sample (``judged``) only judged pairs count. False positives
  carry no edit type, so per-type figures are recall, plus an F1 that combines the
  type's recall with the overall precision (documented, not a per-type precision).
- Hard-negative FP rate: share of labelled negative pairs reported as reuse.
- ARI: adjusted Rand index of predicted clusters (unclustered documents are
  singletons) against true families, over all documents.
- Derivation: ``edge_precision``/``edge_recall`` on exact directed edges;
  ``direction_accuracy``: of the true edges whose two documents share a predicted
  cluster, the share where the predicted forest makes the true source an ancestor of
  the derived document (``direction_undecided``: neither is an ancestor of the other);
  ``root_accuracy``: share of true families (2+ visible documents, original visible)
  whose best-matching predicted cluster names one of the true originals.
- Passages: character-level precision and recall of the union of reported passage
  spans against planted spans, summed over both sides of every detected true pair
  (None when the system reports no passages).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from benchmarks.truth import Pair, Ranges, Truth, merge_ranges, pair


def _safe(n: float, d: float) -> float:
    return n / d if d else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def reuse_pairs(report: dict[str, Any]) -> dict[Pair, dict[str, Any]]:
    """Reported reuse pairs (relation other than ``same_story``), keyed canonically."""
    out: dict[Pair, dict[str, Any]] = {}
    for p in report.get("pairs", []):
        if p.get("relation") == "same_story":
            continue
        out[pair(str(p["a"]), str(p["b"]))] = p
    return out


def pair_metrics(truth: Truth, report: dict[str, Any]) -> dict[str, Any]:
    """Precision, recall and F1 of reuse pairs, overall and per type; hard-negative FP rate."""
    predicted = set(reuse_pairs(report))
    if truth.judged is not None:
        predicted &= truth.judged
    predicted -= truth.weak
    positives = truth.positives
    tp = sum(1 for p in predicted if p in positives)
    fp = len(predicted) - tp
    fn = len(positives) - tp
    precision = _safe(tp, tp + fp) if predicted else 0.0
    recall = _safe(tp, len(positives))
    per_type: dict[str, dict[str, float]] = {}
    totals = Counter(positives.values())
    found = Counter(t for p, t in positives.items() if p in predicted)
    for t in sorted(totals):
        r = _safe(found[t], totals[t])
        per_type[t] = {"n": totals[t], "found": found[t], "recall": r, "f1": _f1(precision, r)}
    hard_fp = sum(1 for p in truth.hard_negatives if p in predicted)
    return {
        "predicted": len(predicted),
        "true": len(positives),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": precision,
        "recall": recall,
        "f1": _f1(precision, recall),
        "per_type": per_type,
        "hard_negatives": len(truth.hard_negatives),
        "hard_negative_fp": hard_fp,
        "hard_negative_fp_rate": _safe(hard_fp, len(truth.hard_negatives)),
    }


def _predicted_labels(truth: Truth, report: dict[str, Any]) -> dict[str, int]:
    labels: dict[str, int] = {}
    for i, c in enumerate(report.get("clusters", [])):
        for m in c.get("members", []):
            labels.setdefault(str(m), i)
    return labels


def cluster_ari(truth: Truth, report: dict[str, Any]) -> float | None:
    """Adjusted Rand index of predicted clusters against true families (None if unknown)."""
    if truth.family is None:
        return None
    from sklearn.metrics import adjusted_rand_score

    pred = _predicted_labels(truth, report)
    offset = len(report.get("clusters", [])) + 1
    y_true = [truth.family[d] for d in truth.documents]
    y_pred = [pred.get(d, offset + i) for i, d in enumerate(truth.documents)]
    return float(adjusted_rand_score(y_true, y_pred))


def _parents(report: dict[str, Any]) -> dict[str, set[str]]:
    parents: dict[str, set[str]] = {}
    for c in report.get("clusters", []):
        for e in c.get("edges", []):
            parents.setdefault(str(e["derived"]), set()).add(str(e["source"]))
    return parents


def _is_ancestor(x: str, y: str, parents: dict[str, set[str]]) -> bool:
    stack, seen = list(parents.get(y, ())), set()
    while stack:
        z = stack.pop()
        if z == x:
            return True
        if z not in seen:
            seen.add(z)
            stack.extend(parents.get(z, ()))
    return False


def derivation_metrics(truth: Truth, report: dict[str, Any]) -> dict[str, Any]:
    """Directed-edge precision/recall, direction accuracy, root accuracy."""
    parents = _parents(report)
    pred_edges = {(s, d) for d, ss in parents.items() for s in ss}
    true_edges = {(s, d) for s, d, _t in truth.edges}
    exact = len(pred_edges & true_edges)
    labels = _predicted_labels(truth, report)
    correct = wrong = undecided = 0
    per_type: dict[str, list[int]] = {}
    for s, d, t in truth.edges:
        if s not in labels or labels.get(s) != labels.get(d):
            continue
        stats = per_type.setdefault(t, [0, 0])
        stats[1] += 1
        if _is_ancestor(s, d, parents):
            correct += 1
            stats[0] += 1
        elif _is_ancestor(d, s, parents):
            wrong += 1
        else:
            undecided += 1
    judged = correct + wrong + undecided
    originals = {i: c.get("original") for i, c in enumerate(report.get("clusters", []))}
    members: dict[int, list[str]] = {}
    if truth.family is not None:
        for d in truth.documents:
            members.setdefault(truth.family[d], []).append(d)
    root_ok = root_n = hidden_n = hidden_null = 0
    for fam, docs in members.items():
        if len(docs) < 2:
            continue
        votes = Counter(labels[d] for d in docs if d in labels)
        original = originals.get(votes.most_common(1)[0][0]) if votes else None
        roots = truth.roots.get(fam, set())
        if roots:
            root_n += 1
            root_ok += original in roots
        else:
            hidden_n += 1
            hidden_null += original is None
    return {
        "true_edges": len(true_edges),
        "predicted_edges": len(pred_edges),
        "edge_precision": _safe(exact, len(pred_edges)),
        "edge_recall": _safe(exact, len(true_edges)),
        "direction_judged": judged,
        "direction_accuracy": _safe(correct, judged),
        "direction_undecided": _safe(undecided, judged),
        "direction_by_type": {t: _safe(c, n) for t, (c, n) in sorted(per_type.items())},
        "root_families": root_n,
        "root_accuracy": _safe(root_ok, root_n),
        "hidden_root_families": hidden_n,
        "hidden_root_null_rate": _safe(hidden_null, hidden_n),
    }


def _overlap(x: Ranges, y: Ranges) -> int:
    i = j = total = 0
    while i < len(x) and j < len(y):
        lo, hi = max(x[i][0], y[j][0]), min(x[i][1], y[j][1])
        if hi > lo:
            total += hi - lo
        if x[i][1] < y[j][1]:
            i += 1
        else:
            j += 1
    return total


def _length(x: Ranges) -> int:
    return sum(e - s for s, e in x)


def passage_metrics(
    passages: dict[Pair, tuple[Ranges, Ranges]], report: dict[str, Any]
) -> dict[str, Any]:
    """Character precision/recall of reported passages on detected pairs with planted spans."""
    predicted = reuse_pairs(report)
    hit = pred_chars = true_chars = n = 0
    for key, (ta, tb) in passages.items():
        p = predicted.get(key)
        if p is None or not (ta or tb):
            continue
        flip = str(p["a"]) != key[0]
        ra: list[tuple[int, int]] = []
        rb: list[tuple[int, int]] = []
        for q in p.get("passages", []):
            sa, ea, sb, eb = int(q["a_start"]), int(q["a_end"]), int(q["b_start"]), int(q["b_end"])
            if flip:
                sa, ea, sb, eb = sb, eb, sa, ea
            ra.append((sa, ea))
            rb.append((sb, eb))
        pa, pb = merge_ranges(ra), merge_ranges(rb)
        n += 1
        hit += _overlap(pa, ta) + _overlap(pb, tb)
        pred_chars += _length(pa) + _length(pb)
        true_chars += _length(ta) + _length(tb)
    if not pred_chars:  # the system reports no passages at all
        return {"pairs": n, "char_precision": None, "char_recall": None, "char_f1": None}
    precision = _safe(hit, pred_chars)
    recall = _safe(hit, true_chars)
    return {
        "pairs": n,
        "char_precision": precision,
        "char_recall": recall,
        "char_f1": _f1(precision, recall),
    }


def evaluate(
    truth: Truth,
    report: dict[str, Any],
    passages: dict[Pair, tuple[Ranges, Ranges]] | None = None,
) -> dict[str, Any]:
    """All quality metrics for one report.

    Example:
        >>> from benchmarks.truth import Truth
        >>> t = Truth(documents=["a", "b"], positives={("a", "b"): "verbatim"})
        >>> r = {"pairs": [{"a": "a", "b": "b", "relation": "near_duplicate"}]}
        >>> evaluate(t, r)["pairs"]["f1"]
        1.0
    """
    spans = passages if passages is not None else truth.passages
    return {
        "pairs": pair_metrics(truth, report),
        "ari": cluster_ari(truth, report),
        "derivation": derivation_metrics(truth, report),
        "passages": passage_metrics(spans, report),
    }
