"""Every output format on realistic trees: the nginx-edge scenario, suppressed findings, parse errors,
and input full of control characters. SARIF is validated against the official 2.1.0 schema."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path

import jsonschema
import pytest

from tolint.catalog import load_catalog

from tests.conftest import edit
from tolint.cli import main
from tolint.formatters import REGISTRY
from tolint.formatters.github import escape_data, escape_property
from tolint.formatters.sarif import escape_message

SCHEMA = Path(__file__).resolve().parent.parent / "sarif-schema-2.1.0.json"
HOSTILE_VALUE = 'http_\x1b[2J\x01&<>%\r]]\x85\ufffe'
HOSTILE = {
    "edge/nginx.conf": (
        "events {}\nhttp {\n"
        "    upstream b { server 10.0.0.1:80; server 10.0.0.2:80; }\n"
        "    server { listen 80; location / { proxy_pass http://b; "
        f'proxy_next_upstream error timeout non_idempotent "{HOSTILE_VALUE}"; }} }}\n'
        "}\n"
    ),
    "broken/nginx.conf": "events {}\nhttp {\n    server { listen 80 \x01\x1b]]&<%;\n",
}


@lru_cache(maxsize=1)
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


def render(name: str, *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["check", "--format", name, *argv], stdout=out)
    return code, out.getvalue()


def assert_valid_sarif(text: str) -> dict:
    document = json.loads(text)
    errors = sorted(validator().iter_errors(document), key=lambda error: list(error.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    return document


@pytest.fixture
def hostile_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from tolint.testing import write_tree

    write_tree(tmp_path, HOSTILE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- SARIF ------------------------------------------------------------------------------

def test_schema_is_the_official_one_copied_into_the_tests() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif-schema-2.1.0.json") and "SARIF" in schema["title"]
    shared = Path(__file__).resolve().parents[3] / "shared" / "schemas" / "sarif-schema-2.1.0.json"
    if shared.is_file():  # in the development workspace: the copy is exact
        assert shared.read_bytes() == SCHEMA.read_bytes()
    # The validator is not vacuous: a document without "version" is rejected.
    assert list(validator().iter_errors({"runs": []}))


def test_sarif_on_the_edge_tree(edge_tree: Path) -> None:
    code, out = render("sarif", "deploy")
    document = assert_valid_sarif(out)
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ran = [rule.code for rule in load_catalog() if not rule.opt_in]  # TL002 is opt-in: it did not run
    assert [rule["id"] for rule in rules] == ran and "TL002" not in ran
    tl101 = next(rule for rule in rules if rule["id"] == "TL101")
    assert tl101["name"] == "idle-timeout-order" and tl101["defaultConfiguration"] == {"level": "error"}
    assert tl101["helpUri"].endswith("rules/TL101-idle-timeout-order.md")
    assert tl101["help"]["markdown"].startswith("## What it does")
    assert tl101["fullDescription"]["text"].startswith("On every hop where the caller pools")
    assert "cross-layer" in tl101["properties"]["tags"]
    results = run["results"]
    assert len(results) == 6 and code == 1
    hop = next(r for r in results if r["ruleId"] == "TL101")
    assert rules[hop["ruleIndex"]]["id"] == "TL101"
    assert hop["level"] == "error"
    assert hop["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "deploy/edge/conf.d/upstreams.conf", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 2, "startColumn": 1},
    }
    [other_end] = hop["relatedLocations"]
    assert other_end["id"] == 1
    assert other_end["physicalLocation"]["artifactLocation"]["uri"] == "deploy/app/nginx.conf"
    assert other_end["physicalLocation"]["region"]["startLine"] == 10
    assert "10s" in other_end["message"]["text"]
    assert hop["message"]["text"].endswith("([the other end](1))")
    assert len(hop["partialFingerprints"]["tolint/v1"]) == 32
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == edge_tree.resolve().as_uri() + "/"
    assert run["invocations"][0]["toolExecutionNotifications"] == []


def test_sarif_keeps_suppressed_findings_and_reports_input_errors(edge_tree: Path) -> None:
    edit(edge_tree / "deploy/edge/nginx.conf", "reset_timedout_connection on;",
         "reset_timedout_connection on;  # tolint: ignore[TL501] frees sockets of stalled scanners")
    (edge_tree / "deploy/edge/conf.d/broken.conf").write_text("server {\n    listen 80\n}\n")
    (edge_tree / "tolint.toml").write_text('[per-file-ignores]\n"deploy/edge/conf.d/shop.conf" = ["TL302"]\n')
    code, out = render("sarif")
    run = assert_valid_sarif(out)["runs"][0]
    suppressions = sorted((r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"],
                           r["suppressions"]) for r in run["results"] if "suppressions" in r)
    assert suppressions == [
        ("TL302", 25, [{"kind": "external", "justification": 'per-file-ignores "deploy/edge/conf.d/shop.conf"'}]),
        ("TL302", 31, [{"kind": "external", "justification": 'per-file-ignores "deploy/edge/conf.d/shop.conf"'}]),
        ("TL501", 16, [{"kind": "inSource", "justification": "frees sockets of stalled scanners"}]),
    ]
    [notification] = run["invocations"][0]["toolExecutionNotifications"]
    assert notification["level"] == "error" and "listen" in notification["message"]["text"]
    assert notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "deploy/edge/conf.d/broken.conf"
    assert code == 1


def test_sarif_fingerprints_do_not_change_when_lines_move(edge_tree: Path) -> None:
    def prints() -> list[str]:
        return sorted(r["partialFingerprints"]["tolint/v1"] for r in json.loads(render("sarif")[1])["runs"][0]["results"])

    before = prints()
    edit(edge_tree / "deploy/edge/conf.d/upstreams.conf", "upstream app {", "# moved\n\n\nupstream app {")
    edit(edge_tree / "deploy/app/nginx.conf", "http {", "http {\n\n    server_tokens off;")
    assert prints() == before


def test_sarif_stays_valid_with_hostile_input(hostile_tree: Path) -> None:
    code, out = render("sarif", ".")
    run = assert_valid_sarif(out)["runs"][0]
    assert code == 1 and len(run["results"]) == 2
    assert run["invocations"][0]["toolExecutionNotifications"][0]["locations"][0]["physicalLocation"][
        "artifactLocation"]["uri"] == "broken/nginx.conf"
    assert r"\]\]" in run["results"][0]["message"]["text"]  # literal brackets escaped, not read as links


def test_sarif_stdin_and_absolute_paths(tmp_path: Path) -> None:
    out = io.StringIO()
    stdin = io.TextIOWrapper(io.BytesIO(b"events {}\nhttp { reset_timedout_connection on; server { listen 80; } }\n"))
    main(["check", "--format", "sarif", "-"], stdout=out, stdin=stdin)
    run = assert_valid_sarif(out.getvalue())["runs"][0]
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "%3Cstdin%3E"
    (tmp_path / "nginx.conf").write_text("events {}\nhttp { reset_timedout_connection on; server { listen 80; } }\n")
    run = assert_valid_sarif(render("sarif", str(tmp_path))[1])["runs"][0]
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": (tmp_path / "nginx.conf").as_uri()}


def test_escape_message() -> None:
    assert escape_message(r"location ~ ^/[a-z]+\d") == r"location ~ ^/\[a-z\]+\\d"


# -- GitHub ------------------------------------------------------------------------------

def test_github_annotations_on_the_edge_tree(edge_tree: Path) -> None:
    code, out = render("github", "deploy")
    lines = out.splitlines()
    assert lines[0] == "::group::deploy/app/nginx.conf" or lines[0].startswith("::group::")
    groups = [line for line in lines if line.startswith("::group::")]
    assert groups == ["::group::deploy/edge/conf.d/shop.conf", "::group::deploy/edge/conf.d/upstreams.conf",
                      "::group::deploy/edge/nginx.conf"]
    assert lines.count("::endgroup::") == 3
    hop = next(line for line in lines if "TL101" in line)
    assert hop.startswith("::error file=deploy/edge/conf.d/upstreams.conf,line=2,col=1,title=tolint TL101::"
                          "deploy/edge/conf.d/upstreams.conf:2:1: TL101 upstream app")
    assert hop.endswith("(the other end: deploy/app/nginx.conf:10:5) [idle-timeout-order]")
    assert sum(line.startswith("::warning ") for line in lines) == 4
    assert lines[-1] == "Found 6 findings (2 errors, 4 warnings) in 5 files." and code == 1


def test_github_escaping_and_unknown_columns(hostile_tree: Path) -> None:
    _code, out = render("github", ".")
    lines = out.splitlines()
    error = next(line for line in lines if line.startswith("::error file=broken/nginx.conf"))
    assert error.startswith("::error file=broken/nginx.conf,line=3,title=tolint input error::")  # no col
    finding = next(line for line in lines if "TL301" in line)
    assert "%25" in finding and "\\x0d" in finding and "\r" not in finding and "\x1b" not in finding
    assert escape_data("50%\r\nnext") == "50%25%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_auto_is_github_under_github_actions(edge_tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert check_default().startswith("deploy/edge/conf.d/shop.conf:18:9: TL102")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert check_default().startswith("::group::deploy/edge/conf.d/shop.conf\n::warning ")


def check_default() -> str:
    out = io.StringIO()
    main(["check", "deploy"], stdout=out)
    return out.getvalue()


# -- JUnit ---------------------------------------------------------------------------------

def test_junit_on_the_edge_tree(edge_tree: Path) -> None:
    code, out = render("junit", "deploy")
    root = ET.fromstring(out)
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("8", "6", "0")
    cases = suite.findall("testcase")
    passing = [case.get("classname") for case in cases if not list(case)]
    assert passing == ["deploy/app/nginx.conf", "deploy/edge/snippets/proxy.conf"]
    hop = next(case for case in cases if case.get("name", "").startswith("TL101"))
    failure = hop.find("failure")
    assert failure is not None and failure.get("type") == "TL101 error"
    assert "deploy/app/nginx.conf:10:5: the other end: server app.internal" in (failure.text or "")


def test_junit_is_valid_xml_whatever_the_input(hostile_tree: Path) -> None:
    _code, out = render("junit", ".")
    root = ET.fromstring(out)  # raises on any character XML 1.0 cannot carry
    suite = root.find("testsuite")
    assert suite is not None and (suite.get("failures"), suite.get("errors")) == ("2", "1")
    assert "\\x1b" in out and "&lt;&gt;" in out


# -- GitLab ---------------------------------------------------------------------------------

SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def test_gitlab_code_quality_on_the_edge_tree(edge_tree: Path) -> None:
    _code, out = render("gitlab", "deploy")
    issues = json.loads(out)
    assert len(issues) == 6
    for issue in issues:
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue)
        assert issue["severity"] in SEVERITIES and isinstance(issue["location"]["lines"]["begin"], int)
    assert len({issue["fingerprint"] for issue in issues}) == 6
    hop = next(issue for issue in issues if issue["check_name"] == "tolint/TL101/idle-timeout-order")
    assert hop["severity"] == "major" and hop["location"] == {
        "path": "deploy/edge/conf.d/upstreams.conf", "lines": {"begin": 2}}


def test_gitlab_with_input_errors_and_hostile_text(hostile_tree: Path) -> None:
    issues = json.loads(render("gitlab", ".")[1])
    assert [issue["check_name"] for issue in issues][0] == "tolint/input-error"
    assert issues[0]["severity"] == "critical" and issues[0]["location"]["path"] == "broken/nginx.conf"


# -- text and full ---------------------------------------------------------------------------

def test_full_shows_both_ends_with_their_source_lines(edge_tree: Path) -> None:
    _code, out = render("full", "deploy")
    block = out.split("\n\n")
    hop = next(part for part in block if "TL101" in part)
    assert "   2 | upstream app {" in hop.replace("  2 |", "   2 |")
    assert "  --> deploy/app/nginx.conf:10:5: the other end: server app.internal (port 8080) closes idle connections after 10s" in hop
    assert "  10 |     keepalive_timeout 10s;" in hop
    assert "     |     ^" in hop
    # --show-context is the same as --format full
    out2 = io.StringIO()
    main(["check", "--show-context", "deploy"], stdout=out2)
    assert out2.getvalue() == out


def test_text_and_full_neutralise_control_characters(hostile_tree: Path) -> None:
    for name in ("text", "full"):
        out = render(name, ".")[1]
        assert "\x1b" not in out and "\r" not in out and "\x01" not in out


# -- several formats in one run -------------------------------------------------------------

def test_several_formats_in_one_run(edge_tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    code = main(["check", "deploy", "--format", "text", "--format", "sarif=out/tolint.sarif",
                 "--format", "junit=out/junit.xml", "--format", "gitlab=gl-code-quality.json"], stdout=out)
    assert code == 1
    assert out.getvalue().splitlines()[-1] == "Found 6 findings (2 errors, 4 warnings) in 5 files."
    assert_valid_sarif((edge_tree / "out/tolint.sarif").read_text())
    ET.fromstring((edge_tree / "out/junit.xml").read_text())
    assert len(json.loads((edge_tree / "gl-code-quality.json").read_text())) == 6
    capsys.readouterr()
    assert main(["check", "deploy", "--format", "json", "--format", "text"], stdout=io.StringIO()) == 2
    assert "only one --format can write to standard output" in capsys.readouterr().err
    assert main(["check", "deploy", "--format", "sarif=deploy/edge/nginx.conf/x.sarif"], stdout=io.StringIO()) == 2


def test_formats_command_lists_every_format() -> None:
    out = io.StringIO()
    main(["formats"], stdout=out)
    assert [line.split()[0] for line in out.getvalue().splitlines()] == sorted(REGISTRY)
    assert set(REGISTRY) == {"auto", "text", "full", "json", "sarif", "github", "junit", "gitlab"}
