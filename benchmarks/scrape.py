"""A seeded "one-event scrape": many articles about one event, page chrome left in.

Issue 2's acceptance test for clustering: *on a few hundred scraped articles about one
event, with page chrome left in, no giant chained cluster may form; each cluster is
explained by content its members share.*

:func:`generate_scrape` writes ``<out>/docs/<id>.txt`` and ``<out>/truth.json``. Every
choice comes from one ``random.Random(seed)``; nothing is read from ``../shared``.

- **One event**: one set of names, places, numbers and 6 public quote sentences.
- **Independent articles** (most of the corpus): each states the event's facts in its
  own words (fact sentences built from many interchangeable parts), quotes 1-3 of the
  public quotes, and adds its own narration (synthetic template sentences whose slots
  are the article's own). They share names, numbers and quotes, never narration.
- **Copy families** (the truth): a root article plus copies on other sites: verbatim
  copies, excerpts (the first paragraphs), and independent articles that lift one or
  two of the root's narration paragraphs into their own text.
- **Site chrome**: each of 10 made-up sites wraps every one of its pages in the same
  chrome, left in the text: header and navigation, "Enter City and State or Zip Code",
  cookie notices, newsletter and app prompts, a comment-policy blurb (some longer than
  20 words), a "Related Stories" list of the site's other headlines about the event,
  footers. Sites built on one of three made-up CMSs share some chrome lines verbatim.

Truth: each document's paragraphs with kind (``chrome``, ``quote``, ``fact``,
``narration``) and, for narration, an origin id. Two documents are a *positive* pair
when they share a narration origin; families are the connected components of the
positive pairs (singletons are families of one).

:func:`evaluate_scrape` scores a syndicate report against the truth: largest cluster,
cluster count, ARI, reuse-pair precision/recall, clusters that mix true families (and
whether the mixed members share text other than chrome), and reuse pairs between
independent articles with what they share (chrome only, quotes, facts, narration).
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import synth

SCRAPE_VERSION = 1
SHINGLE = 5
# Members of two different true families may share a cluster only if they share at
# least this many non-chrome word 5-grams (about 24 words of identical text).
EXPLAINED_MIN_SHINGLES = 20
_WORD = re.compile(r"\w+(?:'\w+)*")


@dataclass(frozen=True, slots=True)
class ScrapeConfig:
    """Size and mix of the one-event scrape.

    Attributes:
        size: number of documents written.
        seed: everything random comes from ``random.Random(seed)``.
        sites: number of made-up sites (each with its own chrome).
        families: number of copy families (root plus 2-5 copies each).
    """

    size: int = 300
    seed: int = 0
    sites: int = 10
    families: int = 14


# ---------------------------------------------------------------------- chrome

_CMS = (
    {  # "Pressline" CMS: local-news sites
        "top": [
            "{name} | News | Weather | Sports | Obituaries | Opinion | Contests",
            "Enter City and State or Zip Code",
            "Current conditions: {temp}°F, {sky}",
        ],
        "mid": ["Advertisement", "Story continues below advertisement"],
        "bottom": [
            "Related Stories",
            "Sign up for our Breaking News newsletter and get the latest headlines delivered "
            "straight to your inbox every morning.",
            "Comments are the sole responsibility of the person posting them. You agree not to "
            "post comments that are off topic, defamatory, obscene, abusive, threatening or an "
            "invasion of privacy. Violators may be banned. Click here to report an offensive "
            "comment.",
            "Copyright {year} {name}. All rights reserved. This material may not be published, "
            "broadcast, rewritten or redistributed.",
        ],
    },
    {  # "Newsdeck" CMS: app-first sites
        "top": [
            "{name}",
            "Skip to main content",
            "Download the {name} app for breaking news alerts, live video and more.",
            "We use cookies to personalise content and ads, to provide social media features "
            "and to analyse our traffic. By continuing to browse you agree to our use of "
            "cookies. Manage your preferences.",
        ],
        "mid": ["Read more:", "ADVERTISEMENT"],
        "bottom": [
            "Related Stories",
            "Have a news tip? Email the newsroom at tips@{domain} or call our 24-hour line.",
            "Our comment policy: we welcome thoughtful discussion, but comments that attack "
            "other readers, use offensive language or stray from the topic will be removed "
            "by moderators without notice.",
            "© {year} {name}",
        ],
    },
    {  # "Broadsheet" CMS: metro papers
        "top": [
            "{name} - {tagline}",
            "Subscribe | Sign in | e-Edition | Newsletters",
            "Enter City and State or Zip Code",
        ],
        "mid": ["Share this article", "Continue reading below"],
        "bottom": [
            "More from {name}",
            "Get the {name} daily briefing: the stories you need to know, every weekday at 7am.",
            "Open the {name} app to save articles and listen to stories on the go.",
            "Comments on this story are moderated and may take up to 24 hours to appear. "
            "Please keep it civil, stay on topic and read our community guidelines before "
            "posting.",
            "{name} is part of {group}. All rights reserved.",
        ],
    },
)

_SITE_NAMES = (
    ("The Valley Ledger", "valleyledger.example", "Your valley, your news"),
    ("Metro Sentinel", "metrosentinel.example", "News that matters"),
    ("KRXB News 7", "krxb7.example", "Always on your side"),
    ("The Coastal Post", "coastalpost.example", "Since 1898"),
    ("Channel 12 Now", "ch12now.example", "Live. Local. Late-breaking."),
    ("The Daily Record-Star", "recordstar.example", "Serving the region since 1911"),
    ("Plains Public Radio", "plainsradio.example", "Listener-supported news"),
    ("Harbor City Times", "harborcitytimes.example", "The paper of the harbor"),
    ("WNTV Action News", "wntv.example", "Coverage you can count on"),
    ("Tri-County Herald", "tricountyherald.example", "Independent local journalism"),
    ("The Northern Dispatch", "northerndispatch.example", "Reporting the north"),
    ("Riverside Observer", "riversideobserver.example", "Observe. Report. Explain."),
)


@dataclass(frozen=True, slots=True)
class Site:
    """A made-up site: the chrome it puts around every article."""

    code: str
    name: str
    top: tuple[str, ...]
    mid: str
    bottom_before_related: tuple[str, ...]
    related: tuple[str, ...]
    bottom_after_related: tuple[str, ...]


# --------------------------------------------------------------------- event text


def _event(rng: random.Random) -> dict[str, Any]:
    ev = synth.slot_values(rng)
    ev["people"] = [synth._person(rng) for _ in range(4)]
    ev["roles"] = rng.sample(synth.ROLES, 4)
    ev["count"] = f"{rng.randint(1200, 9800):,}"
    ev["hurt"] = str(rng.randint(11, 60))
    ev["day"] = rng.choice(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"))
    quotes = [
        '"We will not let {place} down, and we expect the {noun} to resume within {num3} weeks," {p0} said.',
        '"This is a difficult day for everyone who depends on the {noun}, and our thoughts are '
        'with the families in {place}," {p1} said.',
        '"Our priority is the safety of the {count} {unit} involved, and we are working around '
        'the clock with the {body}," {p0} told reporters.',
        '"Nobody expected {reason} to hit {place} this hard, and we need answers about what went '
        'wrong," said {p2}.',
        '"I heard a noise like thunder and then everything went dark, so we ran for the road," '
        "said {p3}, who lives nearby.",
        '"The {body} will publish a full account of what happened, and nobody will be spared '
        'scrutiny," {p1} said.',
    ]
    fill = dict(ev, p0=ev["people"][0], p1=ev["people"][1], p2=ev["people"][2], p3=ev["people"][3])
    ev["quotes"] = [q.format(**fill) for q in quotes]
    return ev


_FACT_PARTS = {
    "lead": (
        "",
        "Late on {day}, ",
        "On {day}, ",
        "By {day} evening, ",
        "Officials confirmed that ",
        "Authorities said ",
        "According to the {body}, ",
        "In a statement, {org} said ",
    ),
    "subject": (
        "{count} {unit} in {place}",
        "some {count} {unit} around {place}",
        "about {count} {unit} across {place}",
        "roughly {count} {unit} near {place}",
        "{count} {unit} in and around {place}",
    ),
    "verb": (
        "were affected by the {noun} failure",
        "were hit when the {noun} failed",
        "lost service after the {noun} broke down",
        "were left without the {noun}",
        "were caught up in the {noun} outage",
    ),
    "hurt": (
        "and {hurt} people were treated for injuries",
        "while {hurt} people needed medical care",
        "; {hurt} were taken to hospital",
        "and {hurt} people were hurt",
        "",
    ),
}
_ATTRIB = (
    "{p} of {org} said",
    "{p}, {role} at {org}, said",
    "said {p} of {org}",
    "{org}'s {p} told reporters",
    "according to {p}",
    "{p} said in a briefing",
)
_COST = (
    "The damage could reach {money}, ",
    "Losses were put at {money}, ",
    "Repairs may cost {money}, ",
    "The bill is likely to come to {money}, ",
    "Early estimates put the cost at {money}, ",
)


def _fact(rng: random.Random, ev: dict[str, Any]) -> str:
    parts = [rng.choice(_FACT_PARTS[k]).format(**ev) for k in ("lead", "subject", "verb", "hurt")]
    text = parts[0] + parts[1] + " " + parts[2]
    text += ((" " if not parts[3].startswith(";") else "") + parts[3]) if parts[3] else ""
    text = text.strip()
    return text[0].upper() + text[1:] + "."


def _cost(rng: random.Random, ev: dict[str, Any]) -> str:
    k = rng.randrange(4)
    attrib = rng.choice(_ATTRIB).format(p=ev["people"][k], role=ev["roles"][k], org=ev["org"])
    return rng.choice(_COST).format(**ev) + attrib + "."


def _narration(rng: random.Random, ev: dict[str, Any]) -> str:
    """A narration sentence of the article's own (fresh slot values).

    Event names are not put into template sentences: a template's fixed words plus the
    event's names would give independent articles identical runs of narration, which
    is not what independent reporting looks like. The event is carried by the facts,
    the quotes and the headline.
    """
    return synth.sentence(rng)


def _headline(rng: random.Random, ev: dict[str, Any]) -> str:
    forms = (
        "{noun_cap} failure hits {count} {unit} in {place}",
        "{place}: {hurt} hurt as {noun} fails",
        "What we know about the {place} {noun} failure",
        "{org} under pressure after {place} {noun} breakdown",
        "{body_cap} promises answers on {place} {noun}",
        "Live updates: {place} {noun} outage",
        "{person} says {noun} to resume within {num3} weeks",
        "{place} residents describe night the {noun} failed",
        "Cost of {place} {noun} failure could reach {money}",
        "Questions mount over {org} handling of {place} {noun}",
    )
    return rng.choice(forms).format(**ev)


# -------------------------------------------------------------------- documents


Para = tuple[str, str, str]  # (kind, origin, text); kind: chrome|title|quote|fact|narration


class _Gen:
    def __init__(self, cfg: ScrapeConfig) -> None:
        self.cfg = cfg
        self.rng = random.Random(cfg.seed)
        self.ev = _event(self.rng)
        self.origin = 0
        self.sites = self._sites()

    def _sites(self) -> list[Site]:
        rng, ev = self.rng, self.ev
        names = rng.sample(_SITE_NAMES, self.cfg.sites)
        sites = []
        for k, (name, domain, tagline) in enumerate(names):
            cms = _CMS[k % len(_CMS)]
            fill = {
                "name": name,
                "domain": domain,
                "tagline": tagline,
                "year": "2026",
                "temp": str(rng.randint(38, 88)),
                "sky": rng.choice(("cloudy", "clear", "light rain", "windy")),
                "group": rng.choice(("Lakeshore Media", "Union Local News", "Cardinal Publishing")),
            }
            bottom = [x.format(**fill) for x in cms["bottom"]]
            related = tuple(_headline(rng, ev) for _ in range(rng.randint(3, 5)))
            sites.append(
                Site(
                    f"s{k:02d}",
                    name,
                    tuple(x.format(**fill) for x in cms["top"]),
                    rng.choice(cms["mid"]).format(**fill),
                    tuple(bottom[:1]),
                    related,
                    tuple(bottom[1:]),
                )
            )
        return sites

    def next_origin(self) -> str:
        self.origin += 1
        return f"n{self.origin}"

    def article(self) -> list[Para]:
        """An independent article: own facts, 1-3 public quotes, own narration."""
        rng, ev = self.rng, self.ev
        paras: list[Para] = [("title", "", _headline(rng, ev))]
        paras.append(("fact", "", _fact(rng, ev) + " " + _cost(rng, ev)))
        body: list[Para] = []
        for _ in range(rng.randint(5, 8)):
            text = " ".join(_narration(rng, ev) for _ in range(rng.randint(2, 3)))
            body.append(("narration", self.next_origin(), text))
        for q in rng.sample(ev["quotes"], rng.randint(1, 3)):
            body.insert(rng.randint(0, len(body)), ("quote", "", q))
        return paras + body

    def wrap(self, paras: list[Para], site: Site) -> list[Para]:
        """The article inside its site's chrome (chrome in the middle, too)."""
        mid = max(2, len(paras) // 2)
        out: list[Para] = [("chrome", "", line) for line in site.top]
        out += [*paras[:mid], ("chrome", "", site.mid), *paras[mid:]]
        out += [("chrome", "", line) for line in site.bottom_before_related]
        out += [("chrome", "", line) for line in site.related]
        out += [("chrome", "", line) for line in site.bottom_after_related]
        return out


def _render(paras: list[Para]) -> tuple[str, list[tuple[int, int]]]:
    """The page text and each paragraph's character span in it."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for i, (kind, _o, text) in enumerate(paras):
        sep = (
            "" if i == 0 else ("\n" if kind == "chrome" and paras[i - 1][0] == "chrome" else "\n\n")
        )
        pos += len(sep)
        out.append(sep + text)
        spans.append((pos, pos + len(text)))
        pos += len(text)
    return "".join(out) + "\n", spans


def generate_scrape(out: Path | str, cfg: ScrapeConfig = ScrapeConfig()) -> dict[str, Any]:
    """Write the one-event scrape to ``out`` (``docs/`` and ``truth.json``); return the manifest.

    Example:
        >>> import tempfile
        >>> m = generate_scrape(tempfile.mkdtemp(), ScrapeConfig(size=40, families=3))
        >>> m["documents"]
        40
    """
    out = Path(out)
    gen = _Gen(cfg)
    rng = gen.rng
    weights = [rng.uniform(0.5, 3.0) for _ in gen.sites]
    docs: list[tuple[str, Site, list[Para], str]] = []  # id, site, content paras, edit

    def site_for(avoid: set[str]) -> Site:
        options = [s for s in gen.sites if s.code not in avoid] or list(gen.sites)
        w = [weights[gen.sites.index(s)] for s in options]
        return rng.choices(options, w)[0]

    for _fam in range(cfg.families):
        root = gen.article()
        used = {site_for(set()).code}
        root_site = next(s for s in gen.sites if s.code in used)
        docs.append(("", root_site, root, "root"))
        for _ in range(rng.randint(2, 5)):
            edit = rng.choices(("verbatim", "excerpt", "lifted"), (0.35, 0.3, 0.35))[0]
            site = site_for(used)
            used.add(site.code)
            if edit == "verbatim":
                paras = list(root)
            elif edit == "excerpt":
                keep = max(3, int(len(root) * rng.uniform(0.45, 0.7)))
                paras = root[:keep]
            else:
                own = gen.article()
                narr = [p for p in root if p[0] == "narration"]
                for p in rng.sample(narr, min(len(narr), rng.randint(1, 2))):
                    own.insert(rng.randint(2, len(own)), p)
                paras = own
            docs.append(("", site, paras, edit))
    while len(docs) < cfg.size:
        docs.append(("", site_for(set()), gen.article(), "independent"))
    docs = docs[: cfg.size]
    rng.shuffle(docs)
    (out / "docs").mkdir(parents=True, exist_ok=True)
    records = []
    for k, (_, site, paras, edit) in enumerate(docs):
        doc_id = f"{site.code}-{k:04d}"
        full = gen.wrap(paras, site)
        text, spans = _render(full)
        (out / "docs" / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        records.append(
            {
                "id": doc_id,
                "site": site.code,
                "edit": edit,
                "paragraphs": [
                    {"kind": kd, "origin": o, "text": t, "start": s0, "end": e0}
                    for (kd, o, t), (s0, e0) in zip(full, spans, strict=True)
                ],
            }
        )
    manifest = {
        "format": "syndicate-bench-scrape/1",
        "version": SCRAPE_VERSION,
        "config": {
            "size": cfg.size,
            "seed": cfg.seed,
            "sites": cfg.sites,
            "families": cfg.families,
        },
        "documents": len(records),
        "edits": dict(Counter(r["edit"] for r in records)),
    }
    (out / "truth.json").write_text(
        json.dumps({"manifest": manifest, "documents": records}), encoding="utf-8"
    )
    return manifest


# -------------------------------------------------------------------------- truth


@dataclass(slots=True)
class ScrapeTruth:
    """Truth of a scrape: families, positive pairs, and per-kind word 5-gram sets."""

    documents: list[str]
    family: dict[str, int]
    positives: set[tuple[str, str]]
    grams: dict[str, dict[str, set[tuple[str, ...]]]]  # id -> kind -> 5-grams
    texts: dict[str, dict[str, list[str]]]  # id -> kind -> paragraph texts
    chrome: dict[str, list[tuple[int, int]]]  # id -> character spans of chrome lines


def _grams(text: str) -> set[tuple[str, ...]]:
    words = [w.lower() for w in _WORD.findall(text)]
    return {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def load_scrape(corpus: Path | str) -> ScrapeTruth:
    """Read ``truth.json``: positives share a narration origin; families are components."""
    raw = json.loads((Path(corpus) / "truth.json").read_text(encoding="utf-8"))
    ids = [r["id"] for r in raw["documents"]]
    by_origin: dict[str, list[str]] = {}
    grams: dict[str, dict[str, set[tuple[str, ...]]]] = {}
    texts: dict[str, dict[str, list[str]]] = {}
    chrome: dict[str, list[tuple[int, int]]] = {}
    for r in raw["documents"]:
        chrome[r["id"]] = [(p["start"], p["end"]) for p in r["paragraphs"] if p["kind"] == "chrome"]
        g: dict[str, set[tuple[str, ...]]] = {}
        t: dict[str, list[str]] = {}
        for p in r["paragraphs"]:
            kind = p["kind"]
            g.setdefault(kind, set()).update(_grams(p["text"]))
            t.setdefault(kind, []).append(p["text"])
            if p["kind"] == "narration":
                by_origin.setdefault(p["origin"], []).append(r["id"])
        grams[r["id"]], texts[r["id"]] = g, t
    positives: set[tuple[str, str]] = set()
    parent = {d: d for d in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for members in by_origin.values():
        ms = sorted(set(members))
        for i, a in enumerate(ms):
            for b in ms[i + 1 :]:
                positives.add((a, b))
                parent[find(a)] = find(b)
    roots = sorted({find(d) for d in ids})
    label = {r: k for k, r in enumerate(roots)}
    return ScrapeTruth(ids, {d: label[find(d)] for d in ids}, positives, grams, texts, chrome)


def chrome_share(spans: list[tuple[int, int]], start: int, end: int) -> float:
    """Share of the characters ``[start, end)`` that lie in the given chrome spans."""
    if end <= start:
        return 0.0
    inside = sum(max(0, min(end, e) - max(start, s)) for s, e in spans)
    return inside / (end - start)


def shared_text(truth: ScrapeTruth, a: str, b: str) -> dict[str, int]:
    """Word 5-grams two documents share, by kind (chrome, quote, fact, narration)."""
    ga, gb = truth.grams[a], truth.grams[b]
    out: dict[str, int] = {}
    nonchrome_a = set().union(*(v for k, v in ga.items() if k != "chrome"))
    nonchrome_b = set().union(*(v for k, v in gb.items() if k != "chrome"))
    for kind in ("chrome", "title", "quote", "fact", "narration"):
        out[kind] = len(ga.get(kind, set()) & gb.get(kind, set()))
    out["non_chrome"] = len(nonchrome_a & nonchrome_b)
    return out


def truth_text(corpus: Path | str, doc_id: str, start: int, end: int) -> str:
    """Characters ``[start, end)`` of a document's file."""
    return (Path(corpus) / "docs" / f"{doc_id}.txt").read_text(encoding="utf-8")[start:end]


def evaluate_scrape(corpus: Path | str, report: dict[str, Any]) -> dict[str, Any]:
    """Chaining and precision of a syndicate report on a one-event scrape.

    Returns largest cluster, cluster count, ARI, reuse-pair precision/recall, the
    clusters that mix true families (with, for each, the cross-family member pairs
    that share fewer than :data:`EXPLAINED_MIN_SHINGLES` non-chrome 5-grams:
    ``unexplained``), and every false-positive reuse pair with what it shares.
    A ``chrome_link`` is a reuse pair between different true families that shares
    only chrome, or one of whose reported passages lies mostly (>= 50%) in chrome; a
    ``weak_link`` one whose documents share fewer than ``EXPLAINED_MIN_SHINGLES``
    non-chrome 5-grams.
    """
    from sklearn.metrics import adjusted_rand_score

    truth = load_scrape(corpus)
    fam = truth.family
    clusters = [sorted(str(m) for m in c.get("members", [])) for c in report.get("clusters", [])]
    label: dict[str, int] = {}
    for k, members in enumerate(clusters):
        for m in members:
            label.setdefault(m, k)
    y_pred = [label.get(d, len(clusters) + i) for i, d in enumerate(truth.documents)]
    y_true = [fam[d] for d in truth.documents]
    reuse = {
        tuple(sorted((str(p["a"]), str(p["b"])))): p["relation"]
        for p in report.get("pairs", [])
        if p.get("relation") != "same_story"
    }
    pair_passages: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for p in report.get("pairs", []):
        a, b = str(p["a"]), str(p["b"])
        qs = p.get("passages", [])
        if a > b:
            a, b = b, a
            qs = [
                q
                | {
                    "a_start": q["b_start"],
                    "a_end": q["b_end"],
                    "b_start": q["a_start"],
                    "b_end": q["a_end"],
                }
                for q in qs
            ]
        pair_passages[(a, b)] = qs
    tp = sum(1 for k in reuse if k in truth.positives)
    false_pairs = []
    for (a, b), rel in sorted(reuse.items()):
        if (a, b) in truth.positives:
            continue
        shared = shared_text(truth, a, b)
        if shared["non_chrome"] == 0:
            what = "chrome_only" if shared["chrome"] else "nothing"
        elif shared["narration"] + shared["fact"] + shared["title"] == 0:
            what = "quotes"
        elif shared["narration"] == 0:
            what = "facts_quotes_titles"
        else:
            what = "some_narration"
        passages = []
        for q in pair_passages.get((a, b), []):
            passages.append(
                {
                    "kind": q.get("kind"),
                    "a_chrome": round(chrome_share(truth.chrome[a], q["a_start"], q["a_end"]), 3),
                    "b_chrome": round(chrome_share(truth.chrome[b], q["b_start"], q["b_end"]), 3),
                    "text": truth_text(corpus, a, q["a_start"], q["a_end"])[:160],
                }
            )
        chrome_passage = any(max(q["a_chrome"], q["b_chrome"]) >= 0.5 for q in passages)
        false_pairs.append(
            {
                "a": a,
                "b": b,
                "relation": rel,
                "same_family": fam[a] == fam[b],
                "shares": what,
                "chrome_link": fam[a] != fam[b] and (chrome_passage or (what == "chrome_only")),
                "weak_link": fam[a] != fam[b] and shared["non_chrome"] < EXPLAINED_MIN_SHINGLES,
                "passages": passages,
            }
            | {f"shared_{k}_5grams": v for k, v in shared.items()}
        )
    mixed = []
    for members in clusters:
        fams = Counter(fam[m] for m in members)
        if len(fams) < 2:
            continue
        unexplained = []
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if fam[a] == fam[b]:
                    continue
                shared = shared_text(truth, a, b)
                if shared["non_chrome"] < EXPLAINED_MIN_SHINGLES:
                    unexplained.append({"a": a, "b": b} | shared)
        mixed.append(
            {
                "size": len(members),
                "families": len(fams),
                "members": members,
                "unexplained_pairs": len(unexplained),
                "unexplained_examples": unexplained[:5],
            }
        )
    fam_sizes = Counter(fam.values())
    return {
        "documents": len(truth.documents),
        "true_families_2plus": sum(1 for v in fam_sizes.values() if v >= 2),
        "largest_true_family": max(fam_sizes.values()),
        "true_pairs": len(truth.positives),
        "clusters": len(clusters),
        "largest_cluster": max((len(c) for c in clusters), default=0),
        "ari": float(adjusted_rand_score(y_true, y_pred)),
        "reuse_pairs": len(reuse),
        "tp": tp,
        "precision": tp / len(reuse) if reuse else 1.0,
        "recall": tp / len(truth.positives) if truth.positives else 1.0,
        "false_pairs": len(false_pairs),
        "false_pairs_by_shared": dict(Counter(x["shares"] for x in false_pairs)),
        "chrome_links": sum(1 for x in false_pairs if x["chrome_link"]),
        "chrome_link_examples": [x for x in false_pairs if x["chrome_link"]][:10],
        "weak_links": sum(1 for x in false_pairs if x["weak_link"]),
        "false_pair_examples": false_pairs[:20],
        "mixed_clusters": len(mixed),
        "mixed_clusters_unexplained": sum(1 for m in mixed if m["unexplained_pairs"]),
        "mixed": mixed,
    }


def run_scrape(
    out: Path | str, cfg: ScrapeConfig = ScrapeConfig(), **options: Any
) -> dict[str, Any]:
    """Generate (if needed), scan with syndicate, and evaluate; returns the evaluation."""
    import time

    import syndicate

    out = Path(out)
    if not (out / "truth.json").exists():
        generate_scrape(out, cfg)
    t = time.perf_counter()
    report = syndicate.scan(out / "docs", **options).to_dict()
    result = evaluate_scrape(out, dict(report))
    result["seconds"] = time.perf_counter() - t
    return result
