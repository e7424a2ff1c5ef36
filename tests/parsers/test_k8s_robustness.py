"""Manifests with any shape of value where tolint expects another never raise: they become diagnostics."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tolint.config import Settings
from tolint.discover import InputFile
from tolint.parsers.k8s import parse_kubernetes_inputs

# Values of every YAML type, including the ones Kubernetes fields do not take.
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30), st.floats(allow_nan=False),
                    st.text(max_size=12), st.sampled_from(["80", "http", "sleep 5", "$(PORT)", "1h", "0s", "nlb"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=8)


def mutate(template: object, data: st.DataObject) -> object:
    """The template with some values (leaves or whole subtrees) replaced by arbitrary ones."""
    if data.draw(st.integers(0, 9), label="replace?") == 0:
        return data.draw(values, label="value")
    if isinstance(template, dict):
        return {key: mutate(item, data) for key, item in template.items()}
    if isinstance(template, list):
        return [mutate(item, data) for item in template]
    return template


TEMPLATES = [
    {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "a", "annotations": {
        "tolint.dev/runtime": "node@22", "tolint.dev/keepalive-timeout": "5s", "tolint.dev/ignore": "TL401: x"}},
     "spec": {"template": {"metadata": {"labels": {"app": "a"}}, "spec": {
         "terminationGracePeriodSeconds": 30,
         "volumes": [{"name": "c", "configMap": {"name": "cm"}}],
         "containers": [{"name": "c", "image": "nginx", "command": ["gunicorn", "--keep-alive", "5"],
                         "args": ["-b", ":8000"], "env": [{"name": "GUNICORN_CMD_ARGS", "value": "--threads 2"}],
                         "envFrom": [{"configMapRef": {"name": "cm"}}],
                         "ports": [{"name": "http", "containerPort": 8000}],
                         "volumeMounts": [{"name": "c", "mountPath": "/etc/nginx"}],
                         "lifecycle": {"preStop": {"exec": {"command": ["sh", "-c", "sleep 5"]}}},
                         "livenessProbe": {"periodSeconds": 5, "timeoutSeconds": 1, "failureThreshold": 3},
                         "readinessProbe": {"periodSeconds": 5}}]}}}},
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a", "annotations": {
        "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
        "alb.ingress.kubernetes.io/target-group-attributes": "deregistration_delay.timeout_seconds=5",
        "cloud.google.com/backend-config": '{"default": "bc"}'}},
     "spec": {"type": "LoadBalancer", "selector": {"app": "a"}, "ports": [{"port": 80, "targetPort": "http"}]}},
    {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "a", "annotations": {
        "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}]',
        "alb.ingress.kubernetes.io/load-balancer-attributes": "idle_timeout.timeout_seconds=60"}},
     "spec": {"ingressClassName": "alb", "defaultBackend": {"service": {"name": "a", "port": {"number": 80}}},
              "rules": [{"host": "x", "http": {"paths": [{"path": "/", "backend": {
                  "service": {"name": "a", "port": {"name": "http"}}}}]}}]}},
    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"},
     "data": {"nginx.conf": "events {}\nhttp { server { listen 8000; location / { proxy_pass http://a; } } }\n"}},
    {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "r"},
     "spec": {"parentRefs": [{"name": "g"}], "rules": [{"timeouts": {"request": "5s"},
                                                        "backendRefs": [{"name": "a", "port": 80}]}]}},
    {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": {"name": "v"},
     "spec": {"hosts": ["a"], "http": [{"timeout": "5s", "retries": {"attempts": 2, "retryOn": "5xx"},
                                         "route": [{"destination": {"host": "a", "port": {"number": 80}}}]}]}},
    {"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule", "metadata": {"name": "d"},
     "spec": {"host": "a", "trafficPolicy": {"connectionPool": {"http": {"idleTimeout": "5s"},
                                                                 "tcp": {"tcpKeepalive": {"time": "1s"}}}}}},
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default", "labels": {"istio-injection": "enabled"}}},
]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_value_anywhere_is_a_diagnostic_not_an_exception(data: st.DataObject) -> None:
    text = "\n---\n".join(json.dumps(mutate(template, data)) for template in TEMPLATES)
    (main, *_embedded) = parse_kubernetes_inputs([InputFile("m.yaml", "m.yaml", "kubernetes", text)], Settings(),
                                                 ["."], ".")
    assert all(d.file == "m.yaml" for d in main.diagnostics)
