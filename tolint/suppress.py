"""Suppressions: comment directives in every ``#``-comment format, object annotations, per-file-ignores.

One comment syntax for nginx, HAProxy and YAML (found by scanning raw text, not by a
round-trip parser, so it costs one substring search per file without directives)::

    proxy_next_upstream error timeout non_idempotent;  # tolint: ignore[TL301] idempotent API
    # tolint: ignore[non-idempotent-retry] reason       (alone on a line: covers the next line)
    # tolint: disable[TL101,TL102] reason  ...  # tolint: enable[TL101,TL102]
    # tolint: file-ignore[TL501] reason                 (anywhere in the file)

Rules are named by code or name. A finding is suppressed when a directive covers its primary
location or any related one (a hop can be suppressed at either end). Kubernetes objects carry
the annotation ``tolint.dev/ignore: "TL401,TL402: reason"`` (parsed by ``parse_annotation``;
parsers hand it over as ``ObjectSuppression``); it covers findings whose subjects are the
object's components, listeners or upstreams.

Suppressed findings stay in the report with their justification (SARIF shows them). What is
left unused is reported by the meta rules in ``tolint/checks/suppressions.py``.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tolint.findings import Finding, Location
from tolint.sources import split_lines

if TYPE_CHECKING:
    from tolint.catalog import Catalog
    from tolint.graph import ObjectSuppression, TimeoutGraph

ANNOTATION = "tolint.dev/ignore"
KINDS = ("ignore", "disable", "enable", "file-ignore")
_MARKER = "tolint:"
_DIRECTIVE = re.compile(r"tolint:\s*(?P<kind>[a-z-]*)\s*(?:\[(?P<rules>[^\]]*)\])?(?P<rest>.*)$")
_REASON_LEAD = re.compile(r"^[\s:\-\u2013\u2014]+")
_END = 1 << 62  # "to the end of the file"


@dataclass
class Directive:
    """One ``# tolint: ...`` comment."""

    kind: str
    file: str
    line: int
    column: int
    rules: tuple[str, ...]  # as written
    reason: str
    target: int = 0  # the line an ignore covers: its own (trailing comment) or the next code line
    codes: dict[str, str] = field(default_factory=dict)  # as written -> rule code, for known rules
    unknown: list[str] = field(default_factory=list)
    used: set[str] = field(default_factory=set)  # codes that suppressed at least one finding
    problem: str | None = None  # malformed, or an enable without a matching disable

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, self.column)

    def text(self) -> str:
        return f"{self.kind}[{','.join(self.rules)}]"


@dataclass
class ObjectRule:
    """An object annotation, with its rules resolved to codes (empty: every rule)."""

    suppression: ObjectSuppression
    codes: dict[str, str]
    unknown: list[str]
    used: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Cover:
    code: str
    start: int
    end: int
    directive: Directive


def scan(text: str, file: str) -> list[Directive]:
    """Every tolint directive in one file's text (``#`` comments, same line or the line above)."""
    if _MARKER not in text:
        return []
    lines = split_lines(text)
    directives = []
    for index, line in enumerate(lines):
        position = line.find(_MARKER)
        if position < 0:
            continue
        hash_at = line.rfind("#", 0, position)
        if hash_at < 0 or line[hash_at + 1:position].strip():
            continue  # "tolint:" outside a comment, or not at the comment's start
        directive = _parse(line[position:], file, index + 1, hash_at + 1)
        trailing = bool(line[:hash_at].strip())
        directive.target = index + 1 if trailing else _next_code_line(lines, index)
        directives.append(directive)
    return directives


def _parse(comment: str, file: str, line: int, column: int) -> Directive:
    match = _DIRECTIVE.match(comment)
    assert match is not None  # the pattern accepts anything after the marker
    kind, rules, rest = match.group("kind"), match.group("rules"), match.group("rest")
    names = tuple(name.strip() for name in (rules or "").split(",") if name.strip())
    reason = _REASON_LEAD.sub("", rest).strip()
    directive = Directive(kind=kind, file=file, line=line, column=column, rules=names, reason=reason)
    if kind not in KINDS:
        directive.problem = (f'suppression comment not understood: "{comment.strip()}" '
                             '(expected "tolint: ignore[CODES] reason", disable[...], enable[...] or file-ignore[...])')
    elif not names:
        directive.problem = f'"tolint: {kind}" names no rules; write {kind}[CODE,...] (codes or names)'
    return directive


def _next_code_line(lines: list[str], index: int) -> int:
    """The line a standalone comment applies to: the next one that is not blank or a comment."""
    for following in range(index + 1, len(lines)):
        stripped = lines[following].strip()
        if stripped and not stripped.startswith("#"):
            return following + 1
    return index + 1


def parse_annotation(value: str) -> tuple[list[str], str]:
    """``"TL401, graceful-shutdown: reason"`` -> (rules, reason). An empty rule list means every rule."""
    head, _, reason = value.partition(":")
    rules = [name.strip() for name in head.split(",") if name.strip()]
    return rules, reason.strip()


