"""Publisher chrome: found by evidence across documents plus a few known patterns.

Two rules, both line-based (a line is a run of normalised text between newlines):

- ``pattern:<name>``: short lines matching a known piece of chrome (aggregator
  sign-up prompts, "Related Stories", "2 min read", share buttons, bare domains).
- ``recurring``: short lines that recur in ``min_docs`` or more documents, grouped
  into blocks by the exact set of documents they occur in; a block is chrome when
  it covers only a small share of those documents (their other text differs). A
  story syndicated whole recurs as a whole, so it is never stripped here.

Stripped lines are blanked in the content text (same length, so offsets hold) and
listed per document with original-file offsets.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from .config import BoilerplateConfig
from .types import NormalizedText, Stripped

_WORD = re.compile(r"\w+")

# (name, regex matched against a whole lowercased line). Only lines of at most
# 15 words are tested, so prose that happens to start alike is safe.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(rx))
    for name, rx in (
        ("aggregator_prompt", r"get all your news in one place\.?|\d+'?s of premium titles\.?|start reading"),
        ("aggregator_prompt", r"read news from .{0,40}titles,? curated specifically for you\.?"),
        ("aggregator_prompt", r"top stories on \w+ right now|one subscription that gives you access to .*"),
        ("aggregator_prompt", r"(one app\.?\s*)+(one membership\.?)?|\d+\+? trusted (global )?sources\.?"),
        ("paywall", r"sign up to read this article|(fourteen|\d+) days? free|subscribe( now)?( to [\w ]+)?\.?"),
        ("sign_in", r"already a member\?.*|sign in( here)?|log ?in|register"),
        ("related", r"related (stories|articles|news|posts)|no stories found\.?|our picks|most read|trending( now)?"),
        ("related", r"(read more|see also|more from [\w .]+|recommended( for you)?)\.?:?"),
        ("reading_time", r"\d+\s*min(ute)?s?\.? read|updated( on)?:?|published( on)?:?"),
        ("navigation", r"table of contents|skip to (main )?content|advertisement|back to top|menu|home"),
        ("app_prompt", r"download (the|our) app\.?|get the app\.?|open in app"),
        ("share", r"share( this( article| story)?)?( on (facebook|twitter|x|linkedin|whatsapp))?|tweet|email|print"),
        ("local_prompt", r"enter (your )?city( and state)?( or zip code)?\.?|enter (a )?zip code"),
        ("newsletter", r"sign up (for|to) (our|the) .*newsletter.*|newsletter sign-?up"),
        ("comments", r"comments? (policy|are closed|guidelines).*|we (welcome|encourage) .*comments.*|\d+ comments?"),
        ("follow", r"follow us on .*|like us on facebook"),
        ("syndication", r"this (article|story|report) (was |is )?(syndicated|republished|reproduced|distributed) (from|by|with|via) .*"),
        ("syndication", r"(this (article|story) )?(first|originally) (appeared|published) (on|in|at) .*|republished with permission.*"),
        ("rights", r"all rights reserved\.?|(copyright|\(c\)|©) .{0,60}"),
        ("domain", r"(https?://)?(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.(com|org|net|news|co|uk|io|info)(/\S*)?"),
    )
)
_PATTERN_MAX_WORDS = 15


def _lines(text: str) -> list[tuple[int, int]]:
    """Spans of the non-empty lines of ``text``."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in re.finditer(r"\n", text + "\n"):
        end = m.start()
        seg = text[start:end]
        if seg.strip():
            lead = len(seg) - len(seg.lstrip())
            trail = len(seg.rstrip())
            out.append((start + lead, start + trail))
        start = m.end()
    return out


def _line_key(line: str) -> str:
    return " ".join(_WORD.findall(line.lower()))


def match_pattern(line: str) -> str | None:
    """Name of the known-chrome pattern that a whole line matches, if any."""
    low = line.strip().lower()
    if not low or len(_WORD.findall(low)) > _PATTERN_MAX_WORDS:
        return None
    for name, rx in PATTERNS:
        if rx.fullmatch(low):
            return name
    return None


def recurring_lines(texts: Sequence[str], config: BoilerplateConfig) -> set[str]:
    """Keys of lines that are chrome by cross-document evidence.

    Recurring lines are grouped into blocks by the set of documents they occur in; a
    block covering little of those documents is chrome if its lines are short, and
    also if long (comment policies, cookie notices) when it recurs on many pages
    that share nothing else but their template and sits at their edges.
    """
    return chrome_lines([doc_lines(t) for t in texts], config)


def doc_lines(text: str) -> tuple[int, list[tuple[str, int]]]:
    """A document's length and its lines as (key, length): all chrome detection reads of it."""
    lines = []
    for s, e in _lines(text):
        key = _line_key(text[s:e])
        if key:
            lines.append((key, e - s))
    return max(1, len(text)), lines


