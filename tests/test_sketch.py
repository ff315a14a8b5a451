from __future__ import annotations

import numpy as np
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.config import SketchConfig
from syndicate.sketch import EMPTY, jaccard_estimate, signatures


def _datasketch(values: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    m = MinHash(num_perm=num_perm, seed=seed, scheme="affine64", hashfunc=lambda x: x)
    m.update_batch([int(v) for v in values])
    return m.hashvalues


def test_signatures_identical_to_datasketch() -> None:
    rng = np.random.default_rng(7)
    sets = [np.unique(rng.integers(0, 2**64 - 1, size=int(k), dtype=np.uint64)) for k in rng.integers(1, 400, 40)]
    sets.append(np.unique(rng.integers(0, 2**64 - 1, size=40_000, dtype=np.uint64)))  # spans several blocks
    for num_perm, seed in ((128, 1), (64, 42)):
        sigs = signatures(sets, SketchConfig(num_perm=num_perm, seed=seed))
        for i in (0, 5, 39, 40):
            assert np.array_equal(sigs[i], _datasketch(sets[i], num_perm, seed))


def test_empty_document_gets_empty_signature() -> None:
    sigs = signatures([np.zeros(0, dtype=np.uint64), np.array([1, 2, 3], dtype=np.uint64)], SketchConfig())
    assert (sigs[0] == EMPTY).all()
    assert not (sigs[1] == EMPTY).all()


@settings(max_examples=30, deadline=None)
@given(st.integers(50, 400), st.floats(0.0, 1.0))
def test_estimate_close_to_exact_jaccard(size: int, share: float) -> None:
    rng = np.random.default_rng(size)
    common = int(size * share)
    base = rng.integers(0, 2**63, size=2 * size, dtype=np.uint64)
    a = np.unique(base[:size])
    b = np.unique(np.concatenate([base[:common], base[size : 2 * size - common]]))
    exact = np.intersect1d(a, b).shape[0] / np.union1d(a, b).shape[0]
    sigs = signatures([a, b], SketchConfig(num_perm=256))
    # 256 permutations: standard error <= 0.032; allow 5 sigma.
    assert abs(jaccard_estimate(sigs[0], sigs[1]) - exact) <= 0.16