class Suppressor:
    """Applies directives, annotations and per-file-ignores to findings, and records what was used."""

    def __init__(self, texts: dict[str, str], objects: Iterable[ObjectSuppression], graph: TimeoutGraph,
                 catalog: Catalog, per_file_ignores: dict[str, list[str]] | None = None) -> None:
        self.catalog = catalog
        self.directives: list[Directive] = []
        self._covers: dict[str, list[_Cover]] = defaultdict(list)
        for file, text in texts.items():
            self._index_file(file, scan(text, file))
        self.objects = [self._object_rule(item) for item in objects]
        self._objects_by_subject: dict[str, list[ObjectRule]] = defaultdict(list)
        for rule in self.objects:
            for subject in rule.suppression.subjects:
                self._objects_by_subject[subject].append(rule)
        self._owner = _owners(graph)
        self._per_file: list[tuple[str, set[str]]] = [
            (pattern, {rule.code for selector in selectors for rule in catalog.matching(selector, include_opt_in=True)})
            for pattern, selectors in (per_file_ignores or {}).items()
        ]

    # -- building the index ------------------------------------------------------------

    def _resolve(self, directive: Directive) -> None:
        for name in directive.rules:
            rule = self.catalog.get(name)
            if rule is None:
                directive.unknown.append(name)
            else:
                directive.codes[name] = rule.code

    def _index_file(self, file: str, directives: list[Directive]) -> None:
        open_ranges: dict[str, Directive] = {}
        covers = self._covers[file]
        for directive in directives:
            self.directives.append(directive)
            if directive.problem:
                continue
            self._resolve(directive)
            target = directive.target
            codes = set(directive.codes.values())
            if directive.kind == "ignore":
                covers.extend(_Cover(code, target, target, directive) for code in codes)
            elif directive.kind == "file-ignore":
                covers.extend(_Cover(code, 0, _END, directive) for code in codes)
            elif directive.kind == "disable":
                for code in codes:
                    open_ranges.setdefault(code, directive)
            else:  # enable
                closed = [code for code in codes if code in open_ranges]
                for code in closed:
                    opener = open_ranges.pop(code)
                    covers.append(_Cover(code, opener.line, directive.line, opener))
                if codes and not closed:
                    directive.problem = f"{directive.text()} has no matching disable[...] above it"
                directive.used.update(codes)  # an enable suppresses nothing itself
        for code, opener in open_ranges.items():  # a disable without enable runs to the end of the file
            covers.append(_Cover(code, opener.line, _END, opener))

    def _object_rule(self, item: ObjectSuppression) -> ObjectRule:
        codes: dict[str, str] = {}
        unknown: list[str] = []
        for name in item.rules:
            rule = self.catalog.get(name)
            if rule is None:
                unknown.append(name)
            else:
                codes[name] = rule.code
        return ObjectRule(item, codes, unknown)

    # -- applying -------------------------------------------------------------------------

    def apply(self, findings: list[Finding], track: bool = True) -> list[Finding]:
        """Findings with ``suppressed`` set where a directive, annotation or per-file-ignore covers them.

        ``track`` records which directives were used; meta findings (about suppressions
        themselves) are applied without it, so they cannot keep a directive alive.
        """
        result = []
        for finding in findings:
            if finding.suppressed is not None:
                result.append(finding)
                continue
            result.append(self._apply_one(finding, track))
        return result

    def _apply_one(self, finding: Finding, track: bool) -> Finding:
        reasons: list[tuple[str, str]] = []
        for location in finding.locations():
            for cover in self._covers.get(location.file, ()):
                if cover.code != finding.code:
                    continue
                # A whole-file finding (no line) is covered by file-ignore only (start 0).
                if cover.start <= (location.line or 0) <= cover.end:
                    if track:
                        cover.directive.used.add(cover.code)
                    reasons.append(("comment", cover.directive.reason))
        for rule in self._objects_for(finding):
            if not rule.codes and not rule.unknown or finding.code in rule.codes.values():
                if track:
                    rule.used.add(finding.code)
                reasons.append(("annotation", rule.suppression.reason))
        if not reasons:
            for pattern, codes in self._per_file:
                if finding.code in codes and any(_glob_match(loc.file, pattern) for loc in finding.locations()):
                    reasons.append(("config", f'per-file-ignores "{pattern}"'))
                    break
        if not reasons:
            return finding
        # The first reason that was given wins; an empty reason is still a suppression.
        kind, reason = next(((k, r) for k, r in reasons if r), reasons[0])
        return dataclasses.replace(finding, suppressed=reason, suppressed_by=kind)

    def _objects_for(self, finding: Finding) -> list[ObjectRule]:
        if not finding.subjects or not self._objects_by_subject:
            return []
        found: list[ObjectRule] = []
        for subject in finding.subjects:
            for key in (subject, self._owner.get(subject)):
                for rule in self._objects_by_subject.get(key or "", ()):
                    if rule not in found:
                        found.append(rule)
        return found


def _owners(graph: TimeoutGraph) -> dict[str, str]:
    """Listener and upstream ids -> their component's id (annotations name objects, findings name ends)."""
    owners: dict[str, str] = {}
    for component in graph.components:
        for item in (*component.listeners, *component.upstreams):
            owners[item.id] = component.id
    return owners


def _glob_match(path: str, pattern: str) -> bool:
    from tolint.discover import path_matches

    return path_matches(path, [pattern])
