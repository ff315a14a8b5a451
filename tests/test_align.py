from __future__ import annotations

import numpy as np

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
