"""Clusters over reuse relations that do not chain.

Two reuse pairs that share a document join one cluster only if their passages in
that document overlap: A sharing one paragraph with B and B sharing another
paragraph with C gives two clusters, {A, B} and {B, C}, each explained by the
content its members share. Whole-document relations (near duplicates,
containment, rewrites) cover most of each document, so copies of one story
join naturally. ``same_story`` pairs never link documents.

Two ``partial_reuse`` links do not chain through their shared document unless
their other ends are linked too (a triangle): on a one-event scrape, A and B
sharing a stock fact sentence and B and C sharing it in another wording linked
23 independent pages into one cluster (``tests/test_chaining.py``). A lifted
passage that several pages carry links each of them to the others directly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .align import merge_spans
from .config import ClusterConfig


@dataclass(frozen=True, slots=True)
class Link:
    """A reuse pair with its passage spans in each document (normalised coordinates)."""

    a: int
    b: int
    spans_a: tuple[tuple[int, int], ...]
    spans_b: tuple[tuple[int, int], ...]
    whole: bool = False  # a whole-story relation (``WHOLE_STORY``), not a lifted passage


WHOLE_STORY = ("near_duplicate", "containment", "paraphrase")


def link(a: int, b: int, relation: str, passages: Sequence[Any]) -> Link:
    """The link of a reuse pair: its passage spans, or for whole-story relations their hull."""
    sa = [(p.a_start, p.a_end) for p in passages]
    sb = [(p.b_start, p.b_end) for p in passages]
    if relation in WHOLE_STORY and sa:
        sa = [(min(s for s, _ in sa), max(e for _, e in sa))]
        sb = [(min(s for s, _ in sb), max(e for _, e in sb))]
    return Link(a, b, tuple(sa), tuple(sb), relation in WHOLE_STORY)


def _union_length(spans: Sequence[tuple[int, int]]) -> int:
    return sum(e - s for s, e in merge_spans(spans))


def _overlap(x: Sequence[tuple[int, int]], y: Sequence[tuple[int, int]]) -> float:
    """Overlap of two span sets as a share of the smaller one."""
    size_x, size_y = _union_length(x), _union_length(y)
    if size_x <= 0 or size_y <= 0:
        return 0.0
    inter = 0
    for s1, e1 in x:
        for s2, e2 in y:
            inter += max(0, min(e1, e2) - max(s1, s2))
    return inter / min(size_x, size_y)


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, x: int, y: int) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx != ry:
            self.parent[max(rx, ry)] = min(rx, ry)


def clusters(links: Sequence[Link], config: ClusterConfig) -> list[tuple[int, ...]]:
    """Groups of documents, each a sorted tuple; sorted by their first member.

    Links (edges) are unioned when they share a document and their spans in it
    overlap by at least ``min_overlap`` and, unless one of them is a whole-story
    relation, their other two documents are linked too; a cluster is the documents
    of a group of links.
    """
    uf = _UnionFind(len(links))
    linked = {(min(k.a, k.b), max(k.a, k.b)) for k in links}
    by_doc: dict[int, list[tuple[int, int, tuple[tuple[int, int], ...]]]] = defaultdict(list)
    for k, link in enumerate(links):
        by_doc[link.a].append((k, link.b, link.spans_a))
        by_doc[link.b].append((k, link.a, link.spans_b))
    for items in by_doc.values():
        for x in range(len(items)):
            for y in range(x + 1, len(items)):
                kx, ox, sx = items[x]
                ky, oy, sy = items[y]
                if uf.find(kx) == uf.find(ky) or _overlap(sx, sy) < config.min_overlap:
                    continue
                if links[kx].whole or links[ky].whole or (min(ox, oy), max(ox, oy)) in linked:
                    uf.union(kx, ky)
    groups: dict[int, set[int]] = defaultdict(set)
    for k, link in enumerate(links):
        groups[uf.find(k)].update((link.a, link.b))
    out = sorted({tuple(sorted(g)) for g in groups.values()})
    return out
