"""One run, end to end: discover files, parse them, link the graph, run the rules."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from tolint.catalog import Catalog, load_catalog
from tolint.config import Settings
from tolint.discover import discover
from tolint.engine import ActiveRule, prepare, run
from tolint.findings import SEVERITY_RANK, Finding
from tolint.graph import Diagnostic, TimeoutGraph
from tolint.link import link
from tolint.parsers.formats import FORMATS


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    graph: TimeoutGraph = field(default_factory=TimeoutGraph)
    files: list[str] = field(default_factory=list)
    rules: list[ActiveRule] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)

    def failed(self) -> bool:
        """True when the run should exit 1: a finding at or above fail-on, or a file that could not be parsed."""
        threshold = SEVERITY_RANK[self.settings.fail_on]
        if any(SEVERITY_RANK[f.severity] >= threshold for f in self.findings if f.suppressed is None):
            return True
        return any(d.severity == "error" for d in self.diagnostics)


def build_graph(paths: list[str], settings: Settings, stdin_text: str | None = None,
                cwd: str | None = None) -> tuple[TimeoutGraph, list[Diagnostic], list[str]]:
    """Parse and link; returns the graph, the input diagnostics and the files read."""
    base = cwd or os.getcwd()
    found = discover(paths, settings.exclude, settings.max_file_size, base, stdin_text)
    diagnostics = list(found.diagnostics)
    fragments = []
    for fmt in FORMATS:
        inputs = [item for item in found.files if item.format == fmt.name]
        if inputs:
            fragments.extend(fmt.parse(inputs, settings, found.roots, base))
    files: set[str] = {item.display for item in found.files}
    for fragment in fragments:
        diagnostics.extend(fragment.diagnostics)
        files.update(fragment.files)
    graph = link(fragments)
    diagnostics.extend(graph.diagnostics)
    return graph, _sort_diagnostics(diagnostics), sorted(files)


def lint(paths: list[str], settings: Settings, stdin_text: str | None = None, cwd: str | None = None,
         catalog: Catalog | None = None) -> Report:
    catalog = catalog or load_catalog()
    rules = catalog.select(settings.select, settings.ignore)
    prepared = prepare(rules)  # fails on bad parameters before any file is read
    graph, diagnostics, files = build_graph(paths, settings, stdin_text, cwd)
    findings = run(graph, prepared)
    return Report(findings=findings, diagnostics=diagnostics, graph=graph, files=files,
                  rules=[item[0] for item in prepared], settings=settings)


def _sort_diagnostics(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    unique = {(d.file, d.line, d.column, d.message): d for d in diagnostics}
    return sorted(unique.values(), key=lambda d: (d.file, d.line or 0, d.column or 0, d.message))
