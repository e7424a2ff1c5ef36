"""Every rule's documentation is complete, and its examples are real: Example fires, Use instead does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from tolint.catalog import REQUIRED_SECTIONS, load_catalog
from tolint.checks import get_template
from tolint.config import Settings
from tolint.pipeline import lint
from tolint.testing import write_tree

RULES = list(load_catalog())


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_sections_present_in_order(rule) -> None:
    headings = list(rule.sections)
    positions = [headings.index(section) for section in REQUIRED_SECTIONS if section in headings]
    missing = [section for section in REQUIRED_SECTIONS if section not in headings]
    assert not missing, f"{rule.code} lacks sections {missing}"
    assert positions == sorted(positions), f"{rule.code} sections out of order: {headings}"


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_template_exists_and_params_validate(rule) -> None:
    template = get_template(rule.template)
    assert template is not None, f"{rule.code}: unknown template {rule.template}"
    template.Params.model_validate(rule.params)


def _findings(rule, section: str, tmp_path: Path) -> list:
    examples = rule.examples(section)
    assert examples, f"{rule.code}: section {section!r} has no titled code block"
    write_tree(tmp_path, {example.path: example.content for example in examples})
    report = lint([str(tmp_path)], Settings(select=[rule.code]), cwd=str(tmp_path))
    assert not [d for d in report.diagnostics if d.severity == "error"], report.diagnostics
    return report.findings


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_example_fires(rule, tmp_path: Path) -> None:
    assert _findings(rule, "Example", tmp_path), f"{rule.code}: its Example does not raise it"


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_use_instead_is_clean(rule, tmp_path: Path) -> None:
    findings = _findings(rule, "Use instead", tmp_path)
    assert not findings, f"{rule.code}: its 'Use instead' still raises: {[f.message for f in findings]}"
