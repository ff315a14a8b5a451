from __future__ import annotations

from syndicate.cluster import Link, clusters
from syndicate.config import ClusterConfig


def test_different_paragraphs_do_not_chain() -> None:
    links = [Link(0, 1, ((0, 100),), ((0, 100),)), Link(1, 2, ((500, 600),), ((0, 100),))]
    assert clusters(links, ClusterConfig()) == [(0, 1), (1, 2)]


def test_same_passage_joins_when_the_third_pair_is_linked_too() -> None:
    a_b = Link(0, 1, ((0, 100),), ((0, 100),))
    b_c = Link(1, 2, ((20, 110),), ((0, 90),))
    a_c = Link(0, 2, ((20, 100),), ((0, 80),))
    assert clusters([a_b, b_c, a_c], ClusterConfig()) == [(0, 1, 2)]


def test_lifted_passages_do_not_chain_without_a_triangle() -> None:
    # A and C share a passage with B, in overlapping places, but not with each other:
    # on a one-event scrape this is a stock fact sentence in two wordings.
    links = [Link(0, 1, ((0, 100),), ((0, 100),)), Link(1, 2, ((20, 110),), ((0, 90),))]
    assert clusters(links, ClusterConfig()) == [(0, 1), (1, 2)]


def test_whole_story_links_chain_through_a_shared_document() -> None:
    # Two rewrites of one story (seeds 000 and 001 of 002) need not match each other.
    links = [Link(0, 1, ((0, 100),), ((0, 100),), whole=True), Link(1, 2, ((20, 110),), ((0, 90),))]
    assert clusters(links, ClusterConfig()) == [(0, 1, 2)]


def test_no_links_no_clusters() -> None:
    assert clusters([], ClusterConfig()) == []
