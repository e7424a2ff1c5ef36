"""The bad-input matrix, in every format: nginx, HAProxy, Kubernetes manifests and client settings.

Each broken file gets a clear diagnostic with its file (and line, when there is one), no
exception escapes, nothing takes long, and the other files of the tree are still linted.
Every case lints the broken file next to a good file of another format whose finding must
still be reported.
"""

from __future__ import annotations

import io
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tolint.cli import main
from tolint.config import Settings
from tolint.pipeline import Report, lint


@dataclass(frozen=True)
class Format:
    name: str  # the file name it is written as
    good: str  # a realistic file with one finding...
    finding: tuple[str, int]  # ...this one (code, line)


NGINX = Format("nginx.conf", """\
events {}
http {
    reset_timedout_connection on;
    keepalive_timeout 65s;
    server {
        listen 80;
        location / { proxy_pass http://10.0.0.5:8080; }
    }
}
""", ("TL501", 3))

HAPROXY = Format("haproxy.cfg", """\
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend web
    bind :80
    option nolinger
    default_backend app

backend app
    server a1 10.0.0.1:8080
""", ("TL501", 9))

KUBERNETES = Format("app.yaml", """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    metadata:
      labels: {app: api}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
        - name: api
          image: api:1
          ports: [{containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector: {app: api}
  ports: [{port: 80, targetPort: 8080}]
""", ("TL401", 10))

CLIENTS = Format("clients.tolint.yaml", """\
version: 1
components:
  - name: billing
    kind: client
    to: ["https://api.example.com"]
    client:
      read-timeout: 10s
      retry:
        attempts: 3
        on: [connect-failure]
""", ("TL304", 8))

FORMATS = {"nginx": NGINX, "haproxy": HAPROXY, "kubernetes": KUBERNETES, "clients": CLIENTS}
IDS = list(FORMATS)


def _companion(fmt: Format) -> Format:
    """A good file of another format, linted beside the broken one."""
    return HAPROXY if fmt is NGINX else NGINX


def lint_beside(tmp_path: Path, fmt: Format, data: bytes | str, **settings: object) -> Report:
    """Lint ``bad/<name>`` holding ``data`` beside ``other/<companion>``; the companion's finding must be reported."""
    bad = tmp_path / "bad" / fmt.name
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_bytes(data.encode() if isinstance(data, str) else data)
    other = _companion(fmt)
    (tmp_path / "other").mkdir(exist_ok=True)
    (tmp_path / "other" / other.name).write_text(other.good)
    started = time.perf_counter()
    report = lint([str(tmp_path)], Settings.model_validate(settings), cwd=str(tmp_path))
    assert time.perf_counter() - started < 2, "no input may take long"
    assert (other.finding[0], f"other/{other.name}", other.finding[1]) in found(report), "the rest is still linted"
    for diagnostic in report.diagnostics:
        assert diagnostic.file in (f"bad/{fmt.name}", f"other/{other.name}") and diagnostic.message
    return report


def found(report: Report) -> set[tuple[str, str, int | None]]:
    return {(f.code, f.location.file, f.location.line) for f in report.findings}


def problems(report: Report, fmt: Format) -> list[tuple[int | None, str, str]]:
    """(line, severity, message) of the diagnostics about the broken file."""
    return [(d.line, d.severity, d.message) for d in report.diagnostics if d.file == f"bad/{fmt.name}"]


def the_finding(fmt: Format) -> tuple[str, str, int]:
    return (fmt.finding[0], f"bad/{fmt.name}", fmt.finding[1])


# -- files that are fine, however they are encoded -------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS.values(), ids=IDS)
@pytest.mark.parametrize("content", ["", "\n\n", "# only a comment\n", "   \n  "], ids=["empty", "blank", "comment", "spaces"])
def test_empty_and_blank_files(tmp_path: Path, fmt: Format, content: str) -> None:
    report = lint_beside(tmp_path, fmt, content)
    assert problems(report, fmt) == []


