"""tolint graph: Mermaid, DOT and JSON pictures label hops with both ends' values and mark findings."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tolint.cli import main
from tolint.testing import write_tree

TREE = {
    "clients.tolint.yaml": """\
components:
  - name: alb
    preset: aws-alb
    to: [api, "unknown.example:443"]
  - name: api
    preset: nodejs-http-server@18
    listen: [3000]
  - name: api-db
    preset: hikaricp
    part-of: api
    to: [db]
    through: [nat]
  - name: db
    preset: mysql
    server: {idle-timeout: 8h}
middleboxes:
  - {name: nat, preset: aws-nat-gateway}
""",
}


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), stdout=out), out.getvalue()


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_tree(tmp_path, TREE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_mermaid(tree: Path) -> None:
    code, out = run("graph", "--format", "mermaid", ".")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "flowchart LR"
    assert '    c0["alb<br>AWS ALB"]' in lines
    alb_to_api = next(line for line in lines if line.startswith("    c0 -->"))
    assert alb_to_api == '    c0 -->|"idle 60s · read 60s<br>→ idle 5s · headers 60s<br>⚠ TL101"| c1'
    pool = next(line for line in lines if line.startswith("    c2 -->"))
    assert "lifetime 30m" in pool and "via nat (idle 350s)" in pool and "TL103" in pool
    assert "    c1 -.-|\"part of\"| c2" in lines
    assert any(line.startswith("    c0 -.->") and "unresolved" in line for line in lines)
    edges = [line for line in lines if "-->" in line or "-.-" in line]
    index = edges.index(alb_to_api)
    assert f"    linkStyle {index} stroke:#d62728,stroke-width:3px,color:#d62728" in lines


def test_dot(tree: Path) -> None:
    code, out = run("graph", "-f", "dot", ".")
    assert code == 0 and out.startswith("digraph tolint {")
    assert 'c0 -> c1 [label="idle 60s · read 60s\\n→ idle 5s · headers 60s\\n⚠ TL101", color="#d62728"' in out
    dot = shutil.which("dot")
    if dot is None:
        pytest.skip("Graphviz is not installed")
    rendered = subprocess.run([dot, "-Tsvg"], input=out, capture_output=True, text=True, check=True)
    assert "<svg" in rendered.stdout


def test_json_keeps_the_graph_and_adds_findings(tree: Path) -> None:
    code, out = run("graph", ".")
    payload = json.loads(out)
    assert code == 0
    assert {"components", "hops", "unresolved", "aliases", "findings"} <= set(payload)
    codes = {hop["upstream"].rsplit(":", 2)[-2]: hop["findings"] for hop in payload["hops"]}
    assert codes == {"alb": ["TL101"], "api-db": ["TL103"]}
    assert {f["code"] for f in payload["findings"]} == {"TL101", "TL103"}


def test_findings_off_the_hops_mark_the_component(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {"c.tolint.yaml": "components:\n  - {name: api, preset: nodejs-http-server@10.15.3, "
                                           "server: {idle-timeout: 65s}}\n"})
    monkeypatch.chdir(tmp_path)
    _, out = run("graph", "-f", "mermaid", ".")
    assert '    c0["api<br>Node.js 10.15.3<br>⚠ TL106"]' in out.splitlines()
    assert "    style c0 stroke:#d62728,stroke-width:3px" in out.splitlines()


def test_the_readme_picture_is_current(monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/shop-platform-graph.svg shows what `tolint graph` draws today (labels, not layout)."""
    import re

    dot = shutil.which("dot")
    if dot is None:
        pytest.skip("Graphviz is not installed")
    root = Path(__file__).resolve().parent.parent
    monkeypatch.chdir(root)
    _, out = run("graph", "--format", "dot", "fixtures/shop-platform")
    rendered = subprocess.run([dot, "-Tsvg"], input=out, capture_output=True, text=True, check=True).stdout
    committed = (root / "docs" / "shop-platform-graph.svg").read_text(encoding="utf-8")

    def labels(svg: str) -> list[str]:
        return sorted(re.findall(r"<text[^>]*>([^<]*)</text>", svg))

    assert labels(committed) == labels(rendered), (
        "docs/shop-platform-graph.svg is stale: tolint graph --format dot fixtures/shop-platform | dot -Tsvg"
    )
