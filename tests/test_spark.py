"""The Spark engine gives the local engine's report, field by field (one shared SparkSession)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

import syndicate
from syndicate.config import build_config
from syndicate.errors import ConfigError, DependencyError
from syndicate.report import validate

from .conftest import SEEDS

_JAVA = shutil.which("java")


def _needs_spark() -> None:
    pytest.importorskip("pyspark", reason="PySpark not installed: pip install 'syndicate[spark]'")
    if _JAVA is None:
        pytest.skip("Java not found: the Spark engine needs Java 17+ (.ci/install-java installs it)")


@pytest.fixture(scope="session")
def spark() -> Any:
    _needs_spark()
    from syndicate.backends.spark import session

    s, _ = session("local[2]")
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


def _compare(local: dict[str, Any], spark: dict[str, Any]) -> None:
    """Field by field, so a failure names the first differing section and item."""
    assert set(local) == set(spark)
    for key in ("parameters", "documents", "skipped", "stats"):
        assert spark[key] == local[key], key
    assert len(spark["pairs"]) == len(local["pairs"])
    for a, b in zip(local["pairs"], spark["pairs"], strict=True):
        assert (b["a"], b["b"], b["relation"]) == (a["a"], a["b"], a["relation"])
        assert b == a, (a["a"], a["b"])
    assert [c["members"] for c in spark["clusters"]] == [c["members"] for c in local["clusters"]]
    for a, b in zip(local["clusters"], spark["clusters"], strict=True):
        assert b == a, a["id"]
    assert spark == local


@pytest.mark.engine
def test_seeds_same_report(spark: Any) -> None:
    local = syndicate.scan(SEEDS).to_dict()
    distributed = syndicate.scan(SEEDS, engine="spark", spark_master="local[2]")
    validate(distributed.to_dict())
    _compare(local, distributed.to_dict())
    assert distributed.to_json() == syndicate.scan(SEEDS).to_json()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated corpus as one JSONL file (ids, text, title, publisher, published, url)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks.corpus import GenConfig, generate

    out = tmp_path_factory.mktemp("gen")
    generate(out, GenConfig(size=60, seed=3, use_real_text=False))
    meta = {json.loads(x)["file"]: json.loads(x) for x in (out / "metadata.given.jsonl").read_text().splitlines()}
    target = out / "corpus.jsonl"
    with target.open("w", encoding="utf-8") as fh:
        for p in sorted((out / "docs").glob("*.txt")):
            m = meta.get(p.name, {})
            rec = {"id": p.stem, "text": p.read_text(encoding="utf-8")}
            rec.update({k: m[k] for k in ("title", "publisher", "published", "url") if m.get(k)})
            fh.write(json.dumps(rec) + "\n")
    # A duplicate id and a broken line exercise the record rules.
    with target.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": p.stem, "text": "a second record with a taken id"}) + "\n")
        fh.write("{not json\n")
    return target


@pytest.mark.engine
def test_generated_jsonl_same_report(spark: Any, generated: Path) -> None:
    local = syndicate.scan(generated).to_dict()
    assert local["stats"]["reuse_pairs"] > 5 and local["clusters"]
    distributed = syndicate.scan(generated, engine="spark", spark_master="local[2]", partitions=3).to_dict()
    _compare(local, distributed)


@pytest.mark.engine
def test_report_does_not_depend_on_partitions(spark: Any, generated: Path) -> None:
    """One partition, and more partitions than some hold documents (empty blocks)."""
    local = syndicate.scan(generated).to_dict()
    _compare(local, syndicate.scan(generated, engine="spark", spark_master="local[2]", partitions=1).to_dict())
    seeds = syndicate.scan(SEEDS).to_dict()
    _compare(seeds, syndicate.scan(SEEDS, engine="spark", spark_master="local[2]", partitions=8).to_dict())


@pytest.mark.engine
def test_parquet_input_and_output_dir(spark: Any, generated: Path, tmp_path: Path) -> None:
    rows = [json.loads(x) for x in generated.read_text(encoding="utf-8").splitlines()[:-2]]
    data = tmp_path / "corpus.parquet"
    spark.createDataFrame(
        [(r["id"], r["text"], r.get("title"), r.get("publisher"), r.get("published"), r.get("url")) for r in rows],
        "id string, text string, title string, publisher string, published string, url string",
    ).write.parquet(str(data))
    out = tmp_path / "out"
    summary = syndicate.scan(data, engine="spark", output_dir=out).to_dict()
    reference = syndicate.scan(generated).to_dict()
    pairs = [json.loads(x) for f in sorted((out / "pairs").glob("part-*")) for x in f.read_text().splitlines()]
    assert [(p["a"], p["b"], p["relation"]) for p in pairs] == [(p["a"], p["b"], p["relation"]) for p in reference["pairs"]]
    clusters = [json.loads(x) for f in sorted((out / "clusters").glob("part-*")) for x in f.read_text().splitlines()]
    assert [c["members"] for c in clusters] == [c["members"] for c in reference["clusters"]]
    assert [c["edges"] for c in clusters] == [c["edges"] for c in reference["clusters"]]
    passages = [json.loads(x) for f in sorted((out / "passages").glob("part-*")) for x in f.read_text().splitlines()]
    assert len(passages) == sum(len(p["passages"]) for p in reference["pairs"])
    docs = [json.loads(x) for f in sorted((out / "documents").glob("part-*")) for x in f.read_text().splitlines()]
    assert [d["id"] for d in docs] == [d["id"] for d in reference["documents"]]
    assert summary["pairs"] == [] and summary["stats"]["pairs"] == reference["stats"]["pairs"]


def test_engine_is_not_a_parameter() -> None:
    assert build_config(engine="spark", spark_master="local[2]").to_dict() == build_config().to_dict()
    with pytest.raises(ConfigError, match="engine must be one of"):
        build_config(engine="dask")


def test_missing_pyspark_is_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(DependencyError, match=r"pip install 'syndicate\[spark\]'"):
        syndicate.scan(SEEDS, engine="spark")


def test_output_dir_needs_spark(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="output_dir"):
        syndicate.scan(SEEDS, output_dir=tmp_path)
