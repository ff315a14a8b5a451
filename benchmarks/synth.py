"""Self-contained news text: word lists, sentence templates, a synonym table.

This is the generator's own text source, so that ``make bench`` runs where
``../shared/data`` is absent and so that corpora can grow past the ~23k real
stories available (100k and 1M articles are mostly synthetic narration).

Text is built from templates whose slots (names, organisations, places,
numbers, nouns) are drawn from the lists below; templates keep runs of fixed
words short so that two unrelated synthetic articles share few word 5-grams
(a test bounds the 5-shingle Jaccard of unrelated synthetic articles).

Everything is written for this project (no third-party text).

It also holds the re-wording tools used by the paraphrase edit: a synonym and
function-word table, clause reordering, sentence splitting and fusing.
"""

from __future__ import annotations

import random
import re


def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split(sep) if w.strip())


FIRST_NAMES = _words(
    "Aisha Alan Amara Ana Andrei Anika Arjun Beatriz Bruno Carla Chen Claire Daniel Dmitri "
    "Elena Emeka Erik Fatima Felipe Grace Hana Hugo Ines Ivan Jamal Jana Javier Kenji Kofi "
    "Lars Leila Lucia Malik Marta Mateo Mei Nadia Nikhil Noor Olga Omar Paolo Priya Rafael "
    "Rania Rosa Samir Sara Sean Sofia Tariq Thomas Ulla Valeria Victor Wei Yara Yusuf Zofia"
)
SURNAMES = _words(
    "Abara Adeyemi Almeida Andersen Bauer Becker Bianchi Brennan Castillo Chandra Costa "
    "Dalton Delgado Dubois Eriksen Farah Ferreira Fischer Garza Haddad Hansen Hartmann Ibrahim "
    "Ivanova Jensen Kagame Kaur Keller Kimura Kowalski Larsen Lindqvist Lopes Marchetti Mensah "
    "Moreau Nakamura Novak Okafor Oliveira Osei Park Petrov Quinn Rahman Reyes Romano Rossi "
    "Sato Schmidt Silva Sokolov Tanaka Torres Varga Vogel Wagner Walsh Yilmaz Zhang Zielinski"
)
PLACES = _words(
    "Aldermoor|Brackwater|Calderon Port|Dunmere|Eastvale|Fenwick|Glenhaven|Harrowgate|Islington|"
    "Jasperton|Kilbride|Lakemont|Marrowby|Northfield|Oakridge|Pellham|Queensbury|Redcliffe|"
    "Saltmarsh|Thornbury|Upton|Valemont|Westmarch|Yarrowby|Zennor|Ashford|Bellmont|Corrin|"
    "Drayfield|Elmstead|Farrowdale|Greystone|Holloway|Ironbridge|Juniper Bay|Kestrel Point",
    "|",
)
ORG_HEADS = _words(
    "Atlas Borealis Cobalt Delta Ember Falcon Granite Harbor Summit Keystone Lumen Meridian "
    "Northstar Orion Pinnacle Quarry Riverbend Sterling Tidewater Unity Vanguard Willow Zenith"
)
ORG_TAILS = (
    "Holdings",
    "Group",
    "Energy",
    "Logistics",
    "Bank",
    "Motors",
    "Foods",
    "Telecom",
    "Mining",
    "Pharmaceuticals",
    "Airlines",
    "Insurance",
    "Steel",
    "Capital",
    "Systems",
)
BODIES = (
    "city council",
    "regional assembly",
    "transport authority",
    "health board",
    "port authority",
    "central bank",
    "water utility",
    "planning committee",
    "trade ministry",
    "farmers' union",
    "teachers' union",
    "chamber of commerce",
    "energy regulator",
    "housing agency",
)
ROLES = (
    "chief executive",
    "finance director",
    "spokeswoman",
    "spokesman",
    "mayor",
    "minister",
    "chair",
    "analyst",
    "union leader",
    "economist",
    "lawyer",
    "engineer",
    "director",
    "board member",
)
NOUNS = (
    "contract",
    "plan",
    "merger",
    "strike",
    "budget",
    "investigation",
    "project",
    "proposal",
    "tariff",
    "loan",
    "harvest",
    "pipeline",
    "factory",
    "election",
    "bridge",
    "hospital",
    "rail line",
    "reservoir",
    "subsidy",
    "agreement",
    "pension scheme",
    "shipment",
    "refinery",
    "stadium",
    "airport expansion",
    "wind farm",
    "school reform",
    "data centre",
    "credit line",
    "export quota",
)
ADJECTIVES = (
    "revised",
    "disputed",
    "long-delayed",
    "controversial",
    "ambitious",
    "scaled-back",
    "expanded",
    "emergency",
    "provisional",
    "joint",
    "multi-year",
    "regional",
    "national",
    "temporary",
    "landmark",
    "unexpected",
    "preliminary",
    "final",
)
VERBS_PAST = (
    "approved",
    "rejected",
    "delayed",
    "announced",
    "criticised",
    "welcomed",
    "suspended",
    "extended",
    "challenged",
    "defended",
    "reviewed",
    "cancelled",
    "signed",
    "questioned",
    "endorsed",
    "postponed",
)
REASONS = (
    "rising costs",
    "weak demand",
    "a shortage of workers",
    "pressure from investors",
    "new safety rules",
    "a fall in exports",
    "higher interest rates",
    "the dry summer",
    "an accounting review",
    "local opposition",
    "supply problems",
    "a court ruling",
    "falling prices",
    "strong sales abroad",
)
TIMES = (
    "on Monday",
    "on Tuesday",
    "on Wednesday",
    "on Thursday",
    "on Friday",
    "over the weekend",
    "late on Sunday",
    "earlier this week",
    "last month",
    "this morning",
)
MONTHS = _words(
    "January February March April May June July August September October November December"
)
UNITS = ("tonnes", "barrels", "units", "passengers", "homes", "jobs", "vehicles", "hectares")

