"""``json``: the stable machine interface (documented in the README, versioned by JSON_VERSION)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

from tolint import __version__
from tolint.findings import Finding, Location

if TYPE_CHECKING:
    from tolint.pipeline import Report

# Bumped only for incompatible changes; added keys do not change it.
JSON_VERSION = 1


def location_dict(location: Location) -> dict[str, Any]:
    return {"file": location.file, "line": location.line, "column": location.column}


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity,
        "message": finding.message,
        "location": location_dict(finding.location),
        "related": [{**location_dict(r.location), "message": r.message} for r in finding.related],
    }


class JsonFormatter:
    name = "json"
    description = "one JSON object with findings and input errors (stable, versioned)"

    def write(self, report: Report, stream: TextIO, color: bool) -> None:
        payload = {
            "version": JSON_VERSION,
            "tool": {"name": "tolint", "version": __version__},
            "findings": [finding_dict(f) for f in report.findings if f.suppressed is None],
            "errors": [
                {"file": d.file, "line": d.line, "column": d.column, "severity": d.severity, "message": d.message}
                for d in report.diagnostics
            ],
            "files": report.files,
            # Findings hidden by a suppression comment or annotation, per-file-ignores or the baseline.
            "suppressed": [
                {**finding_dict(f), "suppression": {"kind": f.suppressed_by, "justification": f.suppressed}}
                for f in report.findings if f.suppressed is not None
            ],
        }
        json.dump(payload, stream, indent=2, ensure_ascii=True)
        stream.write("\n")
