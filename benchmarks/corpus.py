"""Seeded, reproducible generator of syndication corpora with known derivation forests.

One call, :func:`generate`, writes a corpus folder::

    <out>/
      docs/                   the articles: ``<id>.txt`` (<= 20k docs) or ``shard-NNNNN.jsonl``
      metadata.jsonl          sidecar metadata (dates as published: regime ``given``)
      metadata.<regime>.jsonl one sidecar per date regime (given, partial, noisy, withheld)
      truth.json              documents, true parents, edit types, positive/weak pairs,
                              hard-negative pairs, visible derivation edges
      spans.jsonl             per document, character spans of every sentence and its origin
      manifest.json           parameters, seed, source counts, format; written last

The sidecars live outside ``docs/`` so a scan of ``docs/`` never reads them.

What is planted (every choice comes from one ``random.Random(seed)``):

- *families*: a root article (real base story, padded with synthetic narration to a
  news length of about 3 KB, or fully synthetic) and a derivation tree under it. Each
  child is one edit of its parent: ``verbatim`` (same text, another outlet's chrome),
  ``excerpt`` (bottom truncation), ``light_edit`` (typos, synonym swaps, rounded numbers,
  new headline/lede), ``drop_reorder`` (sentences dropped, paragraphs reordered),
  ``addition`` (local paragraphs added), ``rewrite`` (clause reordering, synonym and
  function-word changes, sentence split/fuse), and ``merge`` (two parents from two trees).
  Children of children make chains up to depth 4; some intermediates (and a few roots)
  are *hidden*: recorded in the truth, not written to ``docs/``.
- *hard negatives*: groups of independent articles on one synthetic event, sharing
  names, numbers and the same public quote sentences, each with its own narration.
- *singletons*: unrelated articles (distractors).
- *outlet chrome*: most outlets add header/footer lines to every article they publish,
  so boilerplate is shared across many unrelated articles.

Truth is tracked per sentence: every sentence carries the ids of the original
sentences it derives from. Two visible articles form a *positive* pair when the text
derived from shared original sentences (quotes and chrome excluded) is at least
:data:`MIN_SHARED_CHARS` characters or 30% of the shorter article; a pair sharing less
is *weak* (neither counted as a miss nor as a false positive).

Pair types: the child's edit type for a direct edge; ``hidden_intermediate`` when the
nearest visible ancestor is reached through a hidden article; ``chain`` for an
ancestor further up; ``sibling`` for articles that share an ancestor.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks import synth
from benchmarks.basetext import BaseStory, real_stories

GENERATOR_VERSION = 1
REGIMES = ("given", "partial", "noisy", "withheld")
EDIT_TYPES = (
    "verbatim",
    "excerpt",
    "light_edit",
    "drop_reorder",
    "addition",
    "rewrite",
    "merge",
)
PAIR_TYPES = (*EDIT_TYPES, "hidden_intermediate", "chain", "sibling")
EDIT_WEIGHTS = {
    "verbatim": 0.17,
    "excerpt": 0.16,
    "light_edit": 0.18,
    "drop_reorder": 0.13,
    "addition": 0.13,
    "rewrite": 0.15,
}
MIN_SHARED_CHARS = 200
TXT_MAX_DOCS = 20_000
SHARD_SIZE = 20_000

Origin = int | str  # int: original narration sentence; "q:..." quote, "c:..." chrome (public)


@dataclass(frozen=True, slots=True)
class Outlet:
    """A made-up publisher with its page chrome."""

    name: str
    domain: str
    header: tuple[str, ...]
    footer: tuple[str, ...]


OUTLETS = (
    Outlet("Meridian Wire", "meridianwire.example", (), ("(Reporting by the Meridian Wire desk)",)),
    Outlet("Continental Press Agency", "cpa-news.example", ("CPA NEWS SERVICE",), ()),
    Outlet(
        "The Harrowgate Courier",
        "harrowgatecourier.example",
        ("The Harrowgate Courier | News | Business | Sport | Opinion",),
        (
            "Sign up for the Courier morning briefing and get the day's top stories in your inbox.",
            "© The Harrowgate Courier. All rights reserved.",
        ),
    ),
    Outlet(
        "Daily Beacon",
        "dailybeacon.example",
        ("DAILY BEACON - Independent journalism since 1921",),
        ("Follow the Daily Beacon on social media for live updates.",),
    ),
    Outlet(
        "Northfield Gazette",
        "northfieldgazette.example",
        ("Northfield Gazette", "Home > News > Regional"),
        ("Have a story? Contact our newsroom at tips@northfieldgazette.example",),
    ),
    Outlet(
        "Eastvale Herald",
        "eastvaleherald.example",
        ("Eastvale Herald - Local news you can trust",),
        (
            "This article was syndicated from a partner news service.",
            "Copyright Eastvale Herald Media Group.",
        ),
    ),
    Outlet(
        "Business Ledger",
        "businessledger.example",
        ("BUSINESS LEDGER | Markets | Companies | Economy",),
        ("Subscribe to Business Ledger Premium for unlimited access to market analysis.",),
    ),
    Outlet(
        "The Pellham Post",
        "pellhampost.example",
        ("The Pellham Post",),
        ("Read more from The Pellham Post: news, sport and culture from around the region.",),
    ),
    Outlet(
        "Kestrel Point Times",
        "kestreltimes.example",
        ("KESTREL POINT TIMES",),
        ("Advertisement", "More stories from the Times newsroom appear on our website daily."),
    ),
    Outlet("Redcliffe Online", "redcliffe.example", (), ()),
    Outlet(
        "Glenhaven Chronicle",
        "glenhavenchronicle.example",
        ("Glenhaven Chronicle — Serving the valley",),
        ("Comments are closed on this article.",),
    ),
    Outlet(
        "Oakridge Daily",
        "oakridgedaily.example",
        (),
        ("Oakridge Daily staff contributed to this report.",),
    ),
)
WIRE_OUTLETS = (0, 1)


@dataclass(frozen=True, slots=True)
class Sent:
    """A sentence and the original sentences it derives from."""

    text: str
    origins: tuple[Origin, ...]
    mode: str  # "v" verbatim, "e" lightly edited, "p" paraphrased, "n" new


@dataclass(slots=True)
class Doc:
    """An article during generation."""

    id: str
    title: Sent
    paras: list[list[Sent]]
    outlet: int
    edit: str
    parents: list[str]
    family: int
    tree: str
    depth: int
    published: datetime
    source: str
    event: int | None = None
    hidden: bool = False
    children: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class GenConfig:
    """Parameters of :func:`generate` (all recorded in the manifest)."""

    size: int
    seed: int = 0
    use_real_text: bool = True
    p_singleton: float = 0.22
    p_event_group: float = 0.10
    p_merge: float = 0.12
    p_hide_intermediate: float = 0.15
    p_hide_root: float = 0.04
    mean_body_chars: int = 3000
    format: str = "auto"  # "txt", "jsonl" or "auto" (txt up to TXT_MAX_DOCS)


class _Ids:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.origin = 0

    def doc_id(self) -> str:
        while True:
            candidate = f"{self.rng.getrandbits(64):016x}"
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate

    def next_origin(self) -> int:
        self.origin += 1
        return self.origin


class _BasePool:
    """Real stories in a seeded order, each used at most once, then synthetic text."""

    def __init__(self, rng: random.Random, use_real: bool) -> None:
        self.rng = rng
        self.stories: list[BaseStory] = real_stories() if use_real else []
        rng.shuffle(self.stories)
        self.pos = 0
        self.counts: dict[str, int] = {"reuters": 0, "bbc": 0, "synthetic": 0}

    def next(self) -> BaseStory:
        if self.pos < len(self.stories):
            story = self.stories[self.pos]
            self.pos += 1
            self.counts[story.source.split(":", 1)[0]] += 1
            return story
        self.counts["synthetic"] += 1
        return BaseStory("synthetic", synth.headline(self.rng), (), None)


# ------------------------------------------------------------------------- edits


def _new(text: str, ids: _Ids) -> Sent:
    return Sent(text, (ids.next_origin(),), "n")


def _sentences(paras: list[list[Sent]]) -> list[Sent]:
    return [s for p in paras for s in p]


def _copy(paras: list[list[Sent]]) -> list[list[Sent]]:
    return [list(p) for p in paras]


def edit_excerpt(rng: random.Random, paras: list[list[Sent]]) -> list[list[Sent]]:
    """Bottom truncation: keep the first 30-70% of the sentences (whole paragraphs kept)."""
    total = len(_sentences(paras))
    keep = max(2, int(total * rng.uniform(0.3, 0.7)))
    out: list[list[Sent]] = []
    n = 0
    for p in paras:
        if n >= keep:
            break
        take = p[: keep - n]
        out.append(list(take))
        n += len(take)
    return out


def edit_light(
    rng: random.Random, title: Sent, paras: list[list[Sent]], ids: _Ids
) -> tuple[Sent, list[list[Sent]]]:
    """Typos, synonym swaps, rounded numbers; often a new headline and/or a new lede."""
    out: list[list[Sent]] = []
    for p in paras:
        q: list[Sent] = []
        for s in p:
            r = rng.random()
            if r < 0.08:
                text = synth.typo(s.text, rng, 1)
            elif r < 0.2:
                text = synth.swap_synonyms(s.text, rng, rate=0.6, limit=2)
            elif r < 0.3:
                text = synth.round_numbers(s.text, rng)
            else:
                text = s.text
            q.append(s if text == s.text else Sent(text, s.origins, "e"))
        out.append(q)
    if rng.random() < 0.6:
        title = _new(synth.headline(rng), ids)
    if rng.random() < 0.5:
        out.insert(0, [_new(synth.sentence(rng), ids)])
    return title, out


def edit_drop_reorder(rng: random.Random, paras: list[list[Sent]]) -> list[list[Sent]]:
    """Drop 15-35% of the sentences and reorder some paragraphs."""
    drop = rng.uniform(0.15, 0.35)
    out = [[s for s in p if rng.random() >= drop] for p in paras]
    out = [p for p in out if p] or [list(paras[0])]
    for _ in range(rng.randint(1, 2)):
        if len(out) > 2:
            i, j = rng.sample(range(1, len(out)), 2)
            out[i], out[j] = out[j], out[i]
    for p in out:
        if len(p) > 2 and rng.random() < 0.3:
            rng.shuffle(p)
    return out


def edit_addition(rng: random.Random, paras: list[list[Sent]], ids: _Ids) -> list[list[Sent]]:
    """Insert 1-3 local paragraphs of new sentences after the first paragraph."""
    out = _copy(paras)
    for _ in range(rng.randint(1, 3)):
        new = [_new(synth.sentence(rng), ids) for _ in range(rng.randint(1, 3))]
        out.insert(rng.randint(1, max(1, len(out))), new)
    return out


def edit_rewrite(
    rng: random.Random, title: Sent, paras: list[list[Sent]]
) -> tuple[Sent, list[list[Sent]]]:
    """Re-worded rewrite: clause reordering, synonyms, sentence splitting and fusing."""
    out: list[list[Sent]] = []
    for p in paras:
        q: list[Sent] = []
        for s in p:
            for part in synth.split_sentence(s.text) if rng.random() < 0.5 else [s.text]:
                q.append(Sent(synth.paraphrase(part, rng), s.origins, "p"))
        fused: list[Sent] = []
        for s in q:
            if (
                fused
                and len(fused[-1].text.split()) < 14
                and len(s.text.split()) < 14
                and rng.random() < 0.5
            ):
                prev = fused.pop()
                fused.append(
                    Sent(synth.fuse_sentences(prev.text, s.text), prev.origins + s.origins, "p")
                )
            else:
                fused.append(s)
        out.append(fused)
    new_title = Sent(synth.swap_synonyms(title.text, rng, rate=0.8), title.origins, "p")
    return new_title, out


def edit_merge(rng: random.Random, a: list[list[Sent]], b: list[list[Sent]]) -> list[list[Sent]]:
    """First 40-70% of ``a``'s paragraphs followed by the first 30-60% of ``b``'s."""
    ka = max(1, round(len(a) * rng.uniform(0.4, 0.7)))
    kb = max(1, round(len(b) * rng.uniform(0.3, 0.6)))
    return _copy(a[:ka]) + _copy(b[:kb])


# ------------------------------------------------------------------ text assembly


def render(doc: Doc) -> tuple[str, list[tuple[int, int, Origin, str]], int]:
    """The article's text, its sentence spans (start, end, origin, mode) and body length.

    Chrome lines carry origins ``"c:<outlet>:<k>"`` (public; not reuse evidence).
    """
    outlet = OUTLETS[doc.outlet]
    parts: list[str] = []
    spans: list[tuple[int, int, Origin, str]] = []
    pos = 0

    def put(text: str, origins: tuple[Origin, ...], mode: str) -> None:
        nonlocal pos
        for o in origins:
            spans.append((pos, pos + len(text), o, mode))
        parts.append(text)
        pos += len(text)

    def sep(s: str) -> None:
        nonlocal pos
        parts.append(s)
        pos += len(s)

    for k, line in enumerate(outlet.header):
        put(line, (f"c:{doc.outlet}:h{k}",), "v")
        sep("\n")
    if outlet.header:
        sep("\n")
    put(doc.title.text, doc.title.origins, doc.title.mode)
    sep("\n\n")
    body_start = pos
    for i, p in enumerate(doc.paras):
        if i:
            sep("\n\n")
        for j, s in enumerate(p):
            if j:
                sep(" ")
            put(s.text, s.origins, s.mode)
    body_len = pos - body_start
    sep("\n")
    for k, line in enumerate(outlet.footer):
        sep("\n")
        put(line, (f"c:{doc.outlet}:f{k}",), "v")
    if outlet.footer:
        sep("\n")
    return "".join(parts), spans, body_len


# ------------------------------------------------------------------- generation


class _Generator:
    def __init__(self, cfg: GenConfig) -> None:
        self.cfg = cfg
        self.rng = random.Random(cfg.seed)
        self.ids = _Ids(self.rng)
        self.pool = _BasePool(self.rng, cfg.use_real_text)
        self.family = 0
        self.event = 0

    # roots --------------------------------------------------------------
    def _root_paras(self, story: BaseStory) -> list[list[Sent]]:
        rng = self.rng
        target = int(min(5000, max(1800, rng.gauss(self.cfg.mean_body_chars, 600))))
        paras: list[list[Sent]] = []
        total = 0
        for p in story.paragraphs:
            if total >= 6000:
                break
            paras.append([_new(s, self.ids) for s in p])
            total += sum(len(s) + 1 for s in p) + 2
        if total < target:
            for extra in synth.paragraphs(rng, target - total):
                paras.append([_new(s, self.ids) for s in extra])
        return paras

    def _root_date(self, story: BaseStory) -> datetime:
        rng = self.rng
        if story.published is not None:
            return story.published
        if story.source.startswith("bbc"):
            start, days = datetime(2004, 1, 1), 700
        else:
            start, days = datetime(2015, 1, 1), 3600
        return start + timedelta(days=rng.randrange(days), seconds=rng.randrange(86_400))

    def _root(self, family: int, story: BaseStory | None = None) -> Doc:
        story = story or self.pool.next()
        doc_id = self.ids.doc_id()
        return Doc(
            id=doc_id,
            title=_new(story.title, self.ids),
            paras=self._root_paras(story),
            outlet=self.rng.choice(WIRE_OUTLETS)
            if self.rng.random() < 0.5
            else self.rng.randrange(len(OUTLETS)),
            edit="root",
            parents=[],
            family=family,
            tree=doc_id,
            depth=0,
            published=self._root_date(story),
            source=story.source,
        )

    # children -----------------------------------------------------------
    def _child(self, parent: Doc, edit: str, other: Doc | None = None) -> Doc:
        rng, ids = self.rng, self.ids
        title, paras = parent.title, _copy(parent.paras)
        if edit == "excerpt":
            paras = edit_excerpt(rng, paras)
        elif edit == "light_edit":
            title, paras = edit_light(rng, title, paras, ids)
        elif edit == "drop_reorder":
            paras = edit_drop_reorder(rng, paras)
        elif edit == "addition":
            paras = edit_addition(rng, paras, ids)
        elif edit == "rewrite":
            title, paras = edit_rewrite(rng, title, paras)
        elif edit == "merge" and other is not None:
            paras = edit_merge(rng, paras, other.paras)
            if rng.random() < 0.5:
                title = _new(synth.headline(rng), ids)
        outlet = rng.randrange(len(OUTLETS))
        if outlet == parent.outlet:
            outlet = (outlet + 1) % len(OUTLETS)
        latest = max(parent.published, other.published) if other else parent.published
        delay = timedelta(minutes=2 + rng.expovariate(1 / 480))
        doc = Doc(
            id=ids.doc_id(),
            title=title,
            paras=paras,
            outlet=outlet,
            edit=edit,
            parents=[parent.id] + ([other.id] if other else []),
            family=parent.family,
            tree=parent.tree,
            depth=max(parent.depth, other.depth if other else 0) + 1,
            published=latest + delay,
            source=parent.source,
            event=parent.event,
        )
        parent.children.append(doc.id)
        if other:
            other.children.append(doc.id)
        return doc

    def _grow(self, root: Doc, docs: list[Doc]) -> None:
        rng = self.rng
        frontier = [root]
        while frontier:
            parent = frontier.pop()
            if parent.depth >= 4:
                continue
            if parent.depth == 0:
                n = rng.choices((1, 2, 3, 4, 5), (0.3, 0.3, 0.2, 0.12, 0.08))[0]
            else:
                n = rng.choices((0, 1, 2), (0.6, 0.3, 0.1))[0]
            for _ in range(n):
                edit = rng.choices(list(EDIT_WEIGHTS), list(EDIT_WEIGHTS.values()))[0]
                child = self._child(parent, edit)
                docs.append(child)
                frontier.append(child)

    def _hide(self, docs: list[Doc]) -> None:
        rng = self.rng
        for d in docs:
            if d.edit != "root":
                d.hidden = bool(d.children) and rng.random() < self.cfg.p_hide_intermediate
            else:
                d.hidden = len(d.children) >= 2 and rng.random() < self.cfg.p_hide_root

    def family_docs(self) -> list[Doc]:
        """A root, its derivation tree, sometimes a second tree joined by a merge."""
        rng = self.rng
        self.family += 1
        root = self._root(self.family)
        docs = [root]
        self._grow(root, docs)
        if rng.random() < self.cfg.p_merge:
            other = self._root(self.family)
            tree_b = [other]
            if rng.random() < 0.5:
                tree_b.append(self._child(other, rng.choice(list(EDIT_WEIGHTS))))
            first = rng.choice(docs)
            docs.extend(tree_b)
            docs.append(self._child(first, "merge", rng.choice(tree_b)))
        self._hide(docs)
        return docs

    def singleton(self) -> list[Doc]:
        self.family += 1
        return [self._root(self.family)]

    def event_group(self) -> list[list[Doc]]:
        """3-5 independent articles on one event; some get their own copies.

        They share the event's names and numbers (each states them with its own
        wording) and the same public quote sentences, but no narration.
        """
        rng, ids = self.rng, self.ids
        self.event += 1
        ev = synth.slot_values(rng)
        when = datetime(2015, 1, 1) + timedelta(
            days=rng.randrange(3600), seconds=rng.randrange(86_400)
        )
        quotes = [
            Sent(t.format(**ev), (f"q:{self.event}:{k}",), "v")
            for k, t in enumerate(rng.sample(synth.QUOTE_TEMPLATES, rng.randint(1, 2)))
        ]
        k = rng.randint(3, 5)
        facts1 = rng.sample(synth.FACT_TEMPLATES, k)
        facts2 = rng.sample(synth.FACT2_TEMPLATES, k)
        heads = rng.sample(synth.HEADLINE_TEMPLATES, k)
        families: list[list[Doc]] = []
        for i in range(k):
            self.family += 1
            root = self._root(self.family)
            root.title = _new(heads[i].format(**ev), ids)
            root.paras.insert(
                0, [_new(facts1[i].format(**ev), ids), _new(facts2[i].format(**ev), ids)]
            )
            for q in quotes:
                root.paras.insert(rng.randint(1, len(root.paras)), [q])
            root.published = when + timedelta(minutes=rng.randrange(720))
            root.event = self.event
            docs = [root]
            if rng.random() < 0.4:
                self._grow(root, docs)
                self._hide(docs)
            families.append(docs)
        return families

    def units(self) -> Iterator[tuple[str, list[list[Doc]]]]:
        """Endless stream of (kind, families) units."""
        rng = self.rng
        while True:
            r = rng.random()
            if r < self.cfg.p_singleton:
                yield "singleton", [self.singleton()]
            elif r < self.cfg.p_singleton + self.cfg.p_event_group:
                yield "event", self.event_group()
            else:
                yield "family", [self.family_docs()]


# ------------------------------------------------------------------------ truth


def _visible_parents(doc: Doc, by_id: dict[str, Doc]) -> list[tuple[str, bool]]:
    """Nearest visible ancestors of ``doc`` and whether the path crosses a hidden doc."""
    out: list[tuple[str, bool]] = []
    stack = [(p, False) for p in doc.parents]
    seen: set[str] = set()
    while stack:
        pid, via = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        parent = by_id[pid]
        if parent.hidden:
            stack.extend((g, True) for g in parent.parents)
        else:
            out.append((pid, via))
    return sorted(out)


def _ancestors(doc: Doc, by_id: dict[str, Doc]) -> set[str]:
    out: set[str] = set()
    stack = list(doc.parents)
    while stack:
        pid = stack.pop()
        if pid not in out:
            out.add(pid)
            stack.extend(by_id[pid].parents)
    return out


def family_truth(
    docs: list[Doc], rendered: dict[str, tuple[str, list[tuple[int, int, Origin, str]], int]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Positive pairs, weak pairs and visible edges of one family (or merged families)."""
    by_id = {d.id: d for d in docs}
    visible = sorted(d.id for d in docs if not d.hidden)
    lengths: dict[str, dict[int, int]] = {}
    for did in visible:
        per: dict[int, int] = {}
        for s, e, o, _mode in rendered[did][1]:
            if isinstance(o, int):
                per[o] = per.get(o, 0) + (e - s)
        lengths[did] = per
    vparents = {did: _visible_parents(by_id[did], by_id) for did in visible}
    ancestors = {did: _ancestors(by_id[did], by_id) for did in visible}
    positives: list[dict[str, Any]] = []
    weak: list[dict[str, Any]] = []
    for i, a in enumerate(visible):
        for b in visible[i + 1 :]:
            shared = lengths[a].keys() & lengths[b].keys()
            if not shared:
                continue
            chars = min(sum(lengths[a][k] for k in shared), sum(lengths[b][k] for k in shared))
            shorter = min(rendered[a][2], rendered[b][2])
            pair_type = _pair_type(a, b, vparents, ancestors, by_id)
            rec = {"a": a, "b": b, "type": pair_type, "shared_chars": chars}
            if chars >= MIN_SHARED_CHARS or chars >= 0.3 * shorter:
                positives.append(rec)
            else:
                weak.append(rec)
    edges = [
        {
            "source": p,
            "derived": did,
            "edit": by_id[did].edit,
            "via_hidden": via,
        }
        for did in visible
        for p, via in vparents[did]
    ]
    return positives, weak, edges


