"""Fast tests of the benchmark harness: generator, truth, metrics, loaders, baselines."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import Any

import pytest

from benchmarks import baselines, loaders, synth
from benchmarks.corpus import REGIMES, GenConfig, generate, regime_input
from benchmarks.metrics import evaluate
from benchmarks.truth import Truth, load_generated, planted_spans

PAN = Path(__file__).resolve().parents[2] / "shared" / "data" / "pan-sample"


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(folder).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    generate(out, GenConfig(size=150, seed=7, use_real_text=False))
    return out


def _perfect_report(truth: Truth) -> dict[str, Any]:
    """A report that states exactly the truth (pairs, passages, clusters, edges, roots)."""
    pairs = []
    for (a, b), _t in sorted(truth.positives.items()):
        ra, rb = truth.passages.get((a, b), ([], []))
        passages = [
            {"kind": "verbatim", "a_start": s, "a_end": e, "b_start": 0, "b_end": 0} for s, e in ra
        ] + [
            {"kind": "verbatim", "a_start": 0, "a_end": 0, "b_start": s, "b_end": e} for s, e in rb
        ]
        pairs.append({"a": a, "b": b, "relation": "near_duplicate", "passages": passages})
    assert truth.family is not None
    groups: dict[int, list[str]] = {}
    for d in truth.documents:
        groups.setdefault(truth.family[d], []).append(d)
    clusters = []
    for fam, members in groups.items():
        if len(members) < 2:
            continue
        roots = sorted(truth.roots.get(fam, set()))
        edges = [
            {"source": s, "derived": d, "confidence": 1.0, "evidence": []}
            for s, d, _t in truth.edges
            if truth.family[d] == fam
        ]
        clusters.append(
            {"members": members, "original": roots[0] if roots else None, "edges": edges}
        )
    return {"pairs": pairs, "clusters": clusters}


def test_generator_is_deterministic(tmp_path: Path, corpus: Path) -> None:
    again = tmp_path / "again"
    generate(again, GenConfig(size=150, seed=7, use_real_text=False))
    assert _digest(again) == _digest(corpus)
    other = tmp_path / "other"
    generate(other, GenConfig(size=150, seed=8, use_real_text=False))
    assert _digest(other) != _digest(corpus)


def test_corpus_layout_and_truth(corpus: Path) -> None:
    manifest = json.loads((corpus / "manifest.json").read_text())
    assert manifest["documents"] == 150
    assert len(list((corpus / "docs").glob("*.txt"))) == 150
    for regime in REGIMES:
        assert (corpus / f"metadata.{regime}.jsonl").exists()
    assert not any((corpus / "docs").glob("*.jsonl"))  # sidecars live outside docs/
    truth = load_generated(corpus)
    assert len(truth.documents) == 150
    assert truth.positives and truth.edges
    assert truth.hard_negatives, "hard negatives must be planted"
    assert not truth.hard_negatives & set(truth.positives)
    types = set(truth.positives.values())
    assert {"verbatim", "excerpt", "rewrite"} <= types
    withheld = [json.loads(x) for x in (corpus / "metadata.withheld.jsonl").open()]
    assert all("published" not in m for m in withheld)


def test_hard_negatives_share_quotes_not_narration(corpus: Path) -> None:
    truth = load_generated(corpus)
    a, b = sorted(truth.hard_negatives)[0]
    ta = (corpus / "docs" / f"{a}.txt").read_text()
    tb = (corpus / "docs" / f"{b}.txt").read_text()
    sa, sb = baselines.shingles(ta), baselines.shingles(tb)
    assert sa & sb, "same-event articles share quotes/names"
    assert len(sa & sb) / len(sa | sb) < 0.2


def test_planted_spans_point_at_shared_text(corpus: Path) -> None:
    truth = load_generated(corpus)
    verbatim = [p for p, t in truth.positives.items() if t == "verbatim"]
    spans = planted_spans(corpus, verbatim[:3])
    for (a, b), (ra, rb) in spans.items():
        ta = (corpus / "docs" / f"{a}.txt").read_text()
        tb = (corpus / "docs" / f"{b}.txt").read_text()
        assert ra and rb
        assert ta[ra[0][0] : ra[0][1]] == tb[rb[0][0] : rb[0][1]]


def test_perfect_prediction_scores_one(corpus: Path) -> None:
    truth = load_generated(corpus)
    truth.passages = planted_spans(corpus, truth.positives)
    result = evaluate(truth, _perfect_report(truth))
    assert result["pairs"]["precision"] == 1.0
    assert result["pairs"]["recall"] == 1.0
    assert result["pairs"]["f1"] == 1.0
    assert all(v["recall"] == 1.0 for v in result["pairs"]["per_type"].values())
    assert result["pairs"]["hard_negative_fp_rate"] == 0.0
    assert result["ari"] == pytest.approx(1.0)
    assert result["derivation"]["edge_precision"] == 1.0
    assert result["derivation"]["edge_recall"] == 1.0
    assert result["derivation"]["direction_accuracy"] == 1.0
    assert result["derivation"]["root_accuracy"] == 1.0
    assert result["passages"]["char_precision"] == 1.0
    assert result["passages"]["char_recall"] == 1.0


def test_empty_prediction_scores_zero_recall(corpus: Path) -> None:
    truth = load_generated(corpus)
    result = evaluate(truth, {"pairs": [], "clusters": []})
    assert result["pairs"]["recall"] == 0.0
    assert result["pairs"]["f1"] == 0.0
    assert result["derivation"]["edge_recall"] == 0.0


def test_planted_copy_counted_as_found() -> None:
    truth = Truth(
        documents=["a", "b", "c", "d"],
        positives={("a", "b"): "verbatim", ("c", "d"): "rewrite"},
        hard_negatives={("a", "c")},
    )
    report = {
        "pairs": [
            {"a": "b", "b": "a", "relation": "near_duplicate"},  # order does not matter
            {"a": "c", "b": "d", "relation": "same_story"},  # not reuse
            {"a": "a", "b": "c", "relation": "partial_reuse"},  # hard-negative false positive
        ]
    }
    pairs = evaluate(truth, report)["pairs"]
    assert pairs["per_type"]["verbatim"]["found"] == 1
    assert pairs["per_type"]["rewrite"]["found"] == 0
    assert pairs["tp"] == 1 and pairs["fp"] == 1 and pairs["fn"] == 1
    assert pairs["hard_negative_fp_rate"] == 1.0


def test_direction_baselines_on_true_pairs(corpus: Path) -> None:
    truth = load_generated(corpus)
    report = {"pairs": [{"a": a, "b": b, "relation": "x"} for a, b in truth.positives]}
    dates = {}
    for line in (corpus / "metadata.given.jsonl").open():
        rec = json.loads(line)
        dates[rec["id"]] = rec.get("published")
    earliest = baselines.orient(report, "earliest", dates, {})
    # With true dates and only true pairs, no true edge is ever reversed (some are
    # undecided: a later sibling may be picked as parent instead of the true one).
    d = evaluate(truth, earliest)["derivation"]
    assert d["direction_accuracy"] > 0.5
    assert d["direction_accuracy"] + d["direction_undecided"] == pytest.approx(1.0)


@pytest.mark.skipif(not PAN.is_dir(), reason="PAN sample absent")
def test_pan_loader_reads_sample() -> None:
    truth = loaders.load_pan(PAN)
    assert len(truth.documents) == 4
    assert len(truth.positives) == 2
    key = ("src/source-document01090", "susp/suspicious-document00005")
    assert truth.positives[key] == "none"
    ra, rb = truth.passages[key]
    assert ra == [(1300, 1998)] and rb == [(3593, 4291)]
    src = (PAN / "src/source-document01090.txt").read_text()[1300:1998]
    susp = (PAN / "susp/suspicious-document00005.txt").read_text()[3593:4291]
    assert src.split() == susp.split()  # obfuscation "none": equal up to line breaks


def test_csv_and_folder_loaders(tmp_path: Path) -> None:
    csv_path = tmp_path / "pairs.csv"
    csv_path.write_text("a,b,label,source\nx,y,1,x\ny,z,0,\nz,w,rewrite,\n")
    truth = loaders.load_pair_csv(csv_path)
    assert truth.positives == {("x", "y"): "reuse", ("w", "z"): "rewrite"}
    assert truth.hard_negatives == {("y", "z")}
    assert truth.edges == [("x", "y", "reuse")]
    root = tmp_path / "folders"
    (root / "source").mkdir(parents=True)
    (root / "derived" / "s1").mkdir(parents=True)
    (root / "source" / "s1.txt").write_text("one")
    (root / "source" / "s2.txt").write_text("two")
    (root / "derived" / "s1" / "copy.txt").write_text("one")
    (root / "derived" / "s2.txt").write_text("two")
    ft = loaders.load_source_derived(root)
    assert ft.positives == {
        ("derived/s1/copy", "source/s1"): "reuse",
        ("derived/s2", "source/s2"): "reuse",
    }


def test_baseline_finds_verbatim_copies(corpus: Path) -> None:
    truth = load_generated(corpus)
    report = baselines.datasketch_tutorial(corpus / "docs", batch=True)
    result = evaluate(truth, report)
    assert result["pairs"]["per_type"]["verbatim"]["recall"] >= 0.9
    assert result["pairs"]["precision"] >= 0.9


def test_jsonl_format_and_regime_copy(tmp_path: Path) -> None:
    out = tmp_path / "j"
    generate(out, GenConfig(size=60, seed=3, use_real_text=False, format="jsonl"))
    ids = [i for i, _t in baselines.iter_documents(out / "docs")]
    assert len(ids) == 60
    docs, sidecar = regime_input(out, "partial")
    assert sidecar is None and docs.name == "docs-partial"
    recs = [json.loads(x) for p in docs.glob("*.jsonl") for x in p.open()]
    assert len(recs) == 60 and any("published" not in r for r in recs)


def test_synthetic_articles_are_unrelated() -> None:
    rng = random.Random(0)
    texts = [" ".join(" ".join(p) for p in synth.paragraphs(rng, 3000)) for _ in range(20)]
    sets = [baselines.shingles(t) for t in texts]
    worst = max(len(a & b) / len(a | b) for i, a in enumerate(sets) for b in sets[i + 1 :])
    assert worst < 0.1


def test_exact_jaccard_pairs_match_brute_force() -> None:
    from itertools import combinations

    import numpy as np

    from benchmarks.recall import jaccard_pairs

    rng = random.Random(1)
    base = [rng.sample(range(400), rng.randint(5, 60)) for _ in range(12)]
    sets = []
    for _ in range(60):
        src = rng.choice(base)
        keep = [x for x in src if rng.random() < 0.8] + rng.sample(
            range(400, 800), rng.randint(0, 20)
        )
        sets.append(np.unique(np.asarray(keep, dtype=np.uint64)))
    sets.append(np.zeros(0, dtype=np.uint64))
    brute = []
    for i, j in combinations(range(len(sets)), 2):
        inter = len(set(sets[i].tolist()) & set(sets[j].tolist()))
        union = len(set(sets[i].tolist()) | set(sets[j].tolist()))
        if union and inter / union >= 0.5:
            brute.append((i, j))
    assert brute, "the fixture must contain similar sets"
    assert [(i, j) for i, j, _ in jaccard_pairs(sets, 0.5)] == brute


def test_candidate_recall_counts_channels_and_types() -> None:
    from benchmarks.recall import candidate_recall

    truth = Truth(
        documents=["a", "b", "c", "d"],
        positives={("a", "b"): "verbatim", ("c", "d"): "rewrite"},
        hard_negatives={("a", "c")},
    )
    payload = {
        "documents": 4,
        "candidates": [["b", "a", ["lsh", "anchors"]], ["a", "c", ["tfidf"]]],
        "jaccard_pairs": [["a", "b", 0.95], ["b", "d", 0.55]],
    }
    r = candidate_recall(truth, payload)
    assert r["recall"] == 0.5 and r["candidates_per_document"] == 0.5
    assert r["by_channel"]["lsh"]["recall"] == 0.5 and r["by_channel"]["tfidf"]["recall"] == 0.0
    assert r["per_type"]["verbatim"]["recall"] == 1.0 and r["per_type"]["rewrite"]["recall"] == 0.0
    assert r["hard_negatives_among_candidates"] == 1.0
    assert r["jaccard"]["pairs"] == 2 and r["jaccard"]["lsh_recall"] == 0.5


def test_index_bytes_per_document_counts_signatures_bands_and_anchors() -> None:
    import numpy as np

    from benchmarks.recall import index_bytes_per_document

    sets = [np.arange(0, 10, dtype=np.uint64), np.arange(0, 4, dtype=np.uint64)]  # 5 + 2 even (anchor) hashes
    got = index_bytes_per_document(sets)
    assert got["signatures"] == 8 * 128
    assert got["anchors"] == 16 * 7 / 2
    assert got["total"] == got["signatures"] + got["band_keys"] + got["anchors"]


def test_verify_cost_measures_the_corpus(corpus: Path) -> None:
    from benchmarks.verify_cost import measure

    got = measure(corpus, reps=2)
    assert got["documents"] == 150
    assert isinstance(got["pairs"], int) and 0 < got["pairs"] <= got["candidates"]
    assert len(got["verify_cpu_s"]) == 2 and got["min_s"] == min(got["verify_cpu_s"])
