"""Deterministic generator of synthetic infra repositories for benchmarks.

``python -m bench.generate N OUT`` writes a tree for N services. Every service has an
nginx upstream and location on a shared edge, an HAProxy backend, a Kubernetes
Deployment, Service and Ingress, and two declared clients (client settings files), all
wired to each other by Service DNS names so the linked graph has real hops.
The same N always gives byte-identical files.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

SERVICES_PER_NGINX_FILE = 50
SERVICES_PER_HAPROXY_FILE = 200
NAMESPACES = ("shop", "payments", "search", "platform", "media")


def service_name(index: int) -> str:
    return f"svc{index:05d}"


def namespace(index: int) -> str:
    return NAMESPACES[index % len(NAMESPACES)]


def nginx_edge(start: int, stop: int, rng: random.Random) -> str:
    lines = []
    for index in range(start, stop):
        name, ns = service_name(index), namespace(index)
        keepalive = rng.choice([8, 16, 32])
        lines += [
            f"upstream {name} {{",
            f"    server {name}.{ns}.svc.cluster.local:8080;",
            f"    keepalive {keepalive};",
            f"    keepalive_timeout {rng.choice([30, 60, 75])}s;",
            "}",
            "",
        ]
    lines += ["server {", "    listen 80;", f"    server_name edge{start // SERVICES_PER_NGINX_FILE}.example.com;", ""]
    for index in range(start, stop):
        name = service_name(index)
        lines += [
            f"    location /{name}/ {{",
            "        proxy_http_version 1.1;",
            '        proxy_set_header Connection "";',
            "        proxy_set_header Host $host;",
            f"        proxy_read_timeout {rng.choice([30, 60, 120])}s;",
            f"        proxy_pass http://{name};",
            "    }",
        ]
    lines += ["}", ""]
    return "\n".join(lines)


NGINX_MAIN = """\
user nginx;
worker_processes auto;
worker_shutdown_timeout 30s;

events {
    worker_connections 4096;
}

http {
    keepalive_timeout 65s;
    client_header_timeout 10s;
    include conf.d/*.conf;
}
"""


def haproxy_config(start: int, stop: int, rng: random.Random) -> str:
    lines = [
        "global",
        "    maxconn 20000",
        "    hard-stop-after 30s",
        "",
        "defaults",
        "    mode http",
        "    timeout connect 5s",
        "    timeout client 30s",
        "    timeout server 60s",
        "    timeout http-keep-alive 10s",
        "",
        f"frontend fe_{start}",
        f"    bind :{8000 + start // SERVICES_PER_HAPROXY_FILE}",
    ]
    for index in range(start, stop):
        name = service_name(index)
        lines.append(f"    use_backend be_{name} if {{ path_beg /{name}/ }}")
    lines.append("")
    for index in range(start, stop):
        name, ns = service_name(index), namespace(index)
        lines += [
            f"backend be_{name}",
            f"    timeout server {rng.choice([30, 60, 90])}s",
            f"    server {name}-1 {name}.{ns}.svc.cluster.local:8080 check",
            "",
        ]
    return "\n".join(lines)


def manifests(index: int, rng: random.Random) -> str:
    name, ns = service_name(index), namespace(index)
    grace = rng.choice([30, 45, 60])
    keepalive = rng.choice([2, 5, 75])
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {ns}
  labels: {{app: {name}}}
spec:
  replicas: 3
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      terminationGracePeriodSeconds: {grace}
      containers:
        - name: app
          image: registry.example.com/{name}:1.0.0
          command: ["gunicorn", "--bind", "0.0.0.0:8000", "--threads", "4", "--keep-alive", "{keepalive}", "app:app"]
          ports:
            - {{name: http, containerPort: 8000}}
          readinessProbe:
            httpGet: {{path: /healthz, port: http}}
            periodSeconds: 5
          lifecycle:
            preStop:
              exec:
                command: ["sleep", "10"]
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {ns}
spec:
  selector: {{app: {name}}}
  ports:
    - {{name: http, port: 8080, targetPort: http}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {name}
  namespace: {ns}
  annotations:
    alb.ingress.kubernetes.io/load-balancer-attributes: idle_timeout.timeout_seconds={rng.choice([60, 120])}
spec:
  ingressClassName: alb
  rules:
    - host: {name}.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: {{name: {name}, port: {{number: 8080}}}}
"""


SERVICES_PER_CLIENTS_FILE = 100


def client_settings(start: int, stop: int, rng: random.Random) -> str:
    """Declared callers of the services: a Python requests client and a Go client per service."""
    lines = ["version: 1", "components:"]
    for index in range(start, stop):
        name, ns = service_name(index), namespace(index)
        lines += [
            f"  - name: {name}-reporter",
            "    preset: python-requests",
            f'    to: ["{name}.{ns}.svc.cluster.local:8080"]',
            "    client:",
            f"      read-timeout: {rng.choice([5, 10, 30])}s",
            f"  - name: {name}-sync",
            "    preset: go-http-client",
            f'    to: ["{name}.{ns}.svc.cluster.local:8080"]',
            "    client:",
            f"      request-timeout: {rng.choice([10, 30])}s",
            f"      idle-timeout: {rng.choice([60, 90])}s",
        ]
    return "\n".join(lines) + "\n"


def generate(count: int, out: Path) -> dict[str, int]:
    """Write the tree; returns how many files of each kind were written."""
    rng = random.Random(count)  # deterministic per N
    if out.exists():
        shutil.rmtree(out)
    (out / "nginx" / "conf.d").mkdir(parents=True)
    (out / "haproxy").mkdir()
    (out / "k8s").mkdir()
    (out / "nginx" / "nginx.conf").write_text(NGINX_MAIN)
    counts = {"nginx": 1, "haproxy": 0, "k8s": 0}
    for start in range(0, count, SERVICES_PER_NGINX_FILE):
        stop = min(start + SERVICES_PER_NGINX_FILE, count)
        (out / "nginx" / "conf.d" / f"edge-{start:05d}.conf").write_text(nginx_edge(start, stop, rng))
        counts["nginx"] += 1
    for start in range(0, count, SERVICES_PER_HAPROXY_FILE):
        stop = min(start + SERVICES_PER_HAPROXY_FILE, count)
        (out / "haproxy" / f"haproxy-{start:05d}.cfg").write_text(haproxy_config(start, stop, rng))
        counts["haproxy"] += 1
    for index in range(count):
        (out / "k8s" / f"{service_name(index)}.yaml").write_text(manifests(index, rng))
        counts["k8s"] += 1
    (out / "clients").mkdir()
    counts["clients"] = 0
    for start in range(0, count, SERVICES_PER_CLIENTS_FILE):
        stop = min(start + SERVICES_PER_CLIENTS_FILE, count)
        (out / "clients" / f"callers-{start:05d}.tolint.yaml").write_text(client_settings(start, stop, rng))
        counts["clients"] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="number of services")
    parser.add_argument("out", type=Path, help="directory to (re)create")
    args = parser.parse_args()
    counts = generate(args.count, args.out)
    print(f"wrote {sum(counts.values())} files to {args.out}: {counts}")


if __name__ == "__main__":
    main()
