"""End-to-end behaviour on the seeds and property tests over generated folders."""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import syndicate
from syndicate.report import validate

from .conftest import SEEDS

SEED_FILES = sorted(p.name for p in SEEDS.glob("*.txt"))
REUSE = {"near_duplicate", "containment", "partial_reuse", "paraphrase"}


def _short(report: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(p["a"][:3], p["b"][:3]): p["relation"] for p in report["pairs"]}


def test_seeds_report_validates(seeds_report: dict[str, Any]) -> None:
    validate(seeds_report)
    assert [d["id"][:3] for d in seeds_report["documents"]] == ["000", "001", "002", "003", "004"]
    assert seeds_report["skipped"] == []


def test_seeds_reuse_pairs(seeds_report: dict[str, Any]) -> None:
    rel = _short(seeds_report)
    assert rel[("000", "002")] in REUSE
    assert rel[("001", "002")] in REUSE
    for (a, b), r in rel.items():
        if "004" in (a, b):
            assert r not in REUSE, (a, b, r)


def test_seeds_passages_point_into_files(seeds_report: dict[str, Any]) -> None:
    texts = {p.stem: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    n = 0
    for pair in seeds_report["pairs"]:
        for p in pair["passages"]:
            assert texts[pair["a"]][p["a_start"] : p["a_end"]] == p["a_text"]
            assert texts[pair["b"]][p["b_start"] : p["b_end"]] == p["b_text"]
            n += 1
    assert n > 0


def test_seeds_chrome_stripped(seeds_report: dict[str, Any]) -> None:
    docs = {d["id"][:3]: d for d in seeds_report["documents"]}
    stripped_002 = " ".join(s["text"] for s in docs["002"]["stripped"])
    assert "Sign up to read this article" in stripped_002
    assert "Get all your news in one place" in stripped_002
    assert "Related Stories" in " ".join(s["text"] for s in docs["000"]["stripped"])
    assert not any("NATO" in s["text"] for d in docs.values() for s in d["stripped"])


def test_seeds_lineage(seeds_report: dict[str, Any]) -> None:
    (cluster,) = [c for c in seeds_report["clusters"] if any(m.startswith("002") for m in c["members"])]
    members = {m[:3] for m in cluster["members"]}
    assert {"000", "001", "002"} <= members and "004" not in members
    assert cluster["original"].startswith("002")
    assert cluster["original_credit"]["publisher"] == "Euronews"
    assert cluster["original_credit"]["byline"] == "Shona Murray"
    edges = {(e["source"][:3], e["derived"][:3]): e for e in cluster["edges"]}
    assert ("002", "000") in edges and ("002", "001") in edges
    for (s, d), e in edges.items():
        if "003" in (s, d):
            assert e["confidence"] < 0.5, "003 may join only through a low-confidence edge"
    notes = " ".join(u["reason"] for u in cluster["unseen_sources"])
    assert "Article 3" in notes


def _lineage_is_forest(report: dict[str, Any]) -> None:
    for c in report["clusters"]:
        parents: dict[str, str] = {}
        for e in c["edges"]:
            assert e["derived"] not in parents, "a document has two parents"
            parents[e["derived"]] = e["source"]
        for m in c["members"]:
            seen = set()
            node = m
            while node in parents:
                assert node not in seen, "cycle"
                seen.add(node)
                node = parents[node]


def test_seeds_lineage_is_forest(seeds_report: dict[str, Any]) -> None:
    _lineage_is_forest(seeds_report)


def _scan_dir(files: dict[str, str], order: list[str] | None = None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        for name in order or list(files):
            Path(tmp, name).write_text(files[name], encoding="utf-8")
        return syndicate.scan(tmp).to_dict()


def _seed_texts() -> dict[str, str]:
    return {name: (SEEDS / name).read_text(encoding="utf-8") for name in SEED_FILES}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SEED_FILES), st.text(alphabet="abcdefghij", min_size=3, max_size=8))
def test_copy_under_another_name_is_near_duplicate(seed: str, name: str) -> None:
    files = _seed_texts()
    files[f"zz_{name}.txt"] = files[seed]
    report = _scan_dir(files)
    rel = {(p["a"], p["b"]): p["relation"] for p in report["pairs"]}
    assert rel[(seed[:-4], f"zz_{name}")] == "near_duplicate"
    validate(report)
    _lineage_is_forest(report)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([f for f in SEED_FILES if not f.startswith("001")]), st.floats(0.3, 0.6))
