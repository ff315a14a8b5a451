from __future__ import annotations

import numpy as np

from syndicate import vectorize
from syndicate.candidates import anchor_pairs, lsh_pairs, lsh_params, merge_channels, tfidf_pairs
from syndicate.config import CandidateConfig, SketchConfig
from syndicate.sketch import signatures


def _sets(rng: np.random.Generator) -> list[np.ndarray]:
    base = rng.integers(0, 2**63, size=600, dtype=np.uint64)
    other = [rng.integers(0, 2**63, size=600, dtype=np.uint64) for _ in range(20)]
    near = np.concatenate([base[:570], rng.integers(0, 2**63, size=30, dtype=np.uint64)])
    excerpt = base[:120]  # a trimmed copy: low Jaccard, full containment
    return [np.unique(s) for s in [base, near, excerpt, *other]]


def test_lsh_finds_near_duplicates_only() -> None:
    sets = _sets(np.random.default_rng(1))
    sigs = signatures(sets, SketchConfig())
    bands, rows = lsh_params(CandidateConfig(), 128)
    pairs, _ = lsh_pairs(sigs, bands, rows, 200)
    found = {tuple(p) for p in pairs.tolist()}
    assert (0, 1) in found
    assert not any(a >= 3 and b >= 3 for a, b in found)


def test_lsh_params_weight_recall() -> None:
    bands, rows = lsh_params(CandidateConfig(threshold=0.5), 128)
    # the probability of a pair at the threshold becoming a candidate
    p = 1 - (1 - 0.5**rows) ** bands
    assert p >= 0.85


def test_anchor_channel_finds_excerpt_and_prunes_frequent() -> None:
    sets = _sets(np.random.default_rng(2))
    pairs, _ = anchor_pairs(sets, CandidateConfig(anchor_mod=2))
    found = {tuple(p) for p in pairs.tolist()}
    assert (0, 2) in found and (1, 2) in found
    chrome = np.arange(10, dtype=np.uint64) * 2  # even hashes: all anchors
    noisy = [np.unique(np.concatenate([s, chrome])) for s in sets]
    pairs2, pruned = anchor_pairs(noisy, CandidateConfig(anchor_mod=2, anchor_max_df=5))
    assert pruned >= 10
    assert {tuple(p) for p in pairs2.tolist()} == found


def test_tfidf_channel_links_rewrites_not_everything() -> None:
    texts = [
        "The minister pledged new funding for coastal flood barriers in the northern province on Monday.",
        "New money for flood barriers along the northern province coast was pledged by the minister Monday.",
        "The football club signed a young striker from a rival team for a record transfer fee.",
        "Scientists observed a rare comet passing close to the planet during the night.",
    ]
    counts = vectorize.term_counts(texts)
    model = vectorize.fit(counts)
    x = vectorize.weigh(counts, model)
    pairs, neighbors = tfidf_pairs(x, model.df, CandidateConfig(tfidf_min_cosine=0.1))
    assert {tuple(p) for p in pairs.tolist()} == {(0, 1)}
    assert neighbors[0] == (1,) and neighbors[2] == ()


def test_merge_channels_records_sources() -> None:
    a = np.array([[0, 1], [2, 3]])
    b = np.array([[0, 1]])
    pairs, ch = merge_channels([(a, 1), (b, 2), (np.zeros((0, 2), dtype=np.int64), 4)])
    assert pairs.tolist() == [[0, 1], [2, 3]]
    assert ch.tolist() == [3, 1]