@pytest.mark.parametrize("fmt", FORMATS.values(), ids=IDS)
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be", "utf-32"])
def test_byte_order_marks(tmp_path: Path, fmt: Format, encoding: str) -> None:
    data = fmt.good.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data  # Python writes no BOM for an explicit byte order
    report = lint_beside(tmp_path, fmt, data)
    assert problems(report, fmt) == [] and the_finding(fmt) in found(report)


@pytest.mark.parametrize("fmt", FORMATS.values(), ids=IDS)
@pytest.mark.parametrize("ending", ["\r\n", "\r", "mixed"], ids=["crlf", "cr", "mixed"])
def test_line_endings(tmp_path: Path, fmt: Format, ending: str) -> None:
    if ending == "mixed":  # half the lines CRLF, as after a partial edit on Windows
        lines = fmt.good.split("\n")
        text = "\n".join(line + ("\r" if index % 2 else "") for index, line in enumerate(lines))
    else:
        text = fmt.good.replace("\n", ending)
    report = lint_beside(tmp_path, fmt, text)
    assert problems(report, fmt) == [] and the_finding(fmt) in found(report)


# -- files that cannot be read as text -----------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS.values(), ids=IDS)
def test_binary_file(tmp_path: Path, fmt: Format) -> None:
    report = lint_beside(tmp_path, fmt, b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4)
    assert problems(report, fmt) == [(None, "error", "binary file (contains NUL bytes); not a configuration file")]


@pytest.mark.parametrize("fmt", FORMATS.values(), ids=IDS)
def test_not_utf8_names_the_line(tmp_path: Path, fmt: Format) -> None:
    lines = fmt.good.split("\n")
    lines.insert(2, "# r\xe9sum\xe9")
    data = "\n".join(lines).encode("latin-1")
    [(line, severity, message)] = problems(lint_beside(tmp_path, fmt, data), fmt)
    assert (line, severity) == (3, "error") and message.startswith("not valid UTF-8 (byte 0xe9 at offset")


@pytest.mark.parametrize("fmt", FORMATS.values(), ids=IDS)
def test_a_bad_byte_order_mark(tmp_path: Path, fmt: Format) -> None:
    data = b"\xff\xfe" + fmt.good.encode("utf-16-le")[:-1]  # an odd number of bytes
    assert problems(lint_beside(tmp_path, fmt, data), fmt) == [
        (None, "error", "not valid utf-16-le text despite its byte-order mark")]


@pytest.mark.parametrize("fmt", FORMATS.values(), ids=IDS)
def test_size_limit(tmp_path: Path, fmt: Format) -> None:
    padded = fmt.good + "# padding\n" * 300
    report = lint_beside(tmp_path, fmt, padded, max_file_size=2048)
    [(line, severity, message)] = problems(report, fmt)
    assert (line, severity) == (None, "error")
    assert message == f"file is {len(padded)} bytes, above the 2048-byte limit (max-file-size); skipped"


# -- half-edited files -------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS.values(), ids=IDS)
def test_truncated_at_every_byte(tmp_path: Path, fmt: Format) -> None:
    """A file cut anywhere (a save in the middle of an edit): never an exception, lines within the file."""
    data = fmt.good.encode()
    for cut in range(len(data)):
        tree = tmp_path / str(cut)
        report = lint_beside(tree, fmt, data[:cut])
        for line, _severity, _message in problems(report, fmt):
            assert line is None or 1 <= line <= data[:cut].count(b"\n") + 1, (cut, line)


