"""The view store: views rebuilt from packed arrays equal the views built from the text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate import normalize, viewstore
from syndicate.config import ShingleConfig
from syndicate.pipeline import build_view
from syndicate.verify import DocView

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
_WORDS = st.sampled_from(["the", "port", "said", '"we', 'lost"', "ships.", "\n\n", "Rates", "rose", "'", "today."])


def _same(v: DocView, r: DocView) -> None:
    assert v.content == r.content
    assert v.sentences == r.sentences
    assert np.array_equal(v.quotes, r.quotes) and v.quotes.dtype == r.quotes.dtype
    assert np.array_equal(v.phrases, r.phrases)
    assert len(v.sentence_phrases) == len(r.sentence_phrases)
    assert all(np.array_equal(a, b) for a, b in zip(v.sentence_phrases, r.sentence_phrases, strict=True))
    for name in ("token_starts", "token_ends", "token_hashes", "shingles", "quoted", "unique"):
        got, want = getattr(v.shingled, name), getattr(r.shingled, name)
        assert np.array_equal(got, want) and got.dtype == want.dtype, name


def _store(
    texts: list[str], chunk: int, cache: int = 4, spill: Path | None = None
) -> tuple[viewstore.ViewStore, list[DocView]]:
    cfg = ShingleConfig()
    built = [build_view(t, cfg) for t in texts]
    packs: list[viewstore.Pack] = [viewstore.pack(built[i : i + chunk]) for i in range(0, len(built), chunk)]
    if spill is not None:
        packs = [viewstore.spill(pk, str(spill / f"p{k}.bin")) for k, pk in enumerate(packs)]  # type: ignore[arg-type]
    return viewstore.ViewStore(texts, packs, cfg.n, cache=cache), built


def test_seed_views_round_trip() -> None:
    texts = [normalize.normalize(p.read_text(encoding="utf-8")).text for p in sorted(SEEDS.glob("*.txt"))]
    store, built = _store(texts, chunk=2)
    assert len(store) == len(texts) == 5
    for _ in range(2):  # built, then from the cache (size 4 < 5 documents: some rebuilt)
        for i, r in enumerate(built):
            _same(store[i], r)
            assert np.array_equal(store.unique(i), r.shingled.unique)
            assert np.array_equal(store.phrases(i), r.phrases)
            assert np.array_equal(store.token_hashes(i), r.shingled.token_hashes)
    outlines = list(store.outlines())
    assert [(o.content, o.sentences) for o in outlines] == [(r.content, r.sentences) for r in built]
    # Smaller than the views' arrays (no per-character mask, no shingle arrays), before object overheads.
    packed = sum(getattr(p, f).nbytes for p in store._packs for f in p.__slots__)
    full = sum(
        r.quotes.nbytes + sum(getattr(r.shingled, f).nbytes for f in r.shingled.__slots__) for r in built
    )
    assert packed < 0.75 * full


def test_spilled_seed_views_round_trip(tmp_path: Path) -> None:
    texts = [normalize.normalize(p.read_text(encoding="utf-8")).text for p in sorted(SEEDS.glob("*.txt"))]
    store, built = _store(texts, chunk=2, spill=tmp_path)
    for _ in range(2):
        for i, r in enumerate(built):
            _same(store[i], r)
            assert np.array_equal(store.unique(i), r.shingled.unique)
            assert np.array_equal(store.phrases(i), r.phrases)
            assert np.array_equal(store.token_hashes(i), r.shingled.token_hashes)
            assert store.sentences(i) == r.sentences
    # In memory only the shingle sets and a few numbers a document; the rest is in the files.
    held = sum(getattr(p, f).nbytes for p in store._packs for f in ("start", "counts", "unique_off", "unique"))
    on_disk = sum(f.stat().st_size for f in tmp_path.iterdir())
    assert held < 0.5 * on_disk
    viewstore.close_files()


def test_truncated_spill_file_is_an_error(tmp_path: Path) -> None:
    store, _ = _store(["one two three four five six seven", "eight nine ten"], chunk=2, spill=tmp_path)
    (tmp_path / "p0.bin").write_bytes(b"")
    viewstore.close_files()
    with pytest.raises(OSError, match="truncated"):
        store[1]
    viewstore.close_files()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_WORDS, max_size=40).map(" ".join), min_size=1, max_size=6), st.integers(1, 4), st.booleans())
def test_any_texts_round_trip(tmp_path_factory: pytest.TempPathFactory, texts: list[str], chunk: int, spilled: bool) -> None:
    folder = tmp_path_factory.mktemp("spill") if spilled else None
    store, built = _store(texts, chunk, spill=folder)
    for i, r in enumerate(built):
        _same(store[i], r)
        assert np.array_equal(store.phrases(i), r.phrases)
        assert store.sentences(i) == r.sentences
    every = store.all_phrases()
    assert every.dtype == np.uint64 and np.array_equal(every, np.concatenate([np.zeros(0, np.uint64), *(r.phrases for r in built)]))
    viewstore.close_files()


def test_out_of_range_and_mismatched_packs() -> None:
    store, built = _store(["one two three four five six", "seven eight"], chunk=1)
    with pytest.raises(IndexError):
        store[2]
    with pytest.raises(ValueError, match="view packs hold 2 documents for 3"):
        viewstore.ViewStore(["a", "b", "c"], [viewstore.pack(built)], 5)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.tuples(st.integers(0, 30), st.floats(0.25, 1.0, width=32)), max_size=5), min_size=1, max_size=8),
    st.data(),
)
def test_spilled_rows_read_back_any_slice(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[tuple[int, float]]], data: st.DataObject
) -> None:
    import scipy.sparse as sp

    dense = np.zeros((len(rows), 31), dtype=np.float32)
    for r, cells in enumerate(rows):
        for c, v in cells:
            dense[r, c] = v
    matrix = sp.csr_matrix(dense)
    spilled = viewstore.spill_rows(matrix, str(tmp_path_factory.mktemp("rows") / "rows.bin"))
    lo = data.draw(st.integers(0, len(rows)))
    hi = data.draw(st.integers(lo, len(rows)))
    got, want = spilled[lo:hi], matrix[lo:hi]
    assert got.shape == want.shape and got.dtype == np.float32
    assert np.array_equal(got.indptr, want.indptr) and np.array_equal(got.indices, want.indices)
    assert got.data.tobytes() == want.data.tobytes()
    with pytest.raises(ValueError, match="consecutive"):
        spilled[::2]
    viewstore.close_files()


def test_spilled_sentence_index_gives_the_same_similarities(tmp_path: Path) -> None:
    from syndicate import vectorize, verify

    texts = [normalize.normalize(p.read_text(encoding="utf-8")).text for p in sorted(SEEDS.glob("*.txt"))]
    _, built = _store(texts, chunk=2)
    model = vectorize.fit(vectorize.term_counts(texts))
    index = verify.sentence_index(built, model)
    spilled = verify.SentenceIndex(viewstore.spill_rows(index.words, str(tmp_path / "s.bin")), index.offsets)
    for a in range(5):
        for b in range(5):
            assert verify.sentence_similarity(index, a, b).tobytes() == verify.sentence_similarity(spilled, a, b).tobytes()
    (tmp_path / "s.bin").write_bytes(b"")
    viewstore.close_files()
    fresh = verify.SentenceIndex(spilled.words, index.offsets)
    with pytest.raises(OSError, match="truncated"):
        verify.sentence_similarity(fresh, 0, 1)
    viewstore.close_files()
