"""The client part of TL201 missing-timeout, run with a stand-in rule until the lead merges it.

TL201 and its generic template are written on another branch. These tests give the
``client-missing-timeout`` template a temporary TL201 rule and run the pending rule cases,
so the template is tested now and the cases move into TL201.yaml unchanged later.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tolint.catalog import Catalog, load_catalog, parse_rule
from tolint.config import Settings
from tolint.pipeline import lint
from tolint.testing import load_case_file, write_tree

PENDING = Path(__file__).resolve().parent.parent / "rule_cases" / "TL201-clients.yaml.pending"
STAND_IN = """---
code: TL201
name: missing-timeout
summary: A client has no timeout at all
severity: error
template: client-missing-timeout
tags: [timeouts]
---

## What it does
"""

CASES = load_case_file(PENDING)


def _catalog() -> Catalog:
    rules = [rule for rule in load_catalog() if rule.code != "TL201"]
    return Catalog([*rules, parse_rule(STAND_IN, "TL201 stand-in")])


@pytest.mark.parametrize("name", sorted(CASES.cases))
def test_pending_case(name: str, tmp_path: Path) -> None:
    case = CASES.cases[name]
    write_tree(tmp_path, case.files)
    report = lint([str(tmp_path)], Settings(select=["TL201"]), cwd=str(tmp_path), catalog=_catalog())
    assert not [d for d in report.diagnostics if d.severity == "error"], report.diagnostics
    found = [(f.location.file, f.location.line, f.message) for f in report.findings]
    assert len(found) == len(case.expect), found
    for expected, (file, line, message) in zip(case.expect, sorted(found, key=lambda item: (item[0], item[1] or 0))):
        assert (file, line) == (expected.file, expected.line), found
        assert expected.message in message, message


def test_cases_cover_both_outcomes() -> None:
    outcomes = {bool(case.expect) for case in CASES.cases.values()}
    assert outcomes == {True, False}
