"""From discovered nginx files to fragments: find the main files, then build one component each.

A repository rarely says which file is nginx's main file. A file that holds ``http``,
``events`` or ``stream`` (or is named nginx.conf) is one; so is any nginx file that no
other file includes. Files reached through includes are linted as part of their main
file, never on their own.
"""

from __future__ import annotations

import glob
import os
from typing import TYPE_CHECKING

from tolint.graph import Diagnostic, Fragment
from tolint.parsers.nginx import NginxOptions, build_component
from tolint.parsers.nginx_files import DiskSource, DumpSource, IncludePolicy, include_glob

if TYPE_CHECKING:
    from tolint.config import Settings
    from tolint.discover import InputFile

_MAIN_DIRECTIVES = {"http", "events", "stream"}


def parse_nginx_inputs(files: list[InputFile], settings: Settings, roots: list[str], cwd: str) -> list[Fragment]:
    options = NginxOptions(version=settings.nginx_version)
    policy = IncludePolicy(
        include_prefix=settings.nginx_include_prefix,
        allowed_roots=[] if settings.allow_outside_tree else roots,
        max_file_bytes=settings.max_file_size,
    )
    disk = DiskSource(policy, cwd)
    fragments: list[Fragment] = []
    keys: list[str] = []
    for item in files:
        if DumpSource.looks_like_dump(item.text):
            fragments.append(_parse_dump(item, options))
            continue
        key = disk.key_for(item.path) if item.path != "-" else os.path.join(cwd, "<stdin>")
        disk.add_text(key, item.display, item.text)
        keys.append(key)
    for key in find_main_files(disk, keys):
        fragments.append(build_component(disk, key, options))
    return fragments


def _parse_dump(item: InputFile, options: NginxOptions) -> Fragment:
    dump = DumpSource(item.text, item.display)
    main = dump.main_key()
    if main is None:
        return Fragment(diagnostics=[Diagnostic(file=item.display, message="nginx -T dump with no configuration file")])
    return build_component(dump, main, options)


def find_main_files(disk: DiskSource, keys: list[str]) -> list[str]:
    """The files to lint as nginx main files, in the order given."""
    known = set(keys)
    mains = [key for key in keys if _is_main(disk, key)]
    reached: set[str] = set()
    for main in mains:
        reached |= _closure(disk, main, os.path.dirname(main), known)
    others = [key for key in keys if key not in reached and key not in mains]
    included_by_others: set[str] = set()
    for key in others:
        included_by_others |= _closure(disk, key, os.path.dirname(key), known) - {key}
    chosen = set(mains) | {key for key in others if key not in included_by_others}
    return [key for key in keys if key in chosen]


def _is_main(disk: DiskSource, key: str) -> bool:
    if os.path.basename(key) == "nginx.conf":
        return True
    return any(stmt.directive in _MAIN_DIRECTIVES for stmt in disk.load(key).tree.statements)


def _closure(disk: DiskSource, start: str, base_dir: str, known: set[str]) -> set[str]:
    """Files among ``known`` that ``start`` includes, directly or not, resolved from ``base_dir``."""
    found: set[str] = set()
    stack = [start]
    while stack:
        key = stack.pop()
        for pattern in disk.include_patterns(key):
            path = disk.map_pattern(pattern, base_dir)
            if path is None:
                continue
            matches = include_glob(path)[0] if glob.has_magic(path) else [path]
            for match in matches:
                real = os.path.realpath(match)
                if real in known and real not in found and real != start:
                    found.add(real)
                    stack.append(real)
    return found
