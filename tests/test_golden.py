"""Golden reports: parsed comparison first (readable diff), then bytes (determinism).

Rewrite with ``pytest --update-golden`` and review the diff like code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import syndicate
from syndicate.report import validate

from .conftest import ROOT

GOLDEN = Path(__file__).parent / "golden"
CASES = {"seeds": ROOT / "seeds"} | {p.name: p / "input" for p in sorted(GOLDEN.glob("*/")) if (p / "input").is_dir()}


def _stable(report: dict[str, Any]) -> dict[str, Any]:
    """The report without what legitimately differs between machines (library versions)."""
    out = dict(report)
    out["tool"] = {k: v for k, v in report["tool"].items() if k not in ("libraries", "python")}
    return out


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case: str, update_golden: bool) -> None:
    expected_path = GOLDEN / f"{case}.json"
    report = syndicate.scan(CASES[case])
    data = _stable(report.to_dict())
    validate(report.to_dict())
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if update_golden or not expected_path.exists():
        expected_path.parent.mkdir(parents=True, exist_ok=True)
        expected_path.write_text(text, encoding="utf-8")
        if not update_golden:
            pytest.fail(f"golden file {expected_path.name} was missing and has been written; review and commit it")
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    assert data == expected
    assert text == expected_path.read_text(encoding="utf-8")
