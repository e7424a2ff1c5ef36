"""Istio: the sidecar in front of each meshed pod, and DestinationRule/VirtualService settings toward Services.

Two kinds of components:

* ``istio-sidecar``, one per pod template with an injected sidecar (namespace labelled
  ``istio-injection=enabled`` or ``istio.io/rev``, or the pod's ``sidecar.istio.io/inject:
  "true"``, or an ``istio-proxy`` container already in the manifest). Traffic to the pod
  reaches the sidecar first, so the Service's alias leads to the sidecar's listeners; the
  sidecar's inbound upstream reaches the app on localhost with a connection pool whose idle
  timeout is the DestinationRule's ``connectionPool.http.idleTimeout`` for the pod's Service
  (Istio programs the inbound cluster with the same pool settings) or Envoy's 1 h default.
* ``istio-mesh``, one per destination Service that a DestinationRule or VirtualService
  names: the callers' sidecars, with the pool idle timeout, ``timeout`` and ``retries`` of
  those objects (or Istio's defaults). Which workloads call the Service is not known from
  the manifests, so the callers are one component.

The sidecar's own downstream idle timeout is not modelled (Envoy's 1 h default applies
between sidecars, which Istio manages).
"""

from __future__ import annotations

from collections import defaultdict

from tolint import durations
from tolint.graph import (
    Alias,
    Component,
    default_source,
    Diagnostic,
    Duration,
    Endpoint,
    Lifecycle,
    Listener,
    Provenance,
    RetryPolicy,
    Target,
    TcpKeepalive,
    Upstream,
    Value,
)
from tolint.parsers import k8s_defaults as defaults
from tolint.parsers.k8s_graph import BuildState
from tolint.parsers.k8s_objects import K8sObject, PodTemplate, Reader, Service
from tolint.yaml_nodes import Node, scalar_text

SIDECAR_CONTAINER = "istio-proxy"
# retryOn conditions under which Envoy resends a request the server may already have processed.
_REPLAYING = {"5xx", "gateway-error", "reset", "retriable-4xx", "retriable-status-codes", "retriable-headers",
              "envoy-ratelimited", "http3-post-connect-failure"}


def injected(pod: PodTemplate, namespaces: dict[str, K8sObject]) -> bool:
    template = pod.annotations.get("inject.istio.io/templates")
    if template is not None and "gateway" in template.value:
        return False  # the proxy is a gateway of its own, not a sidecar in front of the app
    if any(container.name == SIDECAR_CONTAINER for container in pod.containers):
        return True
    explicit = pod.annotations.get("sidecar.istio.io/inject")
    value = explicit.value if explicit is not None else pod.labels.get("sidecar.istio.io/inject")
    if value is not None:
        return value.strip().lower() == "true"
    namespace = namespaces.get(pod.namespace)
    if namespace is None:
        return False
    labels = namespace.labels()
    if labels.get("istio.io/dataplane-mode") == "ambient":
        return False
    return labels.get("istio-injection") == "enabled" or "istio.io/rev" in labels


def _istio_duration(obj: K8sObject, parent: Node | None, key: str, diagnostics: list[Diagnostic],
                    label: str) -> Duration | None:
    node = parent.get(key) if parent is not None and parent.is_map else None
    if node is None or not node.is_scalar or node.text() is None:
        return None
    text = node.text() or ""
    try:
        seconds: float | None = durations.parse_go(text)
    except ValueError as exc:
        diagnostics.append(Diagnostic(file=obj.file, line=node.line, column=node.column,
                                      message=f"{obj.ref}: {label}: {exc}"))
        return None
    shown = (parent.key_node(key) if parent is not None else None) or node
    return Duration(seconds=seconds, key=label, raw=f"{label}: {text}", provenance=obj.provenance(shown))


