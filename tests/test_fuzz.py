"""Fuzzing in the test suite, on a fixed budget: property-based tests (hypothesis) of each parser and of
the whole pipeline, a short run of the mutation fuzzer, and the replay of every input the long fuzzer
(tools/fuzz.py) ever saved.

The long run is ``python tools/fuzz.py --minutes 12`` (see the README's contributing section).
"""

from __future__ import annotations

import os
import random
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tolint.config import Settings
from tolint.discover import InputFile
from tolint.parsers.client_settings import parse_client_settings
from tolint.parsers.haproxy import parse_config_text
from tolint.parsers.k8s import parse_kubernetes_inputs
from tolint.parsers.nginx_syntax import parse_text
from tolint.pipeline import lint
from tolint.yaml_nodes import YamlError, compose
from tools.fuzz import ALL_FORMATS, Campaign, check_outputs, load_regression, lint_tree, write_tree
from tools.fuzz_mutations import HOSTILE_VALUES, YAML_VALUES

REGRESSIONS = Path(__file__).parent / "fuzz_regressions"
NAMES = ["nginx.conf", "haproxy.cfg", "manifests.yaml", "clients.tolint.yaml"]
# A fixed budget per run; TOLINT_FUZZ_SCALE=20 multiplies it for a longer local search.
SCALE = int(os.environ.get("TOLINT_FUZZ_SCALE", "1"))
FAST = settings(max_examples=200 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=60 * SCALE, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

hostile = st.one_of(st.sampled_from(HOSTILE_VALUES), st.text(max_size=12))
yaml_hostile = st.one_of(st.sampled_from(YAML_VALUES + HOSTILE_VALUES[:30]), st.integers(-10**40, 10**40).map(str))


def lines_within(diagnostics, text: str, line_offset: int = 0) -> bool:  # noqa: ANN001
    last = text.count("\n") + 1 + line_offset
    return all(d.line is None or 1 <= d.line <= last for d in diagnostics)


# -- nginx ------------------------------------------------------------------------------------------

nginx_alphabet = st.sampled_from(list("{};#\"'\\$ \n\tabcxyz0129") + ["server", "location", "include", "proxy_pass",
                                                                         "keepalive_timeout", "upstream", "http"])
nginx_text = st.lists(nginx_alphabet, max_size=80).map("".join)
NGINX_DIRECTIVES = ["keepalive_timeout", "keepalive_requests", "proxy_read_timeout", "proxy_connect_timeout",
                    "proxy_next_upstream", "proxy_next_upstream_tries", "listen", "server_name", "proxy_pass",
                    "keepalive", "keepalive_time", "proxy_http_version", "reset_timedout_connection", "send_timeout",
                    "client_header_timeout", "lingering_close", "grpc_pass", "include", "server"]


@st.composite
def nginx_config(draw: st.DrawFn) -> str:
    """A well-formed nginx tree of blocks whose directives hold hostile values."""
    def directives(count: int) -> str:
        return "".join(f"    {draw(st.sampled_from(NGINX_DIRECTIVES))} {draw(hostile)};\n" for _ in range(count))

    upstream = f"upstream u {{ server {draw(hostile)}; keepalive {draw(hostile)}; }}\n"
    location = f"location / {{ proxy_pass http://u; {directives(draw(st.integers(0, 3)))}}}\n"
    server = f"server {{ listen {draw(hostile)}; {directives(draw(st.integers(0, 3)))}{location}}}\n"
    return f"events {{}}\nhttp {{\n{directives(draw(st.integers(0, 4)))}{upstream}{server}}}\n"


@FAST
@given(nginx_text)
def test_nginx_syntax_never_raises(text: str) -> None:
    tree = parse_text(text, "f.conf")
    assert all(isinstance(line, int) for line, _ in tree.errors)


@SLOW
@given(nginx_config())
def test_nginx_graph_builder_takes_any_value(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    tree = tmp_path_factory.mktemp("nginx")
    (tree / "nginx.conf").write_text(text)
    report = lint([str(tree)], Settings(), cwd=str(tree))
    assert lines_within(report.diagnostics, text)
    check_outputs(report)
    shutil.rmtree(tree)


# -- HAProxy ----------------------------------------------------------------------------------------

HAPROXY_KEYWORDS = ["timeout client", "timeout server", "timeout connect", "timeout http-keep-alive", "timeout tunnel",
                    "timeout http-request", "retries", "retry-on", "option redispatch", "option http-server-close",
                    "option nolinger", "mode", "bind", "server s", "default-server", "pool-purge-delay",
                    "http-reuse", "maxconn", "default_backend", "use_backend", "option clitcpka", "clitcpka-idle",
                    "hard-stop-after", "grace"]


@st.composite
def haproxy_config(draw: st.DrawFn) -> str:
    """Sections (with from, duplicate names, .if blocks) whose settings hold hostile values."""
    out = []
    for _ in range(draw(st.integers(1, 5))):
        header = draw(st.sampled_from(["global", "defaults", "defaults d", "defaults d from d", "frontend f",
                                       "frontend f from d", "backend b", "backend b from x", "listen l"]))
        out.append(header + "\n")
        for _ in range(draw(st.integers(0, 5))):
            line = f"    {draw(st.sampled_from(HAPROXY_KEYWORDS))} {draw(hostile)}\n"
            if draw(st.booleans()) and draw(st.booleans()):
                line = f".if {draw(st.sampled_from(['1', '0', 'defined(X)', 'version_atleast(2.4)']))}\n{line}.endif\n"
            out.append(line)
    return "".join(out)


@FAST
@given(haproxy_config())
def test_haproxy_builder_takes_any_value(text: str) -> None:
    fragment = parse_config_text(text, "fuzz.cfg")
    assert lines_within(fragment.diagnostics, text)
    assert all(d.file == "fuzz.cfg" and d.message for d in fragment.diagnostics)


# -- YAML: the composer, manifests and client settings ---------------------------------------------------

yaml_alphabet = st.sampled_from(list(":-[]{}&*!|>#'\" \n\t,ab01") + ["apiVersion", "kind", "---", "!!python/object"])
yaml_text = st.lists(yaml_alphabet, max_size=80).map("".join)


@FAST
@given(yaml_text)
def test_yaml_composer_raises_only_yaml_errors(text: str) -> None:
    try:
        for _ in compose(text):
            pass
    except YamlError as exc:
        assert exc.message and (exc.line is None or 1 <= exc.line <= text.count("\n") + 1)


MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  annotations:
    tolint.dev/keepalive-timeout: {annotation}
spec:
  template:
    metadata:
      labels: {{app: api}}
    spec:
      terminationGracePeriodSeconds: {grace}
      containers:
        - name: api
          image: api
          command: [gunicorn, --keep-alive, {keepalive}]
          ports: [{{containerPort: {port}}}]
          lifecycle: {{preStop: {{exec: {{command: [sleep, {sleep}]}}}}}}
          readinessProbe: {{periodSeconds: {period}, timeoutSeconds: {timeout}}}
---
apiVersion: v1
kind: Service
metadata: {{name: api, annotations: {{service.beta.kubernetes.io/aws-load-balancer-connection-idle-timeout: {idle}}}}}
spec:
  type: LoadBalancer
  selector: {{app: api}}
  ports: [{{port: {port}, targetPort: {target}}}]
"""


@FAST
@given(st.fixed_dictionaries({key: yaml_hostile for key in (
    "annotation", "grace", "keepalive", "port", "sleep", "period", "timeout", "idle", "target")}))
def test_manifests_take_any_yaml_value(values: dict[str, str]) -> None:
    text = MANIFEST.format(**{key: value.replace("\n", " ") for key, value in values.items()})
    fragments = parse_kubernetes_inputs([InputFile("m.yaml", "m.yaml", "kubernetes", text)], Settings(), ["."], ".")
    diagnostics = [d for fragment in fragments for d in fragment.diagnostics]
    assert lines_within(diagnostics, text) and all(d.message for d in diagnostics)


CLIENTS = """\
version: 1
components:
  - name: api
    preset: {preset}
    listen: [{listen}]
    server: {{idle-timeout: {idle}, header-timeout: {header}}}
  - name: app
    kind: client
    to: [{target}]
    through: [{through}]
    client:
      read-timeout: {read}
      retry: {{attempts: {attempts}, backoff: {backoff}, on: [{on}]}}
middleboxes:
  - name: nat
    preset: aws-nat-gateway
    idle-timeout: {nat}
"""


@FAST
@given(st.fixed_dictionaries({key: yaml_hostile for key in (
    "preset", "listen", "idle", "header", "target", "through", "read", "attempts", "backoff", "on", "nat")}))
def test_client_settings_take_any_yaml_value(values: dict[str, str]) -> None:
    text = CLIENTS.format(**{key: value.replace("\n", " ") for key, value in values.items()})
    fragments = parse_client_settings([InputFile("c.tolint.yaml", "c.tolint.yaml", "client-settings", text)],
                                      Settings(), ["."], ".")
    diagnostics = [d for fragment in fragments for d in fragment.diagnostics]
    assert lines_within(diagnostics, text) and all(d.message for d in diagnostics)


# -- the whole pipeline and every output format ----------------------------------------------------------

@SLOW
@given(name=st.sampled_from(NAMES), data=st.one_of(st.binary(max_size=300), nginx_text.map(str.encode),
                                                     yaml_text.map(str.encode)))
def test_pipeline_never_raises_and_outputs_stay_valid(tmp_path_factory: pytest.TempPathFactory, name: str,
                                                      data: bytes) -> None:
    tree = tmp_path_factory.mktemp("fuzz")
    (tree / name).write_bytes(data)
    report = lint([str(tree)], Settings(), cwd=str(tree))
    assert all(d.file for d in report.diagnostics)
    check_outputs(report)
    shutil.rmtree(tree)


# -- the mutation fuzzer itself, briefly ----------------------------------------------------------------

def test_the_mutation_fuzzer_reaches_every_parser_and_finds_nothing(tmp_path: Path) -> None:
    """40 mutants per format: each must reach its parser most of the time, and none may crash or hang."""
    saved = tmp_path / "regressions"
    campaign = Campaign(ALL_FORMATS, random.Random(8), tmp_path, time_limit=2.0, cli_every=10,
                        minimise_budget=5.0, regressions=saved)
    for fmt in ALL_FORMATS:
        for _ in range(40 * SCALE):
            campaign.step(fmt)
    for fmt, stats in campaign.stats.items():
        assert stats.seeds > 0, fmt
        assert stats.reached / stats.runs >= 0.75, (fmt, stats.summary())
        assert stats.crashes == stats.hangs == 0, (fmt, stats.summary(), sorted(saved.rglob("*.why")))


# -- inputs the long fuzzer saved --------------------------------------------------------------------------

def _regressions() -> list[Path]:
    return sorted(p for p in REGRESSIONS.rglob("*") if p.is_file() and not p.name.endswith(".why")
                  and p.name != "README.md")


@pytest.mark.parametrize("path", _regressions(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fuzz_regression(path: Path, tmp_path: Path) -> None:
    """Once a crash or a hang, now handled: through the pipeline, every output format and the CLI, within a second."""
    write_tree(tmp_path / "tree", load_regression(path))
    started = time.perf_counter()
    lint_tree(tmp_path / "tree", through_cli=True)
    assert time.perf_counter() - started < 2


def test_the_minimiser_keeps_only_what_the_problem_needs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import tools.fuzz as fuzz

    def fake_run(files: dict[str, bytes], scratch: Path, time_limit: float, through_cli: bool = False):  # noqa: ANN202
        return ("crash: X" if b"BOOM" in files["nginx.conf"] else None), 0.0

    monkeypatch.setattr(fuzz, "run_once", fake_run)
    data = b"".join(b"line %d\n" % index for index in range(200)) + b"x" * 5000 + b"BOOM\n" + b"tail\n" * 50
    small = fuzz.minimise({"nginx.conf": data}, "nginx.conf", "crash: X", tmp_path, 1.0, budget=10)
    assert b"BOOM" in small["nginx.conf"] and small["nginx.conf"].count(b"\n") == 1
    assert len(small["nginx.conf"]) < 5000
