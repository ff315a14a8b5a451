"""The report: its typed form, its JSON form (schema shipped as package data), and text.

The JSON is deterministic: keys in a fixed order, lists sorted, floats rounded
to 4 decimals, no timings unless asked for (``timings=True``), so the same input
gives a byte-identical report whatever the file order.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

SCHEMA_VERSION = "1.0"


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4) + 0.0  # +0.0 folds -0.0
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_round(v) for v in value]
    return value


def _round_in_place(value: Any) -> Any:
    """:func:`_round` without a copy: floats in nested dicts and lists rounded where they are.

    Tuples are replaced by lists (as JSON has them). The report's entries are rounded
    once when it is assembled, so ``to_dict()`` does not copy them: at 10k articles the
    copy was ~220 MB of the scan's peak (measured).
    """
    if isinstance(value, dict):
        items: Iterable[tuple[Any, Any]] = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return _round(value)
    for k, v in list(items):
        if isinstance(v, (dict, list)):
            _round_in_place(v)
        elif isinstance(v, (float, tuple)):
            value[k] = _round(v)
    return value


def _round4(text: str) -> float:
    """A JSON float literal rounded as :func:`_round` rounds (``json.loads``'s ``parse_float``)."""
    return _round(float(text))  # type: ignore[no-any-return]


def pack_entry(entry: dict[str, Any]) -> bytes:
    """A report entry as compact JSON bytes (:func:`unpack_entry` gives it back, floats exact)."""
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def unpack_entry(blob: bytes) -> dict[str, Any]:
    """The entry :func:`pack_entry` packed (tuples come back as lists, as in the report)."""
    return json.loads(blob)  # type: ignore[no-any-return]


class PairEntries(Sequence[dict[str, Any]]):
    """The report's pairs, each kept as compact JSON and built on access.

    A pair entry held as Python dicts costs ~7.9 KB (32 scores, ~6 passages: measured
    with ``tracemalloc`` on the 10k benchmark report) and its passage texts ~4 KB more,
    against ~1.6 KB as compact JSON without texts; a scan keeps every pair until the
    report is written. An entry is decoded, rounded and given its passage texts (sliced
    from its two documents) each time it is read, so the report's JSON equals the one
    built from plain dicts. ``blobs[k]`` is the entry of ``sides[k]`` (its two documents).
    """

    def __init__(self, blobs: Sequence[bytes], sides: Sequence[tuple[Any, Any]]) -> None:
        if len(blobs) != len(sides):
            raise ValueError(f"{len(blobs)} pair entries for {len(sides)} document pairs")
        self._blobs = list(blobs)
        self._sides = list(sides)

    def __len__(self) -> int:
        return len(self._blobs)

    def __getitem__(self, k: int) -> dict[str, Any]:  # type: ignore[override]
        # Rounded as it is decoded: a second pass over the entry (_round_in_place) cost
        # as much as the decoding.
        entry: dict[str, Any] = json.loads(self._blobs[k], parse_float=_round4)
        fill_texts(entry, *self._sides[k])
        return entry

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (self[k] for k in range(len(self)))


_PAIRS_MARK = "\x00syndicate:pairs\x00"


@dataclass(frozen=True, slots=True)
class Report:
    """A scan's result; ``to_dict()`` is the JSON report, ``to_text()`` the editor's summary."""

    tool: dict[str, Any]
    parameters: dict[str, Any]
    documents: list[dict[str, Any]]
    pairs: Sequence[dict[str, Any]]  # a list, or PairEntries (built on access)
    clusters: list[dict[str, Any]]
    skipped: list[dict[str, Any]]
    stats: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready data (see ``syndicate schema``).

        The entries are the report's own (not copies: a large report is most of a scan's
        memory); change a deep copy, not them. Pairs kept compact (:class:`PairEntries`)
        are built here, every one: to write a large report use :meth:`json_chunks`.
        """
        return self._data(self.pairs if isinstance(self.pairs, list) else list(self.pairs))

    def _data(self, pairs: Any) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": self.tool,
            "parameters": self.parameters,
            "documents": self.documents,
            "pairs": pairs,
            "clusters": self.clusters,
            "skipped": self.skipped,
            "stats": self.stats,
        }

    def to_json(self) -> str:
        """Deterministic JSON text of the report, newline-terminated."""
        return "".join(self.json_chunks())

    def json_chunks(self) -> Iterator[str]:
        """``to_json()`` in pieces, for writing a large report without building one string.

        The report of 10k news articles is ~190 MB of JSON; joining it into one
        string raised the scan's peak memory by ~700 MB (measured). Pairs are encoded
        one at a time, so compact pairs (:class:`PairEntries`) are never all built.
        """
        sep = "{\n  "
        for key, value in self._data(_PAIRS_MARK).items():
            yield sep + _string(key) + ": "
            items = self.pairs if value is _PAIRS_MARK else value
            if isinstance(items, (list, PairEntries)):
                yield from _list_chunks(items)  # one entry at a time: no whole list as one string
            else:
                yield _indented(value, "  ")
            sep = ",\n  "
        yield "\n}\n"

    def reuse_pairs(self) -> list[dict[str, Any]]:
        """Pairs whose relation is a kind of reuse (not ``same_story``)."""
        return [p for p in self.pairs if p["relation"] != "same_story"]

    def to_text(self) -> str:
        """A short summary for a terminal."""
        return render_text(self.to_dict())


def _list_chunks(items: Iterable[Any]) -> Iterator[str]:
    """A list one level inside the report's top object, as ``json.dumps(indent=2)`` writes it."""
    first = True
    for item in items:
        yield ("[\n    " if first else ",\n    ") + _indented(item, "    ")
        first = False
    yield "[]" if first else "\n  ]"


