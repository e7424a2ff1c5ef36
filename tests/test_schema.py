"""`tolint schema`: a JSON Schema that accepts every client settings file we ship and rejects mistakes."""

from __future__ import annotations

import io
import json
from functools import lru_cache
from pathlib import Path

import jsonschema
import pytest

from tolint.catalog import load_catalog
from tolint.cli import main

ROOT = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    out = io.StringIO()
    assert main(["schema"], stdout=out) == 0
    schema = json.loads(out.getvalue())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _typed(text: str) -> object:
    """YAML as an editor's YAML language server sees it (plain numbers and booleans typed)."""
    from ruamel.yaml import YAML

    return YAML(typ="safe").load(text)


def _shipped_files() -> list[tuple[str, str]]:
    files = [(str(path.relative_to(ROOT)), path.read_text()) for path in sorted(ROOT.glob("fixtures/**/*.tolint.yaml"))]
    for rule in load_catalog():
        for section in ("Example", "Use instead"):
            files += [(f"{rule.code} {section}", e.content) for e in rule.examples(section) if e.path.endswith(".tolint.yaml")]
    return files


SHIPPED = _shipped_files()


@pytest.mark.parametrize(("name", "text"), SHIPPED, ids=[name for name, _ in SHIPPED])
def test_shipped_files_validate(name: str, text: str) -> None:
    _validator().validate(_typed(text))


@pytest.mark.parametrize("text", [
    "components:\n  - name: a\n    preset: aws-albb\n",
    "components:\n  - name: a\n    preset: aws-alb\n    server: {idle-timout: 5s}\n",
    "components:\n  - name: a\n    kind: client\n    client: {read-timeout: 65}\n",
    "components:\n  - name: a\n    kind: client\n    client: {read-timeout: 65 s}\n",
    "middleboxes:\n  - name: m\n    preset: aws-nlb\n    on-expiry: reset\n",
    "component: []\n",
])
def test_mistakes_are_rejected(text: str) -> None:
    with pytest.raises(jsonschema.ValidationError):
        _validator().validate(_typed(text))


def test_versioned_presets_are_accepted() -> None:
    _validator().validate(_typed("components:\n  - {name: a, preset: nodejs-http-server@18.19.1}\n"))


def test_preset_table_command() -> None:
    out = io.StringIO()
    assert main(["schema", "--presets"], stdout=out) == 0
    assert "| `aws-alb` | load-balancer |" in out.getvalue()


def test_the_readme_example_is_valid_and_lints_cleanly(tmp_path: Path) -> None:
    from tolint.config import Settings
    from tolint.pipeline import lint

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Client settings"):readme.index("## The graph as a picture")]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    _validator().validate(_typed(example))
    (tmp_path / "platform.tolint.yaml").write_text(example)
    report = lint([str(tmp_path)], Settings(), cwd=str(tmp_path))
    assert [d.severity for d in report.diagnostics] == ["warning"]  # edge/nginx.conf is not in this tree
    assert len(report.graph.components) == 6
    assert report.findings == []
