"""Where nginx statements come from: files on disk or an ``nginx -T`` dump, and includes.

The loaders parse each file once and expand ``include`` the way nginx does (relative
to the main file's directory, globs sorted, a missing explicit file is an error, an
empty glob is not), with the limits a linter of untrusted trees needs: no reading
outside the linted tree unless allowed, absolute ``/etc/nginx/...`` paths mapped into
the tree, cycles and runaway expansion cut off.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import re
from dataclasses import dataclass, field, replace

from tolint.graph import Diagnostic
from tolint.parsers.nginx_syntax import Statement, SyntaxTree, parse_text
from tolint.sources import DEFAULT_MAX_FILE_BYTES, SourceError, display_path, read_source, split_lines

MAX_INCLUDE_DEPTH = 32
MAX_INCLUDED_STATEMENTS = 500_000
# Directories one include glob may list. Symbolic links to a parent directory make
# "*/*/*/*.conf" expand exponentially with glob(3); listing each real directory once per
# pattern level keeps it linear, and this bounds what a huge tree can cost.
MAX_GLOB_DIRECTORIES = 10_000

# Files every nginx package ships next to nginx.conf; they hold MIME types and CGI
# parameters, never timeouts, so their absence from a repository is not worth a warning.
DISTRO_FILES = frozenset(
    {"mime.types", "fastcgi_params", "fastcgi.conf", "scgi_params", "uwsgi_params", "koi-utf", "koi-win", "win-utf"}
)

_DUMP_MARKER = re.compile(r"^# configuration file (.+?):\s*$", re.MULTILINE)


@dataclass
class IncludePolicy:
    """Limits on which files an include may pull in."""

    # Absolute includes under this prefix are looked up relative to the main file's directory.
    include_prefix: str = "/etc/nginx"
    # Real paths below these roots may be read; empty means anywhere.
    allowed_roots: list[str] = field(default_factory=list)
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES

    def allows(self, real_path: str) -> bool:
        if not self.allowed_roots:
            return True
        return any(real_path == root or real_path.startswith(root.rstrip(os.sep) + os.sep) for root in self.allowed_roots)


def include_glob(pattern: str) -> tuple[list[str], bool]:
    """Paths matching an include glob, sorted, and whether the directory budget ran out.

    Matches what ``glob.glob`` (and nginx's glob(3)) finds, except that a directory reached
    through several paths at the same level (symbolic links) is visited once: the same
    files are not included again, and a tree of links to ``..`` cannot make the
    expansion exponential.
    """
    parts = pattern.split(os.sep)
    current = [os.sep if pattern.startswith(os.sep) else ""]
    visited = 0
    for level, part in enumerate(parts):
        if part == "" and level < len(parts) - 1:
            continue  # leading or doubled separator
        last = level == len(parts) - 1
        found: list[str] = []
        seen: set[str] = set()
        for base in current:
            real = os.path.realpath(base or ".")
            if real in seen:
                continue
            seen.add(real)
            visited += 1
            if visited > MAX_GLOB_DIRECTORIES:
                return [], True
            if not glob.has_magic(part):
                path = os.path.join(base, part)
                if os.path.lexists(path) if last else os.path.isdir(path):
                    found.append(path)
                continue
            try:
                names = sorted(entry.name for entry in os.scandir(base or "."))
            except OSError:
                continue
            for name in fnmatch.filter(names, part):
                if name.startswith(".") and not part.startswith("."):
                    continue  # glob(3) leaves hidden files to patterns that start with a dot
                path = os.path.join(base, name)
                if last or os.path.isdir(path):
                    found.append(path)
        current = found
    return sorted(current), False


@dataclass
class LoadedFile:
    key: str  # identity for cycle detection: a real path, or a virtual path in a dump
    display: str
    tree: SyntaxTree
    lines: list[str]
    error: str | None = None  # could not be read at all
    text: str | None = None  # the file's text as read (for suppressions and the result cache)


class NginxSource:
    """Base: loads files by key and resolves include patterns to keys."""

    def load(self, key: str) -> LoadedFile:
        raise NotImplementedError

    def resolve(self, pattern: str, main_key: str, stmt: Statement) -> tuple[list[str], Diagnostic | None]:
        raise NotImplementedError

    def expand(self, main_key: str, diagnostics: list[Diagnostic]) -> tuple[list[Statement], list[LoadedFile]]:
        """The main file's statements with every include replaced by the included statements."""
        main = self.load(main_key)
        files = {main.key: main}
        budget = [MAX_INCLUDED_STATEMENTS]

        def walk(statements: list[Statement], stack: tuple[str, ...]) -> list[Statement]:
            out: list[Statement] = []
            for stmt in statements:
                budget[0] -= 1
                if budget[0] < 0:
                    if budget[0] == -1:
                        diagnostics.append(Diagnostic(
                            file=stmt.file, line=stmt.line,
                            message="includes expand to too many statements; the rest is ignored",
                        ))
                    break
                if stmt.directive == "include" and stmt.block is None:
                    out.extend(include(stmt, stack))
                elif stmt.block is not None:
                    out.append(replace(stmt, block=walk(stmt.block, stack)))
                else:
                    out.append(stmt)
            return out

        def include(stmt: Statement, stack: tuple[str, ...]) -> list[Statement]:
            if len(stmt.args) != 1:
                diagnostics.append(Diagnostic(file=stmt.file, line=stmt.line, message='"include" takes exactly one argument'))
                return []
            keys, problem = self.resolve(stmt.args[0], main_key, stmt)
            if problem is not None:
                diagnostics.append(problem)
            out: list[Statement] = []
            for key in keys:
                if key in stack:
                    diagnostics.append(Diagnostic(
                        file=stmt.file, line=stmt.line, severity="warning",
                        message=f'include cycle: "{stmt.args[0]}" includes a file that is already being included; not followed',
                    ))
                    continue
                if len(stack) >= MAX_INCLUDE_DEPTH:
                    diagnostics.append(Diagnostic(
                        file=stmt.file, line=stmt.line,
                        message=f"includes nested deeper than {MAX_INCLUDE_DEPTH} levels; not followed",
                    ))
                    continue
                loaded = self.load(key)
                if key not in files:
                    files[key] = loaded
                    _report_file_problems(loaded, diagnostics)
                out.extend(walk(loaded.tree.statements, stack + (key,)))
            return out

        _report_file_problems(main, diagnostics)
        statements = walk(main.tree.statements, (main.key,))
        # walk and include refer to each other: a reference cycle that would keep every
        # parsed file alive while tolint runs with the garbage collector paused.
        walk = include = None  # type: ignore[assignment]  # noqa: F841
        return statements, list(files.values())


def _report_file_problems(loaded: LoadedFile, diagnostics: list[Diagnostic]) -> None:
    if loaded.error is not None:
        diagnostics.append(Diagnostic(file=loaded.display, line=None, message=loaded.error))
    for line, message in loaded.tree.errors:
        diagnostics.append(Diagnostic(file=loaded.display, line=line, message=message))


class DiskSource(NginxSource):
    """nginx files on disk, parsed once per real path."""

    def __init__(self, policy: IncludePolicy | None = None, cwd: str | None = None) -> None:
        self.policy = policy or IncludePolicy()
        self.cwd = cwd
        self._cache: dict[str, LoadedFile] = {}

    def key_for(self, path: str) -> str:
        return os.path.realpath(path)

    def load(self, key: str) -> LoadedFile:
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        display = display_path(key, self.cwd)
        try:
            source = read_source(key, display, self.policy.max_file_bytes)
        except SourceError as exc:
            loaded = LoadedFile(key, display, SyntaxTree(), [], error=exc.message)
        else:
            loaded = LoadedFile(key, display, parse_text(source.text, display), split_lines(source.text),
                                text=source.text)
        self._cache[key] = loaded
        return loaded

    def add_text(self, key: str, display: str, text: str, line_offset: int = 0) -> LoadedFile:
        """Register text that does not come from disk (stdin, a ConfigMap)."""
        loaded = LoadedFile(key, display, parse_text(text, display, line_offset), split_lines(text), text=text)
        self._cache[key] = loaded
        return loaded

    def map_pattern(self, pattern: str, main_dir: str) -> str | None:
        """The include pattern as a path in the tree, or None for an absolute path outside the prefix."""
        prefix = self.policy.include_prefix.rstrip("/")
        if not os.path.isabs(pattern):
            return os.path.join(main_dir, pattern)
        if prefix and pattern.startswith(prefix + "/"):
            return os.path.join(main_dir, pattern[len(prefix) + 1:])
        return None

    def resolve(self, pattern: str, main_key: str, stmt: Statement) -> tuple[list[str], Diagnostic | None]:
        candidate = self.map_pattern(pattern, os.path.dirname(main_key))
        if candidate is None:
            return [], Diagnostic(
                file=stmt.file, line=stmt.line, severity="warning",
                message=f'include of absolute path "{pattern}" is outside the linted tree; not followed '
                "(set nginx-include-prefix to map it into the tree)",
            )

        if glob.has_magic(candidate):
            matches, truncated = include_glob(candidate)
            if truncated:
                return [], Diagnostic(
                    file=stmt.file, line=stmt.line, severity="warning",
                    message=f'include "{pattern}" goes through more than {MAX_GLOB_DIRECTORIES} directories; not followed',
                )
        elif os.path.exists(candidate):
            matches = [candidate]
        else:
            if os.path.basename(pattern) in DISTRO_FILES:
                return [], None
            if os.path.islink(candidate):
                return [], Diagnostic(
                    file=stmt.file, line=stmt.line, severity="warning",
                    message=f'included file "{pattern}" is a symbolic link that leads nowhere (a loop, or a missing '
                    "target); settings it may hold are unknown",
                )
            return [], Diagnostic(
                file=stmt.file, line=stmt.line, severity="warning",
                message=f'included file "{pattern}" not found (looked for {display_path(candidate, self.cwd)}); '
                "settings it may hold are unknown",
            )
        keys: list[str] = []
        for match in matches:
            if os.path.isdir(match):
                continue
            real = os.path.realpath(match)
            if not self.policy.allows(real):
                return keys, Diagnostic(
                    file=stmt.file, line=stmt.line, severity="warning",
                    message=f'include "{pattern}" resolves to {real}, outside the linted tree; not followed',
                )
            keys.append(real)
        return keys, None

    def include_patterns(self, key: str) -> list[str]:
        """Include arguments of one file, at any depth (for finding main files)."""
        patterns: list[str] = []
        stack = list(self.load(key).tree.statements)
        while stack:
            stmt = stack.pop()
            if stmt.directive == "include" and len(stmt.args) == 1:
                patterns.append(stmt.args[0])
            if stmt.block:
                stack.extend(stmt.block)
        return patterns


class DumpSource(NginxSource):
    """An ``nginx -T`` dump: several files in one text, each after a ``# configuration file`` line."""

    def __init__(self, text: str, display: str) -> None:
        self.display = display
        self.files: dict[str, LoadedFile] = {}
        self.order: list[str] = []
        all_lines = split_lines(text)
        matches = list(_DUMP_MARKER.finditer(text))
        for index, match in enumerate(matches):
            start = match.end() + 1
            end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
            line_offset = text.count("\n", 0, start)
            body = text[start:end]
            path = match.group(1)
            self.files[path] = LoadedFile(path, display, parse_text(body, display, line_offset), all_lines)
            self.order.append(path)

    @staticmethod
    def looks_like_dump(text: str) -> bool:
        return _DUMP_MARKER.search(text) is not None

    def main_key(self) -> str | None:
        return self.order[0] if self.order else None

    def load(self, key: str) -> LoadedFile:
        return self.files[key]

    def resolve(self, pattern: str, main_key: str, stmt: Statement) -> tuple[list[str], Diagnostic | None]:
        path = pattern if pattern.startswith("/") else os.path.join(os.path.dirname(main_key), pattern)
        path = os.path.normpath(path)
        if glob.has_magic(path):
            return sorted(key for key in self.files if fnmatch.fnmatchcase(key, path)), None
        if path in self.files:
            return [path], None
        if os.path.basename(path) in DISTRO_FILES:
            return [], None
        return [], Diagnostic(
            file=stmt.file, line=stmt.line, severity="warning",
            message=f'included file "{pattern}" is not in the dump; settings it may hold are unknown',
        )