class _Rules:
    """DestinationRules and VirtualServices indexed by the Service host they apply to."""

    def __init__(self, state: BuildState) -> None:
        self.state = state
        cluster = state.cluster
        self.destination_rules: dict[str, list[K8sObject]] = defaultdict(list)
        self.virtual_services: dict[str, list[tuple[K8sObject, Node]]] = defaultdict(list)
        for obj in cluster.by_kind.get("DestinationRule", []):
            host = obj.node.path("spec", "host")
            fqdn = self.fqdn(scalar_text(host), obj.namespace)
            if fqdn is not None:
                self.destination_rules[fqdn].append(obj)
        for obj in cluster.by_kind.get("VirtualService", []):
            reader = Reader(obj, cluster.diagnostics)
            spec = reader.mapping(obj.node, "spec")
            for route in reader.sequence(spec, "http"):
                if not route.is_map:
                    continue
                for destination in reader.sequence(route, "route"):
                    host = destination.path("destination", "host") if destination.is_map else None
                    fqdn = self.fqdn(scalar_text(host), obj.namespace)
                    if fqdn is not None:
                        self.virtual_services[fqdn].append((obj, route))

    def fqdn(self, host: str | None, namespace: str | None) -> str | None:
        """Istio reads a short host relative to the rule's namespace; wildcards are not followed."""
        if not host or "*" in host:
            return None
        domain = self.state.cluster.domain
        parts = host.split(".")
        if len(parts) == 1:
            return f"{host}.{namespace or 'default'}.svc.{domain}"
        if len(parts) == 2:
            return f"{host}.svc.{domain}"
        if len(parts) == 3 and parts[2] == "svc":
            return f"{host}.{domain}"
        return host

    def pool_idle(self, fqdn: str) -> tuple[Duration | None, K8sObject | None]:
        for obj in self.destination_rules.get(fqdn, []):
            pool = obj.node.path("spec", "trafficPolicy", "connectionPool", "http")
            idle = _istio_duration(obj, pool, "idleTimeout", self.state.cluster.diagnostics,
                                   "connectionPool.http.idleTimeout")
            if idle is not None:
                return (idle if idle.seconds != 0 else idle.model_copy(update={"seconds": None})), obj
            return None, obj
        return None, None


def apply_pool_settings(upstream: Upstream, rule: K8sObject | None, diagnostics: list[Diagnostic]) -> None:
    """TCP keep-alive, connection lifetime and per-connection request cap from a DestinationRule."""
    if rule is None:
        return
    pool = rule.node.path("spec", "trafficPolicy", "connectionPool")
    tcp = pool.get("tcp") if pool is not None and pool.is_map else None
    http = pool.get("http") if pool is not None and pool.is_map else None
    if tcp is not None and tcp.is_map:
        upstream.max_lifetime = _istio_duration(rule, tcp, "maxConnectionDuration", diagnostics,
                                                "connectionPool.tcp.maxConnectionDuration")
        keepalive = tcp.get("tcpKeepalive")
        if keepalive is not None and keepalive.is_map:
            probes = keepalive.get("probes")
            upstream.tcp_keepalive = TcpKeepalive(
                enabled=Value(value=True, key="connectionPool.tcp.tcpKeepalive", raw="tcpKeepalive",
                              provenance=rule.provenance(tcp.key_node("tcpKeepalive") or keepalive)),
                idle=_istio_duration(rule, keepalive, "time", diagnostics, "tcpKeepalive.time"),
                interval=_istio_duration(rule, keepalive, "interval", diagnostics, "tcpKeepalive.interval"),
                count=Value(value=probes.as_int(), key="tcpKeepalive.probes", raw=f"probes: {probes.as_int()}",
                            provenance=rule.provenance(probes)) if probes is not None and probes.as_int() else None,
            )
    if http is not None and http.is_map:
        requests = http.get("maxRequestsPerConnection")
        if requests is not None and requests.as_int() is not None:
            upstream.settings["maxRequestsPerConnection"] = Value(
                value=requests.as_int(), key="connectionPool.http.maxRequestsPerConnection",
                raw=f"maxRequestsPerConnection: {requests.as_int()}", provenance=rule.provenance(requests))


def build_sidecars(state: BuildState) -> None:
    """Put an Istio sidecar in front of every meshed pod (before Service aliases are built)."""
    cluster = state.cluster
    namespaces = {obj.name: obj for obj in cluster.by_kind.get("Namespace", [])}
    meshed = [pod for pod in cluster.pods if injected(pod, namespaces)]
    if not meshed:
        return
    rules = _Rules(state)
    services_of: dict[int, list[Service]] = defaultdict(list)
    for svc in cluster.services:
        pods, _ = cluster.select(svc)
        for pod in pods:
            services_of[id(pod)].append(svc)
    for pod in meshed:
        ports = state.pod_ports.get(id(pod))
        if ports is None or not ports.by_number:
            continue
        idle, rule = None, None
        for svc in services_of.get(id(pod), []):
            idle, rule = rules.pool_idle(cluster.fqdn(svc.obj.name, svc.namespace))
            if idle is not None:
                break
        _sidecar(state, pod, ports, idle, rule)