_string = json.encoder.encode_basestring  # the C function json uses with ensure_ascii=False
_float = float.__repr__
_int = int.__repr__


def _indented(value: Any, indent: str) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)`` as it reads at depth ``indent``.

    Written here because the standard library's encoder has no C path with ``indent``
    (3.11): on the 1k benchmark's pairs this is 2x faster (0.18 s against 0.35 s) and
    gives the same text (a hypothesis test checks). Values it does not know (numpy
    scalars, non-string keys, NaN and infinities) go to ``json`` itself.
    """
    out: list[str] = []
    try:
        _encode(value, indent, out)
    except _Unknown:
        encoder = json.JSONEncoder(indent=2, ensure_ascii=False)
        # JSON strings hold no raw newline, so indenting after each newline is exact.
        return encoder.encode(value).replace("\n", "\n" + indent)
    return "".join(out)


class _Unknown(Exception):
    """A value :func:`_encode` leaves to ``json``."""


def _float_text(value: float) -> str:
    text = _float(value)
    if text[-1] in "nf":  # nan, inf, -inf: json writes NaN / Infinity
        raise _Unknown
    return text


# Scalars by exact type (bool is not int here); containers, None, True, False in _encode.
_SCALARS: dict[type, Callable[[Any], str]] = {str: _string, float: _float_text, int: _int}
_CONSTANTS = {None: "null", True: "true", False: "false"}
_KEYS: dict[str, dict[str, str]] = {}
_MAX_KEYS = 1024


def _encode(value: Any, indent: str, out: list[str]) -> None:
    # Scalars inside containers are written in the containers' loops: one Python call
    # per scalar was most of the time.
    scalar = _SCALARS.get(type(value))
    if scalar is not None:
        out.append(scalar(value))
        return
    kind = type(value)
    if kind is dict:
        if not value:
            out.append("{}")
            return
        inner = indent + "  "
        # ',\n<indent>"key": ' per key and depth, built once (the report repeats its keys).
        keys = _KEYS.get(inner)
        if keys is None:
            keys = _KEYS[inner] = {}
        first = True
        for key, item in value.items():
            prefix = keys.get(key)
            if prefix is None:
                if type(key) is not str:
                    raise _Unknown
                prefix = ",\n" + inner + _string(key) + ": "
                if len(keys) < _MAX_KEYS:  # bounded, should a dict be keyed by data
                    keys[key] = prefix
            if first:
                out.append("{" + prefix[1:])
                first = False
            else:
                out.append(prefix)
            scalar = _SCALARS.get(type(item))
            if scalar is not None:
                out.append(scalar(item))
            else:
                _encode(item, inner, out)
        out.append("\n" + indent + "}")
    elif kind is list or kind is tuple:
        if not value:
            out.append("[]")
            return
        inner = indent + "  "
        sep = "[\n" + inner
        for item in value:
            out.append(sep)
            scalar = _SCALARS.get(type(item))
            if scalar is not None:
                out.append(scalar(item))
            else:
                _encode(item, inner, out)
            sep = ",\n" + inner
        out.append("\n" + indent + "]")
    elif value is None or value is True or value is False:
        out.append(_CONSTANTS[value])
    else:
        raise _Unknown


def schema() -> dict[str, Any]:
    """The JSON Schema of the report, as shipped in the package."""
    text = resources.files("syndicate").joinpath("schema/report.schema.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def validate(report: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` if the report does not match the schema."""
    import jsonschema

    jsonschema.validate(report, schema())


