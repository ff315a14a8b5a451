"""Base stories for the corpus generator: real newswire text read at run time.

Sources, in the order the generator uses them:

- ``reuters``: Reuters-21578, Distribution 1.0 (``<data>/reuters-21578/reut2-*.sgm``,
  Latin-1 SGML). Stories with a ``<BODY>`` of at least 80 words; ``<TITLE>`` is the
  headline and ``<DATE>`` (to the second, 1987) the root's publication time.
  Research use only: read from ``../shared/data``, never copied into the repository.
- ``bbc``: BBC News full text (Greene & Cunningham 2006, ``<data>/bbc-fulltext/bbc/*/*.txt``),
  first line the headline; no dates (the generator draws one in 2004-05). Research use only.
- ``synthetic``: :mod:`benchmarks.synth` templates, used when the real stories run out
  (every base story is used at most once per corpus, so 100k and 1M corpora are mostly
  synthetic) or when the data folder is absent.

Both real collections hold natural exact and near duplicates (story updates, re-sends);
:func:`real_stories` drops them (exact normalised duplicates, then any story whose word
8-grams are more than 20% already seen) so they do not become unlabelled positives.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
MIN_WORDS = 80

_REUTERS_RE = re.compile(r"<REUTERS\b(?P<attrs>[^>]*)>(?P<body>.*?)</REUTERS>", re.S)
_TAG_RE = {t: re.compile(rf"<{t}>(.*?)</{t}>", re.S) for t in ("DATE", "TITLE", "BODY")}
_NEWID_RE = re.compile(r'NEWID="(\d+)"')
_SENT_SPLIT = re.compile(r"(?<=[.!?])[\"']?\s+(?=[A-Z\"'])")
_CTRL_RE = re.compile(r"&#\d+;|[\x00-\x08\x0b-\x1f]")


@dataclass(frozen=True, slots=True)
class BaseStory:
    """One real (or synthetic) story used as the narration of a root article."""

    source: str  # "reuters:<NEWID>", "bbc:<category>/<file>", "synthetic"
    title: str
    paragraphs: tuple[tuple[str, ...], ...]  # paragraphs of sentences
    published: datetime | None


def data_dir() -> Path:
    """The shared data folder: ``$SYNDICATE_BENCH_DATA`` or ``../shared/data``."""
    env = os.environ.get("SYNDICATE_BENCH_DATA")
    return Path(env) if env else DEFAULT_DATA_DIR


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences (simple rule: punctuation then capital)."""
    text = " ".join(text.split())
    return [s for s in _SENT_SPLIT.split(text) if s]


def _reuters_date(raw: str) -> datetime | None:
    try:
        return datetime.strptime(raw.strip()[:20], "%d-%b-%Y %H:%M:%S")
    except ValueError:
        return None


def reuters_stories(root: Path) -> Iterator[BaseStory]:
    """Stories with a body of at least :data:`MIN_WORDS` words from Reuters-21578."""
    for sgm in sorted(root.glob("reut2-*.sgm")):
        raw = sgm.read_text(encoding="latin-1")
        for m in _REUTERS_RE.finditer(raw):
            part = m.group("body")
            body_m = _TAG_RE["BODY"].search(part)
            if not body_m:
                continue
            body = html.unescape(_CTRL_RE.sub("", body_m.group(1)))
            body = re.sub(r"\s*Reuter\s*$", "", body.strip())
            if len(body.split()) < MIN_WORDS:
                continue
            # Paragraphs start with an indented line; lines inside a paragraph wrap.
            paras = [p for p in re.split(r"\n\s{3,}", body) if p.strip()]
            sents = tuple(tuple(split_sentences(p)) for p in paras)
            title_m = _TAG_RE["TITLE"].search(part)
            title = html.unescape(_CTRL_RE.sub("", title_m.group(1))).strip() if title_m else ""
            title = " ".join(title.split()).title() or "Reuters report"
            date_m = _TAG_RE["DATE"].search(part)
            newid = _NEWID_RE.search(m.group("attrs"))
            yield BaseStory(
                source=f"reuters:{newid.group(1) if newid else '?'}",
                title=title,
                paragraphs=tuple(p for p in sents if p),
                published=_reuters_date(date_m.group(1)) if date_m else None,
            )


def bbc_stories(root: Path) -> Iterator[BaseStory]:
    """BBC News articles (headline on the first line, blank-line paragraphs)."""
    for path in sorted(root.glob("*/*.txt")):
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        lines = text.strip().split("\n", 1)
        if len(lines) < 2 or len(lines[1].split()) < MIN_WORDS:
            continue
        paras = [p for p in re.split(r"\n\s*\n", lines[1]) if p.strip()]
        yield BaseStory(
            source=f"bbc:{path.parent.name}/{path.name}",
            title=" ".join(lines[0].split()),
            paragraphs=tuple(tuple(split_sentences(p)) for p in paras),
            published=None,
        )


def _shingle_keys(story: BaseStory, n: int = 8) -> set[int]:
    words = " ".join(" ".join(p) for p in story.paragraphs).lower().split()
    return {hash(tuple(words[i : i + n])) for i in range(max(1, len(words) - n + 1))}


def real_stories(root: Path | None = None, max_seen_fraction: float = 0.2) -> list[BaseStory]:
    """Deduplicated real stories (Reuters then BBC), or ``[]`` if the data is absent.

    A story is dropped when more than ``max_seen_fraction`` of its word 8-grams occur
    in stories kept before it (natural updates and re-sends in both collections).
    The result is deterministic: files are read in sorted order and only set
    membership of the hashes is used.
    """
    root = root if root is not None else data_dir()
    stories: list[BaseStory] = []
    reuters = root / "reuters-21578"
    bbc = root / "bbc-fulltext" / "bbc"
    candidates: list[BaseStory] = []
    if reuters.is_dir():
        candidates.extend(reuters_stories(reuters))
    if bbc.is_dir():
        candidates.extend(bbc_stories(bbc))
    seen: set[int] = set()
    for story in candidates:
        keys = _shingle_keys(story)
        if len(keys & seen) > max_seen_fraction * len(keys):
            continue
        seen |= keys
        stories.append(story)
    return stories
