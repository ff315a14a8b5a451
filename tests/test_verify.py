"""Verification stage: per-pair scores, their helpers, and the order pairs are verified in."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from syndicate import normalize, vectorize, verify
from syndicate.config import ShingleConfig
from syndicate.pipeline import build_view, locality_order

STORY = (
    "The harbour authority said on Tuesday that container traffic fell sharply. "
    'Its director said: "We lost ships to rival ports this summer." '
    "Shipping lines diverted vessels to the southern coast after a strike."
)


def _slow_nonspace(text: str) -> int:
    return sum(1 for ch in text if ch not in " \n\t\r")


@given(st.text(alphabet=st.sampled_from("ab \n\t\r\u00e9\u4e2d"), max_size=60))
def test_nonspace_counts_every_character_but_whitespace(text: str) -> None:
    assert verify.nonspace(text) == _slow_nonspace(text)


def test_unmatched_layout_splits_the_rest_into_head_interior_tail() -> None:
    text = "aaaa bbbb cccc dddd"  # 16 non-space characters
    head, interior, tail = verify.unmatched_layout([(5, 9), (15, 19)], text)
    assert (head, interior, tail) == (4 / 16, 4 / 16, 0.0)
    assert verify.unmatched_layout([], text) == (0.0, 0.0, 0.0)
    assert verify.unmatched_layout([(0, 3)], "   ") == (0.0, 0.0, 0.0)


def test_unmatched_fit_compares_outside_sentences_with_inside_ones() -> None:
    sentences = [(0, 10), (10, 20), (20, 30)]
    sim = np.array([[1.0, 0.8, 0.2], [0.8, 1.0, 0.1], [0.2, 0.1, 1.0]])
    # Sentences 0 and 1 shared (coherence 0.8); sentence 2 fits them at best 0.2.
    assert verify.unmatched_fit(sentences, [(0, 20)], sim) == 0.2 / 0.8
    # Half a sentence covered counts as covered: all covered -> not measurable.
    assert verify.unmatched_fit(sentences, [(0, 25)], sim) == -1.0
    assert verify.unmatched_fit(sentences, [], sim) == -1.0


def test_phrases_leave_out_quoted_words() -> None:
    quotes = normalize.quote_mask(STORY)
    sents = normalize.sentences(STORY)
    doc, per_sentence = verify.phrases(STORY, quotes, sents)
    unquoted = verify.phrases(STORY, np.zeros(len(STORY), dtype=bool), sents)[0]
    assert len(per_sentence) == len(sents)
    assert set(doc.tolist()) < set(unquoted.tolist())  # the quote's bigrams are gone
    assert np.array_equal(doc, np.unique(np.concatenate(per_sentence)))


def test_hash_df_min_count_keeps_only_shared_hashes() -> None:
    sets = [np.array([1, 2, 3], dtype=np.uint64), np.array([2, 3, 4], dtype=np.uint64), np.array([3], dtype=np.uint64)]
    hashes, counts = verify.hash_df(sets)
    assert hashes.tolist() == [1, 2, 3, 4] and counts.tolist() == [1, 2, 3, 1]
    hashes, counts = verify.hash_df(sets, min_count=2)
    assert hashes.tolist() == [2, 3] and counts.tolist() == [2, 3]
    assert verify._df_of(np.array([3, 2], dtype=np.uint64), hashes, counts).tolist() == [3, 2]


def test_sentence_similarity_of_a_document_with_itself() -> None:
    other = "Container traffic fell sharply, the harbour authority said. Rival ports gained ships."
    views = [build_view(t, ShingleConfig()) for t in (STORY, other)]
    model = vectorize.fit(vectorize.term_counts([STORY, other]))
    index = verify.sentence_index(views, model)
    own = verify.sentence_similarity(index, 0, 0)
    assert own.shape == (3, 3)
    assert np.allclose(np.diag(own), 1.0, atol=1e-5)
    assert np.allclose(own, own.T)
    cross = verify.sentence_similarity(index, 0, 1)
    assert cross.shape == (3, 2) and cross[0, 0] > 0.3


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=80))
def test_locality_order_is_a_permutation_grouping_nearby_documents(raw: list[tuple[int, int]]) -> None:
    pairs_set = sorted({(min(a, b), max(a, b)) for a, b in raw if a != b})
    pairs = np.asarray(pairs_set, dtype=np.int64).reshape(-1, 2)
    order = locality_order(pairs, 31)
    assert sorted(order.tolist()) == list(range(pairs.shape[0]))


def test_locality_order_keeps_components_together() -> None:
    # Two families interleaved in corpus order: {0, 2, 4} and {1, 3, 5}.
    pairs = np.array([[0, 2], [0, 4], [1, 3], [1, 5], [2, 4], [3, 5]], dtype=np.int64)
    order = locality_order(pairs, 6).tolist()
    families = [int(pairs[k, 0]) % 2 for k in order]
    assert families in ([0, 0, 0, 1, 1, 1], [1, 1, 1, 0, 0, 0])


def _quoted_split_by_loop(text: str, quotes: np.ndarray, start: int, end: int) -> tuple[int, int]:
    inside = outside = 0
    for m in re.compile(r"\S+").finditer(text, start, end):
        if quotes[m.start()]:
            inside += 1
        else:
            outside += 1
    return outside, inside


@given(st.text(alphabet=st.sampled_from('ab "\n'), max_size=40), st.integers(0, 40), st.integers(0, 40))
def test_quoted_split_counts_like_a_loop_over_words(text: str, s: int, e: int) -> None:
    quotes = normalize.quote_mask(text) if text else np.zeros(0, dtype=bool)
    quotes = quotes | (np.arange(len(text)) % 3 == 0)  # more quoted positions than real quotes give
    start, end = min(s, e, len(text)), min(max(s, e), len(text))
    assert verify.quoted_split(text, quotes, start, end) == _quoted_split_by_loop(text, quotes, start, end)


@given(st.lists(st.lists(st.integers(0, 2**64 - 1), max_size=8, unique=True), max_size=6), st.integers(1, 3))
def test_hash_df_counts_documents_per_hash(sets: list[list[int]], min_count: int) -> None:
    arrays = [np.asarray(sorted(s), dtype=np.uint64) for s in sets]
    hashes, counts = verify.hash_df(arrays, min_count=min_count)
    want: dict[int, int] = {}
    for s in sets:
        for h in s:
            want[h] = want.get(h, 0) + 1
    kept = sorted((h, n) for h, n in want.items() if n >= min_count)
    assert hashes.dtype == np.uint64 and counts.dtype == np.int64
    assert hashes.tolist() == [h for h, _ in kept] and counts.tolist() == [n for _, n in kept]
