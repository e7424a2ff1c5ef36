"""One run, end to end: discover files, parse them, link the graph, run the rules, apply suppressions."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tolint.cache import CachedResult, ResultCache
from tolint.catalog import Catalog, Rule, load_catalog
from tolint.config import Settings
from tolint.discover import Discovery, discover
from tolint.engine import ActiveRule, activate, prepare, run, run_suppression_rules, sort_findings
from tolint.findings import SEVERITY_RANK, Finding
from tolint.gc_policy import young_collections_only
from tolint.graph import Diagnostic, ObjectSuppression, TimeoutGraph
from tolint.parsers.formats import FORMATS

REASON_RULE = "suppression-without-reason"


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    graph: TimeoutGraph = field(default_factory=TimeoutGraph)
    files: list[str] = field(default_factory=list)
    rules: list[ActiveRule] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)
    # Text of every file read (display path -> text): suppression comments, context in `full` output.
    sources: dict[str, str] = field(default_factory=dict)
    # Set in changed-files mode: only findings touching these files were kept.
    only_files: frozenset[str] | None = None

    def shown(self) -> list[Finding]:
        """Findings that are reported (not suppressed in any way)."""
        return [f for f in self.findings if f.suppressed is None]

    def hidden_by_baseline(self) -> int:
        return sum(1 for f in self.findings if f.suppressed_by == "baseline")

    def failed(self) -> bool:
        """True when the run should exit 1: a finding at or above fail-on, or a file that could not be parsed."""
        threshold = SEVERITY_RANK[self.settings.fail_on]
        if any(SEVERITY_RANK[f.severity] >= threshold for f in self.findings if f.suppressed is None):
            return True
        return any(d.severity == "error" for d in self.diagnostics)


@dataclass
class Inputs:
    """Everything read from the inputs: the linked graph and what suppressions need."""

    graph: TimeoutGraph
    diagnostics: list[Diagnostic]
    files: list[str]
    sources: dict[str, str]
    object_suppressions: list[ObjectSuppression]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Keep Python's cyclic garbage collector to young objects while a run builds its graph.

    See ``tolint.gc_policy``. The caller's thresholds come back afterwards (tolint used as
    a library).
    """
    thresholds = gc.get_threshold()
    gc.freeze()  # what exists now (modules, classes) is never scanned again
    young_collections_only()
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def build_inputs(paths: list[str], settings: Settings, stdin_text: str | None = None,
                 cwd: str | None = None) -> Inputs:
    """Discover, parse and link."""
    with gc_paused():
        base = cwd or os.getcwd()
        found = discover(paths, settings.exclude, settings.max_file_size, base, stdin_text,
                         settings.allow_outside_tree)
        return _parse(found, settings, base)


def _parse(found: Discovery, settings: Settings, base: str) -> Inputs:
    from functools import partial

    from tolint.parallel import run_jobs

    diagnostics = list(found.diagnostics)
    jobs = []
    for fmt in FORMATS:
        inputs = [item for item in found.files if item.format == fmt.name]
        if inputs:
            jobs.append((sum(len(item.text) for item in inputs), partial(fmt.parse, inputs, settings, found.roots, base)))
    fragments = [fragment for result in run_jobs(jobs) for fragment in result]
    files: set[str] = {item.display for item in found.files}
    sources = {item.display: item.text for item in found.files}
    objects: list[ObjectSuppression] = []
    for fragment in fragments:
        diagnostics.extend(fragment.diagnostics)
        files.update(fragment.files)
        for display, text in fragment.sources.items():
            sources.setdefault(display, text)
        objects.extend(fragment.suppressions)
    from tolint.link import link

    graph = link(fragments)
    diagnostics.extend(graph.diagnostics)
    return Inputs(graph, _sort_diagnostics(diagnostics), sorted(files), sources, objects)


def build_graph(paths: list[str], settings: Settings, stdin_text: str | None = None,
                cwd: str | None = None) -> tuple[TimeoutGraph, list[Diagnostic], list[str]]:
    """Parse and link; returns the graph, the input diagnostics and the files read."""
    inputs = build_inputs(paths, settings, stdin_text, cwd)
    return inputs.graph, inputs.diagnostics, inputs.files


def select_rules(catalog: Catalog, settings: Settings) -> list[Rule]:
    """The rules this run uses: select minus ignore, plus TL002 when suppressions must give reasons."""
    rules = catalog.select(settings.select, settings.ignore)
    reason_rule = catalog.get(REASON_RULE)
    if settings.require_suppression_reason and reason_rule is not None and reason_rule not in rules:
        ignored = {rule.code for selector in settings.ignore for rule in catalog.matching(selector, include_opt_in=True)}
        if reason_rule.code not in ignored:
            rules = sorted([*rules, reason_rule], key=lambda rule: rule.code)
    return rules