def _pair_type(
    a: str,
    b: str,
    vparents: dict[str, list[tuple[str, bool]]],
    ancestors: dict[str, set[str]],
    by_id: dict[str, Doc],
) -> str:
    for x, y in ((a, b), (b, a)):
        for p, via in vparents[y]:
            if p == x:
                return "hidden_intermediate" if via else by_id[y].edit
    if a in ancestors[b] or b in ancestors[a]:
        return "chain"
    return "sibling"


# ------------------------------------------------------------------------- output


def _iso(dt: datetime | None) -> str | None:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ") if dt else None


def corpus_format(cfg: GenConfig) -> str:
    """``txt`` or ``jsonl`` for this config."""
    if cfg.format != "auto":
        return cfg.format
    return "txt" if cfg.size <= TXT_MAX_DOCS else "jsonl"


class _Writer:
    """Streams documents, sidecars and truth parts to disk."""

    def __init__(self, out: Path, fmt: str, rng: random.Random) -> None:
        self.out = out
        self.fmt = fmt
        self.rng = rng
        (out / "docs").mkdir(parents=True, exist_ok=True)
        self.meta = {r: (out / f"metadata.{r}.jsonl").open("w", encoding="utf-8") for r in REGIMES}
        self.parts = {
            k: (out / f".{k}.part").open("w", encoding="utf-8")
            for k in ("documents", "pairs", "weak_pairs", "hard_negatives", "edges")
        }
        self.spans = (out / "spans.jsonl").open("w", encoding="utf-8")
        self.buffer: list[str] = []
        self.shard = 0
        self.count = 0
        self.chars = 0
        self.bytes = 0
        self.first = dict.fromkeys(self.parts, True)

    def part(self, kind: str, rec: dict[str, Any]) -> None:
        fh = self.parts[kind]
        fh.write(("" if self.first[kind] else ",\n") + json.dumps(rec, ensure_ascii=False))
        self.first[kind] = False

    def document(self, doc: Doc, text: str, parent_dates: list[datetime]) -> str:
        outlet = OUTLETS[doc.outlet]
        url = f"https://{outlet.domain}/news/{doc.id}"
        dates = self._regime_dates(doc, parent_dates)
        if self.fmt == "txt":
            rel = f"{doc.id}.txt"
            (self.out / "docs" / rel).write_text(text, encoding="utf-8", newline="")
            file_key = rel
        else:
            file_key = f"shard-{self.shard:05d}.jsonl"
            rec = {
                "id": doc.id,
                "text": text,
                "title": doc.title.text,
                "publisher": outlet.name,
                "published": dates["given"],
                "url": url,
            }
            self.buffer.append(json.dumps(rec, ensure_ascii=False))
            if len(self.buffer) >= SHARD_SIZE:
                self.flush()
        for regime, fh in self.meta.items():
            meta: dict[str, Any] = {"file": file_key, "id": doc.id, "title": doc.title.text}
            meta["publisher"] = outlet.name
            if dates[regime] is not None:
                meta["published"] = dates[regime]
            meta["url"] = url
            fh.write(json.dumps(meta, ensure_ascii=False) + "\n")
        self.count += 1
        self.chars += len(text)
        self.bytes += len(text.encode("utf-8"))
        return file_key

    def _regime_dates(self, doc: Doc, parent_dates: list[datetime]) -> dict[str, str | None]:
        rng = self.rng
        true = _iso(doc.published)
        partial = None if rng.random() < 0.3 else true
        noisy = true
        if parent_dates and rng.random() < 0.2:
            noisy = _iso(min(parent_dates) - timedelta(minutes=rng.randint(60, 4320)))
        return {"given": true, "partial": partial, "noisy": noisy, "withheld": None}

    def flush(self) -> None:
        if not self.buffer:
            return
        self.rng.shuffle(self.buffer)  # hide generation order (roots before copies)
        path = self.out / "docs" / f"shard-{self.shard:05d}.jsonl"
        path.write_text("\n".join(self.buffer) + "\n", encoding="utf-8")
        self.buffer = []
        self.shard += 1

    def close(self, header: dict[str, Any]) -> None:
        self.flush()
        for fh in (*self.meta.values(), *self.parts.values(), self.spans):
            fh.close()
        given = self.out / "metadata.given.jsonl"
        (self.out / "metadata.jsonl").write_bytes(given.read_bytes())
        with (self.out / "truth.json").open("w", encoding="utf-8") as fh:
            fh.write(json.dumps(header, ensure_ascii=False)[:-1])
            for kind in self.parts:
                fh.write(f', "{kind}": [\n')
                part = self.out / f".{kind}.part"
                with part.open(encoding="utf-8") as src:
                    while chunk := src.read(1 << 20):
                        fh.write(chunk)
                fh.write("\n]")
                part.unlink()
            fh.write("}\n")


