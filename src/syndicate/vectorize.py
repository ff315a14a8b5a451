"""TF-IDF vectors from mergeable document-frequency counts.

Term counts come from scikit-learn's stateless ``HashingVectorizer`` over
``terms()``: stemmed content words and their bigrams. Stemming is a prefix cut
(first 5 letters), crude but language-light and measured on the seeds to fold
"defence/defense", "pivots/pivot", "relations/relationship"; any worker can
vectorise any document alone; IDF is computed from document frequencies, which are plain
counts that a distributed backend can sum and get the same scores.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, HashingVectorizer
from sklearn.preprocessing import normalize as l2_normalize

N_FEATURES = 1 << 20
STEM_CHARS = 5
COSINE_CHUNK = 1024  # pairs per sparse row gather in row_cosines (8192: a 196 MB transient at 10k, measured)
COUNT_BLOCK = 4096  # texts per scikit-learn call in term_counts
_WORD = re.compile(r"\w+")


def stems(text: str) -> list[str]:
    """Lowercased content words (English stop words removed) cut to their first letters."""
    return [w[:STEM_CHARS] for w in _WORD.findall(text.lower()) if len(w) > 1 and w not in ENGLISH_STOP_WORDS]


def wording_stems(text: str) -> list[str]:
    """Stems of the lowercase, non-numeric content words: a text's wording, not its facts.

    Names and numbers are what independent articles on one event share; the
    choice of ordinary words is what a copy inherits from its source.
    """
    return [
        w[:STEM_CHARS]
        for w in _WORD.findall(text)
        if len(w) > 1 and w.islower() and w.isalpha() and w not in ENGLISH_STOP_WORDS
    ]


def terms(text: str) -> list[str]:
    """Stems and stem bigrams of a text: the analyzer of every TF-IDF vector."""
    s = stems(text)
    return s + [f"{x} {y}" for x, y in itertools.pairwise(s)]


@dataclass(frozen=True, slots=True, eq=False)
class TfidfModel:
    """Document frequencies and the IDF derived from them (sklearn's smooth IDF)."""

    df: npt.NDArray[np.int64]
    n_docs: int

    @property
    def idf(self) -> npt.NDArray[np.float64]:
        return np.log((1.0 + self.n_docs) / (1.0 + self.df)) + 1.0  # type: ignore[no-any-return]


def _word_vectorizer() -> HashingVectorizer:
    return HashingVectorizer(analyzer=terms, n_features=N_FEATURES, alternate_sign=False, norm=None, dtype=np.float64)


def term_counts(texts: Sequence[str], block: int = COUNT_BLOCK) -> sp.csr_matrix:
    """Raw term counts (hashed stems and stem bigrams) of each text.

    Counted ``block`` texts at a time (rows do not depend on each other): scikit-learn
    holds every term occurrence of its input before merging duplicates.
    """
    vectorizer = _word_vectorizer()
    return stack_rows([vectorizer.transform(texts[lo : lo + block]).tocsr() for lo in range(0, len(texts), block)])


def stack_rows(blocks: list[sp.csr_matrix]) -> sp.csr_matrix:
    """Consecutive row blocks (CSR, one dtype) as one CSR matrix, emptying ``blocks``.

    Each field is copied in turn and the blocks' copies of it released, so the
    transient is the largest field, not a second matrix (``scipy.sparse.vstack``).
    """
    if not blocks:  # no texts: what term_counts gives for none
        return sp.csr_matrix((0, N_FEATURES), dtype=np.float64)
    cols, dtype = blocks[0].shape[1], blocks[0].dtype
    nnz = sum(b.nnz for b in blocks)
    index = np.int32 if nnz < np.iinfo(np.int32).max else np.int64
    rows = [b.shape[0] for b in blocks]
    indptr = np.zeros(sum(rows) + 1, dtype=index)
    at, lo = 0, 0
    for b, r in zip(blocks, rows, strict=True):
        indptr[lo + 1 : lo + r + 1] = b.indptr[1:] + at
        at, lo = at + b.nnz, lo + r
    datas, indices = [b.data for b in blocks], [b.indices for b in blocks]
    blocks.clear()
    data = np.concatenate(datas).astype(dtype, copy=False)
    datas.clear()
    idx = np.concatenate(indices).astype(index, copy=False)
    indices.clear()
    return sp.csr_matrix((data, idx, indptr), shape=(lo, cols))


def document_frequencies(counts: sp.csr_matrix) -> npt.NDArray[np.int64]:
    """Number of rows each term occurs in: a count that can be summed across partitions."""
    return np.bincount(counts.indices, minlength=N_FEATURES).astype(np.int64)


def fit(counts: sp.csr_matrix) -> TfidfModel:
    """The IDF model of a corpus from its count matrix."""
    return TfidfModel(document_frequencies(counts), counts.shape[0])


def weigh(counts: sp.csr_matrix, model: TfidfModel, copy: bool = True) -> sp.csr_matrix:
    """Sublinear-tf TF-IDF rows, L2-normalised (``copy=False``: in ``counts`` itself, when it is float64 CSR)."""
    # In place on one copy (same values, bytes checked at 10k; transient 151 -> 92 MB).
    x = counts.astype(np.float64, copy=copy).tocsr()
    np.log(x.data, out=x.data)
    x.data += 1.0
    x.data *= model.idf[x.indices]
    return l2_normalize(x, norm="l2", copy=False)


def row_cosines(x: sp.csr_matrix, pairs: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """Cosine of rows ``pairs[:, 0]`` and ``pairs[:, 1]`` of an L2-normalised matrix."""
    out = np.zeros(pairs.shape[0])
    # In chunks: gathering the rows of every pair at once held two copies of the
    # matrix per pair (measured: a 2.1 GB transient for 100k pairs at 10k documents).
    for lo in range(0, pairs.shape[0], COSINE_CHUNK):
        part = pairs[lo : lo + COSINE_CHUNK]
        prod = x[part[:, 0]].multiply(x[part[:, 1]])
        out[lo : lo + part.shape[0]] = np.asarray(prod.sum(axis=1)).ravel()
    return out
