from __future__ import annotations

import subprocess
import sys

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from syndicate.config import ShingleConfig
from syndicate.shingle import ngram_hashes, shingle, token_hash, tokenize, words


def test_tokenize_spans_point_at_tokens() -> None:
    words, starts, ends = tokenize("Rutte's visit, at 2% of GDP.")
    assert words == ["rutte's", "visit", "at", "2", "of", "gdp"]
    assert [("Rutte's visit, at 2% of GDP."[s:e]).lower() for s, e in zip(starts, ends, strict=True)] == words


def test_shingle_count_and_short_document() -> None:
    cfg = ShingleConfig(n=5)
    assert shingle("one two three four five six seven", None, cfg).shingles.shape[0] == 3
    assert shingle("one two", None, cfg).shingles.shape[0] == 1
    assert shingle("", None, cfg).shingles.shape[0] == 0


def test_same_ngram_same_hash_anywhere() -> None:
    cfg = ShingleConfig(n=3)
    a = shingle("alpha beta gamma delta", None, cfg).shingles
    b = shingle("zeta alpha beta gamma", None, cfg).shingles
    assert a[0] == b[1]
    assert a[1] != b[0]


def test_hash_is_stable_across_processes() -> None:
    code = "from syndicate.shingle import token_hash; print(token_hash('nato'))"
    outs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2")
    }
    assert len(outs) == 1
    assert int(outs.pop()) == token_hash("nato")


def test_quoted_shingles_flagged() -> None:
    text = 'He said "we will pay our bills in full" today and left'
    mask = np.zeros(len(text), dtype=bool)
    s, e = text.index('"'), text.rindex('"') + 1
    mask[s:e] = True
    sh = shingle(text, mask, ShingleConfig(n=3))
    assert sh.quoted.any() and not sh.quoted.all()


@given(st.lists(st.integers(min_value=0, max_value=2**64 - 1), min_size=0, max_size=30), st.integers(1, 6))
def test_ngram_hash_shape(values: list[int], n: int) -> None:
    h = ngram_hashes(np.asarray(values, dtype=np.uint64), n)
    expected = 0 if not values else max(1, len(values) - n + 1)
    assert h.shape[0] == expected


@given(st.text(alphabet=st.sampled_from("aB1 '\u00e9-\n"), max_size=40))
def test_words_are_tokenize_without_spans(text: str) -> None:
    assert words(text) == tokenize(text)[0]