SYNTAX_ERRORS: dict[str, list[tuple[str, int, str]]] = {
    "nginx": [
        ("events {}\nhttp {\n    server { listen 80; }\n}\n}\n", 5, 'unexpected "}"'),
        ("events {}\nhttp {\n    server { listen 80; }\n", 3, 'unexpected end of file, expecting "}" (block opened at line 2)'),
        ("events {}\nhttp {\n    keepalive_timeout 5s\n}\n", 3, 'directive "keepalive_timeout" is not terminated by ";"'),
        ('events {}\nhttp {\n    add_header X-A "open;\n    keepalive_timeout 5s;\n}\n', 3,
         "unterminated quoted string; the rest of the file is ignored"),
        ("events {}\nhttp {\n    { keepalive_timeout 5s; }\n}\n", 3, 'unexpected "{"'),
        ("events {}\nhttp {\n    keepalive_timeout 5s;;\n}\n", 3, 'unexpected ";"'),
    ],
    "haproxy": [
        ('frontend web\n    bind :80\n    http-request set-header X "open\n', 3, "unmatched double quote"),
        ("frontend web\n    bind :80\n    http-request set-header X 'open\n", 3, "unmatched single quote"),
        ("frontend web\n    bind :80\n.if version_atleast(2.4)\n    timeout client 5s\n", 3,
         '".if" block is not closed by ".endif"'),
        ("frontend web\n    bind :80\n.endif\n", 3, '".endif" without a matching ".if"'),
        ("backend\n    server a 10.0.0.1:80\n", 1, '"backend" section needs a name'),
        ("    timeout client 5s\nfrontend web\n    bind :80\n", 1, 'unknown keyword "timeout" out of section'),
        ("frontend web\n    bind :${PORT\n", 2, "unmatched brace in environment variable name"),
        ("frontend web\n    bind :80\n    timeout client\n", 3, '"timeout client" needs a value'),
    ],
    "kubernetes": [
        ("apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n spec: {}\n", 5, "did not find expected key"),
        ("apiVersion: v1\nkind: Service\nmetadata:\n\tname: a\n", 4,
         "a tab character where YAML expects indentation or a value; YAML indents with spaces only"),
        ('apiVersion: v1\nkind: Service\nmetadata:\n  name: "a\n  namespace: b\n', 4,
         "while scanning a quoted scalar (started at line 4): found unexpected end of stream"),
        ("apiVersion: v1\nkind: Service\nspec:\n  ports: [{port: 80}\n", 5,
         "while parsing a flow sequence (started at line 4): did not find expected ',' or ']'"),
        ("apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: *nothing\n", 4, 'unknown alias "*nothing"'),
    ],
    "clients": [
        ("version: 1\ncomponents:\n  - name: a\n    kind: client\n   to: [b]\n", 5, "did not find expected"),
        ("version: 1\ncomponents:\n\t- name: a\n", 3,
         "a tab character where YAML expects indentation or a value; YAML indents with spaces only"),
        ("version: 1\ncomponents:\n  - name: 'a\n    kind: client\n", 3,
         "while scanning a quoted scalar (started at line 3): found unexpected end of stream"),
        ("version: 1\ncomponents: [{name: a, kind: client\n", 3, "did not find expected ',' or '}'"),
    ],
}


@pytest.mark.parametrize(("fmt_id", "text", "line", "message"),
                         [(fmt_id, *case) for fmt_id, cases in SYNTAX_ERRORS.items() for case in cases])
def test_syntax_errors(tmp_path: Path, fmt_id: str, text: str, line: int, message: str) -> None:
    fmt = FORMATS[fmt_id]
    report = lint_beside(tmp_path, fmt, text)
    matching = [(at, severity) for at, severity, text in problems(report, fmt) if message in text]
    assert matching == [(line, "error")], problems(report, fmt)


# -- values of the wrong type or out of range ------------------------------------------------------

