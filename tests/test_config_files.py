"""Configuration files on a realistic tree: discovery, extends, every key, errors naming file and key."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tests.conftest import edit
from tolint.cli import main
from tolint.config_files import ConfigError, find_config, load_settings, rebase_glob, setting_keys

SHOP = "deploy/edge/conf.d/shop.conf"


def check(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(["check", *argv], stdout=out), out.getvalue()


def codes(out: str) -> list[str]:
    return sorted(line.split(": ")[1].split()[0] for line in out.splitlines() if ": TL" in line)


def error_of(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    capsys.readouterr()
    assert main(list(argv), stdout=io.StringIO()) == 2
    return capsys.readouterr().err.strip()


def test_pyproject_found_walking_up_and_paths_relative_to_it(edge_tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (edge_tree / "pyproject.toml").write_text(
        '[project]\nname = "infra"\n\n[tool.tolint]\npaths = ["deploy/edge"]\nselect = ["TL5"]\n')
    (edge_tree / "docs").mkdir()
    monkeypatch.chdir(edge_tree / "docs")
    code, out = check()
    assert code == 1
    assert out.splitlines() == [
        f"{edge_tree}/deploy/edge/nginx.conf:16:5: TL501 reset_timedout_connection on: nginx closes timed-out "
        "connections with a TCP reset, which discards unsent data and shows up as \"connection reset by peer\" "
        "instead of a clean close [forced-reset-on-close]",
        "Found 1 finding (1 warning) in 4 files.",
    ]


def test_closest_file_wins_and_tolint_toml_beats_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.tolint]\nfail-on = "error"\n')
    (tmp_path / "tolint.toml").write_text('fail-on = "info"\n')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text('[project]\nname = "x"\n')  # no [tool.tolint]: skipped
    assert find_config(str(tmp_path / "sub")) == tmp_path / "tolint.toml"
    assert load_settings(cwd=str(tmp_path / "sub")).settings.fail_on == "info"


def test_every_key_in_one_pyproject(edge_tree: Path) -> None:
    """The README's example configuration, on the nginx-edge tree."""
    (edge_tree / "pyproject.toml").write_text("""\
[tool.tolint]
extends = "recommended"
paths = ["deploy"]
exclude = ["deploy/legacy/**"]
select = ["ALL"]
ignore = ["TL102"]
fail-on = "error"
nginx-version = "1.28.0"
nginx-include-prefix = "/etc/nginx"
allow-outside-tree = false
max-file-size = 1048576
require-suppression-reason = true
baseline = "tolint-baseline.json"

[tool.tolint.per-file-ignores]
"deploy/edge/conf.d/shop.conf" = ["unbounded-retries"]

[tool.tolint.severity]
forced-reset-on-close = "error"
TL301 = "warning"

[tool.tolint.rules.idle-timeout-order]
margin = "5s"
""")
    (edge_tree / "deploy" / "legacy").mkdir()
    (edge_tree / "deploy" / "legacy" / "nginx.conf").write_text("events {}\nhttp { reset_timedout_connection on; server { listen 80; } }\n")
    assert main(["check", "--update-baseline"], stdout=io.StringIO()) == 0
    baseline = json.loads((edge_tree / "tolint-baseline.json").read_text())
    # nginx 1.28 has no default upstream keep-alive cache... but app{} sets keepalive 32, so TL101 stays;
    # TL102 ignored, TL302 ignored for shop.conf, legacy/ excluded.
    assert sorted(e["code"] for e in baseline["findings"]) == ["TL101", "TL301", "TL501"]
    code, out = check("--format", "json")
    payload = json.loads(out)
    assert code == 0 and payload["findings"] == []
    severities = {f["code"]: (f["severity"], f["suppression"]["kind"]) for f in payload["suppressed"]}
    assert severities == {"TL101": ("error", "baseline"), "TL301": ("warning", "baseline"),
                          "TL302": ("warning", "config"), "TL501": ("error", "baseline")}


def test_rule_params_by_name_change_the_outcome(edge_tree: Path) -> None:
    edit(edge_tree / "deploy/edge/conf.d/upstreams.conf", "    keepalive 32;", "    keepalive 32;\n    keepalive_timeout 8s;")
    assert "TL101" not in codes(check("--select", "TL101")[1])  # 8s + 1s margin <= 10s
    (edge_tree / "tolint.toml").write_text('[rules.idle-timeout-order]\nmargin = "5s"\n')
    assert codes(check("--select", "TL101")[1]) == ["TL101"]


