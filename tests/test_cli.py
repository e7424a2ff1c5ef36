"""The command line, in process: exit codes, formats, stdin, rule docs."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tolint.cli import main
from tolint.testing import write_tree

BAD = {
    "edge/nginx.conf": """\
events {}
http {
    upstream app { server app.internal:8080; keepalive 16; }
    server {
        location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }
    }
}
""",
    "app/nginx.conf": "events {}\nhttp { server { listen 8080; server_name app.internal; keepalive_timeout 30s; } }\n",
}


def run(*argv: str, stdin: str | None = None) -> tuple[int, str]:
    out = io.StringIO()
    stream = io.TextIOWrapper(io.BytesIO(stdin.encode())) if stdin is not None else None
    code = main(list(argv), stdout=out, stdin=stream)
    return code, out.getvalue()


def test_findings_exit_1_and_text_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, BAD)
    monkeypatch.chdir(tmp_path)
    code, out = run("check", ".")
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith("edge/nginx.conf:3:5: TL101 upstream app (from location /) keeps idle connections for 60s")
    assert first.endswith("(the other end: app/nginx.conf:2:56) [idle-timeout-order]")
    assert out.splitlines()[-1] == "Found 1 finding (1 error) in 2 files."


def test_json_format_is_the_documented_interface(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, BAD)
    monkeypatch.chdir(tmp_path)
    code, out = run("check", "--format", "json")
    payload = json.loads(out)
    assert code == 1
    assert payload["version"] == 1 and payload["errors"] == []
    finding = payload["findings"][0]
    assert set(finding) == {"code", "name", "severity", "message", "location", "related"}
    assert finding["location"] == {"file": "edge/nginx.conf", "line": 3, "column": 5}
    assert finding["related"][0]["file"] == "app/nginx.conf"
    assert finding["related"][0]["line"] == 2
    assert "30s" in finding["related"][0]["message"]


def test_clean_tree_exits_0(tmp_path: Path) -> None:
    write_tree(tmp_path, {"nginx.conf": "events {}\nhttp { server { listen 80; } }\n"})
    code, out = run("check", str(tmp_path))
    assert code == 0 and "No findings in 1 file." in out


def test_select_ignore_and_fail_on(tmp_path: Path) -> None:
    write_tree(tmp_path, BAD)
    assert run("check", "--ignore", "idle-timeout-order", str(tmp_path))[0] == 0
    assert run("check", "--select", "TL3,TL5", str(tmp_path))[0] == 0
    assert run("check", "--select", "keep-alive", str(tmp_path))[0] == 1
    assert run("check", "--exit-zero", str(tmp_path))[0] == 0


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("check", "--select", "TL999", str(tmp_path))[0] == 2
    assert 'unknown rule selector "TL999"' in capsys.readouterr().err
    assert run("check", "--nginx-version", "latest", str(tmp_path))[0] == 2
    assert run("check", "--format", "nope", str(tmp_path))[0] == 2
    with pytest.raises(SystemExit) as exc:
        main(["check", "--no-such-flag"])
    assert exc.value.code == 2


def test_parse_error_exits_1_and_names_file_and_line(tmp_path: Path) -> None:
    write_tree(tmp_path, {"bad/nginx.conf": "events {}\nhttp {\n", "good/nginx.conf": "events {}\nhttp { server { listen 80; } }\n"})
    code, out = run("check", str(tmp_path), "--format", "json")
    payload = json.loads(out)
    assert code == 1
    assert [(e["file"].split("/")[-2], e["line"]) for e in payload["errors"]] == [("bad", 2)]
    assert len(payload["files"]) == 2


def test_stdin(tmp_path: Path) -> None:
    code, out = run("check", "-", stdin="events {}\nhttp { reset_timedout_connection on; server { listen 80; } }\n")
    assert code == 1
    assert out.startswith("<stdin>:2:8: TL501 reset_timedout_connection on")


def test_internal_error_is_exit_2_with_hint(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr("tolint.link.link", boom)
    assert run("check", str(tmp_path))[0] == 2
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: kaboom" in err and "--debug" in err


def test_rules_rule_and_graph(tmp_path: Path) -> None:
    code, out = run("rules")
    assert code == 0 and "TL101  idle-timeout-order" in out
    code, out = run("rule", "idle-timeout-order")
    assert code == 0 and out.startswith("# idle-timeout-order (TL101)") and "## Why is this bad?" in out
    assert run("rule", "nope")[0] == 2
    write_tree(tmp_path, BAD)
    code, out = run("graph", str(tmp_path))
    graph = json.loads(out)
    assert code == 0
    hop = graph["hops"][0]
    assert hop["via"] == "host name matches server name"
    assert hop["upstream"].startswith("nginx:") and hop["listener"].startswith("nginx:")
