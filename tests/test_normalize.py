"""Tests of syndicate.normalize: folding, whitespace, offsets, quotations, sentences."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from syndicate.normalize import normalize, quote_mask, sentences
from syndicate.types import OffsetMap

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def _quoted(text: str) -> list[str]:
    """The quoted stretches quote_mask marks, as strings."""
    mask = quote_mask(text)
    out: list[str] = []
    i = 0
    while i < len(text):
        if mask[i]:
            j = i
            while j < len(text) and mask[j]:
                j += 1
            out.append(text[i:j])
            i = j
        else:
            i += 1
    return out


# --- folding -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("‘a’ ‚b‛ c′ `d", "'a' 'b' c' 'd"),
        ("“a” „b‟ c″ «d»", '"a" "b" c" "d"'),
        ("a‐b‑c‒d–e—f―g−h", "a-b-c-d-e-f-g-h"),
        ("wait…", "wait..."),
        ("ﬁne ｆｕｌｌ ①", "fine full 1"),
        ("a\u00a0b\u2009c\u3000d\u202fe", "a b c d e"),
        ("soft\u00adhyphen zero\u200bwidth\ufeff", "softhyphen zerowidth"),
        ("bell\x07 nul\x00 esc\x1b", "bell nul esc"),
        ("e\u0301te\u0301", "été"),
        ("\ufe58dash", "-dash"),
    ],
)
def test_folds(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected


def test_composed_character_maps_to_its_base() -> None:
    norm = normalize("cafe\u0301 ok")
    assert norm.text == "café ok"
    assert norm.offsets.tolist() == [0, 1, 2, 3, 5, 6, 7, 8]


def test_expansion_maps_every_output_char_to_the_source() -> None:
    norm = normalize("a… b")
    assert norm.text == "a... b"
    assert norm.offsets.tolist() == [0, 1, 1, 1, 2, 3, 4]
    assert norm.original_span(1, 4) == (1, 2)


# --- whitespace --------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  a   b \t c  ", "a b c"),
        ("a  \n  b", "a\nb"),
        ("a\n\nb", "a\n\nb"),
        ("a \n \n\n \nb", "a\n\nb"),
        ("a\r\nb", "a\nb"),
        ("a\r\n\r\nb", "a\n\nb"),
        ("a\rb\r\rc", "a\nb\n\nc"),
        ("a\u2028b\u2029c", "a\nb\nc"),
        ("\n\n  a\n\n", "a"),
        ("", ""),
        ("  \n\t ", ""),
    ],
)
def test_whitespace(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected


def test_offsets_of_paragraph_break_point_at_newlines() -> None:
    raw = "a \r\n \r\nb"
    norm = normalize(raw)
    assert norm.text == "a\n\nb"
    assert [raw[i] for i in norm.offsets[:-1]] == ["a", "\n", "\n", "b"]
    assert norm.offsets[-1] == len(raw)
    # Stored as runs of constant shift, not one entry per character.
    assert norm.offsets.starts.tolist() == [0, 1, 2]


def test_original_span_maps_back() -> None:
    raw = "  He said “hello”\u00a0 world.  "
    norm = normalize(raw)
    start = norm.text.index('"hello"')
    a, b = norm.original_span(start, start + len('"hello"'))
    assert raw[a:b] == "“hello”"
    assert norm.original_span(3, 3) == (int(norm.offsets[3]),) * 2


def test_ascii_and_unicode_paths_agree() -> None:
    raw = "  One  two\t\tthree\r\n\r\n\r\nfour `x` \x07five  "
    assert normalize(raw).text == normalize(raw + "\u00a0").text


def test_seed_normalises_and_maps_back() -> None:
    raw = _seed("002")
    norm = normalize(raw)
    assert "100's of premium titles" in norm.text
    assert "  " not in norm.text and "\n\n\n" not in norm.text
    i = norm.text.index('"I made')
    a, _ = norm.original_span(i, i + 1)
    assert raw[a] == '"'


# --- properties --------------------------------------------------------------

_ALPHABET = st.sampled_from(
    list("aZ9 .,'\"\n\r\t-")
    + list("‘’“”«»–—−…\u00a0\u2009\u200b\u00ad\x00\x07\u2028\ufeffﬁ½ｆ①")
    + ["e\u0301", "\u0301", "\u0308", "ﾀ", "ﾞ", "\u1100", "\u1161", "\uffc2", "\u11a8", "가"]
    + ["\u0bc6", "\u0bbe", "\u00a8", "\u2033", "😀", "\U0001d400", "\U000e0041", "\u0344"]
)
_TEXTS = st.one_of(
    st.text(),
    st.lists(_ALPHABET, max_size=40).map("".join),
)

_EXTRA_MARKS = {"\u1161", "\u11a8", "\uffc2", "\u0bbe", "ﾞ"}


def _joins(ch: str) -> bool:
    """Whether ``ch`` may join the character before it (a generous test)."""
    first = unicodedata.normalize("NFKC", ch)[:1]
    return (
        unicodedata.category(ch).startswith("M")
        or unicodedata.category(first).startswith("M")
        or unicodedata.category(ch) in ("Cf", "Cc")
        or ch in _EXTRA_MARKS
        or ord(ch) >= 0x10000
        or "\u1160" <= first <= "\u11ff"  # Hangul vowels and finals compose with a leading jamo
        or "\ud7b0" <= first <= "\ud7ff"
    )


def _cluster_end(original: str, j: int) -> int:
    """End of the original cluster at ``j`` (the character and any marks after it)."""
    end = j + 1
    while end < len(original) and _joins(original[end]):
        end += 1
    return end


def _cluster_start(original: str, j: int) -> int:
    """Start of the original cluster at ``j`` (back over marks to their base)."""
    while j > 0 and _joins(original[j]):
        j -= 1
    return j


@settings(max_examples=400)
@given(_TEXTS)
@example("a\u200b\u0301")
@example("\u1100\u200b\uffc2")
def test_idempotent(raw: str) -> None:
    once = normalize(raw).text
    assert normalize(once).text == once


@settings(max_examples=400)
@given(_TEXTS)
def test_output_is_nfkc_and_clean(raw: str) -> None:
    text = normalize(raw).text
    assert unicodedata.is_normalized("NFKC", text)
    assert text == text.strip()
    assert "  " not in text and "\n\n\n" not in text and " \n" not in text and "\n " not in text
    assert all(not c.isspace() or c in " \n" for c in text)


@settings(max_examples=400)
@given(_TEXTS)
def test_offsets_map_back(raw: str) -> None:
    norm = normalize(raw)
    offsets = np.asarray(norm.offsets)
    assert len(norm.offsets) == len(norm.text) + 1
    assert norm.offsets.tolist() == offsets.tolist() == norm.offsets[:].tolist()
    assert [norm.offsets[i] for i in range(-len(offsets), len(offsets))] == [*offsets.tolist(), *offsets.tolist()]
    assert offsets[-1] == len(raw)
    assert np.all(np.diff(offsets) >= 0)
    assert np.all((offsets >= 0) & (offsets <= len(raw)))
    for i, ch in enumerate(norm.text):
        j = int(offsets[i])
        assert j < len(raw)
        if ch.isspace():
            assert raw[j].isspace() or " " in unicodedata.normalize("NFKC", raw[j])
        else:
            assert ch in normalize(raw[_cluster_start(raw, j) : _cluster_end(raw, j)]).text


@settings(max_examples=300)
@given(_TEXTS)
def test_whole_span_covers_the_stripped_original(raw: str) -> None:
    norm = normalize(raw)
    if not norm.text:
        return
    a, b = norm.original_span(0, len(norm.text))
    b = _cluster_end(raw, b - 1)  # a composed last character maps to its base
    assert normalize(raw[a:b]).text == norm.text
    assert normalize(raw[:a]).text == ""
    assert normalize(raw[b:]).text == ""


# --- quote_mask --------------------------------------------------------------


def test_quote_mask_pairs_within_paragraph() -> None:
    text = 'He said "yes" and "no".\n\n"Open quote runs on\n\n"and closes" here.'
    assert _quoted(text) == ["yes", "no", "Open quote runs on", "and closes"]


def test_quote_mask_ignores_single_quotes_and_empty() -> None:
    assert not quote_mask("It's Bob's 'idea'.").any()
    assert quote_mask("").shape == (0,)


def test_quote_mask_one_paragraph_per_line_without_blank_lines() -> None:
    assert _quoted('a "b\nc" d') == ["b", " d"]
    assert _quoted('a "b\nc" d\n\ne') == ["b\nc"]


def test_quote_mask_seed_marks_trump_quotes() -> None:
    text = normalize(_seed("002")).text
    quoted = _quoted(text)
    assert "if they treat us fairly and they pay their bills" in quoted
    assert any(q.startswith("I made a certain statement") for q in quoted)
    assert any(q.startswith("If you're not paying your bills") for q in quoted)
    narration = text.index("NATO Secretary General Mark Rutte will")
    assert not quote_mask(text)[narration]


# --- sentences ---------------------------------------------------------------


def _sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two! Three? four", ["One.", "Two!", "Three? four"]),
        ("Mr. Smith and Dr. Jones met on Feb. 13 at St. Paul.", None),
        ("It rose 2.5 percent. Then fell.", ["It rose 2.5 percent.", "Then fell."]),
        (
            "J. Smith said so. U.S. President Trump agreed.",
            ["J. Smith said so.", "U.S. President Trump agreed."],
        ),
        ("He lives in the U.S. The rest stay.", ["He lives in the U.S.", "The rest stay."]),
        ('He said "go." She went.', ['He said "go."', "She went."]),
        ('He said. "Quote" follows.', ["He said.", '"Quote" follows.']),
        ("Number No. 10 won. 2024 was fine.", ["Number No. 10 won.", "2024 was fine."]),
        ("line one\nline two", ["line one", "line two"]),
        ("e.g. this stays", ["e.g. this stays"]),
        ("Wait... What?", ["Wait...", "What?"]),
    ],
)
def test_sentences(text: str, expected: list[str] | None) -> None:
    assert _sentences(text) == (expected if expected is not None else [text])


def test_sentences_seed_keeps_us_and_st() -> None:
    for prefix in ("000", "002", "004"):
        text = normalize(_seed(prefix)).text
        found = _sentences(text)
        assert not any(s in ("U.S.", "St.", "Feb.") for s in found)
        assert not any(s.endswith((" U.S.", " St.", " Feb.")) for s in found)
    text = normalize(_seed("000")).text
    assert "U.S. Pushes NATO Allies to Bolster Defense Capabilities" in _sentences(text)


@settings(max_examples=300)
@given(_TEXTS)
def test_sentences_partition_non_space(raw: str) -> None:
    text = normalize(raw).text
    spans = sentences(text)
    covered = np.zeros(len(text), dtype=int)
    prev_end = 0
    for a, b in spans:
        assert prev_end <= a < b <= len(text)
        assert not text[a].isspace() and not text[b - 1].isspace()
        covered[a:b] += 1
        prev_end = b
    for i, ch in enumerate(text):
        assert covered[i] == (0 if ch.isspace() else 1) or (covered[i] == 1 and ch == " ")


def test_char_before_skips_spaces_and_stops_at_the_start() -> None:
    from syndicate.normalize import char_before

    assert char_before("Done.  \n Next", 9) == "."
    assert char_before("  Next", 2) == ""
    assert char_before("a b", 2) == "a"


@settings(max_examples=200)
@given(st.lists(st.integers(min_value=0, max_value=3), max_size=40))
def test_offset_map_equals_the_full_array(steps: list[int]) -> None:
    full = np.cumsum([0, *steps])  # any non-decreasing offsets
    m = OffsetMap.of(full)
    assert m.tolist() == full.tolist()
    assert len(m) == len(full)
    assert m.take(np.arange(len(full))[::-1]).tolist() == full[::-1].tolist()
    if len(full):
        assert m[-1] == full[-1]
    with pytest.raises(IndexError):
        m[len(full)]
