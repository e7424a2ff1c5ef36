"""``gitlab``: a GitLab Code Quality report (``artifacts:reports:codequality``).

The documented JSON array: ``description``, ``check_name``, ``fingerprint``, ``severity``
(info, minor, major, critical, blocker) and ``location.path`` / ``location.lines.begin``.
Findings use their stable fingerprint, so GitLab tracks them across pipelines as lines
move; input errors are reported as ``critical`` issues of the check ``tolint/input-error``.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from tolint.pipeline import Report

SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


class GitlabFormatter:
    name = "gitlab"
    description = "GitLab Code Quality report (JSON array)"

    def write(self, report: Report, stream: TextIO, color: bool) -> None:
        issues: list[dict[str, Any]] = []
        for diagnostic in report.diagnostics:
            identity = f"{diagnostic.file}\0{diagnostic.message}"
            issues.append(_issue(
                f"{diagnostic.message}", "tolint/input-error",
                hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:32],
                "critical" if diagnostic.severity == "error" else "minor", diagnostic.file, diagnostic.line,
            ))
        for finding in report.shown():
            others = "".join(f" ({r.label}: {r.location.text()})" for r in finding.related)
            issues.append(_issue(
                f"{finding.code} {finding.message}{others}", f"tolint/{finding.code}/{finding.name}",
                finding.fingerprint or "", SEVERITIES[finding.severity], finding.location.file, finding.location.line,
            ))
        json.dump(issues, stream, indent=2, ensure_ascii=True)
        stream.write("\n")


def _issue(description: str, check: str, fingerprint: str, severity: str, path: str, line: int | None) -> dict[str, Any]:
    return {
        "type": "issue",
        "description": description,
        "check_name": check,
        "fingerprint": fingerprint,
        "severity": severity,
        "categories": ["Bug Risk"],
        "location": {"path": path, "lines": {"begin": line or 1}},
    }
