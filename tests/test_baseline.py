"""Baseline: adopt tolint on an existing tree, gate only new findings; fingerprints survive moving lines."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tests.conftest import edit
from tolint.cli import main
from tolint.config import Settings
from tolint.fingerprints import normalise_message
from tolint.pipeline import lint

SHOP = "deploy/edge/conf.d/shop.conf"


def check(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(["check", *argv], stdout=out), out.getvalue()


def fingerprints(root: Path) -> dict[str, str]:
    report = lint(["deploy"], Settings(), cwd=str(root))
    return {f"{f.code} {f.location.file}:{f.location.line}": f.fingerprint for f in report.findings}


def test_update_then_gate_only_new_findings(edge_tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check("--baseline", "tolint-baseline.json", "--update-baseline")
    assert code == 0
    assert "wrote 6 findings to the baseline tolint-baseline.json" in capsys.readouterr().err
    assert out.splitlines()[-1] == "No findings in 5 files. 6 findings hidden by the baseline."
    recorded = json.loads((edge_tree / "tolint-baseline.json").read_text())
    assert recorded["version"] == 1 and len(recorded["findings"]) == 6
    assert set(recorded["findings"][0]) == {"fingerprint", "code", "file", "message"}

    # Lines move: a header comment, a new location above the existing ones, blank lines.
    edit(edge_tree / SHOP, "server {", "# Shop front\n# Owner: web team\n\nserver {")
    edit(edge_tree / SHOP, "    location / {", "    location = /healthz { return 200; }\n\n    location / {")
    edit(edge_tree / "deploy/edge/nginx.conf", "    sendfile on;", "    sendfile on;\n    tcp_nopush on;\n")
    edit(edge_tree / "deploy/app/nginx.conf", "http {", "http {\n    server_tokens off;\n")
    code, out = check("--baseline", "tolint-baseline.json")
    assert (code, out.splitlines()) == (0, ["No findings in 5 files. 6 findings hidden by the baseline."])

    # A new problem is reported and fails the run; the accepted ones stay hidden.
    edit(edge_tree / SHOP, "proxy_read_timeout 30s;", "proxy_read_timeout 30s;\n        lingering_close off;")
    code, out = check("--baseline", "tolint-baseline.json")
    assert code == 1
    assert [line.split(": ")[1][:5] for line in out.splitlines()[:-1]] == ["TL501"]
    assert out.splitlines()[-1] == "Found 1 finding (1 warning) in 5 files. 6 findings hidden by the baseline."


def test_changed_value_is_a_new_finding(edge_tree: Path) -> None:
    check("--baseline", "b.json", "--update-baseline")
    edit(edge_tree / "deploy/app/nginx.conf", "keepalive_timeout 10s;", "keepalive_timeout 5s;")
    code, out = check("--baseline", "b.json")
    assert code == 1 and " TL101 " in out.splitlines()[0]


def test_fingerprints_ignore_lines_but_not_identity(edge_tree: Path) -> None:
    before = fingerprints(edge_tree)
    assert len(set(before.values())) == 6  # unique, even for the two TL302 in one file
    edit(edge_tree / SHOP, "server {", "\n\n\nserver {")
    after = fingerprints(edge_tree)
    assert sorted(before.values()) == sorted(after.values())
    assert before.keys() != after.keys()  # the lines did move


def test_normalise_message_strips_lines_of_known_files_only() -> None:
    message = ("upstream app.internal:8080 keeps idle connections 60s (at edge/nginx.conf:12:5), "
               "server closes after 10s (inherited from http at app/nginx.conf:7)")
    assert normalise_message(message, {"edge/nginx.conf", "app/nginx.conf"}) == (
        "upstream app.internal:8080 keeps idle connections 60s (at edge/nginx.conf), "
        "server closes after 10s (inherited from http at app/nginx.conf)")


def test_baseline_in_config_and_errors(edge_tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (edge_tree / "ci").mkdir()
    (edge_tree / "ci" / "tolint.toml").write_text('paths = ["../deploy"]\nbaseline = "accepted.json"\n')
    assert main(["check", "--config", "ci/tolint.toml", "--update-baseline"], stdout=io.StringIO()) == 0
    assert (edge_tree / "ci" / "accepted.json").is_file()  # relative to the config file
    assert main(["check", "--config", "ci/tolint.toml"], stdout=io.StringIO()) == 0
    capsys.readouterr()
    assert check("--baseline", "missing.json")[0] == 2
    assert "missing.json: baseline file not found (create it with --update-baseline)" in capsys.readouterr().err
    (edge_tree / "bad.json").write_text('{"version": 1, "findings": [{"code": "TL101"}]}')
    assert check("--baseline", "bad.json")[0] == 2
    assert '"findings" must be a list of objects with a "fingerprint"' in capsys.readouterr().err
    (edge_tree / "bad.json").write_text("not json")
    assert check("--baseline", "bad.json")[0] == 2
    assert check("--update-baseline")[0] == 2
    assert "--update-baseline needs a file" in capsys.readouterr().err


def test_sarif_marks_baselined_findings_as_external_suppressions(edge_tree: Path) -> None:
    check("--baseline", "b.json", "--update-baseline")
    code, out = check("--baseline", "b.json", "--format", "sarif")
    results = json.loads(out)["runs"][0]["results"]
    assert code == 0 and len(results) == 6
    recorded = {e["fingerprint"] for e in json.loads((edge_tree / "b.json").read_text())["findings"]}
    assert {r["partialFingerprints"]["tolint/v1"] for r in results} == recorded
    assert {r["suppressions"][0]["kind"] for r in results} == {"external"}