def test_select_by_tag_and_cli_overrides_file(edge_tree: Path) -> None:
    (edge_tree / "tolint.toml").write_text('select = ["retries"]\nfail-on = "error"\n')
    code, out = check()
    assert codes(out) == ["TL301", "TL302", "TL302"] and code == 1
    code, out = check("--select", "reset")
    assert codes(out) == ["TL501"] and code == 0  # a warning, below fail-on = "error"
    assert check("--select", "reset", "--fail-on", "warning")[0] == 1


def test_product_version_from_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before 1.29.7 an upstream{} without `keepalive` has no idle pool, so there is no idle race."""
    (tmp_path / "edge.conf").write_text("""\
events {}
http {
    upstream app { server app.internal:8080; }
    server { listen 80; location / { proxy_pass http://app; } }
    server { listen 8080; server_name app.internal; keepalive_timeout 5s; }
}
""")
    monkeypatch.chdir(tmp_path)
    assert codes(check("--select", "TL101")[1]) == ["TL101"]
    (tmp_path / "tolint.toml").write_text('nginx-version = "1.28.0"\n')
    assert codes(check("--select", "TL101")[1]) == []


def test_extends_a_shared_file_and_a_profile(tmp_path: Path) -> None:
    (tmp_path / "org").mkdir()
    (tmp_path / "org" / "base.toml").write_text('extends = "strict"\nignore = ["TL102"]\n[severity]\nTL101 = "warning"\n')
    (tmp_path / "tolint.toml").write_text('extends = "org/base.toml"\nfail-on = "warning"\n[severity]\nTL501 = "error"\n')
    resolved = load_settings(cwd=str(tmp_path))
    settings = resolved.settings
    assert settings.fail_on == "warning" and settings.require_suppression_reason is True
    assert settings.ignore == ["TL102"] and settings.severity == {"TL101": "warning", "TL501": "error"}
    assert resolved.files == ["profile recommended", "profile strict", "org/base.toml", "tolint.toml"]
    assert resolved.origin("fail-on") == "tolint.toml"
    assert resolved.origin("require-suppression-reason") == "profile strict"
    assert resolved.origin("select") == "profile recommended"
    assert resolved.origin("severity.TL101") == "org/base.toml"


@pytest.mark.parametrize(("config", "message"), [
    ('fail_on = "error"\n', 'tolint.toml: unknown key "fail_on" in the top level; did you mean "fail-on"?'),
    ('nginx-versoin = "1.24.0"\n', 'tolint.toml: unknown key "nginx-versoin" in the top level; did you mean "nginx-version"?'),
    ('fail-on = "fatal"\n', "tolint.toml: fail-on: Input should be 'error', 'warning' or 'info' (got 'fatal')"),
    ('nginx-version = "latest"\n', "tolint.toml: nginx-version: Value error,"),
    ('paths = "deploy"\n', "tolint.toml: paths: Input should be a valid list (got 'deploy')"),
    ('max-file-size = 0\n', "tolint.toml: max-file-size: Value error, must be a positive number of bytes (got 0)"),
    ('select = ["TL9"]\n', 'tolint.toml: select: unknown rule selector "TL9"'),
    ('[severity]\nTL101 = "critical"\n', "tolint.toml: severity.TL101: Input should be"),
    ('[severity]\nno-such-rule = "error"\n', 'tolint.toml: severity.no-such-rule: no rule "no-such-rule"'),
    ('[rules.TL101]\nmargin = "soon"\n', "tolint.toml: rules.TL101.margin: Value error"),
    ('[rules.TL101]\nmargni = "2s"\n', "tolint.toml: rules.TL101.margni: Extra inputs are not permitted"),
    ('[per-file-ignores]\n"a/*" = ["nope"]\n', 'tolint.toml: per-file-ignores."a/*": unknown rule selector "nope"'),
    ('extends = "lenient"\n', 'tolint.toml: extends: no profile "lenient" (profiles: recommended, strict; or give a path)'),
    ('extends = "tolint.toml"\n', "tolint.toml: extends: circular extends"),
    ('fail-on = \n', "tolint.toml: not valid TOML:"),
])
def test_config_errors_exit_2_naming_file_and_key(config: str, message: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "tolint.toml").write_text(config)
    monkeypatch.chdir(tmp_path)
    assert error_of(capsys, "check").startswith(f"tolint: error: {message}")


def test_pyproject_errors_name_the_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.tolint]\nselct = ["TL1"]\n')
    monkeypatch.chdir(tmp_path)
    assert error_of(capsys, "check") == (
        'tolint: error: pyproject.toml: unknown key "selct" in [tool.tolint]; did you mean "select"?')
    assert error_of(capsys, "check", "--config", "missing.toml") == "tolint: error: missing.toml: config file not found"
    (tmp_path / "other.toml").write_text("[tool.other]\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert error_of(capsys, "check", "--config", "pyproject.toml") == (
        "tolint: error: pyproject.toml: no [tool.tolint] table")


def test_explicit_config_and_no_config(edge_tree: Path) -> None:
    (edge_tree / "tolint.toml").write_text('select = ["TL5"]\n')
    (edge_tree / "ci.toml").write_text('select = ["TL3"]\n')
    assert codes(check()[1]) == ["TL501"]
    assert codes(check("--config", "ci.toml")[1]) == ["TL301", "TL302", "TL302"]
    assert len(codes(check("--no-config")[1])) == 6


def test_exclude_globs_relative_to_the_config_file(edge_tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (edge_tree / "tolint.toml").write_text('paths = ["deploy"]\nexclude = ["deploy/app/**"]\n')
    monkeypatch.chdir(edge_tree / "deploy")
    code, out = check()
    assert "in 4 files" in out.splitlines()[-1]  # deploy/app/nginx.conf skipped
    assert rebase_glob("deploy/app/**", "/repo", "/repo/deploy") == "app/**"
    assert rebase_glob("*.bak", "/repo", "/repo/deploy") == "*.bak"
    assert rebase_glob("other/**", "/repo", "/repo/deploy") == "/repo/other/**"


def test_tolint_config_prints_the_resolved_configuration_with_origins(edge_tree: Path) -> None:
    (edge_tree / "pyproject.toml").write_text(
        '[tool.tolint]\nextends = "strict"\npaths = ["deploy"]\n[tool.tolint.rules.TL101]\nmargin = "2s"\n')
    out = io.StringIO()
    assert main(["config", "--fail-on", "error"], stdout=out) == 0
    text = out.getvalue()
    assert "# Read: profile recommended, profile strict, pyproject.toml." in text
    assert 'paths = ["deploy"]  # pyproject.toml' in text
    assert 'fail-on = "error"  # command line' in text
    assert "require-suppression-reason = true  # profile strict" in text
    assert 'nginx-version = "1.30.0"  # defaults' in text
    assert '[rules.TL101]\nmargin = "2s"  # pyproject.toml' in text
    import tomllib

    parsed = tomllib.loads(text)  # the output is valid TOML a user can paste
    assert parsed["rules"] == {"TL101": {"margin": "2s"}} and parsed["fail-on"] == "error"
    out = io.StringIO()
    assert main(["config", "--format", "json"], stdout=out) == 0
    payload = json.loads(out.getvalue())
    assert payload["settings"]["fail-on"] == "info" and payload["origins"]["fail-on"] == "profile strict"


def test_every_setting_has_a_kebab_case_key() -> None:
    keys = setting_keys()
    assert {"paths", "exclude", "select", "ignore", "fail-on", "nginx-version", "rules", "severity",
            "per-file-ignores", "require-suppression-reason", "baseline"} <= set(keys)
    assert all("_" not in key for key in keys)


def test_config_error_is_an_exception_with_the_message() -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(config="/nonexistent/tolint.toml")


def test_broken_pyproject_is_reported_only_when_it_configures_tolint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x\n')  # not ours: skipped
    assert main(["check", "."], stdout=io.StringIO()) == 0
    (tmp_path / "pyproject.toml").write_text('[tool.tolint]\nselect = ["TL1"\n')
    assert error_of(capsys, "check").startswith("tolint: error: pyproject.toml: not valid TOML:")


def test_flag_errors_name_the_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert error_of(capsys, "check", "--nginx-version", "latest").startswith(
        'tolint: error: --nginx-version: Value error, invalid nginx version "latest"')
    assert error_of(capsys, "check", "--changed-only", "a.conf", "--baseline", "b.json", "--update-baseline") == (
        "tolint: error: --update-baseline records the whole tree; it cannot be combined with --changed-only")
