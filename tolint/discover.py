"""Finding the files to lint and telling which format each one is in."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field

from tolint.graph import Diagnostic
from tolint.parsers.formats import FORMATS, InputFormat
from tolint.sources import SourceError, decode, display_path, read_source

# Directories that never hold deploy configuration and can be huge.
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".nox",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".terraform", ".cache",
})


@dataclass
class InputFile:
    path: str  # filesystem path, or "-" for stdin
    display: str
    format: str
    text: str


@dataclass
class Discovery:
    files: list[InputFile] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    roots: list[str] = field(default_factory=list)  # real paths of the linted trees
    # Every file found while walking, whatever its format (the result cache keys on the tree's shape).
    walked: list[str] = field(default_factory=list)


def discover(paths: list[str], exclude: list[str], max_bytes: int, cwd: str | None = None,
             stdin_text: str | None = None, allow_outside: bool = False) -> Discovery:
    result = Discovery()
    seen: set[str] = set()
    base = cwd or os.getcwd()
    for path in paths:
        if path == "-":
            _classify_text(result, "-", "<stdin>", stdin_text or "", explicit=True)
            result.roots.append(os.path.realpath(base))
            continue
        if not os.path.exists(path) and not os.path.islink(path):
            result.diagnostics.append(Diagnostic(file=display_path(path, base), message="no such file or directory"))
            continue
        if os.path.isdir(path):
            root = os.path.realpath(path)
            result.roots.append(root)
            for file_path in _walk(path, exclude, base, result):
                result.walked.append(file_path)
                real = os.path.realpath(file_path)
                if real in seen:
                    continue
                seen.add(real)
                if not allow_outside and not _inside(real, root):
                    result.diagnostics.append(Diagnostic(
                        file=display_path(file_path, base), severity="warning",
                        message=f"symbolic link to {real}, outside the linted tree; not read (allow-outside-tree)",
                    ))
                    continue
                _classify_file(result, file_path, display_path(file_path, base), max_bytes, explicit=False)
        else:
            real = os.path.realpath(path)
            parent = os.path.dirname(real)
            base_real = os.path.realpath(base)
            result.roots.append(base_real if real.startswith(base_real + os.sep) else parent)
            if real not in seen:
                seen.add(real)
                _classify_file(result, path, display_path(path, base), max_bytes, explicit=True)
    return result


def _inside(real: str, root: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def _walk(root: str, exclude: list[str], base: str, result: Discovery) -> list[str]:
    found: list[str] = []

    def on_error(error: OSError) -> None:
        where = display_path(error.filename or root, base)
        result.diagnostics.append(Diagnostic(file=where, message=f"cannot read directory: {error.strerror or error}"))

    for directory, dirnames, filenames in os.walk(root, onerror=on_error):
        dirnames[:] = sorted(
            name for name in dirnames
            if name not in SKIP_DIRS and not _excluded(display_path(os.path.join(directory, name), base), exclude)
        )
        for name in sorted(filenames):
            file_path = os.path.join(directory, name)
            if _excluded(display_path(file_path, base), exclude):
                continue
            found.append(file_path)
    return found


def path_matches(display: str, patterns: list[str]) -> bool:
    """Whether a display path matches any of the globs (``exclude``, ``per-file-ignores``)."""
    return _excluded(display, patterns)


def _excluded(display: str, patterns: list[str]) -> bool:
    for pattern in patterns:
        stripped = pattern.rstrip("/")
        if fnmatch.fnmatchcase(display, stripped) or fnmatch.fnmatchcase(display, stripped + "/*"):
            return True
        if stripped.endswith("/**") and (display == stripped[:-3] or display.startswith(stripped[:-2])):
            return True
    return False


def _classify_file(result: Discovery, path: str, display: str, max_bytes: int, explicit: bool) -> None:
    candidates = FORMATS if explicit else [fmt for fmt in FORMATS if fmt.claims_name(path)]
    if not candidates:
        return
    try:
        source = read_source(path, display, max_bytes)
    except SourceError as exc:
        result.diagnostics.append(Diagnostic(file=display, line=exc.line, message=exc.message))
        return
    _classify_text(result, path, display, source.text, explicit, candidates)


def _classify_text(result: Discovery, path: str, display: str, text: str, explicit: bool,
                   candidates: list[InputFormat] | None = None) -> None:
    for fmt in candidates if candidates is not None else FORMATS:
        if fmt.sniff(text, path):
            result.files.append(InputFile(path=path, display=display, format=fmt.name, text=text))
            return
    if explicit:
        names = ", ".join(fmt.title for fmt in FORMATS)
        result.diagnostics.append(Diagnostic(
            file=display, severity="warning",
            message=f"not recognised as any supported format ({names}); skipped",
        ))


def read_stdin_bytes(data: bytes) -> str:
    """Decode standard input with the same rules as files."""
    return decode(data)
