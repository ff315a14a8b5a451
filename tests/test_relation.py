from __future__ import annotations

import pytest

from syndicate.config import RelationConfig
from syndicate.relation import classify

BASE = {
    "jaccard": 0.0, "containment_a_in_b": 0.0, "containment_b_in_a": 0.0, "verbatim_coverage_a": 0.0,
    "verbatim_coverage_b": 0.0, "narration_coverage_a": 0.0, "narration_coverage_b": 0.0, "verbatim_words": 0.0,
    "quote_words": 0.0, "paraphrase_sentences": 0.0, "rare_phrase_density": 0.0, "exclusive_quoted": 0.0,
    "tfidf_cosine": 0.3, "order_preservation": 0.0, "quote_share": 0.0, "longest_verbatim_words": 0.0,
}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"jaccard": 0.95}, "near_duplicate"),
        ({"containment_a_in_b": 0.97, "jaccard": 0.3}, "containment"),
        ({"verbatim_words": 80, "longest_verbatim_words": 60, "verbatim_coverage_a": 0.2}, "partial_reuse"),
        ({"verbatim_words": 80, "longest_verbatim_words": 12}, "same_story"),  # scattered stock phrases
        ({"containment_a_in_b": 0.97, "quote_share": 0.9}, "same_story"),  # contained text is a shared quote
        ({"quote_words": 80}, "same_story"),  # shared quotes alone are weak evidence
        ({"paraphrase_sentences": 6, "narration_coverage_a": 0.6}, "paraphrase"),
        ({"rare_phrase_density": 2.0}, "same_story"),
        ({}, "same_story"),
    ],
)
def test_relation(changes: dict, expected: str) -> None:
    rel, conf = classify({**BASE, **changes}, RelationConfig())
    assert rel == expected
    assert 0.0 <= conf <= 1.0
