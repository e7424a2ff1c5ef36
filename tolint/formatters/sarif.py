"""``sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

Built as plain dicts by small functions rather than pydantic models: the output is
write-only, its shape is fixed by the standard, and a test validates every document
against the official 2.1.0 JSON schema (``tests/sarif-schema-2.1.0.json``), which checks
more than models of our own would.

- ``tool.driver.rules``: a descriptor for every rule that ran (summary, the "What it
  does" section, the whole rule page as ``help.markdown``, ``helpUri``, default level, tags).
- One result per finding; the other end of a hop is a ``relatedLocations`` entry linked
  from the message (``[the other end](1)``).
- Suppressed findings are kept with ``suppressions``: ``inSource`` for comments and
  annotations, ``external`` for per-file-ignores and the baseline, each with its reason.
- ``partialFingerprints["tolint/v1"]`` is the fingerprint the baseline uses: it does not
  change when lines move.
- Input problems (a file that could not be parsed) are ``toolExecutionNotifications`` of
  the invocation, with their file and line: they are not findings of a rule.
- URIs are relative to ``%SRCROOT%``, the working directory (run tolint from the
  repository root); files outside it get absolute ``file://`` URIs.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from tolint import __version__
from tolint.findings import Finding, Location

if TYPE_CHECKING:
    from tolint.catalog import Rule
    from tolint.graph import Diagnostic
    from tolint.pipeline import Report

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/tolint/tolint"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "tolint/v1"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
_SUPPRESSION_KINDS = {"comment": "inSource", "annotation": "inSource", "config": "external", "baseline": "external"}
_LINK_CHARS = re.compile(r"([\\\[\]])")


class SarifFormatter:
    name = "sarif"
    description = "SARIF 2.1.0 for GitHub code scanning (suppressed findings included, marked)"

    def write(self, report: Report, stream: TextIO, color: bool) -> None:
        json.dump(sarif_document(report), stream, indent=2, ensure_ascii=True)
        stream.write("\n")


def sarif_document(report: Report, cwd: str | None = None) -> dict[str, Any]:
    rules = sorted((active.rule for active in report.rules), key=lambda rule: rule.code)
    index = {rule.code: position for position, rule in enumerate(rules)}
    levels = {active.rule.code: active.severity for active in report.rules}
    results = [_result(finding, index) for finding in report.findings]
    base = Path(cwd or os.getcwd()).resolve().as_uri() + "/"
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "tolint",
            "version": __version__,
            "semanticVersion": __version__,
            "informationUri": INFORMATION_URI,
            "rules": [_descriptor(rule, levels.get(rule.code, rule.severity)) for rule in rules],
        }},
        "invocations": [{
            "executionSuccessful": True,
            "toolExecutionNotifications": [_notification(d) for d in report.diagnostics],
        }],
        "originalUriBaseIds": {SRCROOT: {"uri": base}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _descriptor(rule: Rule, severity: str) -> dict[str, Any]:
    what = rule.sections.get("What it does", rule.summary)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": what, "markdown": what},
        "help": {"text": f"{rule.summary}. See {rule.url()}", "markdown": rule.doc},
        "helpUri": rule.url(),
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": {"tags": list(rule.tags), "severity": severity},
    }


def _result(finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    text = escape_message(finding.message)
    if finding.related:
        links = ", ".join(f"[{escape_message(r.label)}]({number})" for number, r in enumerate(finding.related, 1))
        text += f" ({links})"
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "level": LEVELS[finding.severity],
        "message": {"text": text},
        "locations": [_location(finding.location)],
    }
    if finding.code in index:
        result["ruleIndex"] = index[finding.code]
    if finding.related:
        result["relatedLocations"] = [
            {**_location(r.location), "id": number, "message": {"text": r.message}}
            for number, r in enumerate(finding.related, 1)
        ]
    if finding.fingerprint:
        result["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    if finding.suppressed is not None:
        result["suppressions"] = [{
            "kind": _SUPPRESSION_KINDS.get(finding.suppressed_by or "", "inSource"),
            "justification": finding.suppressed or "no reason given",
        }]
    return result


def escape_message(text: str) -> str:
    """Plain-text SARIF messages treat ``[text](n)`` as links: escape literal brackets and backslashes."""
    return _LINK_CHARS.sub(r"\\\1", text)


def artifact_location(file: str) -> dict[str, Any]:
    from urllib.parse import quote

    if os.path.isabs(file):
        return {"uri": Path(file).as_uri()}
    return {"uri": quote(file, safe="/"), "uriBaseId": SRCROOT}


def _location(location: Location) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": artifact_location(location.file)}
    if location.line:
        region: dict[str, Any] = {"startLine": location.line}
        if location.column:
            region["startColumn"] = location.column
        physical["region"] = region
    return {"physicalLocation": physical}


def _notification(diagnostic: Diagnostic) -> dict[str, Any]:
    location = Location(diagnostic.file, diagnostic.line, diagnostic.column)
    return {
        "level": LEVELS.get(diagnostic.severity, "error"),
        "message": {"text": diagnostic.message},
        "locations": [_location(location)],
    }