HUGE = "9" * 5000  # Python's int() refuses more than 4300 digits
WRONG_VALUES: dict[str, list[tuple[str, str, int, str]]] = {  # (replace, with, line, message)
    "nginx": [
        ("keepalive_timeout 65s;", "keepalive_timeout abc;", 4, 'invalid value in "keepalive_timeout": invalid time value "abc"'),
        ("keepalive_timeout 65s;", "keepalive_timeout -1;", 4, 'invalid value in "keepalive_timeout": invalid time value "-1"'),
        ("keepalive_timeout 65s;", "keepalive_timeout 999999999999y;", 4, 'time value "999999999999y" is out of range'),
        ("keepalive_timeout 65s;", f"keepalive_timeout {HUGE};", 4, "is out of range"),
        ("keepalive_timeout 65s;", "keepalive_timeout \u00b2;", 4, 'invalid time value "\u00b2"'),
        ("keepalive_timeout 65s;", "keepalive_requests x;", 4, 'invalid value in "keepalive_requests": expected a number, got "x"'),
        ("keepalive_timeout 65s;", f"keepalive_requests {HUGE};", 4, 'invalid value in "keepalive_requests": expected a number'),
        ("listen 80;", "listen 99999;", 6, 'invalid value in "listen": port 99999 is out of range (1-65535)'),
        ("listen 80;", "listen \u00b2;", 6, None),
        ("listen 80;", f"listen {HUGE};", 6, None),
        ("10.0.0.5:8080", "10.0.0.5:70000", 7, 'invalid value in "proxy_pass": port 70000 is out of range (1-65535)'),
    ],
    "haproxy": [
        ("timeout client 30s", "timeout client -1", 4, 'invalid time value "-1" in "timeout client"'),
        ("timeout server 30s", "timeout server abc", 5, 'invalid time value "abc" in "timeout server"'),
        ("timeout server 30s", "timeout server 25d", 5,
         '"25d" in "timeout server" is above the largest time HAProxy accepts (2147483647 ms, about 24.8 days)'),
        ("timeout server 30s", f"timeout server {HUGE}", 5, "is out of range"),
        ("mode http", "mode http\n    retries many", 3, 'invalid value in "retries": expected a number, got "many"'),
        ("mode http", f"mode http\n    retries {HUGE}", 3, 'invalid value in "retries": expected a number'),
        ("10.0.0.1:8080", "10.0.0.1:99999", 13, 'port 99999 of server "a1" is out of range (1-65535)'),
        ("10.0.0.1:8080", f"10.0.0.1:{HUGE}", 13, None),
        ("bind :80", "bind :99999", 8, '"bind :99999": port out of range (1-65535)'),
        ("bind :80", "bind :\u00b2", 8, None),
    ],
    "kubernetes": [
        ("terminationGracePeriodSeconds: 0", 'terminationGracePeriodSeconds: "30"', 10,
         'Deployment default/api: terminationGracePeriodSeconds must be an integer, got the string "30"'),
        ("terminationGracePeriodSeconds: 0", "terminationGracePeriodSeconds: -1", 10,
         "terminationGracePeriodSeconds must be an integer of at least 0, got -1"),
        ("terminationGracePeriodSeconds: 0", "terminationGracePeriodSeconds: 30s", 10,
         "terminationGracePeriodSeconds must be an integer, got 30s"),
        ("terminationGracePeriodSeconds: 0", "terminationGracePeriodSeconds: [30]", 10,
         "terminationGracePeriodSeconds must be an integer, got a list"),
        ("terminationGracePeriodSeconds: 0", f"terminationGracePeriodSeconds: {HUGE}", 10,
         "terminationGracePeriodSeconds must be an integer of at most"),
        ("ports: [{containerPort: 8080}]", "ports: [{containerPort: 8080}]\n          livenessProbe: {timeoutSeconds: abc}",
         15, "timeoutSeconds must be an integer, got abc"),
        ("name: api\nspec:\n  template", "name: api\n  annotations: {tolint.dev/keepalive-timeout: soon}\nspec:\n  template",
         5, 'tolint.dev/keepalive-timeout: invalid duration "soon"'),
        ("terminationGracePeriodSeconds: 0", "terminationGracePeriodSeconds: 0\n      terminationGracePeriodSeconds: 30",
         11, 'duplicate key "terminationGracePeriodSeconds" (first at line 10)'),
    ],
    "clients": [
        ("read-timeout: 10s", "read-timeout: abc", 7, 'component "billing": client.read-timeout: invalid duration "abc"'),
        ("read-timeout: 10s", "read-timeout: -1", 7, 'component "billing": client.read-timeout: invalid duration "-1"'),
        ("attempts: 3", "attempts: 3.5", 9, "client.retry.attempts: expected a whole number, got '3.5'"),
        ("attempts: 3", "attempts: 0", 9, "client.retry.attempts: Input should be greater than or equal to 1"),
        ("attempts: 3", f"attempts: {HUGE}", 9, "client.retry.attempts:"),
        ('to: ["https://api.example.com"]', 'to: ["api:99999"]', 5,
         'component "billing": target "api:99999": port 99999 is out of range (1-65535)'),
        ("kind: client", "kind: client\n    listen: [99999]", 5, "listen: '99999' is not a port (1-65535) or host:port"),
        ("read-timeout: 10s", "read-timeout: 10s\n      read-timeout: 5s", 8,
         'component "billing": duplicate key "read-timeout"; the first one is used'),
    ],
}


