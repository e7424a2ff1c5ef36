"""Client settings files: declarations to graph objects, presets, and clear errors for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from tolint.graph import Duration
from tolint.parsers.client_model import parse_duration

NGINX_EDGE = """\
events {}
http {
    upstream app { server app.internal:8080; keepalive 16; }
    server {
        location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }
    }
}
"""
NGINX_APP = "events {}\nhttp { server { listen 8080; server_name app.internal; keepalive_timeout 30s; } }\n"


def test_declared_components_become_listeners_upstreams_and_hops(lint_tree) -> None:
    report = lint_tree({"deploy/clients.tolint.yaml": """\
components:
  - name: alb
    preset: aws-alb
    hosts: [shop.example.com]
    listen: [443]
    to: [api]
  - name: api
    preset: nodejs-http-server@22
    listen: [3000]
"""}, select=["TL101"])
    graph = report.graph
    assert not report.diagnostics
    alb = graph.component("declared:deploy/clients.tolint.yaml:alb")
    assert (alb.kind, alb.product) == ("load-balancer", "AWS ALB")
    listener, upstream = alb.listeners[0], alb.upstreams[0]
    assert listener.names == ["alb", "shop.example.com"] and listener.endpoints[0].port == 443
    assert upstream.serves == [listener.id]
    # The target side follows the one ALB idle timeout, with the product's name and source.
    assert upstream.idle_timeout is not None and upstream.idle_timeout.seconds == 60
    assert upstream.idle_timeout.key == "idle_timeout.timeout_seconds"
    source = upstream.idle_timeout.provenance
    assert source.default is not None and source.default.product == "AWS ALB"
    assert source.default.source.startswith("https://docs.aws.amazon.com/")
    assert (source.file, source.line) == ("deploy/clients.tolint.yaml", 3)  # the preset: line
    assert [(h.upstream, h.listener, h.via) for h in graph.hops] == [
        (upstream.id, "declared:deploy/clients.tolint.yaml:api:server", "declared in deploy/clients.tolint.yaml")]
    assert [f.code for f in report.findings] == ["TL101"]


def test_versioned_defaults_follow_the_declared_version(lint_tree) -> None:
    report = lint_tree({"c.tolint.yaml": """\
components:
  - {name: old, preset: nodejs-http-server@25.9.0}
  - {name: new, preset: nodejs-http-server, version: "26"}
  - {name: assumed, preset: nodejs-http-server}
"""}, select=["TL101"])
    idle = {c.name: c.listeners[0].idle_timeout for c in report.graph.components}
    assert idle["old"].seconds == 5 and idle["new"].seconds == 65
    assert idle["assumed"].seconds == 5
    assert idle["assumed"].provenance.describe() == "Node.js default before 26; 24 assumed, no version declared"
    assert idle["new"].provenance.describe() == "Node.js default since 26"


def test_overrides_keep_the_product_key_and_point_at_the_line(lint_tree) -> None:
    report = lint_tree({"c.tolint.yaml": """\
components:
  - name: api
    preset: nodejs-http-server@18
    server:
      idle-timeout: 65s
      header-timeout: 66000ms
"""}, select=["TL101"])
    listener = report.graph.components[0].listeners[0]
    assert listener.idle_timeout == Duration(seconds=65, key="keepAliveTimeout", raw="idle-timeout: 65s",
                                             provenance=listener.idle_timeout.provenance)
    assert listener.idle_timeout.describe() == "65s (keepAliveTimeout at c.tolint.yaml:5)"
    assert listener.header_timeout is not None and listener.header_timeout.seconds == 66


def test_pools_retries_and_tcp_keepalive(lint_tree) -> None:
    report = lint_tree({"c.tolint.yaml": """\
components:
  - name: orders
    kind: app-server
    listen: [8080]
  - name: orders-db-pool
    preset: hikaricp@7.0.1
    part-of: orders
    to: ["db.internal:3306"]
    client:
      tcp-keepalive: {idle: 60s}
      retry: {attempts: 3, on: [connect-failure], backoff: 100ms, jitter: true, idempotency-key: Idempotency-Key}
"""}, select=["TL101"])
    pool = report.graph.component("declared:c.tolint.yaml:orders-db-pool").upstreams[0]
    assert pool.serves == ["declared:c.tolint.yaml:orders:server"]
    assert pool.max_lifetime is not None and pool.max_lifetime.seconds == 1800
    ping = pool.settings["ping_interval"]
    assert isinstance(ping, Duration) and ping.seconds == 120 and ping.key == "keepaliveTime"
    assert pool.tcp_keepalive is not None and pool.tcp_keepalive.enabled.value is True
    assert pool.tcp_keepalive.idle is not None and pool.tcp_keepalive.idle.seconds == 60
    # The interval nobody wrote is the kernel's, and says so.
    assert pool.tcp_keepalive.interval is not None and pool.tcp_keepalive.interval.seconds == 75
    assert pool.tcp_keepalive.interval.provenance.describe() == "Linux default"
    retry = pool.retry
    assert retry is not None and retry.tries is not None and retry.tries.value == 3
    assert retry.conditions.value == ["connect-failure"] and retry.non_idempotent.value is False
    assert retry.idempotency_key is not None and retry.idempotency_key.value == "Idempotency-Key"
    assert [(t.host, t.port) for t in pool.targets] == [("db.internal", 3306)]


def test_links_reach_components_of_other_formats_both_ways(lint_tree) -> None:
    report = lint_tree({
        "edge/nginx.conf": NGINX_EDGE,
        "app/nginx.conf": NGINX_APP,
        "clients.tolint.yaml": """\