def test_trimmed_copy_is_containment(seed: str, keep: float) -> None:
    files = _seed_texts()
    text = files[seed]
    paragraphs = text.split("\n")
    cut = max(3, int(len(paragraphs) * keep))
    files["zz_trimmed.txt"] = "\n".join(paragraphs[:cut])
    report = _scan_dir(files)
    rel = {(p["a"], p["b"]): p for p in report["pairs"]}
    pair = rel[(seed[:-4], "zz_trimmed")]
    assert pair["relation"] in ("containment", "near_duplicate")
    if pair["relation"] == "containment":
        (c,) = [c for c in report["clusters"] if "zz_trimmed" in c["members"]]
        assert any(e["source"] == seed[:-4] and e["derived"] == "zz_trimmed" for e in c["edges"])


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.permutations(SEED_FILES))
def test_file_order_changes_no_byte(order: list[str]) -> None:
    files = _seed_texts()
    a = _scan_dir(files, order)
    b = _scan_dir(files, sorted(order))
    assert json.dumps(a) == json.dumps(b)


def test_copy_in_subfolder_keeps_relative_id(tmp_path: Path) -> None:
    shutil.copytree(SEEDS, tmp_path / "in")
    (tmp_path / "in" / "wire").mkdir()
    shutil.copy(SEEDS / SEED_FILES[2], tmp_path / "in" / "wire" / "copy.txt")
    report = syndicate.scan(tmp_path / "in").to_dict()
    assert "wire/copy" in {d["id"] for d in report["documents"]}


def test_api_rejects_bad_option() -> None:
    with pytest.raises(syndicate.ConfigError, match="threshold must be in"):
        syndicate.scan(SEEDS, threshold=1.5)
    with pytest.raises(syndicate.ConfigError, match="unknown option"):
        syndicate.scan(SEEDS, thresold=0.5)


def test_report_identical_for_any_number_of_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    from syndicate import pipeline

    one = syndicate.scan(SEEDS, jobs=1).to_json()
    monkeypatch.setattr(pipeline, "VIEW_CHUNK", 2)  # several work units even on five documents
    monkeypatch.setattr(pipeline, "VERIFY_CHUNK", 1)
    monkeypatch.setattr(pipeline, "LINEAGE_CHUNK", 1)
    assert syndicate.scan(SEEDS, jobs=2).to_json() == one
    assert syndicate.scan(SEEDS, jobs=3).to_json() == one


def test_sidecar_dates_decide_direction(tmp_path: Path) -> None:
    source = (SEEDS / SEED_FILES[2]).read_text(encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "early.txt").write_text(source, encoding="utf-8")
    (tmp_path / "docs" / "late.txt").write_text(source, encoding="utf-8")
    meta = tmp_path / "meta.jsonl"
    rows = [
        {"file": "late.txt", "published": "2025-03-14T09:00:00Z", "publisher": "Copy Daily"},
        {"file": "early.txt", "published": "2025-03-13T08:00:00Z", "publisher": "First Wire"},
    ]
    meta.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    report = syndicate.scan(tmp_path / "docs", metadata_file=str(meta)).to_dict()
    (cluster,) = report["clusters"]
    assert cluster["original"] == "early"
    (edge,) = cluster["edges"]
    assert (edge["source"], edge["derived"]) == ("early", "late")
    assert any("published earlier" in e for e in edge["evidence"])
    flipped = syndicate.scan(tmp_path / "docs", metadata_file=str(meta), use_dates=False).to_dict()
    assert not any("published earlier" in e for c in flipped["clusters"] for ed in c["edges"] for e in ed["evidence"])


