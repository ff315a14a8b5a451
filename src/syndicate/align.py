"""Shared passages between two documents, with spans on both sides.

- Verbatim: shingles the two documents share are seeds; seeds on (nearly) the
  same diagonal are chained, tolerating up to ``max_gap_words`` changed words,
  so one edited word does not split a passage in two.
- Paraphrase: sentences are compared with TF-IDF over words and character
  n-grams; a sentence pair counts only if it is similar *and* stands above how
  similar each sentence is to the other articles on the same event (their
  neighbours), and the chosen matches preserve order (a weighted longest common
  subsequence), as a rewrite follows its source.

All spans here are in normalised-text coordinates; the pipeline maps them to
original offsets for the report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from .config import AlignConfig
from .normalize import char_before
from .shingle import Shingled

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class RawPassage:
    """A passage in normalised coordinates of both documents."""

    kind: str  # verbatim | near_verbatim | paraphrase | quote
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    words: int
    similarity: float


def verbatim_passages(
    a: Shingled,
    b: Shingled,
    n: int,
    qa: npt.NDArray[np.bool_],
    config: AlignConfig,
    texts: tuple[str, str] | None = None,
) -> list[RawPassage]:
    """Maximal chains of shared shingles, allowing small gaps.

    With the two texts given, a short chain bridged across swapped names is split
    there (see :func:`_template_pieces`).
    """
    if a.shingles.shape[0] == 0 or b.shingles.shape[0] == 0:
        return []
    order_b = np.argsort(b.shingles, kind="stable")
    sorted_b = b.shingles[order_b]
    pos = np.searchsorted(sorted_b, a.shingles)
    pos_c = np.minimum(pos, sorted_b.shape[0] - 1)
    hit = sorted_b[pos_c] == a.shingles
    ia = np.flatnonzero(hit)
    if ia.shape[0] == 0:
        return []
    jb = order_b[pos_c[hit]]
    n_eff = min(n, a.n_tokens, b.n_tokens)
    # g changed words remove the g + n - 1 shingles that overlap them.
    gap = config.max_gap_words
    reach = gap + n_eff
    # A hit continues the chain of the hit before it when both sides advance by little
    # and by about as much; a chain is clean when every step advances by one on both.
    # (Vectorised over consecutive hits: the loop it replaces compared each hit with the
    # previous one too, and was ~15% of verification.)
    di, dj = np.diff(ia), np.diff(jb)
    cont = (di >= 1) & (di <= reach) & (dj >= 1) & (dj <= reach + gap) & (np.abs(dj - di) <= gap)
    first = np.concatenate(([0], np.flatnonzero(~cont) + 1))
    last = np.concatenate((first[1:] - 1, [ia.shape[0] - 1]))
    rough = np.concatenate(([0], np.cumsum(cont & ((di != 1) | (dj != 1)))))
    spans = list(zip(first.tolist(), last.tolist(), strict=True))
    if texts is not None:
        spans = [
            piece
            for lo, hi in spans
            for piece in (
                _template_pieces(lo, hi, ia, jb, n_eff, a, b, texts, config) if rough[hi] != rough[lo] else [(lo, hi)]
            )
        ]
    out: list[RawPassage] = []
    for lo, hi in spans:
        i0, i1, j0, j1 = int(ia[lo]), int(ia[hi]), int(jb[lo]), int(jb[hi])
        clean = bool(rough[hi] == rough[lo])
        words = i1 + n_eff - i0
        if words < config.min_verbatim_words:
            continue
        a_s, a_e = int(a.token_starts[i0]), int(a.token_ends[i1 + n_eff - 1])
        b_s, b_e = int(b.token_starts[j0]), int(b.token_ends[j1 + n_eff - 1])
        quoted = float(qa[a_s:a_e].mean()) if a_e > a_s else 0.0
        kind = "quote" if quoted >= 0.6 else ("verbatim" if clean else "near_verbatim")
        out.append(RawPassage(kind, a_s, a_e, b_s, b_e, words, 1.0 if clean else 0.9))
    return out


def _gap_names(sh: Shingled, text: str, lo: int, hi: int) -> frozenset[str]:
    """Names among tokens ``lo .. hi - 1``: capitalised words that do not start a sentence.

    Numbers are left out (a copy rounds them) and so are sentence-initial words (a
    copy swaps "Authorities" for "Officials").
    """
    names = set()
    for k in range(lo, hi):
        start = int(sh.token_starts[k])
        word = text[start : int(sh.token_ends[k])]
        if not word[:1].isupper() or (word.lower() in ENGLISH_STOP_WORDS and not word.isupper()):
            continue
        before = char_before(text, start)
        if before and before not in '.!?"\u201c\u201d:':
            names.add(word)
    return frozenset(names)


def _template_pieces(
    lo: int,
    hi: int,
    ia: npt.NDArray[np.intp],
    jb: npt.NDArray[np.intp],
    n: int,
    a: Shingled,
    b: Shingled,
    texts: tuple[str, str],
    config: AlignConfig,
) -> list[tuple[int, int]]:
    """A chain of hits ``lo .. hi`` split at its name swaps when every piece is short.

    Two pages cast one stock sentence with other names ("said it was reviewing its
    refinery in Saltmarsh" / "its loan in Upton") share its frame, bridged into one
    passage across the swapped names. A gap where each side has names the other
    lacks (capitalised words inside a sentence) is such a swap; when every piece
    between swaps is shorter than ``2 x min_verbatim_words``, the chain is a template
    and is split there (pieces below ``min_verbatim_words`` are then dropped). A long
    copy with one changed name keeps its passage whole.
    """
    steps_a, steps_b = np.diff(ia[lo : hi + 1]), np.diff(jb[lo : hi + 1])
    gaps = (lo + np.flatnonzero((steps_a != 1) | (steps_b != 1))).tolist()
    # Every piece holds whole stretches between gaps: one long stretch keeps the chain
    # whole, without reading any names (most edited copies end here).
    starts, ends = np.asarray([lo, *[k + 1 for k in gaps]]), np.asarray([*gaps, hi])
    if (ia[ends] + n - ia[starts] >= 2 * config.min_verbatim_words).any():
        return [(lo, hi)]
    cuts = []
    for k in gaps:
        na = _gap_names(a, texts[0], int(ia[k]) + n, int(ia[k + 1]))
        nb = _gap_names(b, texts[1], int(jb[k]) + n, int(jb[k + 1]))
        if na and nb and not (na & nb):
            cuts.append(k)
    if not cuts:
        return [(lo, hi)]
    pieces = [(s, e) for s, e in zip([lo, *[k + 1 for k in cuts]], [*cuts, hi], strict=True)]
    if any(int(ia[e]) + n - int(ia[s]) >= 2 * config.min_verbatim_words for s, e in pieces):
        return [(lo, hi)]
    return pieces


def ordered_matches(weights: F64) -> list[tuple[int, int]]:
    """Order-preserving one-to-one matching of maximum total weight (weighted LCS).

    Only cells with positive weight can be matched. ``O(rows * cols)``.
    """
    rows, cols = weights.shape
    if rows == 0 or cols == 0 or not (weights > 0).any():
        return []
    dp = np.zeros((rows + 1, cols + 1))
    for r in range(1, rows + 1):
        w = weights[r - 1]
        prev = dp[r - 1]
        cur = dp[r]
        # dp[r][c] = max(dp[r-1][c], dp[r][c-1], dp[r-1][c-1] + w): the middle term
        # is a running maximum along the row.
        cand = np.maximum(prev[1:], prev[:-1] + np.where(w > 0, w, -np.inf))
        cur[1:] = np.maximum.accumulate(cand)
    matches: list[tuple[int, int]] = []
    r, c = rows, cols
    while r > 0 and c > 0:
        if dp[r, c] == dp[r - 1, c]:
            r -= 1
        elif dp[r, c] == dp[r, c - 1]:
            c -= 1
        else:
            matches.append((r - 1, c - 1))
            r -= 1
            c -= 1
    matches.reverse()
    return matches


def sentence_weights(sim: F64, bg_a: F64, bg_b: F64, rare: F64, config: AlignConfig) -> F64:
    """Evidence weight of each sentence pair.

    A pair counts when it is similar and stands above the event background
    (each sentence's usual similarity to other articles on the event), or when it
    shares rare phrasing (``rare``: rarity-weighted phrases that few documents
    of the corpus have) and is at least loosely similar.
    """
    background = np.maximum(bg_a[:, None], bg_b[None, :])
    excess = sim - background
    similar = (sim >= config.sentence_min_sim) & (excess >= config.sentence_min_excess)
    anchored = (rare >= config.sentence_min_rare_phrases) & (sim >= config.sentence_floor_sim)
    return np.where(similar | anchored, sim + 0.1 * rare, 0.0)


_DETAIL = re.compile(r"\d+(?:[.,]\d+)*|[A-Z][A-Za-z]*")


@lru_cache(maxsize=1 << 15)  # a document's sentences come back in each of its pairs
def detail_tokens(sentence: str) -> frozenset[str]:
    """The specific details of a sentence: numbers and capitalised words (names, acronyms).

    Capitalised function words ("The", "It") are no detail; acronyms are ("US",
    although "us" is a function word). Unlike ``lineage.details`` (whole multi-word
    names, sentence-initial words dropped, for what a copy loses), this compares
    single words, so "Rutte's efforts" at a sentence start still agrees with "Rutte".
    """
    return frozenset(
        t for t in _DETAIL.findall(sentence) if (len(t) > 1 and t.isupper()) or t.lower() not in ENGLISH_STOP_WORDS
    )


def details_agree(x: frozenset[str], y: frozenset[str], min_agreement: float) -> bool:
    """Whether two sentences can be one re-worded: they share most details of the sparser one.

    A rewrite keeps who, where and how much; two sentences built on one pattern
    ("X, chief executive of Y, said the Z would cost about N") with other names
    and numbers are not a rewrite of each other, however alike their wording.
    Sentences with fewer than two details between them are not judged.
    """
    if max(len(x), len(y)) < 2:
        return True
    return len(x & y) >= min_agreement * max(1, min(len(x), len(y)))


def drop_conflicting_details(
    weights: F64,
    sents_a: Sequence[tuple[int, int]],
    sents_b: Sequence[tuple[int, int]],
    text_a: str,
    text_b: str,
    min_agreement: float,
) -> F64:
    """``weights`` with the sentence pairs whose details disagree set to zero."""
    if min_agreement <= 0:
        return weights
    out = weights.copy()
    tokens_a: dict[int, frozenset[str]] = {}
    tokens_b: dict[int, frozenset[str]] = {}
    for i, j in zip(*(ix.tolist() for ix in np.nonzero(weights)), strict=True):
        if i not in tokens_a:
            tokens_a[i] = detail_tokens(text_a[sents_a[i][0] : sents_a[i][1]])
        if j not in tokens_b:
            tokens_b[j] = detail_tokens(text_b[sents_b[j][0] : sents_b[j][1]])
        if not details_agree(tokens_a[i], tokens_b[j], min_agreement):
            out[i, j] = 0.0
    return out


def paraphrase_passages(
    sents_a: list[tuple[int, int]],
    sents_b: list[tuple[int, int]],
    sim: F64,
    weights: F64,
    qa: npt.NDArray[np.bool_],
) -> tuple[list[RawPassage], int]:
    """Sentence passages from the order-preserving matching, and the unordered match count."""
    matched = ordered_matches(weights)
    unordered = int(np.count_nonzero((weights > 0).any(axis=1)))
    out: list[RawPassage] = []
    for i, j in matched:
        a_s, a_e = sents_a[i]
        b_s, b_e = sents_b[j]
        quoted = float(qa[a_s:a_e].mean()) if a_e > a_s else 0.0
        kind = "quote" if quoted >= 0.6 else "paraphrase"
        out.append(RawPassage(kind, a_s, a_e, b_s, b_e, 0, float(sim[i, j])))
    return out, unordered


def merge_passages(verbatim: list[RawPassage], para: list[RawPassage]) -> list[RawPassage]:
    """Verbatim passages plus paraphrase sentences not already covered by them."""
    out = list(verbatim)
    for p in para:
        covered = 0
        for v in verbatim:
            covered += max(0, min(p.a_end, v.a_end) - max(p.a_start, v.a_start))
        if covered < 0.5 * (p.a_end - p.a_start):
            out.append(p)
    out.sort(key=lambda p: (p.a_start, p.b_start, p.a_end, p.b_end))
    return out


def merge_spans(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping union of half-open spans."""
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


def coverage(spans: Sequence[tuple[int, int]], length: int) -> float:
    """Share of ``length`` characters covered by the union of spans."""
    if length <= 0 or not spans:
        return 0.0
    return min(1.0, sum(e - s for s, e in merge_spans(spans)) / length)
