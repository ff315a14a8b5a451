"""Direction of copying, the derivation tree of each cluster, and its original source.

For every reuse pair in a cluster, evidence that one document was copied from the
other is gathered piece by piece (each recorded in words an editor understands)
and summed into one score; the probability of the direction is a logistic of it.
Pieces, with their weights (positive means ``u`` is the source of ``v``):

- publication dates: the earlier one is the source, weighted by how reliable the
  date's origin is (record or sidecar metadata > HTML metadata);
- credit and attribution: ``v`` credits ``u``'s publisher ("according to Euronews",
  "(AP)", "appeared first on", "Reuters contributed") -> strong; a document with
  its own byline or publisher credit block is more likely the original -> weak;
- syndication markers: aggregator chrome and truncation ("Sign up to read this
  article") mark the copy of a verbatim pair;
- coverage asymmetry: a trimmed copy is contained in its source;
- detail loss: within the aligned passages, a copy keeps a subset of its source's
  names, numbers and quotes (and rounds numbers);
- layout of the unmatched text: a bottom-truncated copy matches a prefix of its
  source (the source's extra text is its tail); a copy with local additions has
  its extra text inside the story or as a new lede;
- error accumulation: where near-verbatim passages differ, the side whose
  changed words are rare in the corpus (typos) or whose numbers are rounded is
  the copy;
- witnesses: text one side has and the other lacks is old (the other side cut
  it) when other members of the cluster carry it, new (this side added it) when
  none does;
- centrality: copies diverge from their source independently, so the source is
  the more central member of the cluster (higher mean closeness to the others).

The tree is the maximum spanning arborescence (Edmonds: our own for clear-cut
cases, networkx where weights tie) over edges
weighted ``log P(direction) + W_NEAR x closeness`` (closeness: the larger of shingle
Jaccard and TF-IDF cosine, so a copy hangs from its closest relative, not a
grandparent), with a virtual root.
The original is the root; its confidence compares the best tree for each
possible root, and the runner-up is named when the choice is close.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from .config import LineageConfig
from .normalize import char_before
from .shingle import words

DATE_RELIABILITY = {"record": 1.0, "sidecar": 1.0, "html_meta": 0.7, "html_text": 0.4}
W_DATE = 4.0
W_CREDIT = 2.5
W_BYLINE = 0.6
W_MARKER = 1.0
W_COVERAGE = 2.0
W_DETAIL = 1.2
W_CUT = 1.0  # "the copy cut it": right on 54% of true edges at 1k (half W_LAYOUT; additions read as cuts)
W_CENTRAL = 10.0
W_LAYOUT = 2.0
FIT_STORY = 0.6  # unshared text fitting at least 60% as well as the shared text fits itself
W_EDIT = 1.5
VIRTUAL_ROOT = -1
_ROOT_WEIGHT = 1e-3
_TIE_MARGIN = 1e-9  # edge weights this close count as tied (see _branching)

_CREDIT_PATTERNS = (
    re.compile(r"according to (?:the )?([A-Z][\w.&]+(?: [A-Z][\w.&]+){0,3})"),
    re.compile(r"\((AP|AFP|Reuters|Bloomberg|dpa|PA|ANSA|EFE|Xinhua)\)"),
    re.compile(r"(?:appeared|was published) (?:first|originally) (?:on|in|by) ([A-Z][\w.&]+(?: [A-Z][\w.&]+){0,3})"),
    re.compile(r"([A-Z][\w.&]+(?: [A-Z][\w.&]+){0,3}) contributed to this report"),
    re.compile(r"\((?:Additional )?[Rr]eporting by (?:the )?([A-Z][\w.&]+(?: [A-Z][\w.&]+){0,3})"),
    re.compile(r"(?:^|\n)\s*(?:Source|Via|Originally published (?:by|in|on))\s*:?\s+([A-Z][\w.&]+(?: [A-Z][\w.&]+){0,3})"),
)
_BYLINE = re.compile(r"^(?:By|BY)\s+([A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){1,3})\s*$")
_NAME_LINE = re.compile(r"^[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){1,2}$")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*%?")
_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")
_SENTENCE_END = ("", ".", "!", "?", ":", '"', "'")
_MARKER_RULES = ("pattern:aggregator_prompt", "pattern:paywall", "pattern:sign_in", "pattern:app_prompt", "pattern:syndication")
# News agencies write the stories others republish.
_AGENCY = re.compile(
    r"\b(wire|press agency|news agency|news service|agence|associated press|reuters|afp|dpa|ansa|efe|xinhua|bloomberg|pa media)\b",
    re.IGNORECASE,
)
W_AGENCY = 1.0


@dataclass(frozen=True, slots=True)
class Credit:
    """Who a document credits: a publisher block and byline at its top, outlets it cites."""

    publisher: str | None = None
    byline: str | None = None
    cites: tuple[str, ...] = ()


@dataclass(slots=True)
class Direction:
    """Evidence that ``u`` is the source of ``v`` (score > 0) or the reverse (< 0)."""

    u: int
    v: int
    score: float = 0.0
    evidence: list[tuple[float, str]] = field(default_factory=list)

    def add(self, weight: float, text: str) -> None:
        if weight != 0.0:
            self.score += weight
            self.evidence.append((weight, text))

    @property
    def p_forward(self) -> float:
        return 1.0 / (1.0 + math.exp(-self.score))


def credits(text: str) -> Credit:
    """Publisher/byline block at the top of a document and the outlets it credits."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()][:15]
    publisher = byline = None
    for k, line in enumerate(lines):
        m = _BYLINE.match(line)
        if m and byline is None:
            byline = m.group(1)
        # "Euronews / Euronews / Shona Murray": a logo's alt text and name, then a byline.
        if k + 1 < len(lines) and line == lines[k + 1] and len(line.split()) <= 3 and publisher is None:
            publisher = line
            if k + 2 < len(lines) and _NAME_LINE.match(lines[k + 2]) and byline is None:
                byline = lines[k + 2]
    cites: set[str] = set()
    for rx in _CREDIT_PATTERNS:
        for m in rx.finditer(text):
            name = m.group(1).strip()
            if name.split()[0] not in ("The", "A", "An", "US", "U.S", "NATO"):
                cites.add(name)
    return Credit(publisher, byline, tuple(sorted(cites)))


