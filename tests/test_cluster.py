from __future__ import annotations

from syndicate.cluster import Link, clusters
from syndicate.config import ClusterConfig


def test_different_paragraphs_do_not_chain() -> None:
    links = [Link(0, 1, ((0, 100),), ((0, 100),)), Link(1, 2, ((500, 600),), ((0, 100),))]
    assert clusters(links, ClusterConfig()) == [(0, 1), (1, 2)]


def test_same_passage_joins() -> None:
    links = [Link(0, 1, ((0, 100),), ((0, 100),)), Link(1, 2, ((20, 110),), ((0, 90),))]
    assert clusters(links, ClusterConfig()) == [(0, 1, 2)]


def test_no_links_no_clusters() -> None:
    assert clusters([], ClusterConfig()) == []