components:
  - name: mobile
    kind: client
    to: ["http://app.internal:8080/v1"]
    client: {read-timeout: 30s}
  - name: worker
    preset: uvicorn
    hosts: [worker.internal]
    listen: [9000]
""",
    }, select=["TL101"])
    hops = {(h.upstream.split(":")[0], h.target.host, h.target.port) for h in report.graph.hops}
    assert ("declared", "app.internal", 8080) in hops  # declared client -> nginx server block
    assert ("nginx", "app.internal", 8080) in hops


def test_middleboxes_attach_to_the_hops_they_sit_on(lint_tree) -> None:
    report = lint_tree({
        "edge/nginx.conf": NGINX_EDGE,
        "app/nginx.conf": NGINX_APP,
        "net.tolint.yaml": """\
components:
  - {name: batch, kind: client, to: ["app.internal:8080"], through: [fw]}
middleboxes:
  - name: nat
    preset: aws-nat-gateway
    between:
      - {from: edge/nginx.conf, to: "app.internal:8080"}
  - {name: fw, kind: firewall, idle-timeout: 1h, on-expiry: rst}
""",
    }, select=["TL101"])
    boxes = {h.upstream.split(":")[0]: [(b.name, b.idle_timeout.seconds, b.on_expiry) for b in h.middleboxes]
             for h in report.graph.hops}
    assert boxes == {"nginx": [("nat", 350, "rst")], "declared": [("fw", 3600, "rst")]}
    assert not report.diagnostics


BAD = """\
components:
  - name: alb
    preset: aws-albb
    to: [api]
  - name: api
    preset: nodejs-http-server
    server:
      idle-timout: 65s
      header-timeout: 65
  - name: pool
    kind: pool
    to: [api]
    client:
      pool-size: many
      reuse: perhaps
  - name: lb
    preset: aws-alb
    to: [api]
