from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.lineage import credits, direction, parse_date

SCORES = {
    "jaccard": 1.0, "tfidf_cosine": 1.0, "containment_a_in_b": 1.0, "containment_b_in_a": 1.0,
    "unmatched_head_a": 0.0, "unmatched_interior_a": 0.0, "unmatched_tail_a": 0.0,
    "unmatched_head_b": 0.0, "unmatched_interior_b": 0.0, "unmatched_tail_b": 0.0,
}


def _doc(index: int, publisher: str | None, text: str = "", published: str | None = None) -> dict:
    return {
        "index": index, "id": f"d{index}", "published": published, "published_source": "sidecar",
        "publisher": publisher, "credit": credits(text), "markers": (), "length": 100,
    }


def _pair() -> dict:
    return {"relation": "near_duplicate", "scores": SCORES, "passages": []}


def test_credits_block_and_citations() -> None:
    text = "Get all your news\nEuronews\nEuronews\nShona Murray\n\nStory text.\n(Reporting by the Meridian Wire desk)"
    c = credits(text)
    assert c.publisher == "Euronews"
    assert c.byline == "Shona Murray"
    assert any("Meridian" in x for x in c.cites)


def test_copy_crediting_the_source_outlet_points_to_it() -> None:
    src = _doc(0, "Meridian Wire")
    copy = _doc(1, "Daily Beacon", "Body.\n(Reporting by the Meridian Wire desk)")
    assert direction(src, copy, _pair(), use_dates=False).score > 0


def test_a_wire_signing_its_own_story_is_not_a_credit_to_another_outlet() -> None:
    wire = _doc(0, "Meridian Wire", "Body.\n(Reporting by the Meridian Wire desk)")
    other = _doc(1, "Daily Beacon", "Body.")
    d = direction(wire, other, _pair(), use_dates=False)
    assert not any("attributes its story" in text for _, text in d.evidence)


def test_earlier_date_is_the_source_and_dates_can_be_withheld() -> None:
    early = _doc(0, None, published="2025-03-13T08:00:00Z")
    late = _doc(1, None, published="2025-03-14")
    assert direction(early, late, _pair(), use_dates=True).score > 0
    assert direction(late, early, _pair(), use_dates=True).score < 0
    assert direction(early, late, _pair(), use_dates=False).score == 0
    assert parse_date("not a date") is None


def test_details_skip_function_words_and_sentence_starts_whatever_the_spacing() -> None:
    from syndicate.lineage import details

    got = details("pay for them, It also noted.  The purchase by Royex Corp in Toronto. Both said 2.5%")
    assert got == {"Royex Corp", "Toronto", "2.5%"}


def _coverage(shared: dict[int, dict[int, list[int]]], n: int = 10):
    import numpy as np

    from syndicate.lineage import Coverage

    def mask(idx: list[int]) -> np.ndarray:
        m = np.zeros(n, dtype=bool)
        m[idx] = True
        return m

    story = {i: np.ones(n, dtype=bool) for i in shared}
    masks = {x: {y: mask(idx) for y, idx in row.items()} for x, row in shared.items()}
    count = {x: np.sum(list(row.values()), axis=0, dtype=np.int32) for x, row in masks.items()}
    return Coverage(story, masks, count)


def test_text_a_copy_lacks_but_a_third_version_carries_was_cut_by_the_copy() -> None:
    from syndicate.lineage import Direction, _witness_evidence

    # 0 has ten characters; 1 shares the first six; 2 (another copy of 0) shares all.
    cov = _coverage({0: {1: list(range(6)), 2: list(range(10))}, 1: {0: list(range(6)), 2: list(range(6))}, 2: {0: list(range(10)), 1: list(range(6))}})
    d = Direction(0, 1)
    _witness_evidence(d, "containment", cov, {0: "d0", 1: "d1", 2: "d2"})
    assert d.score > 0 and "which dropped it" in d.evidence[0][1]


def test_text_no_other_version_carries_was_added_and_marks_the_copy() -> None:
    from syndicate.lineage import Direction, _witness_evidence

    # 0 has four characters 1 lacks that no one else has either: 0 added them.
    cov = _coverage({0: {1: list(range(6)), 2: list(range(6))}, 1: {0: list(range(10)), 2: list(range(10))}, 2: {0: list(range(6)), 1: list(range(10))}})
    d = Direction(0, 1)
    _witness_evidence(d, "containment", cov, {0: "d0", 1: "d1", 2: "d2"})
    assert d.score < 0 and "added it" in d.evidence[0][1]
    paraphrase = Direction(0, 1)
    _witness_evidence(paraphrase, "paraphrase", cov, {0: "d0", 1: "d1", 2: "d2"})
    assert paraphrase.score == 0


def test_story_mask_marks_the_non_space_characters_of_the_content() -> None:
    from types import SimpleNamespace

    import numpy as np

    from syndicate.lineage import story_mask
    from syndicate.types import OffsetMap

    text = "Ships\u00a0left  port.\n\u2003Rates rose\u3000today."
    content = "Ships left port. \nRates rose today."  # a normalised form: offsets map back into text
    offsets = [*range(11), *range(12, 36)]  # content position -> text position (one of the two spaces dropped)
    doc = SimpleNamespace(content=content, article=SimpleNamespace(text=text), offsets=OffsetMap.of([*offsets, len(text)]))
    mask = story_mask(doc)
    want = np.zeros(len(text), dtype=bool)
    for k, ch in enumerate(content):
        if not ch.isspace():
            want[offsets[k]] = True
    assert np.array_equal(mask, want)
    assert "".join(text[k] for k in np.flatnonzero(mask)) == "Shipsleftport.Ratesrosetoday."


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 7).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.dictionaries(
                st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda e: e[0] != e[1]),
                st.floats(-1, 1) | st.sampled_from([0.0, 0.25, 0.5]),  # some exact ties
                max_size=n * (n - 1),
            ),
            st.none() | st.integers(0, n - 1),
        )
    )
)
def test_tree_is_networkx_maximum_arborescence(case: tuple[int, dict[tuple[int, int], float], int | None]) -> None:
    from syndicate.lineage import _ROOT_WEIGHT, VIRTUAL_ROOT, _branching, _tree, networkx_tree

    n, weights, root = case
    nodes = list(range(n))
    graph = {(VIRTUAL_ROOT, k): _ROOT_WEIGHT for k in nodes if root is None or k == root}
    graph.update({e: w for e, w in weights.items() if root is None or e[1] != root})
    want = networkx_tree(graph)
    got_weight, got = _tree(nodes, weights, root)
    if want is None:
        assert got == [] and got_weight == float("-inf")
    else:
        assert got == want
    # The clear-cut path alone, where it answers, is the same tree.
    clear = _branching(set(nodes) | {VIRTUAL_ROOT}, graph, VIRTUAL_ROOT)
    if clear is not None:
        assert sorted(e for e in clear if e[0] != VIRTUAL_ROOT) == want
