"""Scenario trees under fixtures/ against their golden output (refresh with --update-golden)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tolint.cli import main

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted(path.name for path in (ROOT / "fixtures").iterdir() if (path / "expected.txt").exists())
FORMATS = {"expected.txt": "text", "expected.json": "json"}


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("golden", sorted(FORMATS))
def test_scenario_output(scenario: str, golden: str, update_golden: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    expected_path = ROOT / "fixtures" / scenario / golden
    if golden != "expected.txt" and not expected_path.exists() and not update_golden:
        pytest.skip(f"{scenario} has no {golden}")
    out = io.StringIO()
    code = main(["check", "--format", FORMATS[golden], f"fixtures/{scenario}"], stdout=out)
    if update_golden:
        expected_path.write_text(out.getvalue(), encoding="utf-8")
    assert out.getvalue() == expected_path.read_text(encoding="utf-8")
    # A scenario's "-fixed" twin must be clean; the broken scenario must fail the run.
    assert code == (0 if scenario.endswith("-fixed") else 1)


def test_every_scenario_has_a_golden_file() -> None:
    for path in (ROOT / "fixtures").iterdir():
        if path.is_dir():
            assert (path / "expected.txt").exists(), f"{path.name} has no expected.txt"
            assert (path / "README.md").exists(), f"{path.name} has no README.md saying what it shows"
