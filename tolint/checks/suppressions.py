"""Templates over suppressions rather than the graph: ``unused-suppression`` and ``suppression-reason``.

They follow the engine's contract (yield ``Hit``s; the engine stamps code and severity) but
read what the ``Suppressor`` recorded while it applied directives, so the engine runs them
after suppressions are applied (``engine.run_suppression_rules``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tolint.checks.base import BaseParams, Template
from tolint.findings import Hit, Location
from tolint.graph import TimeoutGraph
from tolint.suppress import Suppressor


@dataclass(frozen=True)
class SuppressionContext:
    """What the meta templates read: the applied suppressor and the codes of the rules that ran."""

    suppressor: Suppressor
    active: frozenset[str]
    meta: frozenset[str]  # codes of suppression-phase rules: never reported as unused


class SuppressionTemplate(Template):
    """A template that checks suppressions; it has nothing to say about the graph itself."""

    def run(self, graph: TimeoutGraph, params: BaseParams) -> Iterator[Hit]:
        return iter(())

    def check(self, context: SuppressionContext, params: BaseParams) -> Iterator[Hit]:
        raise NotImplementedError


class UnusedSuppression(SuppressionTemplate):
    key = "unused-suppression"
    description = (
        "Report suppression comments and annotations that suppress nothing: malformed ones, unknown "
        "rules, rules not enabled in this run, and rules that reported nothing where they point."
    )

    def check(self, context: SuppressionContext, params: BaseParams) -> Iterator[Hit]:
        for directive in context.suppressor.directives:
            if directive.problem:
                yield Hit(message=directive.problem, location=directive.location)
                continue
            problems = _problems(directive.rules, directive.codes, directive.unknown, directive.used, context)
            if problems:
                yield Hit(message=f"unused suppression {directive.text()}: {'; '.join(problems)}",
                          location=directive.location)
        for rule in context.suppressor.objects:
            item = rule.suppression
            location = Location.of(item.location) or Location("<unknown>")
            if not item.rules:
                if not rule.used:
                    yield Hit(message="unused suppression annotation: no finding on this object to suppress",
                              location=location, subjects=tuple(item.subjects))
                continue
            problems = _problems(tuple(item.rules), rule.codes, rule.unknown, rule.used, context)
            if problems:
                yield Hit(message=f"unused suppression annotation [{','.join(item.rules)}]: {'; '.join(problems)}",
                          location=location, subjects=tuple(item.subjects))


def _problems(names: tuple[str, ...], codes: dict[str, str], unknown: list[str], used: set[str],
              context: SuppressionContext) -> list[str]:
    problems = []
    for name in names:
        if name in unknown:
            problems.append(f'"{name}" is not a rule (see tolint rules)')
            continue
        code = codes[name]
        label = name if name == code else f"{name} ({code})"
        if code in context.meta or code in used:
            continue
        if code not in context.active:
            problems.append(f"{label} is not enabled in this run")
        else:
            problems.append(f"{label} reported nothing here")
    return problems


class SuppressionReason(SuppressionTemplate):
    key = "suppression-reason"
    description = "Report suppression comments and annotations that do not say why the finding is accepted."

    def check(self, context: SuppressionContext, params: BaseParams) -> Iterator[Hit]:
        for directive in context.suppressor.directives:
            if directive.problem or directive.kind == "enable" or directive.reason:
                continue
            yield Hit(
                message=f'suppression {directive.text()} gives no reason; add one after it: '
                        f'"# tolint: {directive.text()} <why this is accepted>"',
                location=directive.location,
            )
        for rule in context.suppressor.objects:
            if not rule.suppression.reason:
                rules = ",".join(rule.suppression.rules) or "all rules"
                yield Hit(
                    message=f'suppression annotation [{rules}] gives no reason; write "RULES: reason"',
                    location=Location.of(rule.suppression.location) or Location("<unknown>"),
                    subjects=tuple(rule.suppression.subjects),
                )