def write_atomic(path: str | os.PathLike[str], text: str | Iterable[str]) -> None:
    """Write ``text`` (a string or its pieces) to ``path`` atomically (temporary file in the same folder, then rename)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            if isinstance(text, str):
                fh.write(text)
            else:
                fh.writelines(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _tree_lines(cluster: dict[str, Any]) -> list[str]:
    """The derivation tree of a cluster drawn with box characters."""
    edges = cluster.get("edges") or []
    children: dict[str, list[dict[str, Any]]] = {}
    for e in edges:
        children.setdefault(e["source"], []).append(e)
    derived = {e["derived"] for e in edges}
    roots = [m for m in cluster["members"] if m not in derived]
    lines: list[str] = []

    def walk(node: str, prefix: str, edge: dict[str, Any] | None, last: bool, top: bool) -> None:
        label = node if edge is None else f"{node}  ({edge['confidence']:.2f})"
        if top:
            lines.append(f"      {label}")
        else:
            lines.append(f"      {prefix}{'└── ' if last else '├── '}{label}")
        kids = sorted(children.get(node, []), key=lambda e: e["derived"])
        for k, e in enumerate(kids):
            ext = "" if top else ("    " if last else "│   ")
            walk(e["derived"], prefix + ext, e, k == len(kids) - 1, False)

    for r in roots:
        walk(r, "", None, True, True)
    for u in cluster.get("unseen_sources") or []:
        lines.append(f"      (unseen common source of {', '.join(u['members'])}: {u['reason']})")
    return lines


def _clip(text: str, width: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


def render_text(r: dict[str, Any]) -> str:
    """Render a report dict as the terminal summary."""
    out: list[str] = []
    docs = {d["id"]: d for d in r["documents"]}
    reuse = [p for p in r["pairs"] if p["relation"] != "same_story"]
    same = len(r["pairs"]) - len(reuse)
    out.append(
        f"{r['tool']['name']} {r['tool']['version']}: {len(r['documents'])} documents, "
        f"{len(r['skipped'])} skipped, {len(reuse)} reuse pairs, {len(r['clusters'])} clusters"
    )
    if reuse:
        out.append("")
        out.append("Reuse pairs:")
        for p in reuse:
            s = p["scores"]
            out.append(
                f"  {p['a']}  <->  {p['b']}   {p['relation']} (confidence {p['confidence']:.2f}); "
                f"jaccard {s['jaccard']:.2f}, tf-idf cosine {s['tfidf_cosine']:.2f}, "
                f"{len(p.get('passages', []))} shared passages"
            )
            shown = sorted(p.get("passages", []), key=lambda q: -(q["a_end"] - q["a_start"]))[:2]
            for q in shown:
                out.append(f"      {q['kind']}: \"{_clip(q['a_text'])}\"")
    for c in r["clusters"]:
        out.append("")
        head = f"Cluster {c['id']}: {', '.join(c['members'])}"
        if c.get("original"):
            orig = docs.get(c["original"], {})
            cr = c.get("original_credit") or {}
            who = [x for x in (cr.get("publisher") or orig.get("publisher"), cr.get("byline")) if x]
            credit = f", credited to {' / '.join(who)}" if who else ""
            head += f"\n    original source: {c['original']}{credit} (confidence {c['original_confidence']:.2f})"
            if c.get("runner_up"):
                head += f"; close call, runner-up {c['runner_up']}"
        out.append(head)
        out.extend(_tree_lines(c))
    if same:
        out.append("")
        out.append(f"{same} same-story pairs (same event, no evidence of reuse).")
    if r["skipped"]:
        out.append("")
        out.append("Skipped:")
        for s in r["skipped"]:
            out.append(f"  {s['path']}: {s['reason']}" + (f" ({s['detail']})" if s.get("detail") else ""))
    return "\n".join(out) + "\n"


_CHANNELS = ((1, "lsh"), (2, "anchors"), (4, "tfidf"))


def channel_names(bits: int) -> list[str]:
    """Names of the candidate channels in a channel bit set."""
    return [name for bit, name in _CHANNELS if bits & bit]


def document_entry(doc: Any) -> dict[str, Any]:
    """The report entry of one document (metadata, length, stripped chrome)."""
    art = doc.article
    return {
        "id": art.id,
        "path": art.path,
        "format": art.format,
        "span_basis": art.span_basis,
        "encoding": art.encoding,
        "title": art.title,
        "publisher": art.publisher,
        "author": art.author,
        "url": art.url,
        "published": art.published,
        "published_source": art.published_source,
        "length": len(art.text),
        "stripped": [{"start": s.start, "end": s.end, "rule": s.rule, "text": s.text} for s in doc.stripped],
    }


def _passage_entry(p: Any, da: Any, db: Any) -> dict[str, Any]:
    a_s, a_e = da.offsets.original_span(p.a_start, p.a_end)
    b_s, b_e = db.offsets.original_span(p.b_start, p.b_end)
    return {
        "kind": p.kind,
        "a_start": a_s,
        "a_end": a_e,
        "b_start": b_s,
        "b_end": b_e,
        "similarity": p.similarity,
        "a_text": None,  # filled by fill_texts
        "b_text": None,
    }


def pair_entry(m: Any, rel: str, conf: float, docs: list[Any], texts: bool = True) -> dict[str, Any]:
    """The report entry of one scored pair (ids, relation, scores, passages in original offsets).

    With ``texts=False`` the passages' ``a_text`` and ``b_text`` are left ``None``, to
    be filled by :func:`fill_texts` when needed (:class:`PairEntries` fills them on access): they are the
    largest part of the entries (~4 KB a verified pair of news articles), and a scan
    keeps every entry until the report is assembled.
    """
    da, db = docs[m.a], docs[m.b]
    entry = {
        "a": da.article.id,
        "b": db.article.id,
        "relation": rel,
        "confidence": conf,
        "channels": channel_names(m.channels),
        "scores": dict(sorted(m.scores.items())),
        "passages": [_passage_entry(p, da, db) for p in m.passages] if rel != "same_story" else [],
    }
    if texts:
        fill_texts(entry, da, db)
    return entry


def fill_texts(entry: dict[str, Any], da: Any, db: Any) -> None:
    """Set the passages' ``a_text`` and ``b_text`` of a pair entry from its two documents (in place)."""
    for p in entry["passages"]:
        p["a_text"] = da.article.text[p["a_start"] : p["a_end"]]
        p["b_text"] = db.article.text[p["b_start"] : p["b_end"]]


