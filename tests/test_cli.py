"""CLI: exit codes, stderr, formats, atomic output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from syndicate.cli import main

from .conftest import SEEDS


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("args", [["--help"], ["scan", "--help"], ["schema", "--help"]])
def test_help(args: list[str]) -> None:
    code, out, _ = _run(*args)
    assert code == 0 and "Usage" in out


def test_schema_command_prints_json_schema() -> None:
    code, out, _ = _run("schema")
    assert code == 0
    assert json.loads(out)["title"] == "syndicate report"


def test_scan_json_to_stdout() -> None:
    code, out, _ = _run("scan", str(SEEDS))
    assert code == 0
    assert json.loads(out)["stats"]["documents"] == 5


def test_scan_text_format() -> None:
    code, out, _ = _run("scan", str(SEEDS), "--format", "text")
    assert code == 0
    assert "original source: 002" in out and "└──" in out


def test_output_file_written_atomically(tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.json"
    code, out, _ = _run("scan", str(SEEDS), "-o", str(target))
    assert code == 0 and out == ""
    assert json.loads(target.read_text())["schema_version"] == "1.0"
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]


def test_fail_on_match_exit_1() -> None:
    code, _, _ = _run("scan", str(SEEDS), "--fail-on-match")
    assert code == 1


def test_missing_path_exit_3() -> None:
    code, _, err = _run("scan", "/nonexistent/folder")
    assert code == 3
    assert err.startswith("syndicate: error:") and "does not exist" in err
    assert len(err.strip().splitlines()) == 1


def test_folder_without_articles_exit_3(tmp_path: Path) -> None:
    (tmp_path / "a.bin").write_bytes(b"\x00\x01\x02" * 10)
    (tmp_path / "b.txt").write_bytes(b"\x00\x01\x02" * 10)
    (tmp_path / "empty.txt").write_text("   \n")
    code, _, err = _run("scan", str(tmp_path))
    assert code == 3
    assert "no readable article" in err and "Traceback" not in err
    assert "binary: 1" in err and "empty: 1" in err and "unsupported: 1" in err


def test_bad_value_exit_2() -> None:
    code, _, err = _run("scan", str(SEEDS), "--threshold", "1.5")
    assert code == 2
    assert "threshold must be in (0, 1]; got 1.5" in err


def test_unknown_option_exit_2() -> None:
    code, _, _ = _run("scan", str(SEEDS), "--no-such-option")
    assert code == 2


def test_reports_identical_across_processes(tmp_path: Path) -> None:
    outs = []
    for seed in ("0", "123"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        target = tmp_path / f"r{seed}.json"
        subprocess.run([sys.executable, "-m", "syndicate.cli", "scan", str(SEEDS), "-o", str(target)], check=True, env=env)
        outs.append(target.read_bytes())
    assert outs[0] == outs[1]


def test_streamed_report_is_byte_identical_to_one_json_dump(tmp_path: Path) -> None:
    import syndicate

    report = syndicate.scan(SEEDS)
    expected = json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
    assert report.to_json() == expected
    out = tmp_path / "r.json"
    code, stdout, _ = _run("scan", str(SEEDS), "-o", str(out))
    assert code == 0 and stdout == ""
    assert out.read_text(encoding="utf-8") == expected
    code, stdout, _ = _run("scan", str(SEEDS))
    assert code == 0 and stdout == expected
