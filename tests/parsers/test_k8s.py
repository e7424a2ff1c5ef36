"""Kubernetes manifests: reading, linking across files and namespaces, embedded configs, annotations."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tolint.cli import main
from tolint.config import Settings
from tolint.graph import Diagnostic
from tolint.parsers.formats import FORMATS, KubernetesFormat
from tolint.parsers.k8s_objects import read_file
from tolint.pipeline import build_graph, lint
from tolint.testing import write_tree



def only(items):
    items = list(items)
    assert len(items) == 1, items
    return items[0]


SERVICE = """\
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {ns}}}
spec:
  selector: {{app: {app}}}
  ports: [{{name: http, port: {port}, targetPort: {target}}}]
"""
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {ns}}}
spec:
  template:
    metadata: {{labels: {{app: {app}}}}}
    spec:
      containers:
        - name: app
          image: example/{name}
          command: ["uvicorn", "app:app", "--host", "0.0.0.0", "--port", "8000"]
          ports: [{{name: web, containerPort: 8000}}]
"""


def graph_of(tmp_path: Path, files: dict[str, str], **settings: object):
    write_tree(tmp_path, files)
    return build_graph([str(tmp_path)], Settings.model_validate(settings), cwd=str(tmp_path))


def run_cli(*argv: str, stdin: str | None = None) -> tuple[int, str]:
    out = io.StringIO()
    stream = io.TextIOWrapper(io.BytesIO(stdin.encode())) if stdin is not None else None
    return main(list(argv), stdout=out, stdin=stream), out.getvalue()


# -- reading -------------------------------------------------------------------------------------


def test_documents_lists_json_and_unknown_kinds() -> None:
    diagnostics: list[Diagnostic] = []
    text = """\
apiVersion: v1
kind: List
items:
  - {apiVersion: v1, kind: Service, metadata: {name: a}}
  - {apiVersion: v1, kind: Namespace, metadata: {name: prod}}
---
apiVersion: example.com/v1
kind: SomethingElse
metadata: {name: x, namespace: prod}
---
# a document that is not an object
just: values
"""
    objects = read_file(text, "m.yaml", diagnostics)
    assert [(o.kind, o.namespace, o.name, o.line) for o in objects] == [
        ("Service", "default", "a", 4), ("Namespace", None, "prod", 5), ("SomethingElse", "prod", "x", 7)]
    assert diagnostics == []
    (obj,) = read_file('{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}', "p.json", diagnostics)
    assert obj.ref == "Pod default/p"


def test_invalid_yaml_keeps_earlier_documents_and_reports_the_line() -> None:
    diagnostics: list[Diagnostic] = []
    objects = read_file("apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\nkind: [unclosed\n", "m.yaml",
                        diagnostics)
    assert [o.name for o in objects] == ["a"]
    assert diagnostics[0].line == 6 and "invalid YAML" in diagnostics[0].message


def test_helm_templates_are_skipped_with_a_notice(tmp_path: Path) -> None:
    _graph, diagnostics, _files = graph_of(tmp_path, {"chart/templates/deployment.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "app.fullname" . }}
spec:
  replicas: {{ .Values.replicaCount }}
"""})
    assert len(diagnostics) == 1
    assert diagnostics[0].severity == "warning" and "helm template . | tolint check -" in diagnostics[0].message


def test_go_templates_inside_string_values_are_not_helm(tmp_path: Path) -> None:
    graph, diagnostics, _ = graph_of(tmp_path, {"rules.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata: {name: alerts}
data:
  rule: 'summary: "{{ $labels.instance }} is down"'
"""})
    assert diagnostics == []