"""


def test_a_bad_file_gets_clear_errors_and_the_tree_is_still_linted(lint_tree) -> None:
    report = lint_tree({"edge/nginx.conf": NGINX_EDGE, "app/nginx.conf": NGINX_APP, "clients.tolint.yaml": BAD})
    errors = [(d.file, d.line, d.message) for d in report.diagnostics]
    assert errors == [
        ("clients.tolint.yaml", 3, 'component "alb": preset: unknown preset "aws-albb" (did you mean "aws-alb"?); '
                                   "`tolint schema --presets` lists them"),
        ("clients.tolint.yaml", 8, 'component "api": unknown key "server.idle-timout" (did you mean "idle-timeout"?)'),
        ("clients.tolint.yaml", 9, 'component "api": server.header-timeout: "65" needs a unit: write e.g. 65s or '
                                   "65ms (products disagree on what a bare number means)"),
        ("clients.tolint.yaml", 14, "component \"pool\": client.pool-size: expected a whole number, got 'many'"),
        ("clients.tolint.yaml", 15, "component \"pool\": client.reuse: expected true or false, got 'perhaps'"),
    ]
    assert report.failed()
    # The valid component in the same file and the nginx files are linted all the same.
    codes = sorted((f.code, f.location.file) for f in report.findings)
    assert ("TL101", "edge/nginx.conf") in codes
    assert [c.name for c in report.graph.components if c.kind == "load-balancer"] == ["lb"]
    # References to the broken "api" are not reported again.
    assert not any("api" in d.message and "target" in d.message for d in report.diagnostics)


@pytest.mark.parametrize(("text", "line", "message"), [
    ("components: [\n", 2, "invalid YAML"),
    ("components:\n  - name: a\n    kind: client\n    to: [a:80]\n", 4, 'quote host:port: ["api:8080"]'),
    ("- name: a\n", 1, "expected a mapping with components: and middleboxes:"),
    ("version: 2\ncomponents: []\n", 1, "unsupported version 2"),
    ("component:\n  - name: a\n", 1, 'unknown key "component" (did you mean "components"?)'),
    ("components:\n  - name: a\n    kind: server\n", 3, "kind: Input should be"),
    ("components:\n  - name: a\n", 2, "kind is required without a preset"),
    ("components:\n  - name: a\n    preset: aws-alb\n    kind: client\n", 4, "contradicts preset aws-alb"),
    ("components:\n  - name: a\n    preset: aws-nat-gateway\n", 3, "is a middlebox preset; declare it under middleboxes:"),
    ("components:\n  - name: a\n    preset: uvicorn\n    to: [b]\n", 4, 'an app-server has no client end, so "to"'),
    ("components:\n  - name: a\n    preset: mysql\n  - name: a\n    preset: redis\n", 4, '"a" is already declared'),
    ("components:\n  - name: a\n    kind: client\n    through: [nat]\n", 4, 'through: "nat" is not a declared middlebox'),
    ("components:\n  - name: a\n    kind: pool\n    part-of: b\n", 4, 'part-of: "b" is not a declared component'),
    ("components:\n  - name: a\n    preset: nodejs-http-server@x\n", 3, 'invalid version "x"'),
    ("components:\n  - name: a\n    kind: client\n    client:\n      retry: {backoff: 1s}\n", 5, "retry needs attempts"),
    ("components:\n  - name: a\n    kind: client\n    client: {read-timeout: soon}\n", 4, 'invalid duration "soon"'),
    ("middleboxes:\n  - name: m\n    kind: firewall\n", 2, "idle-timeout is required"),
    ("middleboxes:\n  - name: m\n    preset: aws-nlb\n", 2, "is on no path"),
    ("components:\n  - name: a\n    kind: client\n    kind: pool\n", 4, 'duplicate key "kind"'),
    ("components:\n  - name: a\n    listen: [99999]\n    kind: app-server\n", 3, "is not a port"),
])
def test_each_mistake_is_reported_with_its_line(lint_tree, text: str, line: int, message: str) -> None:
    report = lint_tree({"c.tolint.yaml": text}, select=["TL101"])
    found = [(d.line, d.message) for d in report.diagnostics]
    assert any(found_line == line and message in found_message for found_line, found_message in found), found


def test_only_the_suffix_makes_a_client_settings_file(lint_tree) -> None:
    report = lint_tree({"k8s/deploy.yaml": "components:\n  - name: a\n    preset: aws-alb\n",
                        "clients.tolint.yml": "components:\n  - name: b\n    preset: aws-alb\n"}, select=["TL101"])
    assert [c.name for c in report.graph.components] == ["b"]
    assert report.files == ["clients.tolint.yml"]


def test_names_are_shared_across_files(lint_tree) -> None:
    report = lint_tree({
        "net.tolint.yaml": "middleboxes:\n  - {name: nat, preset: aws-nat-gateway}\n",
        "svc/a.tolint.yaml": "components:\n  - {name: a, kind: client, to: [b], through: [nat], client: {reuse: true}}\n",
        "svc/b.tolint.yaml": "components:\n  - {name: b, preset: uvicorn}\n",
    }, select=["TL101"])
    assert not report.diagnostics
    assert [box.name for hop in report.graph.hops for box in hop.middleboxes] == ["nat"]


@pytest.mark.parametrize(("text", "seconds"), [
    ("65s", 65), ("500ms", 0.5), ("1h30m", 5400), ("2d", 172800), ("1.5s", 1.5), ("0", 0), ("unlimited", None),
])
def test_durations(text: str, seconds: float | None) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["65", "5 s", "s", "-1s", "1y", ""])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_real_world_file_parses_quickly(tmp_path: Path) -> None:
    """A few hundred components in many files: linear, and well under a second."""
    import time

    from tolint.config import Settings
    from tolint.pipeline import lint

    for index in range(40):
        lines = ["components:"]
        for item in range(10):
            name = f"svc-{index}-{item}"
            lines += [f"  - name: {name}", "    preset: nodejs-http-server", f"    listen: [{3000 + item}]",
                      f"  - name: {name}-client", "    preset: go-http-client", f"    part-of: {name}",
                      f"    to: [svc-{(index + 1) % 40}-{item}]", "    client: {request-timeout: 5s}"]
        (tmp_path / f"s{index}.tolint.yaml").write_text("\n".join(lines) + "\n")
    start = time.perf_counter()
    report = lint([str(tmp_path)], Settings(), cwd=str(tmp_path))
    elapsed = time.perf_counter() - start
    assert not report.diagnostics
    assert len(report.graph.components) == 800 and len(report.graph.hops) == 400
    assert elapsed < 2.0, elapsed


def test_a_declared_pool_idle_timeout_implies_reuse(lint_tree) -> None:
    report = lint_tree({"c.tolint.yaml": """\
components:
  - {name: job, kind: client, to: [app], client: {idle-timeout: 2m}}
  - {name: app, preset: uvicorn}
"""}, select=["TL101"])
    upstream = report.graph.component("declared:c.tolint.yaml:job").upstreams[0]
    assert upstream.reuse is not None and upstream.reuse.value is True
    assert upstream.reuse.raw == "reuse (implied by idle-timeout)"
    assert [f.code for f in report.findings] == ["TL101"]