def generate(out: Path | str, cfg: GenConfig) -> dict[str, Any]:
    """Write a corpus of ``cfg.size`` visible articles to ``out``; return its manifest.

    Deterministic: the same config gives byte-identical files.

    Example:
        >>> from benchmarks.corpus import GenConfig, generate
        >>> manifest = generate("/tmp/c1k", GenConfig(size=1000, seed=0))  # doctest: +SKIP
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").unlink(missing_ok=True)
    gen = _Generator(cfg)
    fmt = corpus_format(cfg)
    writer = _Writer(out, fmt, random.Random(cfg.seed + 1))
    counts = {"families": 0, "event_groups": 0, "hidden": 0, "positive_pairs": 0}
    counts |= {"weak_pairs": 0, "hard_negative_pairs": 0}
    units = gen.units()
    while writer.count < cfg.size:
        kind, families = next(units)
        planned = sum(1 for docs in families for d in docs if not d.hidden)
        if writer.count + planned > cfg.size:  # would overshoot: fill with singletons
            kind, families = "singleton", [gen.singleton()]
        visible_of: list[list[str]] = []
        for docs in families:
            counts["families"] += 1
            by_id = {d.id: d for d in docs}
            rendered = {d.id: render(d) for d in docs if not d.hidden}
            for d in docs:
                if d.hidden:
                    counts["hidden"] += 1
                    file_key = None
                else:
                    parent_dates = [by_id[p].published for p in d.parents]
                    file_key = writer.document(d, rendered[d.id][0], parent_dates)
                    if len(docs) > 1 or d.event is not None:
                        spans = [list(s) for s in rendered[d.id][1]]
                        writer.spans.write(json.dumps({"id": d.id, "spans": spans}) + "\n")
                writer.part("documents", _doc_record(d, file_key, rendered.get(d.id)))
            positives, weak, edges = family_truth(docs, rendered)
            for rec in positives:
                writer.part("pairs", rec)
            for rec in weak:
                writer.part("weak_pairs", rec)
            for rec in edges:
                writer.part("edges", rec)
            counts["positive_pairs"] += len(positives)
            counts["weak_pairs"] += len(weak)
            visible_of.append(sorted(d.id for d in docs if not d.hidden))
        if kind == "event":
            counts["event_groups"] += 1
            for i, fa in enumerate(visible_of):
                for fb in visible_of[i + 1 :]:
                    for a in fa:
                        for b in fb:
                            x, y = sorted((a, b))
                            writer.part("hard_negatives", {"a": x, "b": y, "event": gen.event})
                            counts["hard_negative_pairs"] += 1
    manifest: dict[str, Any] = {
        "format": "syndicate-bench-corpus/1",
        "generator_version": GENERATOR_VERSION,
        "config": {k: getattr(cfg, k) for k in cfg.__dataclass_fields__},
        "doc_format": fmt,
        "documents": writer.count,
        "text_chars": writer.chars,
        "text_bytes": writer.bytes,
        "base_stories": dict(gen.pool.counts),
        "regimes": list(REGIMES),
        "counts": counts,
        "sources": {
            "reuters": "Reuters-21578, Distribution 1.0 (research use; read from the data dir)",
            "bbc": "BBC News full text, Greene & Cunningham 2006 (research use; read from the data dir)",
            "synthetic": "benchmarks.synth templates (written for this project)",
        },
    }
    writer.close({"format": "syndicate-bench-truth/1", "manifest": manifest})
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def _doc_record(
    d: Doc, file_key: str | None, rendered: tuple[str, list[Any], int] | None
) -> dict[str, Any]:
    return {
        "id": d.id,
        "visible": not d.hidden,
        "file": file_key,
        "parents": d.parents,
        "edit": d.edit,
        "family": d.family,
        "tree": d.tree,
        "depth": d.depth,
        "published": _iso(d.published),
        "publisher": OUTLETS[d.outlet].name,
        "title": d.title.text,
        "source": d.source,
        "event": d.event,
        "length": len(rendered[0]) if rendered else None,
    }


def regime_input(corpus: Path, regime: str) -> tuple[Path, Path | None]:
    """The docs folder and sidecar to scan for ``regime``.

    For ``.txt`` corpora the docs are shared and the sidecar changes; JSONL records
    carry their own dates, so a per-regime copy ``docs-<regime>/`` is derived once
    (streamed) from ``docs/`` and the regime's sidecar.
    """
    if regime not in REGIMES:
        raise ValueError(f"regime must be one of {', '.join(REGIMES)}; got {regime!r}")
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    sidecar = corpus / f"metadata.{regime}.jsonl"
    if manifest["doc_format"] == "txt" or regime == "given":
        return corpus / "docs", sidecar
    target = corpus / f"docs-{regime}"
    done = target / ".complete"
    if done.exists():
        return target, None
    dates: dict[str, str | None] = {}
    with sidecar.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            dates[rec["id"]] = rec.get("published")
    target.mkdir(exist_ok=True)
    for shard in sorted((corpus / "docs").glob("shard-*.jsonl")):
        with (
            shard.open(encoding="utf-8") as src,
            (target / shard.name).open("w", encoding="utf-8") as dst,
        ):
            for line in src:
                rec = json.loads(line)
                rec["published"] = dates.get(rec["id"])
                if rec["published"] is None:
                    del rec["published"]
                dst.write(json.dumps(rec, ensure_ascii=False) + "\n")
    done.write_text("ok\n", encoding="utf-8")
    return target, None