def _sidecar(state: BuildState, pod: PodTemplate, ports, idle: Duration | None,  # noqa: ANN001
             rule: K8sObject | None) -> None:
    owner = pod.owner
    component = Component(
        id=state.unique_id(f"istio-sidecar:{owner.file}:{owner.ref}"), kind="istio-sidecar", product="Istio (Envoy)",
        name=f"Istio sidecar of {owner.ref}", location=owner.provenance(pod.node), files=[owner.file],
    )
    for number in sorted(ports.by_number):
        app_listeners = ports.by_number[number]
        listener = Listener(id=f"{component.id}:{number}", component=component.id,
                            name=f"Istio sidecar of {owner.ref} port {number}", location=component.location,
                            endpoints=[Endpoint(port=number)])
        host = f"inbound|{number}|{owner.kind}/{owner.namespace}/{owner.name}".lower()
        pool_idle = idle or defaults.ISTIO_HTTP_IDLE.duration(owner.file, pod.node.line, pod.node.column)
        upstream = Upstream(
            id=f"{component.id}:{number}:inbound", component=component.id,
            name=f"Istio sidecar of {owner.ref} -> app port {number}", location=component.location,
            targets=[Target(host=host, port=number, raw=f"127.0.0.1:{number}", provenance=component.location)],
            serves=[listener.id], idle_timeout=pool_idle,
            reuse=Value(value=True, key="inbound connection pool", raw="Envoy HTTP/1.1 connection pool",
                        provenance=Provenance(default=default_source(product="Envoy", source=defaults.ENVOY_TIMEOUTS))),
        )
        apply_pool_settings(upstream, rule, state.cluster.diagnostics)
        component.listeners.append(listener)
        component.upstreams.append(upstream)
        state.aliases.append(Alias(names=[host], port=number, listeners=list(app_listeners),
                                   via=f"Istio inbound to {owner.ref} port {number}", location=component.location))
        ports.by_number[number] = [listener.id]
    component.lifecycle = Lifecycle(location=component.location)
    state.add(owner, component)
    if rule is not None:
        state.produced[id(rule)].append(component.id)


def build_mesh(state: BuildState) -> None:
    """Components for the callers of each Service that a DestinationRule or VirtualService configures."""
    cluster = state.cluster
    if not cluster.by_kind.get("DestinationRule") and not cluster.by_kind.get("VirtualService"):
        return
    rules = _Rules(state)
    services = {cluster.fqdn(svc.obj.name, svc.namespace): svc for svc in cluster.services}
    for fqdn in sorted(set(rules.destination_rules) | set(rules.virtual_services)):
        svc = services.get(fqdn)
        anchor_obj = (rules.virtual_services.get(fqdn) or [(None, None)])[0][0] or rules.destination_rules[fqdn][0]
        component = Component(
            id=state.unique_id(f"istio-mesh:{fqdn}"), kind="istio-mesh", product="Istio (Envoy)",
            name=f"Istio sidecars calling {fqdn}", location=anchor_obj.provenance(), files=[anchor_obj.file],
        )
        idle, rule = rules.pool_idle(fqdn)
        routes = rules.virtual_services.get(fqdn) or []
        if routes:
            for obj, route in routes:
                component.upstreams.extend(_route_upstreams(state, component, obj, route, fqdn, idle, svc))
                state.produced[id(obj)].append(component.id)
        elif svc is not None:
            for port in svc.ports:
                component.upstreams.append(_upstream(state, component, rule or anchor_obj, rule.node if rule else
                                                     anchor_obj.node, fqdn, port.port, idle, None, None))
        for upstream in component.upstreams:
            apply_pool_settings(upstream, rule, state.cluster.diagnostics)
        if rule is not None:
            state.produced[id(rule)].append(component.id)
        component.lifecycle = Lifecycle(location=component.location)
        if component.upstreams:
            state.components.append(component)