def chrome_lines(documents: Sequence[tuple[int, Sequence[tuple[str, int]]]], config: BoilerplateConfig) -> set[str]:
    """:func:`recurring_lines` from each document's :func:`doc_lines`.

    Only lines occurring in two or more documents, or matching a known pattern, are
    read for what they say; any other line may be given as a placeholder key unique to
    its document (a distributed engine ships only that skeleton to its driver).
    """
    docs_of: dict[str, set[int]] = defaultdict(set)
    lengths: list[int] = []
    line_len: dict[str, int] = {}
    doc_keys: list[list[str]] = []
    for d, (length, lines) in enumerate(documents):
        lengths.append(length)
        keys = []
        for key, size in lines:
            keys.append(key)
            docs_of[key].add(d)
            line_len[key] = size
        doc_keys.append(keys)
    blocks: dict[str, list[str]] = defaultdict(list)
    members: dict[str, tuple[int, ...]] = {}
    for key, docs in docs_of.items():
        if len(docs) >= config.min_docs:
            ids = tuple(sorted(docs))
            sig = hashlib.blake2b(repr(ids).encode(), digest_size=12).hexdigest()
            blocks[sig].append(key)
            members[sig] = ids
    chrome: set[str] = set()
    long_keys: set[str] = set()
    for sig, keys in blocks.items():
        ids = members[sig]
        block_chars = sum(line_len[k] for k in keys)
        coverage = sum(block_chars / lengths[d] for d in ids) / len(ids)
        if coverage >= config.max_block_coverage:
            continue
        short = [k for k in keys if len(k.split()) <= config.max_line_words]
        chrome.update(short)
        frequent = len(ids) >= max(_LONG_MIN_DOCS, _LONG_MIN_SHARE * len(documents))
        if len(short) < len(keys) and frequent and _shares_nothing_else(ids, sig, docs_of, doc_keys, line_len, lengths):
            long_keys.update(k for k in keys if k not in short)
    return chrome | _at_page_edges(long_keys, doc_keys, chrome)


_EDGE_SHARE = 0.2
_EDGE_MAJORITY = 0.6
# A site's long notice recurs on dozens of its pages; a paragraph lifted into other
# stories recurs on a handful (measured: the 1k benchmark's lifted paragraphs).
_LONG_MIN_DOCS = 10
_LONG_MIN_SHARE = 0.02


def _at_page_edges(candidates: set[str], doc_keys: list[list[str]], chrome: set[str]) -> set[str]:
    """Long candidates that mostly sit in the first/last fifth of a page or beside established chrome."""
    if not candidates:
        return set()
    seen: dict[str, int] = defaultdict(int)
    edge: dict[str, int] = defaultdict(int)
    for keys in doc_keys:
        n = len(keys)
        rim = max(1, int(_EDGE_SHARE * n))
        for i, key in enumerate(keys):
            if key in candidates:
                seen[key] += 1
                beside = any(keys[j] in chrome or match_pattern(keys[j]) for j in (i - 1, i + 1) if 0 <= j < n)
                edge[key] += int(i < rim or i >= n - rim or beside)
    return {k for k in candidates if edge[k] >= _EDGE_MAJORITY * seen[k]}


_OTHER_SHARED_MAX = 0.1
_STORY_LINE_WORDS = 20
_SAMPLE_DOCS = 20


def _shares_nothing_else(
    ids: tuple[int, ...],
    sig: str,
    docs_of: dict[str, set[int]],
    doc_keys: list[list[str]],
    line_len: dict[str, int],
    lengths: list[int],
) -> bool:
    """True when the documents of a block share almost nothing but the block and their template.

    A site's long notice recurs on pages whose stories differ; a syndicated or lifted
    paragraph recurs on pages that share other story text. Lines occurring on
    exactly the same set of pages (the site's template) and short lines (headlines,
    navigation) do not count as shared story.
    """
    members = set(ids)
    shares = []
    for d in ids[:_SAMPLE_DOCS]:
        shared = 0
        for key in set(doc_keys[d]):
            docs = docs_of.get(key, set())
            if len(docs) < 2 or docs == members or len(key.split()) <= _STORY_LINE_WORDS:
                continue
            if len(docs & members) >= 2:
                shared += line_len[key]
        shares.append(shared / lengths[d])
    # Median: a few pages that also carry a copied story must not save a site's notice.
    return float(np.median(shares)) < _OTHER_SHARED_MAX


def strip(
    norm: NormalizedText, chrome: set[str], config: BoilerplateConfig
) -> tuple[str, tuple[Stripped, ...]]:
    """Content text with chrome lines blanked, and what was stripped (original offsets).

    Args:
        norm: the document's normalised text.
        chrome: recurring chrome line keys from :func:`recurring_lines`.
        config: boilerplate settings.
    """
    text = norm.text
    chars = list(text)
    removed: list[Stripped] = []
    for s, e in _lines(text):
        line = text[s:e]
        rule = None
        if config.use_patterns:
            name = match_pattern(line)
            rule = f"pattern:{name}" if name else None
        if rule is None and _line_key(line) in chrome:
            rule = "recurring"
        if rule is None:
            continue
        for k in range(s, e):
            chars[k] = " "
        os_, oe = norm.original_span(s, e)
        removed.append(Stripped(os_, oe, line, rule))
    return "".join(chars), tuple(removed)
