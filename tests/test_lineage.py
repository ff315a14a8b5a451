from __future__ import annotations

from syndicate.lineage import credits, direction, parse_date

SCORES = {
    "jaccard": 1.0, "tfidf_cosine": 1.0, "containment_a_in_b": 1.0, "containment_b_in_a": 1.0,
    "unmatched_head_a": 0.0, "unmatched_interior_a": 0.0, "unmatched_tail_a": 0.0,
    "unmatched_head_b": 0.0, "unmatched_interior_b": 0.0, "unmatched_tail_b": 0.0,
}


def _doc(index: int, publisher: str | None, text: str = "", published: str | None = None) -> dict:
    return {
        "index": index, "id": f"d{index}", "published": published, "published_source": "sidecar",
        "publisher": publisher, "credit": credits(text), "markers": (), "length": 100,
    }


def _pair() -> dict:
    return {"relation": "near_duplicate", "scores": SCORES, "passages": []}


def test_credits_block_and_citations() -> None:
    text = "Get all your news\nEuronews\nEuronews\nShona Murray\n\nStory text.\n(Reporting by the Meridian Wire desk)"
    c = credits(text)
    assert c.publisher == "Euronews"
    assert c.byline == "Shona Murray"
    assert any("Meridian" in x for x in c.cites)


def test_copy_crediting_the_source_outlet_points_to_it() -> None:
    src = _doc(0, "Meridian Wire")
    copy = _doc(1, "Daily Beacon", "Body.\n(Reporting by the Meridian Wire desk)")
    assert direction(src, copy, _pair(), use_dates=False).score > 0


def test_a_wire_signing_its_own_story_is_not_a_credit_to_another_outlet() -> None:
    wire = _doc(0, "Meridian Wire", "Body.\n(Reporting by the Meridian Wire desk)")
    other = _doc(1, "Daily Beacon", "Body.")
    d = direction(wire, other, _pair(), use_dates=False)
    assert not any("attributes its story" in text for _, text in d.evidence)


def test_earlier_date_is_the_source_and_dates_can_be_withheld() -> None:
    early = _doc(0, None, published="2025-03-13T08:00:00Z")
    late = _doc(1, None, published="2025-03-14")
    assert direction(early, late, _pair(), use_dates=True).score > 0
    assert direction(late, early, _pair(), use_dates=True).score < 0
    assert direction(early, late, _pair(), use_dates=False).score == 0
    assert parse_date("not a date") is None


def test_details_skip_function_words_and_sentence_starts_whatever_the_spacing() -> None:
    from syndicate.lineage import details

    got = details("pay for them, It also noted.  The purchase by Royex Corp in Toronto. Both said 2.5%")
    assert got == {"Royex Corp", "Toronto", "2.5%"}