@pytest.mark.parametrize(("fmt_id", "old", "new", "line", "message"),
                         [(fmt_id, *case) for fmt_id, cases in WRONG_VALUES.items() for case in cases],
                         ids=lambda value: value[:40] if isinstance(value, str) else None)
def test_wrong_types_and_out_of_range_values(tmp_path: Path, fmt_id: str, old: str, new: str, line: int,
                                             message: str | None) -> None:
    """A diagnostic at the value (``None``: the value is simply not used), never an exception."""
    fmt = FORMATS[fmt_id]
    assert old in fmt.good
    report = lint_beside(tmp_path, fmt, fmt.good.replace(old, new, 1))
    if message is not None:
        assert [at for at, _severity, text in problems(report, fmt) if message in text] == [line], problems(report, fmt)


# -- input built to hurt: bombs, deep nesting, object tags -------------------------------------------

BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(9))


@pytest.mark.parametrize("fmt", [KUBERNETES, CLIENTS], ids=["kubernetes", "clients"])
def test_alias_bombs_are_refused_quickly(tmp_path: Path, fmt: Format) -> None:
    header = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n" if fmt is KUBERNETES else \
        "version: 1\ncomponents:\n  - name: bomb\n    kind: client\n    tags:\n"
    body = "".join("      " + line + "\n" for line in BILLION_LAUGHS.splitlines())
    report = lint_beside(tmp_path, fmt, header.replace("data:\n", "data:\n  x:\n") + body)
    [(line, severity, message)] = problems(report, fmt)
    assert severity == "error" and line is not None and "expands to more than" in message


@pytest.mark.parametrize("fmt", [KUBERNETES, CLIENTS], ids=["kubernetes", "clients"])
@pytest.mark.parametrize("shape", ["flow", "block"])
def test_deep_yaml_nesting_is_refused_not_a_recursion_error(tmp_path: Path, fmt: Format, shape: str) -> None:
    depth = 50_000
    if shape == "flow":
        deep = "x: " + "[" * depth + "]" * depth + "\n"
    else:
        deep = "".join(" " * level + f"k{level}:\n" for level in range(2000))
    prefix = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\n" if fmt is KUBERNETES else "version: 1\n"
    report = lint_beside(tmp_path, fmt, prefix + deep)
    messages = [message for _line, _severity, message in problems(report, fmt)]
    assert any("nesting deeper than" in message for message in messages), messages


@pytest.mark.parametrize("fmt", [KUBERNETES, CLIENTS], ids=["kubernetes", "clients"])
def test_tags_that_would_construct_objects_are_never_honoured(tmp_path: Path, fmt: Format) -> None:
    sentinel = tmp_path / "pwned"
    payloads = [
        f'!!python/object/apply:os.system ["touch {sentinel}"]',
        f'!!python/object/new:subprocess.Popen [["touch", "{sentinel}"]]',
        "!!python/name:os.system",
        '!!python/object:__main__.Evil {x: 1}',
    ]
    for index, payload in enumerate(payloads):
        text = fmt.good.replace("api:1", payload) if fmt is KUBERNETES else fmt.good.replace(
            "read-timeout: 10s", f"read-timeout: {payload}")
        lint_beside(tmp_path / str(index), fmt, text)
    assert not sentinel.exists()