def lint(paths: list[str], settings: Settings, stdin_text: str | None = None, cwd: str | None = None,
         catalog: Catalog | None = None, only_files: Iterable[str] | None = None,
         apply_baseline: bool = True, cache: ResultCache | None = None) -> Report:
    """Lint ``paths``; ``only_files`` keeps the findings touching those files (the graph still spans everything).

    With a ``cache``, an unchanged tree is answered from it (the report's graph is then empty).
    """
    with gc_paused():
        return _lint(paths, settings, stdin_text, cwd, catalog, only_files, apply_baseline, cache)


def _lint(paths: list[str], settings: Settings, stdin_text: str | None, cwd: str | None, catalog: Catalog | None,
          only_files: Iterable[str] | None, apply_baseline: bool, cache: ResultCache | None) -> Report:
    from tolint import baseline
    from tolint.config_files import rule_overrides

    base = cwd or os.getcwd()
    catalog = catalog or load_catalog()
    rules = select_rules(catalog, settings)
    severities, params = rule_overrides(settings, catalog)
    baseline_path = os.path.join(base, settings.baseline) if settings.baseline else None
    accepted = baseline.load(baseline_path) if baseline_path and apply_baseline else None
    found = discover(paths, settings.exclude, settings.max_file_size, base, stdin_text, settings.allow_outside_tree)
    discovered = {item.display: item.text for item in found.files}

    key = None
    result: CachedResult | None = None
    if cache is not None and stdin_text is None:
        key = cache.key(settings.model_dump_json(), base, list(paths), found.walked,
                        ((item.display, item.format, item.text) for item in found.files),
                        (f"{d.file}:{d.line}:{d.severity}:{d.message}" for d in found.diagnostics))
        result = cache.load(key, base)
    graph = TimeoutGraph.model_construct()
    if result is None:
        # Only a miss validates the rules' parameters: a hit's key includes the settings that passed.
        prepared = prepare(rules, severities, params)
        inputs = _parse(found, settings, base)
        graph = inputs.graph
        result = CachedResult(
            findings=_analyse(inputs, prepared, catalog, settings.per_file_ignores),
            diagnostics=inputs.diagnostics,
            files=inputs.files,
            extra_sources={d: t for d, t in inputs.sources.items() if d not in discovered},
        )
        if key is not None:
            cache.store(key, result)  # type: ignore[union-attr]
        active = [item[0] for item in prepared]
    else:
        active = activate(rules, severities, params)

    findings, diagnostics = result.findings, result.diagnostics
    if accepted is not None and settings.baseline:
        findings = baseline.apply(findings, accepted, settings.baseline)
    selected = None
    if only_files is not None:
        selected = frozenset(only_files)
        findings = [f for f in findings if any(loc.file in selected for loc in f.locations())]
        diagnostics = [d for d in diagnostics if d.file in selected]
    return Report(findings=findings, diagnostics=diagnostics, graph=graph, files=result.files,
                  rules=active, settings=settings, sources={**discovered, **result.extra_sources},
                  only_files=selected)


def _analyse(inputs: Inputs, prepared: list[tuple[ActiveRule, Any, Any]], catalog: Catalog,
             per_file_ignores: dict[str, list[str]]) -> list[Finding]:
    """Run the rules, apply suppressions and stamp fingerprints."""
    from tolint import fingerprints
    from tolint.checks import get_template
    from tolint.checks.suppressions import SuppressionContext, SuppressionTemplate
    from tolint.suppress import Suppressor

    suppressor = Suppressor(inputs.sources, inputs.object_suppressions, inputs.graph, catalog, per_file_ignores)
    findings = suppressor.apply(run(inputs.graph, prepared))
    active = frozenset(item[0].rule.code for item in prepared)
    meta = frozenset(rule.code for rule in catalog
                     if issubclass(get_template(rule.template) or object, SuppressionTemplate))
    context = SuppressionContext(suppressor, active, meta)
    findings = sort_findings(findings + suppressor.apply(run_suppression_rules(context, prepared), track=False))
    return fingerprints.assign(findings, inputs.files)


def _sort_diagnostics(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    unique = {(d.file, d.line, d.column, d.message): d for d in diagnostics}
    return sorted(unique.values(), key=lambda d: (d.file, d.line or 0, d.column or 0, d.message))
