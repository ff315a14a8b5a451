"""Labelled corpora in the field's formats, loaded into a :class:`~benchmarks.truth.Truth`.

Ids follow the scan contract: the path relative to the scanned folder without its
extension, so a report of ``syndicate scan <root>`` can be scored directly.

- :func:`load_pan`: PAN text alignment (``pairs``, ``src/``, ``susp/``, ``truth/*.xml`` or
  per-obfuscation subfolders holding ``*.xml``); each ``<feature name="plagiarism">``
  gives ``this_offset``/``this_length`` in the suspicious document and
  ``source_offset``/``source_length`` in ``source_reference``. Listed pairs without a
  feature are labelled negatives; only listed pairs are judged.
- :func:`load_pair_csv`: a CSV with header ``a,b,label``; ``label`` is ``1``/``0``,
  ``true``/``false``, ``yes``/``no``, ``positive``/``negative``, or an edit-type name
  (a positive of that type). Only listed pairs are judged. An optional ``source``
  column names which of ``a``/``b`` is the original, giving a derivation edge.
- :func:`load_source_derived`: ``<root>/source/<name>.txt`` and
  ``<root>/derived/<name>.txt`` or ``<root>/derived/<name>/<anything>.txt``: every derived
  file is reuse of the source of the same name (edge source -> derived); two copies
  of one source are ignored (weak); every other pair is a negative.

PAN offsets are characters of the decoded file, as syndicate's passages.
"""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from pathlib import Path

from benchmarks.truth import Pair, Ranges, Truth, merge_ranges, pair

POSITIVE = {"1", "true", "yes", "positive", "reuse", "copy"}
NEGATIVE = {"0", "false", "no", "negative", "none", ""}


def _doc_id(root: Path, path: Path) -> str:
    return path.relative_to(root).with_suffix("").as_posix()


def _files(root: Path) -> list[str]:
    return sorted(_doc_id(root, p) for p in root.rglob("*.txt"))


def load_pan(root: Path | str) -> Truth:
    """A PAN text-alignment corpus folder (``pairs``, ``src/``, ``susp/``, XML truth)."""
    root = Path(root)
    src_dir, susp_dir = root / "src", root / "susp"

    def sid(name: str) -> str:
        return _doc_id(root, src_dir / name)

    def pid(name: str) -> str:
        return _doc_id(root, susp_dir / name)

    judged: set[Pair] = set()
    for line in (root / "pairs").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2:
            judged.add(pair(pid(parts[0]), sid(parts[1])))
    positives: dict[Pair, str] = {}
    spans: dict[Pair, tuple[list[tuple[int, int]], list[tuple[int, int]]]] = {}
    edges: list[tuple[str, str, str]] = []
    for xml in sorted(root.rglob("*.xml")):
        doc = ET.parse(xml).getroot()
        susp = pid(doc.get("reference", ""))
        for feat in doc.iter("feature"):
            if feat.get("name") != "plagiarism":
                continue
            src = sid(feat.get("source_reference", ""))
            key = pair(susp, src)
            kind = feat.get("obfuscation") or feat.get("type") or "plagiarism"
            positives.setdefault(key, kind)
            this = (
                int(feat.get("this_offset", 0)),
                int(feat.get("this_offset", 0)) + int(feat.get("this_length", 0)),
            )
            other = (
                int(feat.get("source_offset", 0)),
                int(feat.get("source_offset", 0)) + int(feat.get("source_length", 0)),
            )
            side_a, side_b = spans.setdefault(key, ([], []))
            (side_a if key[0] == susp else side_b).append(this)
            (side_b if key[0] == susp else side_a).append(other)
            edges.append((src, susp, kind))
            judged.add(key)
    passages: dict[Pair, tuple[Ranges, Ranges]] = {
        k: (merge_ranges(a), merge_ranges(b)) for k, (a, b) in spans.items()
    }
    return Truth(
        documents=_files(root),
        positives=positives,
        hard_negatives=judged - positives.keys(),
        judged=judged,
        edges=sorted(set(edges)),
        passages=passages,
        name=f"pan:{root}",
    )


def load_pair_csv(path: Path | str, documents: list[str] | None = None) -> Truth:
    """A CSV of labelled pairs with header ``a,b,label`` (optional ``source``)."""
    path = Path(path)
    positives: dict[Pair, str] = {}
    negatives: set[Pair] = set()
    edges: list[tuple[str, str, str]] = []
    ids: set[str] = set()
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            a, b = row["a"].strip(), row["b"].strip()
            label = (row.get("label") or "").strip()
            key = pair(a, b)
            ids.update(key)
            if label.lower() in NEGATIVE:
                negatives.add(key)
                continue
            kind = "reuse" if label.lower() in POSITIVE else label
            positives[key] = kind
            source = (row.get("source") or "").strip()
            if source in (a, b):
                edges.append((source, b if source == a else a, kind))
    return Truth(
        documents=documents if documents is not None else sorted(ids),
        positives=positives,
        hard_negatives=negatives,
        judged=set(positives) | negatives,
        edges=edges,
        name=f"csv:{path}",
    )


def load_source_derived(root: Path | str) -> Truth:
    """``source/`` and ``derived/`` folders: derived files name the source they copy."""
    root = Path(root)
    sources = {p.stem: _doc_id(root, p) for p in sorted((root / "source").glob("*.txt"))}
    positives: dict[Pair, str] = {}
    weak: set[Pair] = set()
    edges: list[tuple[str, str, str]] = []
    family: dict[str, int] = {}
    roots: dict[int, set[str]] = {}
    derived: dict[str, list[str]] = {}
    for i, (_stem, sid) in enumerate(sorted(sources.items())):
        family[sid] = i
        roots[i] = {sid}
    for p in sorted((root / "derived").rglob("*.txt")):
        rel = p.relative_to(root / "derived")
        stem = rel.parts[0] if len(rel.parts) > 1 else p.stem
        if stem not in sources:
            continue
        did = _doc_id(root, p)
        positives[pair(sources[stem], did)] = "reuse"
        edges.append((sources[stem], did, "reuse"))
        family[did] = family[sources[stem]]
        derived.setdefault(stem, []).append(did)
    for group in derived.values():  # copies of one source: related, but not labelled
        weak.update(pair(x, y) for i, x in enumerate(group) for y in group[i + 1 :])
    documents = _files(root)
    next_label = len(sources)
    for d in documents:
        if d not in family:
            family[d] = next_label
            next_label += 1
    return Truth(
        documents=documents,
        positives=positives,
        weak=weak,
        judged=None,
        edges=edges,
        family=family,
        roots=roots,
        name=f"folders:{root}",
    )
