from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 40), max_size=25), min_size=2, max_size=12),
    st.integers(1, 6),
)
def test_anchor_counts_do_not_depend_on_the_batch_size(raw: list[list[int]], batch: int) -> None:
    import syndicate.candidates as c

    sets = [np.unique(np.array(r, dtype=np.uint64)) for r in raw]
    hashes, owners = c.anchor_index(sets, 1)
    cfg = CandidateConfig(anchor_mod=1, anchor_max_df=6)
    whole = c.anchor_pair_counts(hashes, owners, len(sets), cfg)
    want: dict[tuple[int, int], int] = {}
    for i in range(len(sets)):
        for j in range(i + 1, len(sets)):
            shared = np.intersect1d(sets[i], sets[j])
            df = np.array([sum(int(h in s) for s in sets) for h in shared.tolist()], dtype=np.int64)
            if np.count_nonzero(df <= 6):
                want[(i, j)] = int(np.count_nonzero(df <= 6))
    assert dict(zip(map(tuple, whole[0].tolist()), whole[1].tolist(), strict=True)) == want
    old = c.ANCHOR_PAIR_BATCH
    c.ANCHOR_PAIR_BATCH = batch
    try:
        small = c.anchor_pair_counts(hashes, owners, len(sets), cfg)
    finally:
        c.ANCHOR_PAIR_BATCH = old
    assert np.array_equal(whole[0], small[0]) and np.array_equal(whole[1], small[1]) and whole[2] == small[2]


def test_tfidf_neighbours_do_not_depend_on_the_row_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    import syndicate.candidates as c

    counts = vectorize.term_counts(_random_texts(5, vocabulary=60, length=30, docs=25))
    model = vectorize.fit(counts)
    x = vectorize.weigh(counts, model)
    cfg = CandidateConfig(tfidf_min_cosine=0.0, tfidf_neighbors=3)
    whole = tfidf_pairs(x, model.df, cfg)
    monkeypatch.setattr(c, "TFIDF_ROW_BATCH", 4)
    monkeypatch.setattr(vectorize, "COSINE_CHUNK", 3)
    small = tfidf_pairs(x, model.df, cfg)
    assert whole[0].shape[0] > 10
    assert np.array_equal(whole[0], small[0]) and whole[1] == small[1]


def _random_texts(seed: int, vocabulary: int, length: int, docs: int) -> list[str]:
    rng = np.random.default_rng(seed)
    words = [f"w{k}" for k in range(vocabulary)]
    return [" ".join(rng.choice(words, size=length).tolist()) for _ in range(docs)]


def test_weighing_in_place_gives_the_same_rows() -> None:
    counts = vectorize.term_counts(_random_texts(7, vocabulary=40, length=25, docs=12))
    model = vectorize.fit(counts)
    copied = vectorize.weigh(counts, model)
    assert counts.data.max() >= 2.0  # the counts are untouched by the copying weigh
    in_place = vectorize.weigh(counts, model, copy=False)
    assert in_place.data is counts.data or np.shares_memory(in_place.data, counts.data)
    assert np.array_equal(in_place.indptr, copied.indptr) and np.array_equal(in_place.indices, copied.indices)
    assert in_place.data.tobytes() == copied.data.tobytes()


@given(st.integers(1, 9), st.integers(1, 14), st.integers(0, 2**31 - 1))
def test_counting_in_blocks_gives_the_rows_of_one_call(block: int, docs: int, seed: int) -> None:
    texts = _random_texts(seed, vocabulary=30, length=12, docs=docs)
    texts[0] = ""  # an empty row inside a block
    whole = vectorize._word_vectorizer().transform(texts).tocsr()
    blocked = vectorize.term_counts(texts, block=block)
    assert blocked.shape == whole.shape and blocked.dtype == whole.dtype
    assert np.array_equal(blocked.indptr, whole.indptr) and np.array_equal(blocked.indices, whole.indices)
    assert blocked.data.tobytes() == whole.data.tobytes()
    assert vectorize.term_counts([], block=block).shape == (0, vectorize.N_FEATURES)


def test_sentence_index_in_document_batches_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    from syndicate import verify
    from syndicate.config import ShingleConfig
    from syndicate.pipeline import build_view

    texts = [". ".join(" ".join(t.split()[k : k + 6]).capitalize() for k in range(0, 24, 6)) + "." for t in _random_texts(3, 50, 24, 9)]
    views = [build_view(t, ShingleConfig()) for t in [*texts, ""]]
    model = vectorize.fit(vectorize.term_counts(texts))
    whole = verify.sentence_index(views, model)
    monkeypatch.setattr(verify, "SENTENCE_BLOCK", 2)
    batched = verify.sentence_index(views, model)
    assert whole.words.shape[0] == sum(len(v.sentences) for v in views) > 20
    assert np.array_equal(whole.offsets, batched.offsets)
    assert (whole.words != batched.words).nnz == 0 and whole.words.dtype == batched.words.dtype == np.float32


@given(st.lists(st.integers(0, 6), max_size=40), st.integers(2, 4))
def test_equal_runs_are_the_runs_of_repeated_values(raw: list[int], min_length: int) -> None:
    from syndicate.candidates import equal_runs

    values = np.sort(np.asarray(raw, dtype=np.uint64))
    starts, lengths = equal_runs(values, min_length)
    want = [(raw_start, n) for raw_start, n in _runs(values.tolist()) if n >= min_length]
    assert list(zip(starts.tolist(), lengths.tolist(), strict=True)) == want
    with pytest.raises(ValueError, match="min_length must be >= 2"):
        equal_runs(values, 1)


def _runs(values: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for k, v in enumerate(values):
        if k and values[k - 1] == v:
            out[-1] = (out[-1][0], out[-1][1] + 1)
        else:
            out.append((k, 1))
    return out
