"""One relation per scored pair, with a confidence.

In order of precedence:

- ``near_duplicate``: shingle Jaccard >= ``near_duplicate_jaccard``, or verbatim
  passages (small edits allowed) cover >= 90% of both documents;
- ``containment``: the smaller document is contained in the larger
  (shingle containment or verbatim coverage >= ``containment``): an excerpt or a
  trimmed copy;
- ``paraphrase``: rewrite evidence >= ``paraphrase_min_score`` (see
  ``paraphrase_evidence``: sentences aligned in order above the event background,
  rare shared phrasing, exclusive shared quotes), and re-worded passages outweigh
  verbatim ones;
- ``partial_reuse``: shared narration passages of at least ``partial_min_words``
  words (quoted words count ``quote_weight`` each: two outlets quoting the same
  speech is weak evidence), one of them a contiguous run of at least
  ``partial_min_run`` x ``partial_min_words`` words (scattered stock phrases are not a lifted passage);
- ``same_story``: similar, but no evidence of reuse.
"""

from __future__ import annotations

from .config import RelationConfig

REUSE = ("near_duplicate", "containment", "paraphrase", "partial_reuse")
RELATIONS = (*REUSE, "same_story")


def _ramp(value: float, threshold: float, full: float) -> float:
    """0.5 at the threshold rising linearly to 1.0 at ``full``."""
    if full <= threshold:
        return 1.0
    return max(0.0, min(1.0, 0.5 + 0.5 * (value - threshold) / (full - threshold)))


def paraphrase_evidence(scores: dict[str, float], config: RelationConfig) -> float:
    """Rewrite evidence: aligned sentences + weighted rare shared phrasing + exclusive quotes."""
    return (
        scores["paraphrase_sentences"]
        + config.phrase_weight * scores["rare_phrase_density"]
        + config.exclusive_quote_weight * scores["exclusive_quoted"]
    )


def classify(scores: dict[str, float], config: RelationConfig) -> tuple[str, float]:
    """The relation of a pair and how sure we are of it (0..1)."""
    jac = scores["jaccard"]
    cont = max(scores["containment_a_in_b"], scores["containment_b_in_a"])
    va, vb = scores["verbatim_coverage_a"], scores["verbatim_coverage_b"]
    v_small, v_both = max(va, vb), min(va, vb)
    if jac >= config.near_duplicate_jaccard or v_both >= 0.9:
        return "near_duplicate", _ramp(max(jac, v_both), min(config.near_duplicate_jaccard, 0.9), 1.0)
    quoted = scores["quote_share"] >= 0.5  # what is contained is mostly quotation: weak evidence
    if (cont >= config.containment and not quoted) or v_small >= config.containment:
        return "containment", _ramp(max(cont, v_small), config.containment, 1.0)
    evidence = paraphrase_evidence(scores, config)
    evidence_words = scores["verbatim_words"] + config.quote_weight * scores["quote_words"]
    is_para = evidence >= config.paraphrase_min_score
    # A lifted passage is a long contiguous run; scattered stock phrases are not.
    is_partial = (
        evidence_words >= config.partial_min_words
        and scores["longest_verbatim_words"] >= config.partial_min_run * config.partial_min_words
    )
    rewritten = scores["narration_coverage_a"] + scores["narration_coverage_b"] > 2 * (va + vb)
    if is_para and (not is_partial or rewritten):
        return "paraphrase", _ramp(evidence, config.paraphrase_min_score, 3 * config.paraphrase_min_score)
    if is_partial:
        return "partial_reuse", _ramp(evidence_words, config.partial_min_words, 4 * config.partial_min_words)
    return "same_story", _ramp(scores["tfidf_cosine"], 0.2, 0.6)