def test_deep_nginx_blocks(tmp_path: Path) -> None:
    depth = 100_000
    text = "events {}\nhttp {\n" + "location / {\n" * depth + "}\n" * depth + "}\n"
    [(line, severity, message)] = problems(lint_beside(tmp_path, NGINX, text), NGINX)
    assert (line, severity) == (66, "error") and message.startswith("blocks nested deeper than 64 levels")


def test_deep_haproxy_conditions(tmp_path: Path) -> None:
    depth = 100_000
    text = "frontend web\n    bind :80\n" + ".if 1\n" * depth + "    timeout client 5s\n" + ".endif\n" * depth
    [(line, severity, message)] = problems(lint_beside(tmp_path, HAPROXY, text), HAPROXY)
    assert (line, severity) == (103, "error") and "too many nested" in message


def test_one_enormous_line_in_every_format(tmp_path: Path) -> None:
    """4 MiB without a line break: linear, bounded, never an exception."""
    line = "x" * (4 * 1024 * 1024)
    for index, fmt in enumerate(FORMATS.values()):
        lint_beside(tmp_path / str(index), fmt, fmt.good + "# " + line + "\n")


# -- what CI sees: exit codes ------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS.values(), ids=IDS)
def test_an_unparsable_file_fails_the_run_and_the_rest_is_reported(tmp_path: Path, fmt: Format,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Exit 1 with a diagnostic at file:line; the findings of the other files are reported too."""
    fmt_id = next(key for key, value in FORMATS.items() if value is fmt)
    broken, line, _message = SYNTAX_ERRORS[fmt_id][0]
    lint_beside(tmp_path, fmt, broken)
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    assert main(["check", "--no-config", "--fail-on", "error", "."], stdout=out) == 1
    other = _companion(fmt)
    text = out.getvalue()
    assert re.search(rf"^bad/{re.escape(fmt.name)}:{line}(:\d+)?: error: ", text, re.MULTILINE), text
    assert f"other/{other.name}:{other.finding[1]}:" in text and other.finding[0] in text
    out = io.StringIO()
    main(["check", "--no-config", "--format", "json", "."], stdout=out)
    errors = json.loads(out.getvalue())["errors"]
    assert [(e["line"], e["severity"]) for e in errors if e["file"] == f"bad/{fmt.name}"] == [(line, "error")]


def test_warnings_about_the_input_do_not_fail_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An include tolint cannot follow is a warning: the run passes when nothing else is wrong."""
    (tmp_path / "nginx.conf").write_text("events {}\nhttp {\n    include missing.conf;\n    server { listen 80; }\n}\n")
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    assert main(["check", "--no-config", "."], stdout=out) == 0
    assert 'nginx.conf:3: warning: included file "missing.conf" not found' in out.getvalue()


@pytest.mark.parametrize("fmt", [NGINX, HAPROXY], ids=["nginx", "haproxy"])
def test_unusual_line_separators_do_not_shift_lines(tmp_path: Path, fmt: Format,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """NEL, LS, PS and form feeds in a comment are not line breaks for nginx or HAProxy, nor for tolint:
    findings, suppressions and the context lines of ``full`` all use the same lines."""
    code, line = fmt.finding
    text = "# a\x85b\u2028c\u2029d\x0ce\x1cf\n" + fmt.good
    report = lint_beside(tmp_path, fmt, text)
    assert problems(report, fmt) == [] and (code, f"bad/{fmt.name}", line + 1) in found(report)
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    main(["check", "--no-config", "--format", "full", "bad"], stdout=out)
    source_line = fmt.good.split("\n")[line - 1]
    assert f"{line + 1:>3} | {source_line}" in out.getvalue()  # the context shows the line of the finding
    lines = text.split("\n")
    lines[line] += f"  # tolint: ignore[{code}] accepted"
    report = lint_beside(tmp_path, fmt, "\n".join(lines))
    assert [(f.code, f.location.line, f.suppressed_by) for f in report.findings if f.location.file.startswith("bad/")] \
        == [(code, line + 1, "comment")]
