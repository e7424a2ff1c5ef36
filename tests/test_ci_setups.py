"""The GitHub Action (action.yml + tools/action-run) and the CI examples under examples/."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tolint.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def load(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def tolint_commands(text: str) -> list[list[str]]:
    """Every `tolint ...` command line in a workflow's scripts."""
    return [shlex.split(match) for match in re.findall(r"(?m)(?:run: |- )(tolint .+)$", text)]


def test_action_is_a_composite_action_with_declared_inputs() -> None:
    action = load(ROOT / "action.yml")
    assert action["runs"]["using"] == "composite"
    text = (ROOT / "action.yml").read_text()
    used = set(re.findall(r"\binputs\.([\w-]+)", text))
    assert used == set(action["inputs"]), "every input is used, and only declared inputs are"
    uses = [step["uses"] for step in action["runs"]["steps"] if "uses" in step]
    assert uses == ["actions/setup-python@v5", "github/codeql-action/upload-sarif@v3"]
    for step in action["runs"]["steps"]:
        # Inputs reach scripts through env only: `${{ }}` inside `run` would be a script injection.
        assert "${{" not in step.get("run", ""), step


@pytest.fixture
def tolint_on_path(tmp_path: Path) -> dict[str, str]:
    """A `tolint` command that runs this checkout (the one on PATH may be another installation)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "tolint"
    shim.write_text(f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" -m tolint "$@"\n')
    shim.chmod(0o755)
    env = {key: value for key, value in os.environ.items() if key != "GITHUB_ACTIONS"}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return env


def test_action_run_step_writes_annotations_sarif_and_outputs(tmp_path: Path, tolint_on_path: dict[str, str]) -> None:
    shutil.copytree(ROOT / "fixtures" / "nginx-edge" / "deploy", tmp_path / "deploy")
    outputs = tmp_path / "github_output"
    env = {**tolint_on_path, "INPUT_PATHS": "deploy/", "INPUT_ARGS": "--fail-on error --select TL1,TL5",
           "SARIF_FILE": "reports/tolint.sarif", "GITHUB_OUTPUT": str(outputs)}
    result = subprocess.run([str(ROOT / "tools" / "action-run")], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr  # the action fails later, after uploading
    assert outputs.read_text().splitlines() == ["exit-code=1", "sarif-file=reports/tolint.sarif"]
    assert "::error file=deploy/edge/conf.d/upstreams.conf,line=2,col=1,title=tolint TL101::" in result.stdout
    sarif = json.loads((tmp_path / "reports" / "tolint.sarif").read_text())
    assert sorted(r["ruleId"] for r in sarif["runs"][0]["results"]) == ["TL101", "TL102", "TL501"]


def test_action_run_step_with_a_config_error(tmp_path: Path, tolint_on_path: dict[str, str]) -> None:
    (tmp_path / "tolint.toml").write_text('fail-on = "never"\n')
    outputs = tmp_path / "github_output"
    env = {**tolint_on_path, "GITHUB_OUTPUT": str(outputs)}
    result = subprocess.run([str(ROOT / "tools" / "action-run")], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0
    assert outputs.read_text().splitlines() == ["exit-code=2"]  # no SARIF: nothing to upload
    assert "tolint.toml: fail-on" in result.stderr


@pytest.mark.parametrize("name", ["github-workflow.yml", "github-workflow-manual.yml", "gitlab-ci.yml"])
def test_examples_parse_and_their_commands_are_valid(name: str) -> None:
    path = EXAMPLES / name
    assert load(path)
    parser = build_parser()
    for command in tolint_commands(path.read_text()):
        parser.parse_args(command[1:])  # exits (SystemExit) on an unknown flag


def test_examples_use_the_formats_their_platforms_read() -> None:
    gitlab = load(EXAMPLES / "gitlab-ci.yml")["tolint"]
    assert gitlab["artifacts"]["reports"] == {"codequality": "gl-code-quality.json", "junit": "tolint-junit.xml"}
    assert "--format gitlab=gl-code-quality.json" in " ".join(gitlab["script"])
    manual = load(EXAMPLES / "github-workflow-manual.yml")["jobs"]["tolint"]
    upload = next(step for step in manual["steps"] if "upload-sarif" in step.get("uses", ""))
    assert upload["with"]["sarif_file"] == "tolint.sarif"
    assert manual["permissions"]["security-events"] == "write"


def test_readme_shows_every_example() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in EXAMPLES.glob("*.yml"):
        assert path.read_text(encoding="utf-8").strip() in readme, f"README does not show examples/{path.name}"
