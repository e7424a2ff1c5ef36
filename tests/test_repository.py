"""Repository invariants: the README's rule table, the hook manifest, the catalog in the wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tolint.catalog import load_catalog
from tolint.rule_docs import README_BEGIN, README_END, render_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_readme_rule_table_is_current() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = readme.index(README_BEGIN), readme.index(README_END) + len(README_END)
    assert readme[start:end] + "\n" == render_markdown(load_catalog()), (
        "README rule table is stale: replace it with the output of `tolint rules --format markdown`"
    )


def test_readme_mentions_every_hook_and_the_ci_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    hooks = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text())
    for hook in hooks:
        assert f"id: {hook['id']}" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    test_command = ci.strip().splitlines()[-1]
    assert test_command in readme, ".ci/run must run the README's test command"


def test_hook_manifest_is_valid_for_pre_commit() -> None:
    hooks = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hooks[0]["pass_filenames"] is False and hooks[0]["require_serial"] is True
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_wheel_ships_the_catalog(tmp_path: Path) -> None:
    """Build the wheel and load the catalog from it, as an installed copy would."""
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    wheel = next(tmp_path.glob("tolint-*.whl"))
    unpacked = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(unpacked)
    assert any(name.startswith("tolint/_rules/TL101-") for name in names)
    assert {"tolint/profiles/recommended.toml", "tolint/profiles/strict.toml"} <= set(names)
    assert "tolint/presets/aws-alb.yaml" in names  # presets are package data
    code = (
        "import tolint.catalog as c, sys; "
        "assert c.rules_dir().name == '_rules', c.rules_dir(); "
        "import tolint.presets as p; assert 'aws-alb' in p.load_presets(); "
        "print(len(c.load_catalog()))"
    )
    env = {**os.environ, "PYTHONPATH": str(unpacked)}
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert int(shown.stdout) == len(load_catalog())