# Templates: slots in braces; fixed runs are kept short on purpose.
SENTENCE_TEMPLATES = (
    "{org} {verb} the {adj} {noun} {time}, citing {reason}.",
    "The {body} in {place} {verb} a {adj} {noun} worth {money}.",
    "{person}, {role} of {org}, said the {noun} would cost about {money}.",
    "Officials in {place} expect {num} {unit} by {month}, up from {num2} a year earlier.",
    "{org} shares {move} {pct} to {price} after the {noun} was {verb}.",
    "According to {person}, the {body} has {verb} {num} requests since {month}.",
    "The {adj} {noun} follows {reason} in {place} and {place2}.",
    "{person} told reporters in {place} that {reason} had forced a rethink of the {noun}.",
    "Analysts at {org} put the cost of the {noun} at {money}, or {pct} of revenue.",
    "Talks between {org} and the {body} {time} ended without a deal on the {noun}.",
    "In {month}, {org} {verb} a {noun} with {org2} covering {num} {unit}.",
    "Output at the {place} {noun} fell {pct} in {month} because of {reason}.",
    "{person}, a {role} at {org2}, called the {noun} {adjq} and {adjq2}.",
    "The {body} will vote on the {adj} {noun} in {month}, {person} said.",
    "Some {num} {unit} were affected, the {body} in {place} said {time}.",
    "Earlier, {org} had {verb} a smaller {noun} in {place2}.",
    "{person} said {reason} meant the {noun} could slip to {month}.",
    "Revenue at {org} rose {pct} to {money} in the {quarter} quarter.",
    "The {noun} in {place} employs {num} people and supplies {num2} {unit}.",
    "Critics, among them {person}, argue that the {noun} favours {org2}.",
    "A {role} for the {body} declined to comment on the {adj} {noun}.",
    "{org2} said it was reviewing its {noun} in {place} after {reason}.",
    "Police in {place} said {num} people attended a protest over the {noun} {time}.",
    "The {adj} {noun} was first proposed by {person} in {month} {year}.",
    "Prices for {unit} in {place} have climbed {pct} since {month}.",
    "{org} plans to hire {num} staff at its {place} site by {year}.",
    "Under the {noun}, {org} pays {money} up front and {money2} over {num3} years.",
    "{person} resigned as {role} of {org} {time} amid the {noun} dispute.",
)
HEADLINE_TEMPLATES = (
    "{org} {verb} {adj} {noun} in {place}",
    "{place} {body} {verb} {noun} after {reason}",
    "{person} defends {adj} {noun} as {org} shares {move}",
    "{org} and {org2} agree {money} {noun}",
    "{noun_cap} in {place} hit by {reason}",
    "{body_cap} {verb} {noun}; {person} to respond",
)
MOVES = ("rose", "fell", "jumped", "slipped", "climbed", "dropped", "edged up", "edged down")
ADJQ = ("unfair", "overdue", "reckless", "sensible", "rushed", "costly", "necessary", "vague")