def parse_date(value: str | None) -> datetime | None:
    """An ISO 8601 date or datetime as naive UTC, or None when absent or unreadable."""
    if not value:
        return None
    try:
        d = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if d.tzinfo is not None:
        d = d.astimezone(UTC).replace(tzinfo=None)
    return d


@lru_cache(maxsize=4096)
def details(text: str) -> frozenset[str]:
    """Specific details of a text: numbers and capitalised names (not sentence-initial).

    A capitalised function word ("It", "The", "Both") is no name, wherever it
    stands: measured on the benchmark, reworded copies that start a clause with one
    were read as adding detail. Cached: a cluster's passages recur across its pairs
    (at 1k, 35,764 calls for 7,928 distinct texts).
    """
    names = set()
    for m in _NAME.finditer(text):
        words = m.group().split()
        if char_before(text, m.start()) in _SENTENCE_END:
            words = words[1:]  # a sentence's first word, whatever the spacing before it
        while words and words[0].lower() in ENGLISH_STOP_WORDS:
            words = words[1:]
        if words:
            names.add(" ".join(words))
    return frozenset({m.group() for m in _NUMBER.finditer(text)} | names)


def _same_outlet(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    x, y = _squash(a), _squash(b)
    return bool(x and y) and (x == y or x in y or y in x)


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def direction(
    u: dict[str, Any], v: dict[str, Any], pair: dict[str, Any], use_dates: bool, token_df: Any = None
) -> Direction:
    """Evidence that document ``u`` is the source of ``v``.

    ``u``/``v`` are per-document facts (id, published, published_source, publisher,
    credit, markers, length); ``pair`` has the relation, scores and aligned passages
    oriented so that ``a_text`` is ``u``'s side.
    """
    d = Direction(u["index"], v["index"])
    if use_dates:
        _date_evidence(d, u, v)
    _credit_evidence(d, u, v)
    _marker_evidence(d, u, v, pair["relation"])
    _agency_evidence(d, u, v)
    _layout_evidence(d, pair, u["id"], v["id"])
    _detail_evidence(d, pair, u["id"], v["id"])
    if token_df is not None:
        _edit_evidence(d, pair, u["id"], v["id"], token_df)
    return d


def _date_evidence(d: Direction, u: dict[str, Any], v: dict[str, Any]) -> None:
    du, dv = parse_date(u["published"]), parse_date(v["published"])
    if du is None or dv is None or du == dv:
        return
    rel = min(DATE_RELIABILITY.get(u["published_source"] or "", 0.5), DATE_RELIABILITY.get(v["published_source"] or "", 0.5))
    earlier, later = (u, v) if du < dv else (v, u)
    sign = 1.0 if du < dv else -1.0
    d.add(sign * W_DATE * rel, f"{earlier['id']} was published earlier ({earlier['published']} vs {later['published']})")


def _credits_others(doc: dict[str, Any]) -> list[str]:
    """Outlets a document credits, other than its own publisher (a wire's own sign-off is no credit)."""
    own = (doc["publisher"], doc["credit"].publisher)
    return [c for c in doc["credit"].cites if not any(_same_outlet(c, o) for o in own)]


def _credit_evidence(d: Direction, u: dict[str, Any], v: dict[str, Any]) -> None:
    for src, dst, sign in ((u, v, 1.0), (v, u, -1.0)):
        names = {src["publisher"], src["credit"].publisher}
        cited_by_dst = _credits_others(dst)
        for cited in cited_by_dst:
            if any(_same_outlet(cited, n) for n in names):
                d.add(sign * W_CREDIT, f"{dst['id']} credits {cited}, the publisher of {src['id']}")
                break
        else:
            if cited_by_dst and not _credits_others(src):
                d.add(sign * W_BYLINE, f"{dst['id']} attributes its story to {', '.join(cited_by_dst)}")
    has_u = bool(u["credit"].byline or u["credit"].publisher)
    has_v = bool(v["credit"].byline or v["credit"].publisher)
    if has_u != has_v:
        src, dst, sign = (u, v, 1.0) if has_u else (v, u, -1.0)
        who = " / ".join(x for x in (src["credit"].publisher, src["credit"].byline) if x)
        d.add(sign * W_BYLINE, f"{src['id']} carries the original credit ({who}); {dst['id']} carries none")


def _agency_evidence(d: Direction, u: dict[str, Any], v: dict[str, Any]) -> None:
    au = bool(u["publisher"] and _AGENCY.search(u["publisher"]))
    av = bool(v["publisher"] and _AGENCY.search(v["publisher"]))
    if au != av:
        src, sign = (u, 1.0) if au else (v, -1.0)
        d.add(sign * W_AGENCY, f"{src['id']} is from a news agency ({src['publisher']}), whose stories others republish")


def _marker_evidence(d: Direction, u: dict[str, Any], v: dict[str, Any], relation: str) -> None:
    weight = W_MARKER if relation in ("near_duplicate", "containment") else 0.15 * W_MARKER
    mu, mv = u["markers"], v["markers"]
    if mu and not mv:
        d.add(-weight, f"{u['id']} has syndication markers ({', '.join(mu)})")
    elif mv and not mu:
        d.add(weight, f"{v['id']} has syndication markers ({', '.join(mv)})")


def _layout_evidence(d: Direction, pair: dict[str, Any], uid: str, vid: str) -> None:
    s = pair["scores"]
    if pair["relation"] not in ("containment", "near_duplicate", "partial_reuse") or not pair["passages"]:
        return
    extra_u = s["unmatched_head_a"] + s["unmatched_interior_a"] + s["unmatched_tail_a"]
    extra_v = s["unmatched_head_b"] + s["unmatched_interior_b"] + s["unmatched_tail_b"]
    if abs(extra_u - extra_v) < 0.05:
        return
    big, side, sign = (uid, "a", 1.0) if extra_u > extra_v else (vid, "b", -1.0)
    other = vid if big == uid else uid
    tail = s[f"unmatched_tail_{side}"]
    inner = s[f"unmatched_head_{side}"] + s[f"unmatched_interior_{side}"]
    fit = s.get(f"unmatched_fit_{side}", -1.0)
    if tail > inner:
        d.add(sign * W_LAYOUT * min(1.0, 2 * (tail - inner)), f"{other} matches the start of {big} and stops: a bottom-truncated copy of it")
    elif inner > tail and fit >= 0.0:
        # Cuts and insertions look alike in layout; what the extra text is tells them
        # apart: story material the copy cut fits the shared text, added material less.
        amount = min(1.0, 2 * (inner - tail))
        if fit >= FIT_STORY:
            d.add(sign * W_CUT * amount, f"{big} has story text that {other} lacks (it fits the shared text: {fit:.0%} of the story's own coherence): {other} cut it")
        else:
            d.add(-sign * W_LAYOUT * amount, f"{big} has text that {other} lacks and that does not fit the shared story ({fit:.0%} of its coherence): local additions to {other}")


def _edit_evidence(d: Direction, pair: dict[str, Any], uid: str, vid: str, token_df: Any) -> None:
    """Copies accumulate errors: rarer changed words and rounded numbers mark the copy."""
    rare_u = rare_v = precise_u = precise_v = 0
    for p in pair["passages"]:
        if p["kind"] != "near_verbatim":
            continue
        ta = words(p["a_text"])
        tb = words(p["b_text"])
        only_a, only_b = set(ta) - set(tb), set(tb) - set(ta)
        rare_u += sum(1 for t in only_a if not t.isdigit() and token_df(t) <= 2)
        rare_v += sum(1 for t in only_b if not t.isdigit() and token_df(t) <= 2)
        digits_a = sum(len(t) for t in only_a if t.isdigit())
        digits_b = sum(len(t) for t in only_b if t.isdigit())
        precise_u += digits_a > digits_b
        precise_v += digits_b > digits_a
    if rare_u != rare_v:
        copy, src = (uid, vid) if rare_u > rare_v else (vid, uid)
        d.add(W_EDIT * (rare_v - rare_u) / (rare_u + rare_v + 1), f"{copy} has rare word variants (likely typos) where {src} has common words")
    if precise_u != precise_v:
        src, copy = (uid, vid) if precise_u > precise_v else (vid, uid)
        d.add(W_EDIT * (precise_u - precise_v) / (precise_u + precise_v + 1), f"{src} has more precise numbers where {copy} has rounded ones")


def _detail_evidence(d: Direction, pair: dict[str, Any], uid: str, vid: str) -> None:
    lost_b = lost_a = 0
    for p in pair["passages"]:
        da, db = details(p["a_text"]), details(p["b_text"])
        lost_b += len(da - db)
        lost_a += len(db - da)
    total = lost_a + lost_b
    if total >= 2:
        w = W_DETAIL * (lost_b - lost_a) / (total + 2)
        richer, poorer = (uid, vid) if w > 0 else (vid, uid)
        d.add(w, f"in the shared passages {richer} has names/numbers that {poorer} lacks ({max(lost_a, lost_b)} vs {min(lost_a, lost_b)}): copies lose detail")


W_WITNESS = 2.0
# As for layout: in a paraphrase most of each side is "unshared", so it says nothing.
WITNESS_RELATIONS = ("containment", "near_duplicate", "partial_reuse")
MIN_EXTRA = 0.02  # unshared text below 2% of a document is noise of the alignment


@cache
def _space_codes() -> npt.NDArray[np.uint32]:
    """Every code point ``str.isspace()`` accepts (29 in Unicode 15), to test whole texts at once."""
    return np.asarray([c for c in range(0x110000) if chr(c).isspace()], dtype=np.uint32)


def story_mask(doc: Any) -> npt.NDArray[np.bool_]:
    """Characters of the original text that belong to the story (not space, not chrome)."""
    content = doc.content
    # Vectorised over code points (a per-character generator was the slow part here).
    keep = ~np.isin(np.frombuffer(content.encode("utf-32-le"), dtype=np.uint32), _space_codes())
    mask = np.zeros(len(doc.article.text), dtype=bool)
    mask[doc.offsets.take(np.flatnonzero(keep))] = True
    return mask


@dataclass(frozen=True, slots=True)
class Coverage:
    """Which story characters of each member the other members share (original offsets).

    ``shared[x][y]`` marks x's story characters inside a passage x shares with y;
    ``count[x]`` counts, per character of x, how many members share it.
    """

    story: dict[int, npt.NDArray[np.bool_]]
    shared: dict[int, dict[int, npt.NDArray[np.bool_]]]
    count: dict[int, npt.NDArray[np.int32]]


def coverage(group: Sequence[int], docs: Sequence[Any], pairs: dict[tuple[int, int], dict[str, Any]]) -> Coverage:
    """Per member, the story characters each related member shares (from the pairs' passages)."""
    story = {i: story_mask(docs[i]) for i in group}
    shared: dict[int, dict[int, npt.NDArray[np.bool_]]] = {i: {} for i in group}
    for (a, b), pair in pairs.items():
        ma, mb = np.zeros_like(story[a]), np.zeros_like(story[b])
        for p in pair["passages"]:
            ma[p["a_start"] : p["a_end"]] = True
            mb[p["b_start"] : p["b_end"]] = True
        shared[a][b] = ma & story[a]
        shared[b][a] = mb & story[b]
    count: dict[int, npt.NDArray[np.int32]] = {}
    for i in group:
        count[i] = np.zeros(len(story[i]), dtype=np.int32)
        for m in shared[i].values():
            count[i] += m
    return Coverage(story, shared, count)


def _witness_evidence(d: Direction, relation: str, cov: Coverage, ids: dict[int, str]) -> None:
    """Text one side has and the other lacks is old if other members carry it, new if none does.

    A copy that cut text from its source leaves that text in the source's other
    copies; text a copy added appears only in that copy (and its own copies).
    Measured on the 1k benchmark's true edges: the source's unshared text is
    carried by a third member for 85-89% of its characters (cuts, excerpts,
    reordering drops), a copy's added text for 28%.
    """
    if len(cov.story) < 3 or relation not in WITNESS_RELATIONS:
        return
    for x, y, sign in ((d.u, d.v, 1.0), (d.v, d.u, -1.0)):
        story = cov.story[x]
        total = int(story.sum())
        with_y = cov.shared[x].get(y, np.zeros_like(story))
        extra = story & ~with_y
        n_extra = int(extra.sum())
        if total == 0 or n_extra < MIN_EXTRA * total:
            continue
        others = cov.count[x] - with_y > 0
        carried = int((extra & others).sum()) / n_extra
        share = n_extra / total
        w = sign * W_WITNESS * share * (2.0 * carried - 1.0)
        if carried >= 0.5:
            d.add(w, f"{ids[x]} has text that {ids[y]} lacks ({share:.0%} of it) and other copies carry {carried:.0%} of that text: it is older than {ids[y]}, which dropped it")
        else:
            d.add(w, f"{ids[x]} has text that {ids[y]} lacks ({share:.0%} of it) and no other copy carries {1 - carried:.0%} of that text: {ids[x]} added it")


def _facts(doc: Any, markers: Sequence[str]) -> dict[str, Any]:
    art = doc.article
    return {
        "index": doc.index,
        "id": art.id,
        "published": art.published,
        "published_source": art.published_source,
        "publisher": art.publisher,
        "credit": credits(art.text),
        "markers": tuple(markers),
        "length": len(doc.content),
    }


W_RECENCY = 0.05


def _recency(src: dict[str, Any], dst: dict[str, Any], use_dates: bool) -> float:
    """Tie-breaker: among equally close earlier versions, the most recent is the likely source."""
    if not use_dates:
        return 0.0
    ds, dd = parse_date(src["published"]), parse_date(dst["published"])
    if ds is None or dd is None or ds >= dd:
        return 0.0
    days = (dd - ds).total_seconds() / 86400.0
    return W_RECENCY / (1.0 + days)


def closeness(pair: dict[str, Any]) -> float:
    """How close two related documents are: the larger of shingle Jaccard and TF-IDF cosine."""
    s = pair["scores"]
    return float(max(s["jaccard"], s["tfidf_cosine"], 1e-6))


# The tree's edge weight answers two questions at once: is x earlier than y (the
# direction evidence, p) and is x y's *immediate* source rather than a more distant
# ancestor (closeness: copies diverge, so the parent is the closest earlier version).
# As a log-likelihood, log p + W_NEAR * closeness: an ancestor with more direction
# evidence no longer beats the closer parent (near * p let it). 32 rather than 16:
# without dates the text evidence is over-confident, and letting closeness rule the
# tree's shape more raised every regime (1k withheld 0.748/0.675 -> 0.759/0.681).
W_NEAR = 32.0
EDGE_SHIFT = 20.0  # keeps every real edge above the virtual root's


def _edge_weight(near: float, p: float) -> float:
    return EDGE_SHIFT + math.log(max(p, 1e-6)) + W_NEAR * near


def centrality(group: Sequence[int], pairs: dict[tuple[int, int], dict[str, Any]]) -> dict[int, float]:
    """Mean closeness of each member to the other members (0 for pairs not related)."""
    total = dict.fromkeys(group, 0.0)
    for (a, b), pair in pairs.items():
        c = closeness(pair)
        total[a] += c
        total[b] += c
    n = max(1, len(group) - 1)
    return {m: t / n for m, t in total.items()}


def _branching(nodes: set[int], edges: dict[tuple[int, int], float], root: int) -> set[tuple[int, int]] | None:
    """Chu-Liu/Edmonds maximum spanning arborescence from ``root``, when it is clear-cut.

    Returns the tree's edges, or ``None`` when a choice is within ``_TIE_MARGIN`` of
    another (networkx then decides, by its edge order) or no tree spans the nodes.
    Without near ties every step's choice is forced, so the tree is the one networkx
    finds; a property test compares the two on random graphs. Written here because
    networkx's implementation copies its multigraph at every step: it was 44% of
    derivation at 1k documents (3.0 of 7.2 s) for clusters of a few members.
    """
    best: dict[int, tuple[float, int]] = {}
    runner: dict[int, float] = {}
    for (s, t), w in edges.items():
        if t == root or s == t:
            continue
        if t not in best:
            best[t] = (w, s)
            continue
        bw = best[t][0]
        runner[t] = max(runner.get(t, -math.inf), min(w, bw))
        if w > bw:
            best[t] = (w, s)
    if len(best) != len(nodes) - 1 or any(best[t][0] - r <= _TIE_MARGIN for t, r in runner.items()):
        return None
    parent = {t: s for t, (_, s) in best.items()}
    cycle = _find_cycle(parent, root)
    if not cycle:
        return {(s, t) for t, s in parent.items()}
    # Contract the cycle into one node; an edge entering it at t is worth what it adds
    # over t's cycle edge.
    inside = set(cycle)
    c = min(nodes) - 1
    merged: dict[tuple[int, int], tuple[float, tuple[int, int]]] = {}
    for (s, t), w in edges.items():
        if s in inside and t in inside:
            continue
        if t in inside:
            key, w = (s, c), w - best[t][0]
        elif s in inside:
            key = (c, t)
        else:
            key = (s, t)
        if key in merged:
            if abs(merged[key][0] - w) <= _TIE_MARGIN:
                return None
            if merged[key][0] >= w:
                continue
        merged[key] = (w, (s, t))
    sub = _branching((nodes - inside) | {c}, {k: w for k, (w, _) in merged.items()}, root)
    if sub is None:
        return None
    tree = {merged[e][1] for e in sub}
    entered = next(t for s, t in tree if t in inside)
    tree.update((parent[t], t) for t in cycle if t != entered)
    return tree


def _find_cycle(parent: dict[int, int], root: int) -> list[int]:
    """One cycle of a parent map (its nodes), or an empty list."""
    done: set[int] = {root}
    for start in sorted(parent):
        path: list[int] = []
        node = start
        while node not in done:
            if node in path:
                return path[path.index(node) :]
            path.append(node)
            node = parent[node]
        done.update(path)
    return []


def _tree(nodes: Sequence[int], weights: dict[tuple[int, int], float], root: int | None) -> tuple[float, list[tuple[int, int]]]:
    """Maximum spanning arborescence over the members with a virtual root: (weight, edges).

    With ``root`` given, only that member may hang from the virtual root. No tree:
    ``(-inf, [])``.
    """
    graph = {(VIRTUAL_ROOT, n): _ROOT_WEIGHT for n in nodes if root is None or n == root}
    graph.update({(s, t): w for (s, t), w in weights.items() if root is None or t != root})
    members = set(nodes)
    clear = None
    if all(s in members and t in members for s, t in weights):
        clear = _branching(members | {VIRTUAL_ROOT}, graph, VIRTUAL_ROOT)
    found = sorted(e for e in clear if e[0] != VIRTUAL_ROOT) if clear is not None else networkx_tree(graph)
    if found is None:
        return -math.inf, []
    return sum(weights[e] for e in found) + _ROOT_WEIGHT, found


def networkx_tree(graph: dict[tuple[int, int], float]) -> list[tuple[int, int]] | None:
    """networkx's maximum spanning arborescence of weighted edges from ``VIRTUAL_ROOT``:
    its edges between members (sorted), or ``None`` when there is none."""
    g = nx.DiGraph()
    g.add_node(VIRTUAL_ROOT)
    for (s, t), w in graph.items():
        g.add_edge(s, t, weight=w)
    try:
        arb = nx.maximum_spanning_arborescence(g, attr="weight", preserve_attrs=True)
    except nx.NetworkXException:
        return None
    return sorted((s, t) for s, t in arb.edges() if s != VIRTUAL_ROOT)


def cluster_directions(
    group: Sequence[int],
    docs: Sequence[Any],
    inside: dict[tuple[int, int], dict[str, Any]],
    facts: dict[int, dict[str, Any]],
    use_dates: bool,
    token_df: Any = None,
) -> dict[tuple[int, int], Direction]:
    """Direction evidence of every pair of a cluster: the pair's own, then what the other members say."""
    central = centrality(group, inside)
    cov = coverage(group, docs, inside)
    ids = {i: facts[i]["id"] for i in group}
    # A mean over few relatives is a noisy estimate: shrink its weight in small clusters.
    shrink = (len(group) - 2) / (len(group) + 2)
    directions: dict[tuple[int, int], Direction] = {}
    for (a, b), pair in inside.items():
        dr = direction(facts[a], facts[b], pair, use_dates, token_df)
        _witness_evidence(dr, pair["relation"], cov, ids)
        diff = central[a] - central[b]
        if abs(diff) > 1e-9:
            src, dst = (a, b) if diff > 0 else (b, a)
            dr.add(shrink * W_CENTRAL * diff, f"{ids[src]} is closer to the rest of the cluster than {ids[dst]} (copies diverge from their source)")
        directions[(a, b)] = dr
    return directions


def build_lineage(
    group: tuple[int, ...],
    docs: Sequence[Any],
    pairs: dict[tuple[int, int], dict[str, Any]],
    config: LineageConfig,
    token_df: Any = None,
    sentence_sim: Any = None,
) -> dict[str, Any]:
    """The derivation tree of one cluster, its original source and notes.

    Args:
        group: member document indexes.
        docs: all documents (``Document``), indexed by position.
        pairs: reuse pairs keyed by (a, b) index, each with relation, confidence, scores, passages.
        config: lineage settings.
        token_df: word -> number of documents of the corpus containing it (for typos).
        sentence_sim: (x, y) -> (sentence similarity matrix, usable-sentence mask of x,
            of y, sentence texts of x) from verification's cache; None disables the
            unseen-source check.
    """
    facts = {i: _facts(docs[i], sorted({s.rule.split(":", 1)[1] for s in docs[i].stripped if s.rule in _MARKER_RULES})) for i in group}
    members = set(group)
    inside = {k: p for k, p in pairs.items() if k[0] in members and k[1] in members}
    directions = cluster_directions(group, docs, inside, facts, config.use_dates, token_df)
    weights: dict[tuple[int, int], float] = {}
    for (a, b), pair in inside.items():
        p = directions[(a, b)].p_forward
        near = closeness(pair)
        weights[(a, b)] = _edge_weight(near, p) + _recency(facts[a], facts[b], config.use_dates)
        weights[(b, a)] = _edge_weight(near, 1.0 - p) + _recency(facts[b], facts[a], config.use_dates)
    _, best_edges = _tree(group, weights, None)
    roots = sorted(set(group) - {t for _, t in best_edges})
    if len(group) == 2:
        a, b = group
        root_scores = {a: weights.get((a, b), 0.0), b: weights.get((b, a), 0.0)}
    else:
        root_scores = {r: _tree(group, weights, r)[0] for r in _root_candidates(group, weights, roots)}
    ranked = sorted(root_scores.items(), key=lambda kv: (-kv[1], facts[kv[0]]["id"]))
    original = roots[0] if len(roots) == 1 else ranked[0][0]
    probs = _softmax([s for _, s in ranked], temperature=ROOT_TEMPERATURE)
    conf = dict(zip([r for r, _ in ranked], probs, strict=True))
    runner_up = next((r for r, _ in ranked if r != original), None)
    close = runner_up is not None and conf[original] - conf[runner_up] < config.close_margin
    edges = [_edge(s, t, directions, pairs, facts) for s, t in best_edges]
    credit = facts[original]["credit"]
    return {
        "original": facts[original]["id"],
        "original_confidence": conf[original],
        "original_credit": {"publisher": credit.publisher or facts[original]["publisher"], "byline": credit.byline, "cites": list(credit.cites)},
        "runner_up": facts[runner_up]["id"] if close and runner_up is not None else None,
        "close_call": close,
        "edges": sorted(edges, key=lambda e: (e["source"], e["derived"])),
        "unseen_sources": _unseen(best_edges, facts, sentence_sim) if sentence_sim else [],
    }


MAX_ROOT_CANDIDATES = 4
ROOT_TEMPERATURE = 1.0  # tree scores are log-likelihoods (log p + W_NEAR * closeness)


def _root_candidates(group: Sequence[int], weights: dict[tuple[int, int], float], roots: Sequence[int]) -> list[int]:
    """The best tree's root(s) plus the members that look most like sources.

    A member's source-ness is its outgoing minus incoming edge weight; scoring a
    forced tree for every member would cost one arborescence per member.
    """
    net = dict.fromkeys(group, 0.0)
    for (s, t), w in weights.items():
        net[s] += w
        net[t] -= w
    ranked = sorted(group, key=lambda m: (-net[m], m))
    out = list(dict.fromkeys([*roots, *ranked]))
    return out[: max(MAX_ROOT_CANDIDATES, len(roots))]


def _softmax(scores: Sequence[float], temperature: float) -> list[float]:
    finite = [s for s in scores if s != -math.inf]
    top = max(finite) if finite else 0.0
    ex = [math.exp((s - top) / temperature) if s != -math.inf else 0.0 for s in scores]
    total = sum(ex) or 1.0
    return [e / total for e in ex]


def _edge(s: int, t: int, directions: dict[tuple[int, int], Direction], pairs: dict[tuple[int, int], dict[str, Any]], facts: dict[int, dict[str, Any]]) -> dict[str, Any]:
    key = (min(s, t), max(s, t))
    dr = directions[key]
    forward = s == key[0]
    p = dr.p_forward if forward else 1.0 - dr.p_forward
    pair = pairs[key]
    ev = [f"{pair['relation'].replace('_', ' ')} (relation confidence {pair['confidence']:.2f})"]
    for w, text in sorted(dr.evidence, key=lambda e: -abs(e[0])):
        agrees = (w > 0) == forward
        ev.append(("supports: " if agrees else "against: ") + text)
    if len(ev) == 1:
        ev.append("no direction evidence: direction is a guess")
    return {"source": facts[s]["id"], "derived": facts[t]["id"], "relation": pair["relation"], "confidence": p * pair["confidence"], "evidence": ev}


def _unseen(
    edges: list[tuple[int, int]], facts: dict[int, dict[str, Any]], sentence_sim: Any
) -> list[dict[str, Any]]:
    """Siblings that share content their common parent lacks: a fuller, unseen version.

    A sentence of sibling x counts when its best match in sibling y is similar
    (TF-IDF cosine >= SIBLING_MIN_SIM) and better than its best match in the parent
    by SIBLING_MIN_MARGIN. Siblings are checked whether or not they are a reuse pair
    themselves: two rewrites of one story (seeds 000 and 001 of 002) need not
    re-use each other's wording.
    """
    children: dict[int, list[int]] = {}
    for s, t in edges:
        children.setdefault(s, []).append(t)
    out: list[dict[str, Any]] = []
    checks = 0
    for parent, kids in sorted(children.items()):
        kids = sorted(kids)
        for i, x in enumerate(kids):
            for y in kids[i + 1 :]:
                if checks >= MAX_SIBLING_CHECKS:
                    continue
                checks += 1
                found = _beyond_parent(x, y, parent, sentence_sim)
                if not found:
                    continue
                ids = sorted([facts[x]["id"], facts[y]["id"]])
                sample = '" / "'.join(" ".join(f.split())[:120] for f in found[:3])
                out.append(
                    {
                        "members": ids,
                        "reason": f"{ids[0]} and {ids[1]} share content that {facts[parent]['id']} lacks "
                        f"(\"{sample}\"): they may derive from a fuller version of {facts[parent]['id']}'s story",
                        "confidence": min(1.0, 0.4 + 0.15 * len(found)),
                    }
                )
    return out


MAX_SIBLING_CHECKS = 20
# Same scale as verification's sentence alignment (TF-IDF cosine of stems and bigrams).
SIBLING_MIN_SIM = 0.2
SIBLING_MIN_MARGIN = 0.12


def _beyond_parent(x: int, y: int, parent: int, sentence_sim: Any) -> list[str]:
    """Sentences of x matched in y but not in the parent, best margin first (quotes, short ones excluded)."""
    sim_y, ok_x, ok_y, texts_x = sentence_sim(x, y)
    sim_p, _, ok_p, _ = sentence_sim(x, parent)
    if sim_y.size == 0:
        return []
    best_y = np.where(ok_y[None, :], sim_y, 0.0).max(axis=1)
    best_p = np.where(ok_p[None, :], sim_p, 0.0).max(axis=1) if sim_p.size else np.zeros(len(texts_x))
    margin = best_y - best_p
    chosen = np.flatnonzero(ok_x & (best_y >= SIBLING_MIN_SIM) & (margin >= SIBLING_MIN_MARGIN))
    order = sorted(chosen.tolist(), key=lambda k: (-margin[k], k))
    return [texts_x[k] for k in order]