def _route_upstreams(state: BuildState, component: Component, obj: K8sObject, route: Node, fqdn: str,
                     idle: Duration | None, svc: Service | None) -> list[Upstream]:
    diagnostics = state.cluster.diagnostics
    timeout = _istio_duration(obj, route, "timeout", diagnostics, "timeout")
    if timeout is not None and timeout.seconds == 0:
        timeout = timeout.model_copy(update={"seconds": None})
    retry = _retry(obj, route, diagnostics)
    upstreams = []
    for destination in Reader(obj, diagnostics).sequence(route, "route"):
        host = destination.path("destination", "host") if destination.is_map else None
        port = destination.path("destination", "port", "number") if destination.is_map else None
        number = port.as_int() if port is not None else None
        if number is None and svc is not None and len(svc.ports) == 1:
            number = svc.ports[0].port
        if host is None:
            continue
        upstreams.append(_upstream(state, component, obj, destination, fqdn, number, idle, timeout, retry))
    return upstreams


def _upstream(state: BuildState, component: Component, obj: K8sObject, node: Node, fqdn: str, port: int | None,
              idle: Duration | None, timeout: Duration | None, retry: RetryPolicy | None) -> Upstream:
    where = obj.provenance(node)
    upstream = Upstream(
        id=state.unique_id(f"{component.id}:{obj.file}:{node.line}:{port}"), component=component.id,
        name=f"Istio sidecars ({obj.ref}) -> {fqdn}" + (f":{port}" if port else ""), location=where,
        targets=[Target(host=fqdn, port=port, scheme="http", raw=f"{fqdn}:{port}" if port else fqdn,
                        provenance=where)],
        idle_timeout=idle or defaults.ISTIO_HTTP_IDLE.duration(obj.file, node.line, node.column),
        reuse=Value(value=True, key="connection pool", raw="Envoy connection pool",
                    provenance=Provenance(default=default_source(product="Envoy", source=defaults.ENVOY_TIMEOUTS))),
        request_timeout=timeout or Duration(seconds=None, key="timeout", raw="timeout (not set)", provenance=Provenance(
            file=obj.file, line=node.line, default=default_source(product="Istio", versions="all versions",
                                                                 source=defaults.ISTIO_VIRTUAL_SERVICE))),
        retry=retry or _default_retry(obj, node),
    )
    return upstream


def _default_retry(obj: K8sObject, node: Node) -> RetryPolicy:
    provenance = Provenance(file=obj.file, line=node.line,
                            default=default_source(product="Istio", source=defaults.ISTIO_RETRY_SOURCE))
    conditions = Value(value=list(defaults.ISTIO_DEFAULT_RETRY_ON), key="retries.retryOn",
                       raw="retries (not set)", provenance=provenance)
    return RetryPolicy(
        conditions=conditions,
        non_idempotent=conditions.model_copy(update={
            "value": False,
            "detail": "Istio's default retries connection failures and refused streams; current releases "
            "set no retriable status codes"}),
        tries=Value(value=defaults.ISTIO_DEFAULT_ATTEMPTS + 1, key="retries.attempts", raw="retries (not set)",
                    provenance=provenance),
    )


def _retry(obj: K8sObject, route: Node, diagnostics: list[Diagnostic]) -> RetryPolicy | None:
    retries = route.get("retries")
    if retries is None or not retries.is_map:
        return None
    reader = Reader(obj, diagnostics)
    attempts = reader.integer(retries, "attempts")
    retry_on = retries.get("retryOn")
    words = [w.strip() for w in (retry_on.text() or "").split(",") if w.strip()] if retry_on is not None and \
        retry_on.is_scalar else list(defaults.ISTIO_DEFAULT_RETRY_ON)
    where = obj.provenance(retries.key_node("retryOn") or retries) if retry_on is not None else obj.provenance(retries)
    raw = f"retryOn: {','.join(words)}"
    conditions = Value(value=words if attempts is None or attempts[0] > 0 else ["off"], key="retries.retryOn",
                       raw=raw, provenance=where)
    replaying = sorted(set(words) & _REPLAYING)
    return RetryPolicy(
        conditions=conditions,
        non_idempotent=Value(value=bool(replaying) and (attempts is None or attempts[0] > 0), key="retries.retryOn",
                             raw=raw, provenance=where,
                             detail=f"Envoy retries {', '.join(replaying)} for every method" if replaying else None),
        tries=Value(value=(attempts[0] + 1) if attempts is not None else defaults.ISTIO_DEFAULT_ATTEMPTS + 1,
                    key="retries.attempts", raw=f"attempts: {attempts[0] if attempts else 'default'}",
                    provenance=obj.provenance(attempts[1]) if attempts is not None else where),
        per_try_timeout=_istio_duration(obj, retries, "perTryTimeout", diagnostics, "retries.perTryTimeout"),
    )