def test_html_and_jsonl_inputs_end_to_end(tmp_path: Path) -> None:
    import html as html_lib

    story = (SEEDS / SEED_FILES[2]).read_text(encoding="utf-8")
    paragraphs = [p.strip() for p in story.split("\n") if len(p.split()) > 8]
    body = "".join(f"<p>{html_lib.escape(p)}</p>" for p in paragraphs)
    page = (
        "<html><head><title>Rutte to convince Trump</title>"
        '<meta property="og:site_name" content="Euronews">'
        '<meta property="article:published_time" content="2025-03-13T08:00:00Z"></head>'
        f"<body><nav><a href='/'>Home</a></nav><article><h1>Rutte to convince Trump</h1>{body}</article>"
        "<footer>Contact us</footer></body></html>"
    )
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    record = {"id": "wire-1", "text": "\n\n".join(paragraphs), "publisher": "Wire", "published": "2025-03-14"}
    (tmp_path / "feed.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    report = syndicate.scan(tmp_path).to_dict()
    validate(report)
    docs = {d["id"]: d for d in report["documents"]}
    assert docs["page"]["span_basis"] == "extracted_text" and docs["page"]["publisher"] == "Euronews"
    assert docs["wire-1"]["span_basis"] == "record_text"
    (pair,) = [p for p in report["pairs"] if {p["a"], p["b"]} == {"page", "wire-1"}]
    assert pair["relation"] in ("near_duplicate", "containment")
    wire_side = "b" if pair["b"] == "wire-1" else "a"
    for p in pair["passages"]:
        s, e = p[f"{wire_side}_start"], p[f"{wire_side}_end"]
        assert record["text"][s:e] == p[f"{wire_side}_text"]
    (cluster,) = report["clusters"]
    assert cluster["original"] == "page"  # published a day earlier


def test_ordered_map_keeps_no_state_after_the_stage() -> None:
    from syndicate.backends import local

    def seen(chunk: list[int]) -> list[int]:
        return [x * local.state()["k"] for x in chunk]

    assert local.ordered_map(seen, [1, 2, 3], jobs=1, chunk=2, shared={"k": 10}) == [10, 20, 30]
    assert local.state() == {}
    with pytest.raises(KeyError):
        local.ordered_map(seen, [1], jobs=1, chunk=1, shared={})
    assert local.state() == {}


def test_passage_texts_filled_from_the_original_files() -> None:
    from types import SimpleNamespace

    from syndicate.report import PairEntries, fill_texts, pack_entry

    def doc(text: str) -> Any:
        return SimpleNamespace(article=SimpleNamespace(text=text))

    da, db = doc("Alpha said the talks went well."), doc("As Alpha said, talks went well.")
    entry = {"a": "x", "passages": [{"a_start": 6, "a_end": 10, "b_start": 15, "b_end": 31, "a_text": None, "b_text": None}]}
    pairs = PairEntries([pack_entry(entry)], [(da, db)])
    got = pairs[0]
    assert got["passages"][0]["a_text"] == "said" and got["passages"][0]["b_text"] == "talks went well."
    assert pairs[0]["passages"][0]["a_text"] == "said"  # built again on each access
    fill_texts(entry, da, db)
    assert entry == got and list(pairs) == [got] and len(pairs) == 1
    with pytest.raises(ValueError, match="1 pair entries for 0 document pairs"):
        PairEntries([pack_entry(entry)], [])


_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3)
    | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=2), inner, max_size=3),
    max_leaves=12,
)


@given(_JSONISH)
def test_report_rounds_in_place_like_the_copying_round(value: Any) -> None:
    import copy

    from syndicate.report import _round, _round_in_place

    assert json.dumps(_round_in_place(copy.deepcopy(value))) == json.dumps(_round(value))


_ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=3)
    | st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 1e300, 5e-324]),
    lambda inner: st.lists(inner, max_size=3)
    | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=2) | st.integers() | st.booleans() | st.none(), inner, max_size=3),
    max_leaves=12,
)


@given(_ANY_JSON, st.sampled_from(["", "  ", "    "]))
def test_report_encoder_writes_what_json_writes(value: Any, indent: str) -> None:
    from syndicate.report import _indented

    # NaN, infinities and non-string keys included: the fast encoder hands those to json.
    want = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + indent)
    assert _indented(value, indent) == want


_ENTRY = st.dictionaries(
    st.sampled_from(["a", "b", "relation", "scores", "passages", "é\n\"x"]),
    _JSONISH,
    max_size=5,
)


@given(_ENTRY)
def test_packed_entries_come_back_exactly(entry: dict[str, Any]) -> None:
    from syndicate.report import pack_entry, unpack_entry

    assert json.dumps(unpack_entry(pack_entry(entry))) == json.dumps(entry)


@given(st.lists(_ENTRY, max_size=4), st.lists(st.text(max_size=4), max_size=2))
def test_report_with_compact_pairs_writes_the_same_json(entries: list[dict[str, Any]], notes: list[str]) -> None:
    import copy

    from syndicate.report import PairEntries, Report, _round_in_place, pack_entry

    def report(pairs: Any) -> Report:
        return Report({"name": "t"}, {"x": 0.5}, [{"id": n} for n in notes], pairs, [{"id": "c1"}], [], {"pairs": len(entries)})

    # Entries without passages (PairEntries fills passage texts from documents).
    plain = [{**{k: v for k, v in e.items() if k != "passages"}, "passages": []} for e in entries]
    compact = PairEntries([pack_entry(e) for e in plain], [(None, None)] * len(plain))
    want = report(_round_in_place(copy.deepcopy(plain)))
    got = report(compact)
    # The streamed JSON equals the whole report encoded at once.
    assert got.to_json() == json.dumps(want.to_dict(), indent=2, ensure_ascii=False) + "\n"
    assert want.to_json() == got.to_json()
    assert got.to_dict() == want.to_dict()