def test_values_of_the_wrong_type_are_diagnostics(tmp_path: Path) -> None:
    graph, diagnostics, _ = graph_of(tmp_path, {"bad.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      terminationGracePeriodSeconds: soon
      containers:
        - name: app
          ports: {containerPort: 80}
          livenessProbe: [not, a, mapping]
"""})
    messages = sorted((d.line, d.message) for d in diagnostics)
    assert messages == [
        (7, "Deployment default/api: terminationGracePeriodSeconds must be an integer, got soon"),
        (10, "Deployment default/api: ports must be a list, got a mapping"),
        (11, "Deployment default/api: livenessProbe must be a mapping, got a list"),
    ]
    # The grace period falls back to the default rather than disappearing.
    assert graph.components[0].lifecycle.grace_period.seconds == 30


def test_kustomization_namespace_applies_to_listed_resources(tmp_path: Path) -> None:
    graph, diagnostics, _ = graph_of(tmp_path, {
        "base/kustomization.yaml": "resources: [svc.yaml]\n",
        "base/svc.yaml": SERVICE.format(name="api", ns="ignored", app="api", port=80, target=8000),
        "overlays/prod/kustomization.yaml": "namespace: prod\nresources: [../../base, deploy.yaml]\n",
        "overlays/prod/deploy.yaml": DEPLOYMENT.format(name="api", ns="default", app="api"),
    })
    assert diagnostics == []
    assert {a.via for a in graph.aliases} == {"Service prod/api port 80"}
    assert graph.components[0].name == "Deployment prod/api container app"


def test_format_claims_and_sniffing() -> None:
    fmt = KubernetesFormat()
    assert fmt.claims_name("k8s/app.yaml") and fmt.claims_name("app.JSON")
    assert not fmt.claims_name("clients/api.tolint.yaml") and not fmt.claims_name("nginx.conf")
    assert fmt.sniff("apiVersion: v1\nkind: Pod\n", "-")
    assert fmt.sniff('{"kind": "Pod", "apiVersion": "v1"}', "p.json")
    assert not fmt.sniff('{"name": "my-package", "version": "1.0.0"}', "package.json")
    assert not fmt.sniff("name: build\non: push\n", ".github/workflows/ci.yml")
    assert not fmt.sniff("apiVersion: v1\nkind: Pod\n", "api.tolint.yaml")
    # Kubernetes is tried before nginx, so a manifest that embeds nginx.conf stays a manifest.
    names = [item.name for item in FORMATS]
    assert names.index("kubernetes") < names.index("nginx")


# -- linking ---------------------------------------------------------------------------------------


def test_ingress_service_named_ports_and_namespaces(tmp_path: Path) -> None:
    graph, diagnostics, _ = graph_of(tmp_path, {
        "ingress.yaml": """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: prod}
spec:
  ingressClassName: alb
  rules:
    - http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: api, port: {name: http}}}}
""",
        "prod.yaml": SERVICE.format(name="api", ns="prod", app="api", port=80, target="web")
        + "---\n" + DEPLOYMENT.format(name="api", ns="prod", app="api"),
        # Same labels in another namespace: never selected by prod's Service.
        "staging.yaml": DEPLOYMENT.format(name="api", ns="staging", app="api"),
    })
    assert diagnostics == []
    (hop,) = graph.hops
    assert hop.via == "Service prod/api port 80"
    assert hop.listener.endswith("prod.yaml:Deployment/prod/api/app:8000")
    assert hop.target.host == "api.prod.svc.cluster.local" and hop.target.port == 80


def test_nginx_configmap_to_service_dns_in_another_file_shows_in_tolint_graph(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {
        "edge/nginx.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata: {name: edge, namespace: edge}
data:
  nginx.conf: |
    events {}
    http {
        upstream api { server api.prod.svc.cluster.local:8080; keepalive 8; }
        server {
            listen 80;
            location / { proxy_pass http://api; }
        }
    }
""",
        "api/service.yaml": SERVICE.format(name="api", ns="prod", app="api", port=8080, target="web"),
        "api/deployment.yaml": DEPLOYMENT.format(name="api", ns="prod", app="api"),
    })
    monkeypatch.chdir(tmp_path)
    code, out = run_cli("graph", ".")
    graph = json.loads(out)
    assert code == 0
    (hop,) = graph["hops"]
    assert hop["via"] == "Service prod/api port 8080"
    assert hop["upstream"].startswith("nginx:edge/nginx.yaml")
    assert hop["listener"] == "k8s:api/deployment.yaml:Deployment/prod/api/app:8000"
    assert hop["target"]["provenance"] == {"file": "edge/nginx.yaml", "line": 8, "column": 24}


