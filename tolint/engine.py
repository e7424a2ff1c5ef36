"""The rule engine: instantiate each selected rule's template, run it, stamp its findings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from typing import TYPE_CHECKING

from tolint.catalog import Rule
from tolint.findings import Finding, Hit, Severity

if TYPE_CHECKING:
    from tolint.graph import TimeoutGraph


class RuleConfigError(Exception):
    """A rule's parameters or template are invalid; the message names the rule."""


@dataclass(frozen=True)
class ActiveRule:
    """A rule as this run uses it: with the configured severity and parameter overrides."""

    rule: Rule
    severity: Severity
    params: dict[str, Any]


def activate(rules: list[Rule], severities: dict[str, Severity] | None = None,
             params: dict[str, dict[str, Any]] | None = None) -> list[ActiveRule]:
    """The rules with their configured severity and parameters (not validated: see ``prepare``)."""
    return [
        ActiveRule(rule, (severities or {}).get(rule.code, rule.severity),
                   {**rule.params, **(params or {}).get(rule.code, {})})
        for rule in rules
    ]


def prepare(rules: list[Rule], severities: dict[str, Severity] | None = None,
            params: dict[str, dict[str, Any]] | None = None) -> list[tuple[ActiveRule, Any, Any]]:
    """Validate templates and parameters up front, so a config mistake fails before any parsing."""
    from tolint.checks import get_template  # the templates: only a run that parses needs them

    prepared = []
    for active in activate(rules, severities, params):
        rule = active.rule
        template_cls = get_template(rule.template)
        if template_cls is None:
            raise RuleConfigError(f'{rule.code} ({rule.name}): unknown template "{rule.template}"')
        try:
            validated = template_cls.Params.model_validate(active.params)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in error['loc']) or 'params'}: {error['msg']}" for error in exc.errors()
            )
            raise RuleConfigError(f"{rule.code} ({rule.name}): invalid parameters: {problems}") from exc
        prepared.append((active, template_cls(), validated))
    return prepared


def run(graph: TimeoutGraph, prepared: list[tuple[ActiveRule, Any, Any]]) -> list[Finding]:
    """Run every prepared rule over the graph; findings come back de-duplicated and sorted."""
    findings: list[Finding] = []
    seen: set[tuple[object, ...]] = set()
    for active, template, params in prepared:
        for hit in template.run(graph, params):
            key = (active.rule.code, hit.location, tuple(r.location for r in hit.related))
            if key in seen:
                continue  # one setting inherited by many blocks is one problem
            seen.add(key)
            findings.append(stamp(active, hit))
    return sort_findings(findings)


def stamp(active: ActiveRule, hit: Hit) -> Finding:
    """A template's hit as a finding of the rule that ran it: code, name and severity come from the rule."""
    return Finding(
        code=active.rule.code,
        name=active.rule.name,
        severity=active.severity,
        message=hit.message,
        location=hit.location,
        related=hit.related,
        subjects=hit.subjects,
    )


def run_suppression_rules(context: Any, prepared: list[tuple[ActiveRule, Any, Any]]) -> list[Finding]:
    """Run the suppression-phase templates (after suppressions were applied to the graph findings)."""
    from tolint.checks.suppressions import SuppressionTemplate

    findings = [
        stamp(active, hit)
        for active, template, params in prepared
        if isinstance(template, SuppressionTemplate)
        for hit in template.check(context, params)
    ]
    return sort_findings(findings)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.location.file, f.location.line or 0, f.location.column or 0,
                                           f.code, f.message))
