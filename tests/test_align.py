from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.align import coverage, ordered_matches, verbatim_passages
from syndicate.config import AlignConfig, ShingleConfig
from syndicate.shingle import shingle

SRC = ("The harbour authority said on Tuesday that container traffic fell sharply in the third quarter "
       "as shipping lines diverted vessels to rival ports along the southern coast of the country.")


def _passages(a: str, b: str) -> list:
    cfg = ShingleConfig(n=5)
    return verbatim_passages(shingle(a, None, cfg), shingle(b, None, cfg), 5, np.zeros(len(a), dtype=bool), AlignConfig())


def test_verbatim_passage_spans_both_sides() -> None:
    b = "Breaking news. " + SRC + " More later."
    (p,) = _passages(SRC, b)
    assert p.kind == "verbatim"
    assert SRC[p.a_start : p.a_end] == b[p.b_start : p.b_end] == SRC.rstrip(".")


def test_one_changed_word_does_not_split_passage() -> None:
    edited = SRC.replace("sharply", "steeply")
    ps = _passages(SRC, edited)
    assert len(ps) == 1 and ps[0].kind == "near_verbatim"


def test_ordered_matches_prefers_order() -> None:
    w = np.array([[0.9, 0.0, 0.0], [0.0, 0.0, 0.8], [0.0, 0.7, 0.0]])
    assert ordered_matches(w) == [(0, 0), (1, 2)]
    assert ordered_matches(np.zeros((2, 2))) == []


def test_coverage_of_overlapping_spans() -> None:
    assert coverage([(0, 10), (5, 20), (30, 40)], 100) == 0.3
    assert coverage([], 10) == 0.0


def _chains_by_loop(ia: list[int], jb: list[int], reach: int, gap: int) -> list[tuple[int, int, int, int, bool]]:
    """The chaining rule written as the plain loop over hits (reference for the vectorised one)."""
    chains = []
    i0 = i1 = ia[0]
    j0 = j1 = jb[0]
    clean = True
    for i, j in zip(ia[1:], jb[1:], strict=True):
        di, dj = i - i1, j - j1
        if 1 <= di <= reach and 1 <= dj <= reach + gap and abs(dj - di) <= gap:
            clean = clean and di == 1 and dj == 1
            i1, j1 = i, j
            continue
        chains.append((i0, i1, j0, j1, clean))
        i0 = i1 = i
        j0 = j1 = j
        clean = True
    chains.append((i0, i1, j0, j1, clean))
    return chains


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=60),
    st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=60),
)
def test_verbatim_chains_match_the_plain_loop(wa: list[str], wb: list[str]) -> None:
    a, b = " ".join(wa), " ".join(wb)
    cfg = ShingleConfig(n=2)
    sa, sb = shingle(a, None, cfg), shingle(b, None, cfg)
    align_cfg = AlignConfig(min_verbatim_words=2)
    got = verbatim_passages(sa, sb, 2, np.zeros(len(a), dtype=bool), align_cfg)
    # The same hits the function chains: each shingle of a found in b, at b's first occurrence.
    first_in_b: dict[int, int] = {}
    for j, h in enumerate(sb.shingles.tolist()):
        first_in_b.setdefault(h, j)
    hits = [(i, first_in_b[h]) for i, h in enumerate(sa.shingles.tolist()) if h in first_in_b]
    if not hits:
        assert got == []
        return
    n_eff = min(2, sa.n_tokens, sb.n_tokens)
    chains = _chains_by_loop([i for i, _ in hits], [j for _, j in hits], align_cfg.max_gap_words + n_eff, align_cfg.max_gap_words)
    want = [
        (int(sa.token_starts[i0]), int(sa.token_ends[i1 + n_eff - 1]), int(sb.token_starts[j0]), int(sb.token_ends[j1 + n_eff - 1]), clean)
        for i0, i1, j0, j1, clean in chains
        if i1 + n_eff - i0 >= 2
    ]
    assert [(p.a_start, p.a_end, p.b_start, p.b_end, p.kind == "verbatim") for p in got] == want


def _with_texts(a: str, b: str) -> list:
    cfg = ShingleConfig(n=5)
    return verbatim_passages(
        shingle(a, None, cfg), shingle(b, None, cfg), 5, np.zeros(len(a), dtype=bool), AlignConfig(), (a, b)
    )


def test_stock_sentence_with_swapped_names_is_no_passage() -> None:
    a = "Separately, the port operator said it was reviewing its refinery in Saltmarsh after higher interest rates hit demand."
    b = "Elsewhere, the utility said it was reviewing its loan in Upton after higher interest rates hit demand."
    assert _passages(a, b)  # without the texts, one near-verbatim passage bridges the names
    assert _with_texts(a, b) == []


def test_long_copy_with_a_changed_name_or_number_stays_one_passage() -> None:
    a = SRC + " The full figures from Harbor Lines will be published on Friday morning in the capital."
    b = SRC + " The full figures from Coastal Lines will be published on Friday morning in the capital."
    (p,) = _with_texts(a, b)
    assert p.kind == "near_verbatim" and p.a_end > len(SRC)
    # A short sentence whose only change is a rounded number is not a template either.
    c = "Officials said repairs to the harbour wall may cost 239 million dollars this year, the agency said."
    d = "Officials said repairs to the harbour wall may cost about 240 million dollars this year, the agency said."
    assert len(_with_texts(c, d)) == 1