def build_report(
    docs: list[Any],
    pairs: list[dict[str, Any]] | PairEntries,
    clusters: list[dict[str, Any]],
    skipped: list[Any],
    stats: dict[str, Any],
    tool: dict[str, Any],
    config: Any,
    bands_rows: tuple[int, int],
) -> Report:
    """Assemble the report from the stages' outputs (pairs and clusters already in report form)."""
    return assemble_report([document_entry(d) for d in docs], pairs, clusters, skipped, stats, tool, config, bands_rows)


def assemble_report(
    documents: list[dict[str, Any]],
    pairs: list[dict[str, Any]] | PairEntries,
    clusters: list[dict[str, Any]],
    skipped: list[Any],
    stats: dict[str, Any],
    tool: dict[str, Any],
    config: Any,
    bands_rows: tuple[int, int],
) -> Report:
    """The report from entries already in report form (documents in index order).

    The report takes the entries over: their floats are rounded in place. Compact
    pairs (:class:`PairEntries`) come in report order and are rounded when read.
    """
    parameters = config.to_dict()
    parameters["minhash"] = {
        "library": "datasketch",
        "scheme": config.sketch.scheme,
        "num_perm": config.sketch.num_perm,
        "seed": config.sketch.seed,
        "bands": bands_rows[0],
        "rows": bands_rows[1],
        "shingle_hash": "blake2b-64 per token; n-gram: multiply-add chain + murmur3 fmix64",
    }
    return Report(
        tool=_round_in_place(tool),
        parameters=_round_in_place(parameters),
        documents=_round_in_place(documents),
        pairs=pairs if isinstance(pairs, PairEntries) else _round_in_place(sorted(pairs, key=lambda p: (p["a"], p["b"]))),
        clusters=_round_in_place(clusters),
        skipped=[{"path": s.path, "reason": s.reason, "detail": s.detail} for s in skipped],
        stats=_round_in_place(stats),
    )
