"""Data-driven rule cases: tests/rule_cases/<CODE>.yaml (see tolint/testing.py for the format)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tolint.catalog import load_catalog
from tolint.testing import load_case_file, run_case

CASES_DIR = Path(__file__).parent / "rule_cases"


def _collect() -> list[tuple[str, str, object, dict]]:
    collected = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        case_file = load_case_file(path)
        for name, case in case_file.cases.items():
            collected.append((case_file.rule, name, case, case_file.config))
    return collected


ALL_CASES = _collect()


@pytest.mark.parametrize(
    ("rule", "name", "case", "config"), ALL_CASES, ids=[f"{rule}-{name}" for rule, name, _, _ in ALL_CASES]
)
def test_rule_case(rule: str, name: str, case, config: dict, tmp_path: Path) -> None:
    result = run_case(rule, case, tmp_path, config)
    assert result.ok, "\n".join(result.problems + ["--- output ---"] + result.output)


def test_every_rule_has_a_failing_and_a_passing_case() -> None:
    failing: set[str] = set()
    passing: set[str] = set()
    for rule, _name, case, _config in ALL_CASES:
        (failing if case.expect else passing).add(rule)
    for rule in load_catalog():
        assert rule.code in failing, f"{rule.code} has no case that expects a finding"
        assert rule.code in passing, f"{rule.code} has no case that expects no finding"


def test_case_files_name_existing_rules() -> None:
    catalog = load_catalog()
    for path in CASES_DIR.glob("*.yaml"):
        case_file = load_case_file(path)
        assert catalog.get(case_file.rule) is not None, f"{path.name}: unknown rule {case_file.rule}"
        assert path.stem == case_file.rule, f"{path.name} must be named after its rule ({case_file.rule}.yaml)"
