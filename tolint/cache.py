"""The result cache: a second run on an unchanged tree reads its answer instead of parsing.

An entry is keyed by everything the answer depends on: tolint's version and code, the
resolved settings, the working directory, the names of every file in the linted trees and
the content of every file tolint reads as input. Files the parsers read on their own (nginx
includes) are recorded in the entry with their content hashes and checked on every hit.

Where: ``$TOLINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/tolint``, else ``~/.cache/tolint``;
never inside the linted repository, so a repository cannot ship answers for its own files.
Entries are JSON (never pickle: a cache entry must not be able to run code), written to a
temporary file and renamed into place, so concurrent runs never see half an entry; an entry
that cannot be read is treated as missing and removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tolint import __version__
from tolint.findings import Finding, Location, Related
from tolint.graph import Diagnostic

FORMAT = 1
MAX_ENTRIES = 64


def default_directory() -> Path:
    explicit = os.environ.get("TOLINT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "tolint"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _code_fingerprint() -> str:
    """Changes whenever tolint's code or rule catalog changes, even without a version bump (a checkout)."""
    from tolint.catalog import rules_dir

    package = Path(__file__).resolve().parent
    parts = [__version__]
    for folder, pattern in ((package, "**/*.py"), (package, "presets/*"), (package, "profiles/*"),
                            (rules_dir(), "*.md")):
        for path in sorted(folder.glob(pattern)):
            stat = path.stat()
            parts.append(f"{path.relative_to(folder)}:{stat.st_size}:{stat.st_mtime_ns}")
    return digest("\n".join(parts))


@dataclass
class CachedResult:
    """What a run produces before the baseline and changed-files filters apply."""

    findings: list[Finding]
    diagnostics: list[Diagnostic]
    files: list[str]
    # Files read beyond the discovered inputs (display path -> text), checked on each hit.
    extra_sources: dict[str, str]


class ResultCache:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or default_directory()

    def key(self, settings_json: str, cwd: str, paths: list[str], walked: Iterable[str],
            inputs: Iterable[tuple[str, str, str]], diagnostics: Iterable[str]) -> str:
        """The entry name for a run: ``inputs`` are (display path, format, text) of the discovered files."""
        material = {
            "format": FORMAT,
            "code": _code_fingerprint(),
            "settings": settings_json,
            "cwd": cwd,
            "paths": paths,
            "walked": sorted(walked),
            "inputs": [(display, fmt, digest(text)) for display, fmt, text in inputs],
            "discovery": sorted(diagnostics),
        }
        return digest(json.dumps(material, sort_keys=True))

    def load(self, key: str, cwd: str) -> CachedResult | None:
        path = self.directory / f"{key}.json"
        try:
            with open(path, encoding="utf-8") as handle:
                entry = json.load(handle)
            if entry.get("format") != FORMAT or entry.get("key") != key:
                raise ValueError("stale entry")
            extra: dict[str, str] = {}
            for display, expected in entry["extra"].items():
                text = _read(display, cwd)
                if text is None or digest(text) != expected:
                    return None  # an included file changed: a miss, the entry stays for its own tree
                extra[display] = text
            return CachedResult(
                findings=[_finding(item) for item in entry["findings"]],
                diagnostics=[Diagnostic(**item) for item in entry["diagnostics"]],
                files=list(entry["files"]),
                extra_sources=extra,
            )
        except FileNotFoundError:
            return None
        except Exception:  # noqa: BLE001 - a damaged entry is a miss, never an error
            try:
                path.unlink()
            except OSError:
                pass
            return None

    def store(self, key: str, result: CachedResult) -> None:
        entry = {
            "format": FORMAT,
            "key": key,
            "findings": [_finding_dict(f) for f in result.findings],
            "diagnostics": [{"file": d.file, "line": d.line, "column": d.column, "message": d.message,
                             "severity": d.severity} for d in result.diagnostics],
            "files": result.files,
            "extra": {display: digest(text) for display, text in result.extra_sources.items()},
        }
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=self.directory, prefix=".tmp-",
                                                 suffix=".json", delete=False)
            with handle:
                json.dump(entry, handle, ensure_ascii=True)
            os.replace(handle.name, self.directory / f"{key}.json")
            self._prune()
        except OSError:
            pass  # a read-only or full disk costs the cache, never the run

    def _prune(self) -> None:
        entries = sorted(self.directory.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in entries[MAX_ENTRIES:]:
            try:
                stale.unlink()
            except OSError:
                pass


def _read(display: str, cwd: str) -> str | None:
    from tolint.sources import SourceError, read_source

    try:
        return read_source(os.path.join(cwd, display), display).text
    except SourceError:
        return None


def _location(data: dict[str, Any]) -> Location:
    return Location(data["file"], data["line"], data["column"])


def _finding(data: dict[str, Any]) -> Finding:
    return Finding(
        code=data["code"], name=data["name"], severity=data["severity"], message=data["message"],
        location=_location(data["location"]),
        related=tuple(Related(_location(r["location"]), r["message"], r["label"]) for r in data["related"]),
        subjects=tuple(data["subjects"]), suppressed=data["suppressed"], suppressed_by=data["suppressed_by"],
        fingerprint=data["fingerprint"],
    )


def _finding_dict(finding: Finding) -> dict[str, Any]:
    def location(value: Location) -> dict[str, Any]:
        return {"file": value.file, "line": value.line, "column": value.column}

    return {
        "code": finding.code, "name": finding.name, "severity": finding.severity, "message": finding.message,
        "location": location(finding.location),
        "related": [{"location": location(r.location), "message": r.message, "label": r.label}
                    for r in finding.related],
        "subjects": list(finding.subjects), "suppressed": finding.suppressed,
        "suppressed_by": finding.suppressed_by, "fingerprint": finding.fingerprint,
    }