# Fact and quote templates for same-event hard negatives: every article about one event
# states the same facts with its own wording (different template per article).
FACT_TEMPLATES = (
    "{org} said {num} {unit} were affected in {place}.",
    "In {place}, some {num} {unit} were hit, according to {org}.",
    "The incident in {place} affected {num} {unit}, {org} confirmed.",
    "{org} put the number of {unit} affected in {place} at {num}.",
    "A total of {num} {unit} in {place} were affected, {org} said in a statement.",
    "Figures released by {org} show {num} {unit} affected across {place}.",
    "{place} saw {num} {unit} affected, {org} reported.",
    "According to {org}, the count of affected {unit} in {place} reached {num}.",
)
FACT2_TEMPLATES = (
    "Losses were estimated at {money}, {person} of {org} said.",
    "{person}, speaking for {org}, estimated the damage at {money}.",
    "The damage could reach {money}, {org}'s {person} estimated.",
    "{org} official {person} said the bill could come to {money}.",
    "{person} put the likely cost at {money}.",
    "The cost was put at {money} by {person} of {org}.",
    "An estimate from {person} at {org} put losses at {money}.",
    "{money} in losses was the figure given by {person} of {org}.",
)
QUOTE_TEMPLATES = (
    '"We will not let {place} down, and we expect the {noun} to resume within {num3} weeks," {person} said.',
    '"This is a difficult day for everyone who depends on the {noun}," {person} said.',
    '"Our priority is the safety of the {num} {unit} involved," {person} told reporters.',
    '"Nobody expected {reason} to hit {place} this hard," said {person}.',
)

# Synonym and function-word table for re-worded rewrites and light edits.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "said": ("stated", "told reporters", "noted"),
    "says": ("states", "notes"),
    "rose": ("increased", "climbed"),
    "fell": ("dropped", "declined"),
    "increase": ("rise",),
    "decrease": ("fall",),
    "about": ("around", "roughly"),
    "approximately": ("about",),
    "around": ("about",),
    "more than": ("over",),
    "less than": ("under",),
    "because of": ("due to", "owing to"),
    "however": ("but",),
    "but": ("however,", "yet"),
    "also": ("as well",),
    "expected": ("forecast", "anticipated"),
    "expect": ("anticipate",),
    "company": ("firm", "group"),
    "firm": ("company",),
    "plan": ("scheme", "proposal"),
    "big": ("large",),
    "large": ("big", "sizeable"),
    "small": ("minor", "modest"),
    "agreement": ("deal", "accord"),
    "deal": ("agreement",),
    "announced": ("unveiled", "disclosed"),
    "approved": ("backed", "cleared"),
    "rejected": ("turned down", "threw out"),
    "delayed": ("pushed back", "held up"),
    "cancelled": ("scrapped", "called off"),
    "criticised": ("attacked", "faulted"),
    "welcomed": ("praised", "hailed"),
    "officials": ("authorities",),
    "government": ("administration",),
    "shares": ("stock",),
    "profit": ("earnings",),
    "profits": ("earnings",),
    "sales": ("turnover",),
    "quarter": ("three months",),
    "people": ("residents",),
    "began": ("started",),
    "begin": ("start",),
    "help": ("assist",),
    "buy": ("acquire", "purchase"),
    "bought": ("acquired", "purchased"),
    "sold": ("offloaded",),
    "needed": ("required",),
    "need": ("require",),
    "major": ("key", "leading"),
    "new": ("fresh",),
    "recent": ("latest",),
    "many": ("numerous",),
    "show": ("indicate",),
    "showed": ("indicated",),
    "while": ("whereas",),
    "although": ("though",),
    "until": ("till",),
    "before": ("ahead of",),
    "after": ("following",),
    "pct": ("percent", "per cent"),
    "per cent": ("percent",),
    "percent": ("per cent",),
    "mln": ("million",),
    "million": ("mln",),
    "dlrs": ("dollars",),
    "billion": ("bln",),
    "week": ("seven days",),
    "year": ("twelve months",),
    "workers": ("staff", "employees"),
    "staff": ("employees",),
    "costs": ("expenses",),
    "cost": ("price",),
    "reporters": ("journalists",),
    "spokesman": ("representative",),
    "spokeswoman": ("representative",),
    "in order to": ("to",),
    "would": ("will",),
    "will": ("is set to",),
    "could": ("might",),
    "might": ("could",),
    "said it": ("announced it",),
    "the": ("the",),
}
_SYN_KEYS = sorted((k for k in SYNONYMS if k != "the"), key=len, reverse=True)
_SYN_RE = re.compile(r"\b(" + "|".join(re.escape(k) for k in _SYN_KEYS) + r")\b", re.IGNORECASE)
_WORD_RE = re.compile(r"[A-Za-z]{4,}")
_NUMBER_RE = re.compile(r"\b\d{1,3}(?:,\d{3})+(?:\.\d+)?\b|\b\d+\.\d+\b|\b\d{3,}\b")
SUBORDINATORS = ("although", "while", "after", "because", "as", "when", "since", "before")