def test_short_names_follow_dns_from_a_configmap_and_ambiguity_from_a_file(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {
        "edge.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata: {name: edge, namespace: prod}
data:
  default.conf: |
    server { listen 80; location / { proxy_pass http://api:8080; } }
""",
        "proxy/nginx.conf": "events {}\nhttp { server { listen 80; location / { proxy_pass http://api:8080; } } }\n",
        "apps.yaml": SERVICE.format(name="api", ns="prod", app="api", port=8080, target="web") + "---\n"
        + DEPLOYMENT.format(name="api", ns="prod", app="api") + "---\n"
        + SERVICE.format(name="api", ns="staging", app="api", port=8080, target="web"),
    })
    monkeypatch.chdir(tmp_path)
    graph, _diagnostics, _ = build_graph(["."], Settings(), cwd=str(tmp_path))
    # The ConfigMap runs in namespace prod: "api" is api.prod.svc.cluster.local, as the pod's resolver says.
    assert [h.via for h in graph.hops] == ["Service prod/api port 8080"]
    # A file outside the cluster has no namespace: "api" names two Services, so it is not guessed.
    (unresolved,) = graph.unresolved
    assert unresolved.target.raw == "http://api:8080"
    assert unresolved.reason == ("api:8080 is ambiguous: it names Service prod/api port 8080, "
                                 "Service staging/api port 8080")
    code, _out = run_cli("check", "--verbose", ".")
    assert code == 1


def test_unresolved_targets_say_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {
        "ingress.yaml": """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  ingressClassName: alb
  rules:
    - http:
        paths:
          - {path: /a, pathType: Prefix, backend: {service: {name: orphan, port: {number: 80}}}}
          - {path: /b, pathType: Prefix, backend: {service: {name: missing, port: {number: 80}}}}
""",
        "orphan.yaml": SERVICE.format(name="orphan", ns="default", app="nothing-has-this-label", port=80, target=80),
    })
    monkeypatch.chdir(tmp_path)
    run_cli("check", "--verbose", ".")
    err = capsys.readouterr().err
    assert "ingress.yaml:9: unresolved: ALB for Ingress default/web -> Service default/orphan:80: " in err
    assert "selector app=nothing-has-this-label of Service default/orphan matches no pod template" in err
    assert "ingress.yaml:10: unresolved:" in err and "no listener in the linted tree answers missing" in err


def test_copies_in_two_environment_directories_resolve_to_the_nearest(tmp_path: Path) -> None:
    files = {}
    for env in ("staging", "prod"):
        files[f"{env}/ingress.yaml"] = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  ingressClassName: alb
  defaultBackend: {service: {name: api, port: {number: 80}}}
"""
        files[f"{env}/api.yaml"] = SERVICE.format(name="api", ns="default", app="api", port=80, target="web") \
            + "---\n" + DEPLOYMENT.format(name="api", ns="default", app="api")
    graph, diagnostics, _ = graph_of(tmp_path, files)
    assert diagnostics == [] and graph.unresolved == []
    pairs = {(h.upstream.split(":")[1].split("/")[0], h.listener.split(":")[1].split("/")[0]) for h in graph.hops}
    assert pairs == {("staging", "staging"), ("prod", "prod")}


def test_stdin_from_kustomize_build(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    stream = "---\n".join([
        """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: prod}
spec:
  ingressClassName: alb
  defaultBackend: {service: {name: api, port: {number: 80}}}
""",
        SERVICE.format(name="api", ns="prod", app="api", port=80, target="web"),
        DEPLOYMENT.format(name="api", ns="prod", app="api"),
    ])
    code, out = run_cli("check", "--select", "TL101", "-", stdin=stream)
    assert code == 1
    assert out.startswith("<stdin>:3:1: TL101 ALB for Ingress prod/web -> Service prod/api:80")
    assert "closes them after 5s (--timeout-keep-alive, uvicorn default)" in out
    assert "(the other end: <stdin>:" in out


# -- embedded configurations --------------------------------------------------------------------------


def test_embedded_nginx_lines_map_back_to_the_yaml_file(tmp_path: Path) -> None:
    graph, diagnostics, _ = graph_of(tmp_path, {"cm.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata: {name: proxy}
data:
  app.conf: |

    server {
        listen 8080;
        keepalive_timeout 15s
    }
  inline.conf: "server { listen 9090; keepalive_timeout 5s; }"
"""})
    # The missing ";" is reported at its line in the YAML file.
    assert [(d.line, d.message) for d in diagnostics] == [(9, 'directive "keepalive_timeout" is not terminated by ";"')]
    by_name = {c.name: c for c in graph.components}
    inline = by_name["nginx (ConfigMap default/proxy key inline.conf)"]
    assert inline.listeners[0].idle_timeout.provenance.line == 11  # a quoted scalar is pinned to its key's line


def test_hcl_and_other_block_syntaxes_are_not_nginx(tmp_path: Path) -> None:
    graph, diagnostics, _ = graph_of(tmp_path, {"cm.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata: {name: spire-server}
data:
  server.conf: |
    server {
      bind_address = "0.0.0.0"
      trust_domain = "example.org"
    }
"""})
    assert diagnostics == [] and graph.components == []


def test_ingress_nginx_controller_configmap_is_not_an_embedded_config(tmp_path: Path) -> None:
    graph, diagnostics, _ = graph_of(tmp_path, {"cm.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
data:
  http-snippet: |
    server { listen 18080; location /nginx_status { stub_status on; } }
"""})
    assert diagnostics == [] and graph.components == []


# -- annotations ---------------------------------------------------------------------------------------


def test_ignore_annotation_becomes_object_suppressions(tmp_path: Path) -> None:
    from tolint.discover import discover
    from tolint.parsers.k8s import parse_kubernetes_inputs

    write_tree(tmp_path, {"api.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  annotations:
    tolint.dev/ignore: "TL401: batch job, nothing waits for it; TL406, probe-timing: slow by design"
spec:
  template:
    metadata:
      annotations: {tolint.dev/ignore: "all"}
    spec:
      terminationGracePeriodSeconds: 0
      containers: [{name: app, image: example/api, ports: [{containerPort: 80}]}]
"""})
    found = discover([str(tmp_path)], [], 5_000_000, str(tmp_path))
    (fragment,) = parse_kubernetes_inputs(found.files, Settings(), found.roots, str(tmp_path))
    entries = [(s.rules, s.reason, s.location.line) for s in fragment.suppressions]
    assert entries == [
        (["TL401"], "batch job, nothing waits for it", 6),
        (["TL406", "probe-timing"], "slow by design", 6),
        ([], "", 10),
    ]
    component = fragment.components[0]
    assert set(fragment.suppressions[0].subjects) == {component.id, component.listeners[0].id}


def test_istio_injection_puts_a_sidecar_in_front_of_the_app(tmp_path: Path) -> None:
    graph, diagnostics, _ = graph_of(tmp_path, {
        "ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: mesh, labels: {istio-injection: enabled}}\n",
        "app.yaml": SERVICE.format(name="api", ns="mesh", app="api", port=80, target="web") + "---\n"
        + DEPLOYMENT.format(name="api", ns="mesh", app="api") + "---\n"
        + DEPLOYMENT.format(name="batch", ns="mesh", app="batch").replace(
            "    metadata: {labels: {app: batch}}",
            "    metadata: {labels: {app: batch}, annotations: {sidecar.istio.io/inject: \"false\"}}"),
        "ingress.yaml": """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: mesh}
spec:
  ingressClassName: alb
  defaultBackend: {service: {name: api, port: {number: 80}}}
""",
    })
    kinds = sorted(c.kind for c in graph.components)
    assert kinds == ["aws-alb", "istio-sidecar", "k8s-workload", "k8s-workload"]
    vias = sorted(h.via for h in graph.hops)
    # The ALB reaches the sidecar through the Service; the sidecar reaches the app on localhost.
    assert vias == ["Istio inbound to Deployment mesh/api port 8000", "Service mesh/api port 80"]


def test_unparsable_file_with_template_braces_is_a_template_notice(tmp_path: Path) -> None:
    _graph, diagnostics, _ = graph_of(tmp_path, {"tpl.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ $name }\n"})
    (diagnostic,) = diagnostics
    assert diagnostic.severity == "warning" and "probably a template" in diagnostic.message


def test_destination_rule_pool_settings_reach_the_mesh_upstreams(tmp_path: Path) -> None:
    graph, diagnostics, _ = graph_of(tmp_path, {
        "app.yaml": SERVICE.format(name="api", ns="shop", app="api", port=80, target="web") + "---\n"
        + DEPLOYMENT.format(name="api", ns="shop", app="api"),
        "dr.yaml": """\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: api, namespace: shop}
spec:
  host: api.shop.svc.cluster.local
  trafficPolicy:
    connectionPool:
      tcp:
        maxConnectionDuration: 30m
        tcpKeepalive: {time: 300s, interval: 75s, probes: 3}
      http:
        idleTimeout: 4s
        maxRequestsPerConnection: 100
""",
    })
    assert diagnostics == []
    (mesh,) = [c for c in graph.components if c.kind == "istio-mesh"]
    (upstream,) = mesh.upstreams
    assert upstream.idle_timeout.seconds == 4 and upstream.idle_timeout.provenance.line == 12
    assert upstream.max_lifetime.seconds == 1800
    assert (upstream.tcp_keepalive.idle.seconds, upstream.tcp_keepalive.interval.seconds,
            upstream.tcp_keepalive.count.value) == (300, 75, 3)
    assert upstream.settings["maxRequestsPerConnection"].value == 100
    assert upstream.retry.tries.value == 3 and upstream.retry.non_idempotent.value is False
    assert [h.via for h in graph.hops] == ["Service shop/api port 80"]


def test_gateway_api_routes_and_timeouts(tmp_path: Path) -> None:
    graph, diagnostics, _ = graph_of(tmp_path, {
        "app.yaml": SERVICE.format(name="api", ns="shop", app="api", port=8080, target="web") + "---\n"
        + DEPLOYMENT.format(name="api", ns="shop", app="api"),
        "gateway.yaml": """\
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: eg
  listeners:
    - {name: https, port: 443, protocol: HTTPS, hostname: shop.example.com}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api, namespace: shop}
spec:
  parentRefs: [{name: public, namespace: infra}]
  rules:
    - timeouts: {request: 10s, backendRequest: 4s}
      backendRefs: [{name: api, port: 8080}]
    - timeouts: {request: 0s}
      backendRefs: [{name: api, port: 8080}]
    - timeouts: {request: soon}
      backendRefs: [{name: api, port: 8080}]
""",
    })
    assert [(d.line, d.message) for d in diagnostics] == [
        (19, 'HTTPRoute shop/api: timeouts.request: invalid duration "soon"')]
    (gateway,) = [c for c in graph.components if c.kind == "k8s-gateway"]
    assert gateway.product == "eg" and gateway.listeners[0].names == ["shop.example.com"]
    timeouts = [(u.request_timeout.seconds if u.request_timeout else "none") for u in gateway.upstreams]
    assert timeouts == [4.0, None, "none"]  # backendRequest wins; "0s" disables; invalid is unknown
    assert {h.via for h in graph.hops} == {"Service shop/api port 8080"}


def test_ingress_nginx_settings_from_configmap_and_annotations(tmp_path: Path) -> None:
    graph, diagnostics, _ = graph_of(tmp_path, {
        "controller.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
data:
  keep-alive: "30"
  upstream-keepalive-connections: "0"
  proxy-next-upstream-tries: "0"
""",
        "ingress.yaml": """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: api
  annotations:
    nginx.ingress.kubernetes.io/proxy-read-timeout: "300"
    nginx.ingress.kubernetes.io/proxy-next-upstream: error timeout non_idempotent
spec:
  ingressClassName: nginx
  defaultBackend: {service: {name: api, port: {number: 80}}}
""",
    })
    assert diagnostics == []
    (component,) = graph.components
    listener, (upstream,) = component.listeners[0], component.upstreams
    assert listener.idle_timeout.seconds == 30 and listener.idle_timeout.provenance.file == "controller.yaml"
    assert upstream.read_timeout.seconds == 300 and upstream.read_timeout.provenance.line == 6
    assert upstream.connect_timeout.seconds == 5 and upstream.connect_timeout.provenance.default.product == "ingress-nginx"
    assert upstream.reuse.value is False  # upstream-keepalive-connections: "0" turns the cache off
    assert upstream.retry.non_idempotent.value is True and upstream.retry.tries.value == 0
    assert component.lifecycle.drain_timeout.seconds == 240


def test_embedded_haproxy_is_parsed_adopted_and_linked(tmp_path: Path) -> None:
    """An HAProxy config in a ConfigMap, run by the Deployment that mounts it, reaches a Service."""
    write_tree(tmp_path, {
        "lb.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata: {name: haproxy-config, namespace: edge}
data:
  haproxy.cfg: |
    defaults
        mode http
        timeout connect 5s
        timeout client 30s
        timeout server 30s
    frontend www
        bind :8080
        default_backend api
    backend api
        server api1 api.prod.svc.cluster.local:80 pool-purge-delay 90s
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: haproxy, namespace: edge}
spec:
  selector: {matchLabels: {app: haproxy}}
  template:
    metadata: {labels: {app: haproxy}}
    spec:
      containers:
        - name: haproxy
          image: haproxy:3.2
          ports: [{containerPort: 8080}]
          volumeMounts: [{name: config, mountPath: /usr/local/etc/haproxy}]
      volumes:
        - name: config
          configMap: {name: haproxy-config}
""",
        "api.yaml": """\
apiVersion: v1
kind: Service
metadata: {name: api, namespace: prod}
spec:
  selector: {app: api}
  ports: [{port: 80, targetPort: 8000}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: prod}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: app
          image: api:1
          command: ["uvicorn", "app:app", "--host", "0.0.0.0", "--port", "8000"]
          ports: [{containerPort: 8000}]
""",
    })
    report = lint([str(tmp_path)], Settings(select=["TL101"]), cwd=str(tmp_path))
    haproxy = next(c for c in report.graph.components if c.product == "haproxy")
    assert haproxy.name == "haproxy (ConfigMap edge/haproxy-config key haproxy.cfg) in Deployment edge/haproxy container haproxy"
    backend = haproxy.upstreams[0]
    assert backend.read_timeout.provenance.line == 10 and backend.read_timeout.provenance.file == "lb.yaml"
    hop = only(h for h in report.graph.hops if h.upstream == backend.id)
    assert report.graph.listener(hop.listener).component.startswith("k8s:")
    # pool-purge-delay 90s keeps idle connections longer than uvicorn's default 5s keep-alive.
    finding = only(report.findings)
    assert (finding.location.file, finding.location.line) == ("lb.yaml", 15)  # the server line
    assert "5s (--timeout-keep-alive, uvicorn default" in finding.message
