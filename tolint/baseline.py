"""The baseline: findings a repository has accepted for now, so tolint can gate only new ones.

``tolint check --update-baseline`` writes every current finding to the baseline file;
``tolint check --baseline FILE`` (or ``baseline = "FILE"`` in the config) hides the findings
recorded there. Findings are matched by fingerprint (``tolint.fingerprints``), so moving
lines does not bring them back; changing the setting or the message's values does. The file
is JSON::

    {"version": 1, "tool": "tolint",
     "findings": [{"fingerprint": "...", "code": "TL101", "file": "deploy/...", "message": "..."}]}

Only ``fingerprint`` is read back; the other keys are there for people reviewing the file.
"""

from __future__ import annotations

import dataclasses
import json
import os

from tolint.findings import Finding
from tolint.sources import read_regular_file

BASELINE_VERSION = 1
MAX_BASELINE_BYTES = 256 * 1024 * 1024  # about a million findings


class BaselineError(Exception):
    """The baseline file is missing or unreadable; the CLI exits 2."""


def load(path: str) -> set[str]:
    try:
        data = json.loads(read_regular_file(path, MAX_BASELINE_BYTES).decode("utf-8"))
    except FileNotFoundError as exc:
        raise BaselineError(f"{path}: baseline file not found (create it with --update-baseline)") from exc
    except (OSError, ValueError) as exc:
        raise BaselineError(f"{path}: not a readable tolint baseline: {exc}") from exc
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION:
        raise BaselineError(f"{path}: not a tolint baseline of version {BASELINE_VERSION}")
    entries = data.get("findings")
    if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("fingerprint"), str)
                                                for e in entries):
        raise BaselineError(f'{path}: "findings" must be a list of objects with a "fingerprint"')
    return {entry["fingerprint"] for entry in entries}


def apply(findings: list[Finding], fingerprints: set[str], path: str) -> list[Finding]:
    """Findings recorded in the baseline become suppressed (``suppressed_by="baseline"``)."""
    justification = f"accepted in the baseline {path}"
    return [
        dataclasses.replace(f, suppressed=justification, suppressed_by="baseline")
        if f.suppressed is None and f.fingerprint in fingerprints else f
        for f in findings
    ]


def write(path: str, findings: list[Finding]) -> int:
    """Record every finding that is not suppressed in the source or config; returns how many."""
    entries = [
        {"fingerprint": f.fingerprint, "code": f.code, "file": f.location.file, "message": f.message}
        for f in findings
        if f.suppressed is None or f.suppressed_by == "baseline"
    ]
    entries.sort(key=lambda e: (e["file"], e["code"], e["fingerprint"]))
    payload = {"version": BASELINE_VERSION, "tool": "tolint", "findings": entries}
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    temporary = f"{path}.tmp"
    with open(temporary, "w", encoding="utf-8", newline="\n") as handle:
        json.dump(payload, handle, indent=2, ensure_ascii=True)
        handle.write("\n")
    os.replace(temporary, path)
    return len(entries)
