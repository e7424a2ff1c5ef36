"""The rule-case runner, public so that plugin authors test their rules the way tolint does.

A rule-case file (``tests/rule_cases/TL101.yaml``) names a rule and holds cases; each case
is a small tree of files and the findings the rule must produce on it::

    rule: TL101
    config: {nginx-version: "1.28.0"}      # optional, for every case
    cases:
      pool_outlives_server:
        files:
          edge/nginx.conf: |
            ...
        expect:
          - {file: edge/nginx.conf, line: 3, message: "60s"}   # message: a substring
      fixed:
        files: {...}
        expect: []

Only the case's rule runs, so a case states exactly what that rule reports.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ExpectedFinding(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file: str
    line: int | None = None
    message: str | None = None  # a substring the message must contain
    related: str | None = None  # "file:line" of a related location that must be present
    code: str | None = None


class RuleCase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str = ""
    config: dict[str, Any] = Field(default_factory=dict)
    files: dict[str, str]
    expect: list[ExpectedFinding]
    # Substrings of input diagnostics (parse errors) the case must produce.
    errors: list[str] = Field(default_factory=list)


class RuleCaseFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: str
    config: dict[str, Any] = Field(default_factory=dict)
    cases: dict[str, RuleCase]


@dataclass
class CaseResult:
    ok: bool
    problems: list[str] = field(default_factory=list)
    output: list[str] = field(default_factory=list)


def load_case_file(path: str | Path) -> RuleCaseFile:
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(Path(path).read_text(encoding="utf-8"))
    return RuleCaseFile.model_validate(data)


def write_tree(root: Path, files: dict[str, str]) -> None:
    for relative, content in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")


def run_case(rule: str, case: RuleCase, root: Path, base_config: dict[str, Any] | None = None) -> CaseResult:
    """Write the case's tree under ``root``, lint it with only ``rule`` selected, compare."""
    from tolint.config import Settings
    from tolint.pipeline import lint

    write_tree(root, case.files)
    values = {**(base_config or {}), **case.config, "select": [rule]}
    settings = Settings.model_validate(values)
    report = lint([str(root)], settings, cwd=str(root))
    actual = [f for f in report.findings if f.suppressed is None]
    output = [f"{f.location.text()}: {f.code} {f.message}" for f in actual]
    output += [f"{d.file}:{d.line}: {d.severity}: {d.message}" for d in report.diagnostics]
    problems: list[str] = []
    unmatched = list(actual)
    for expected in case.expect:
        match = next((f for f in unmatched if _matches(f, expected)), None)
        if match is None:
            problems.append(f"expected finding not reported: {expected.model_dump(exclude_none=True)}")
        else:
            unmatched.remove(match)
    for finding in unmatched:
        problems.append(f"unexpected finding: {finding.location.text()}: {finding.code} {finding.message}")
    messages = [d.message for d in report.diagnostics]
    for wanted in case.errors:
        if not any(wanted in message for message in messages):
            problems.append(f"expected input error containing {wanted!r}; got {messages}")
    if not case.errors:
        problems += [f"unexpected input error: {d.file}:{d.line}: {d.message}"
                     for d in report.diagnostics if d.severity == "error"]
    return CaseResult(ok=not problems, problems=problems, output=output)


def _matches(finding: Any, expected: ExpectedFinding) -> bool:
    if expected.code and finding.code != expected.code:
        return False
    if finding.location.file.replace(os.sep, "/") != expected.file:
        return False
    if expected.line is not None and finding.location.line != expected.line:
        return False
    if expected.message is not None and expected.message not in finding.message:
        return False
    if expected.related is not None:
        places = {f"{r.location.file}:{r.location.line}" for r in finding.related}
        if expected.related not in places:
            return False
    return True