def _money(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"{rng.randint(2, 950)} million dollars"
    return f"{rng.randint(1, 48)}.{rng.randint(0, 9)} billion euros"


def _org(rng: random.Random) -> str:
    return f"{rng.choice(ORG_HEADS)} {rng.choice(ORG_TAILS)}"


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


def slot_values(rng: random.Random) -> dict[str, str]:
    """Fresh random values for every template slot."""
    noun = rng.choice(NOUNS)
    body = rng.choice(BODIES)
    return {
        "org": _org(rng),
        "org2": _org(rng),
        "person": _person(rng),
        "place": rng.choice(PLACES),
        "place2": rng.choice(PLACES),
        "body": body,
        "body_cap": body[0].upper() + body[1:],
        "role": rng.choice(ROLES),
        "noun": noun,
        "noun_cap": noun[0].upper() + noun[1:],
        "adj": rng.choice(ADJECTIVES),
        "adjq": rng.choice(ADJQ),
        "adjq2": rng.choice(ADJQ),
        "verb": rng.choice(VERBS_PAST),
        "reason": rng.choice(REASONS),
        "time": rng.choice(TIMES),
        "month": rng.choice(MONTHS),
        "year": str(rng.randint(2009, 2026)),
        "quarter": rng.choice(("first", "second", "third", "fourth")),
        "unit": rng.choice(UNITS),
        "move": rng.choice(MOVES),
        "num": f"{rng.randint(12, 98_000):,}",
        "num2": f"{rng.randint(12, 98_000):,}",
        "num3": str(rng.randint(2, 30)),
        "pct": f"{rng.randint(1, 40)}.{rng.randint(0, 9)} percent",
        "price": f"{rng.randint(3, 400)}.{rng.randint(10, 99)}",
        "money": _money(rng),
        "money2": _money(rng),
    }


def sentence(rng: random.Random) -> str:
    """One synthetic news sentence with fresh slot values."""
    return rng.choice(SENTENCE_TEMPLATES).format(**slot_values(rng))


def headline(rng: random.Random) -> str:
    """A synthetic headline."""
    return rng.choice(HEADLINE_TEMPLATES).format(**slot_values(rng))


def paragraphs(rng: random.Random, target_chars: int) -> list[list[str]]:
    """Synthetic paragraphs (lists of sentences) totalling about ``target_chars``."""
    out: list[list[str]] = []
    total = 0
    while total < target_chars:
        para = [sentence(rng) for _ in range(rng.randint(1, 3))]
        total += sum(len(s) + 1 for s in para) + 2
        out.append(para)
    return out


# ---------------------------------------------------------------- re-wording tools


def _match_case(src: str, repl: str) -> str:
    return repl[0].upper() + repl[1:] if src[:1].isupper() else repl


def swap_synonyms(text: str, rng: random.Random, rate: float, limit: int | None = None) -> str:
    """Replace words and phrases found in the synonym table with probability ``rate``."""
    done = 0

    def repl(m: re.Match[str]) -> str:
        nonlocal done
        if (limit is not None and done >= limit) or rng.random() >= rate:
            return m.group(0)
        options = SYNONYMS.get(m.group(0).lower())
        if not options:
            return m.group(0)
        done += 1
        return _match_case(m.group(0), rng.choice(options))

    return _SYN_RE.sub(repl, text)


def typo(text: str, rng: random.Random, count: int) -> str:
    """Swap two adjacent letters inside ``count`` random words of 4+ letters."""
    words = list(_WORD_RE.finditer(text))
    if not words:
        return text
    chars = list(text)
    for m in rng.sample(words, min(count, len(words))):
        i = rng.randrange(m.start() + 1, m.end() - 2)
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


def round_numbers(text: str, rng: random.Random) -> str:
    """Round numbers: ``1,234`` -> ``about 1,200``; ``5.93`` -> ``5.9``."""

    def repl(m: re.Match[str]) -> str:
        if rng.random() < 0.4:
            return m.group(0)
        raw = m.group(0).replace(",", "")
        try:
            value = float(raw)
        except ValueError:
            return m.group(0)
        if "." in raw:
            return f"{value:.1f}" if value < 100 else f"{round(value):,}"
        if value >= 1000:
            return f"about {round(value, -2):,.0f}"
        if value >= 100:
            return f"about {round(value, -1):,.0f}"
        return m.group(0)

    return _NUMBER_RE.sub(repl, text)


_SAID_TAIL = re.compile(
    r"^(?P<body>.{20,}?), (?P<who>[^,]{3,60}?) (?P<verb>said|told reporters)(?P<tail>[^,]{0,40})\.$"
)
_SAID_HEAD = re.compile(
    r"^(?P<who>[A-Z][^,]{2,60}?) (?P<verb>said|says)(?P<tail>( on \w+| in \w+)?) (that )?(?P<body>.{20,})\.$"
)


def reorder_clauses(s: str, rng: random.Random) -> str:
    """Clause-level paraphrase: move attribution or a subordinate clause."""
    m = _SAID_TAIL.match(s)
    if m:
        body = m.group("body")
        body = body[0].lower() + body[1:] if not body[:2].isupper() else body
        return f"{m.group('who')} {m.group('verb')}{m.group('tail')} that {body}."
    m = _SAID_HEAD.match(s)
    if m:
        body = m.group("body")
        return f"{body[0].upper()}{body[1:]}, {m.group('who')} {m.group('verb')}{m.group('tail')}."
    parts = s.rstrip(".").split(", ")
    if (
        len(parts) == 2
        and parts[1].split(" ", 1)[0].lower() in SUBORDINATORS
        and rng.random() < 0.8
    ):
        first = parts[0]
        first = first[0].lower() + first[1:] if not first[:2].isupper() else first
        return f"{parts[1][0].upper()}{parts[1][1:]}, {first}."
    return s


def split_sentence(s: str) -> list[str]:
    """Split a long sentence at ``, and`` / ``; `` / `` and `` into two, else return it."""
    if len(s.split()) < 18:
        return [s]
    for sep in ("; ", ", and ", ", but ", " and "):
        i = s.find(sep, len(s) // 4)
        if 0 < i < len(s) * 3 // 4:
            first = s[:i].rstrip(",") + "."
            rest = s[i + len(sep) :]
            return [first, rest[0].upper() + rest[1:]]
    return [s]


def fuse_sentences(a: str, b: str) -> str:
    """Fuse two short sentences into one with ``, and``."""
    b2 = b if b[:2].isupper() else b[0].lower() + b[1:]
    return f"{a.rstrip('.')}, and {b2}"


def paraphrase(s: str, rng: random.Random) -> str:
    """Re-word one sentence: clause reordering plus synonym/function-word changes."""
    out = reorder_clauses(s, rng)
    out = swap_synonyms(out, rng, rate=0.7)
    return out
