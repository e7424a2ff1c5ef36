"""Load balancers in front of Services: cloud load balancers, ingress-nginx and Gateway API gateways.

Each is a ``Component`` with a client-side ``Listener`` and one ``Upstream`` per backend
Service port. An upstream's target is the Service's cluster DNS name and port, so the
linker follows the Service's alias to its pods. Which controller serves an Ingress comes
from its class (``spec.ingressClassName``, the legacy annotation, an ``IngressClass`` in
the tree) or, without one, from controller-specific annotations; an Ingress whose
controller cannot be told is not modelled rather than guessed.

* AWS Load Balancer Controller: ALB per Ingress (or IngressGroup), NLB per
  ``LoadBalancer`` Service with ``aws-load-balancer-type: nlb|external``; in-tree AWS
  cloud provider: CLB per ``LoadBalancer`` Service with ``aws-load-balancer-*``
  annotations.
* GKE Ingress (class ``gce``/``gce-internal``): the Google Cloud HTTP(S) load balancer,
  whose backend keep-alive is a fixed 600 s; ``BackendConfig`` gives ``timeoutSec`` and
  connection draining.
* ingress-nginx: one component per ingress class, settings from its ConfigMap, Ingress
  annotations and the controller's defaults.
* Gateway API: one component per Gateway, HTTPRoute ``timeouts`` on its upstreams.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

from tolint import durations
from tolint.graph import (
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
    Upstream,
    Value,
)
from tolint.numbers import is_int
from tolint.parsers import k8s_defaults as defaults
from tolint.parsers.k8s_graph import BuildState, Cluster
from tolint.parsers.k8s_objects import Annotation, BackendRef, Ingress, K8sObject, Reader, Service, ingress
from tolint.yaml_nodes import Node, scalar_text

ALB = "alb.ingress.kubernetes.io/"
NGINX = "nginx.ingress.kubernetes.io/"
AWS_SERVICE = "service.beta.kubernetes.io/aws-load-balancer-"
LB_KINDS = ("aws-alb", "aws-nlb", "aws-clb", "gcp-lb", "ingress-nginx", "k8s-gateway")
_CONTROLLERS = {
    "ingress.k8s.aws/alb": "alb",
    "k8s.io/ingress-nginx": "ingress-nginx",
    "networking.gke.io/ingress-gce": "gce",
}


def annotation_value(obj: K8sObject, annotation: Annotation, key: str, seconds: float, raw: str) -> Duration:
    return Duration(seconds=seconds, key=key, raw=raw,
                    provenance=Provenance(file=obj.file, line=annotation.line, column=annotation.column))


def key_value_list(text: str) -> dict[str, str]:
    """``"idle_timeout.timeout_seconds=600,routing.http2.enabled=true"`` -> a dict."""
    result: dict[str, str] = {}
    for part in text.split(","):
        key, eq, value = part.partition("=")
        if eq:
            result[key.strip()] = value.strip()
    return result


class _Context:
    def __init__(self, state: BuildState) -> None:
        self.state = state
        self.cluster: Cluster = state.cluster
        self.diagnostics = state.cluster.diagnostics
        self.backend_configs: dict[tuple[str | None, str], list[K8sObject]] = defaultdict(list)
        for obj in self.cluster.by_kind.get("BackendConfig", []):
            self.backend_configs[(obj.namespace, obj.name)].append(obj)

    def bad(self, obj: K8sObject, annotation: Annotation, message: str) -> None:
        self.diagnostics.append(Diagnostic(file=obj.file, line=annotation.line, column=annotation.column,
                                           message=f"{obj.ref}: {message}"))

    def attribute(self, obj: K8sObject, annotation_key: str, attribute: str, default: defaults.Default,
                  anchor: Node, low: int = 0, high: int = 1_000_000) -> Duration:
        """An AWS attribute (``key=value`` list in an annotation) in seconds, or the AWS default."""
        annotation = obj.annotations().get(annotation_key)
        if annotation is not None:
            values = key_value_list(annotation.value)
            if attribute in values:
                text = values[attribute]
                if is_int(text) and low <= int(text) <= high:
                    return annotation_value(obj, annotation, attribute, float(text), f"{attribute}={text}")
                self.bad(obj, annotation, f"{attribute} must be an integer from {low} to {high}, got \"{text}\"")
        return default.duration(obj.file, anchor.line, anchor.column)

    def backend_target(self, obj: K8sObject, ref: BackendRef) -> tuple[Target, Service | None]:
        namespace = obj.namespace or "default"
        svc, _reason = self.cluster.find_service(namespace, ref.service, obj.file)
        port = ref.port
        if isinstance(port, str) and svc is not None:
            port = next((p.port for p in svc.ports if p.name == port), port)
        shown = f"{ref.service}:{port}" if port is not None else ref.service
        return Target(
            host=self.cluster.fqdn(ref.service, namespace),
            port=port if isinstance(port, int) else None,
            scheme="http",
            raw=shown,
            provenance=obj.provenance(ref.node),
        ), svc


# -- which controller serves an Ingress ---------------------------------------------------------


def ingress_controller(item: Ingress, classes: dict[str, K8sObject]) -> str | None:
    """The controller that serves an Ingress: "alb", "gce", "ingress-nginx", or None when it cannot be told."""
    annotations = item.obj.annotations()
    name = item.class_name
    if name is None:
        for obj in classes.values():
            marker = obj.annotations().get("ingressclass.kubernetes.io/is-default-class")
            if marker is not None and marker.value.lower() == "true":
                name = obj.name
    if name is not None and name in classes:
        controller_node = classes[name].node.path("spec", "controller")
        controller = scalar_text(controller_node)
        return _CONTROLLERS.get(controller or "")
    if any(key.startswith("nginx.org/") for key in annotations):
        return None  # NGINX Inc.'s controller: its defaults are not modelled
    if name in ("alb",) or (name is None and any(key.startswith(ALB) for key in annotations)):
        return "alb"
    if name in ("gce", "gce-internal") or (name is None and any(
            key.startswith(("ingress.gcp.kubernetes.io/", "networking.gke.io/"))
            or key == "kubernetes.io/ingress.global-static-ip-name" for key in annotations)):
        return "gce"
    if name == "nginx" or (name is None and any(key.startswith(NGINX) for key in annotations)):
        return "ingress-nginx"
    return None


def build_balancers(state: BuildState) -> None:
    ctx = _Context(state)
    by_controller: dict[str, list[Ingress]] = defaultdict(list)
    classes = {obj.name: obj for obj in ctx.cluster.by_kind.get("IngressClass", [])}
    for obj in ctx.cluster.by_kind.get("Ingress", []):
        item = ingress(obj, ctx.diagnostics)
        controller = ingress_controller(item, classes)
        if controller is not None and item.backends:
            by_controller[controller].append(item)
    _albs(ctx, by_controller.get("alb", []))
    for item in by_controller.get("gce", []):
        _gclb(ctx, item)
    _ingress_nginx(ctx, by_controller.get("ingress-nginx", []))
    for svc in ctx.cluster.services:
        if svc.type == "LoadBalancer":
            _service_balancer(ctx, svc)
    _gateways(ctx)


# -- AWS ALB ----------------------------------------------------------------------------------------


def _albs(ctx: _Context, items: list[Ingress]) -> None:
    groups: dict[str, list[Ingress]] = defaultdict(list)
    for item in items:
        group = item.obj.annotations().get(f"{ALB}group.name")
        key = f"group {group.value}" if group is not None else f"{item.obj.file}:{item.obj.ref}"
        groups[key].append(item)
    for key, members in groups.items():
        _alb(ctx, key, members)


def _alb(ctx: _Context, key: str, members: list[Ingress]) -> None:
    first = members[0].obj
    group = first.annotations().get(f"{ALB}group.name")
    label = f"ALB for IngressGroup {group.value}" if group is not None else f"ALB for {first.ref}"
    component = Component(
        id=ctx.state.unique_id(f"aws-alb:{key}" if group is not None else f"aws-alb:{first.file}:{first.ref}"),
        kind="aws-alb", product="AWS ALB", name=label, location=first.provenance(),
        files=sorted({item.obj.file for item in members}),
    )
    # Attributes may be written on any member of a group; the first that sets one wins.
    carrier = next((item.obj for item in members if f"{ALB}load-balancer-attributes" in item.obj.annotations()), first)
    idle = ctx.attribute(carrier, f"{ALB}load-balancer-attributes", "idle_timeout.timeout_seconds",
                         defaults.ALB_IDLE, carrier.annotation_anchor, 1, 4000)
    client_age = ctx.attribute(carrier, f"{ALB}load-balancer-attributes", "client_keep_alive.seconds",
                               defaults.ALB_CLIENT_KEEPALIVE, carrier.annotation_anchor, 60, 604800)
    ingress_delay = ctx.attribute(first, f"{ALB}target-group-attributes", "deregistration_delay.timeout_seconds",
                                  defaults.TARGET_GROUP_DEREGISTRATION, first.annotation_anchor, 0, 3600)
    component.listeners.append(Listener(
        id=f"{component.id}:listener", component=component.id, name=f"{label} (client side)",
        location=first.provenance(), endpoints=[Endpoint(port=port) for port in _alb_ports(ctx, first)],
        names=sorted({host for item in members for host in item.hosts}),
        idle_timeout=idle, max_connection_age=client_age,
    ))
    seen: set[tuple[str, str]] = set()
    for item in members:
        for ref in item.backends:
            target, svc = ctx.backend_target(item.obj, ref)
            if (target.host or "", target.raw) in seen:
                continue
            seen.add((target.host or "", target.raw))
            # Target-group attributes on the Service take precedence over the Ingress's.
            owner = svc.obj if svc is not None and f"{ALB}target-group-attributes" in svc.obj.annotations() else item.obj
            delay = ctx.attribute(owner, f"{ALB}target-group-attributes", "deregistration_delay.timeout_seconds",
                                  defaults.TARGET_GROUP_DEREGISTRATION, owner.annotation_anchor, 0, 3600)
            upstream = Upstream(
                id=f"{component.id}:{item.obj.file}:{ref.node.line}",
                component=component.id,
                name=f"{label} -> Service {item.obj.namespace}/{target.raw}",
                location=item.obj.provenance(ref.node),
                targets=[target],
                serves=[component.listeners[0].id],
                reuse=Value(value=True, key="ALB target connections", raw="HTTP keep-alive to targets",
                            provenance=Provenance(default=default_source(product="AWS ALB",
                                                                        source=defaults.ALB_ATTRIBUTES))),
                idle_timeout=idle,
            )
            upstream.settings["deregistration_delay"] = delay
            component.upstreams.append(upstream)
    component.lifecycle = Lifecycle(deregistration_delay=ingress_delay, location=first.provenance())
    for item in members:
        ctx.state.produced[id(item.obj)].extend([component.id, *(u.id for u in component.upstreams)])
    ctx.state.components.append(component)


def _alb_ports(ctx: _Context, obj: K8sObject) -> list[int]:
    annotation = obj.annotations().get(f"{ALB}listen-ports")
    if annotation is not None:
        try:
            data = json.loads(annotation.value)
            return sorted({int(port) for entry in data for port in entry.values()})
        except (ValueError, TypeError, AttributeError):
            ctx.bad(obj, annotation, 'listen-ports must be JSON like [{"HTTP": 80}, {"HTTPS": 443}]')
    return [443] if f"{ALB}certificate-arn" in obj.annotations() else [80]


# -- Google Cloud HTTP(S) load balancer (GKE Ingress) -------------------------------------------------


def _gclb(ctx: _Context, item: Ingress) -> None:
    obj = item.obj
    label = f"Google Cloud load balancer for {obj.ref}"
    component = Component(id=ctx.state.unique_id(f"gcp-lb:{obj.file}:{obj.ref}"), kind="gcp-lb",
                          product="Google Cloud HTTP(S) LB", name=label, location=obj.provenance(), files=[obj.file])
    listener = Listener(id=f"{component.id}:listener", component=component.id, name=f"{label} (client side)",
                        location=obj.provenance(), endpoints=[Endpoint(port=80)], names=sorted(set(item.hosts)),
                        idle_timeout=defaults.GCLB_CLIENT_KEEPALIVE.duration(obj.file, obj.line))
    component.listeners.append(listener)
    for ref in item.backends:
        target, svc = ctx.backend_target(obj, ref)
        upstream = Upstream(
            id=f"{component.id}:{obj.file}:{ref.node.line}", component=component.id,
            name=f"{label} -> Service {obj.namespace}/{target.raw}", location=obj.provenance(ref.node),
            targets=[target], serves=[listener.id],
            reuse=Value(value=True, key="backend keep-alive", raw="HTTP keep-alive to backends",
                        provenance=Provenance(default=default_source(product="Google Cloud HTTP(S) LB",
                                                                    source=defaults.GCP_TIMEOUTS))),
            idle_timeout=defaults.GCLB_BACKEND_KEEPALIVE.duration(obj.file, ref.node.line, ref.node.column),
        )
        config = _backend_config(ctx, svc, target.port) if svc is not None else None
        timeout = None
        draining = None
        if config is not None:
            reader = Reader(config, ctx.diagnostics)
            spec = config.node.get("spec")
            timeout = reader.seconds(spec, "timeoutSec", minimum=1) if spec is not None else None
            draining_node = spec.get("connectionDraining") if spec is not None else None
            draining = reader.seconds(draining_node, "drainingTimeoutSec") if draining_node is not None else None
        upstream.request_timeout = timeout or defaults.GCP_BACKEND_TIMEOUT.duration(
            (config or obj).file, (config or obj).line)
        if draining is not None:
            upstream.settings["deregistration_delay"] = draining
        component.upstreams.append(upstream)
    component.lifecycle = Lifecycle(location=obj.provenance())
    ctx.state.produced[id(obj)].extend([component.id, *(u.id for u in component.upstreams)])
    ctx.state.components.append(component)


def _backend_config(ctx: _Context, svc: Service, port: int | None) -> K8sObject | None:
    annotations = svc.obj.annotations()
    annotation = annotations.get("cloud.google.com/backend-config") or annotations.get(
        "beta.cloud.google.com/backend-config")
    if annotation is None:
        return None
    try:
        data = json.loads(annotation.value)
    except ValueError:
        ctx.bad(svc.obj, annotation, 'backend-config must be JSON like {"default": "my-backendconfig"}')
        return None
    name = None
    if isinstance(data, dict):
        ports = data.get("ports") if isinstance(data.get("ports"), dict) else {}
        name = ports.get(str(port)) if port is not None else None
        name = name or data.get("default")
    if not isinstance(name, str):
        return None
    found = ctx.backend_configs.get((svc.namespace, name), [])
    return found[0] if len(found) == 1 else None


# -- ingress-nginx ----------------------------------------------------------------------------------


@dataclass
class _NginxSetting:
    text: str
    provenance: Provenance
    key: str


class _IngressNginxConfig:
    """ConfigMap keys of one controller, with the controller's documented defaults behind them."""

    def __init__(self, config_map: K8sObject | None) -> None:
        self.config_map = config_map
        data = config_map.node.get("data") if config_map is not None else None
        self.values: dict[str, tuple[str, Node]] = {}
        if data is not None and data.is_map:
            for key, value in data.items():
                if key.is_scalar and value.is_scalar:
                    self.values[str(key.value)] = (value.text() or "", key)

    def get(self, key: str, item: Ingress | None = None, anchor: Node | None = None) -> _NginxSetting:
        if item is not None and key in defaults.INGRESS_NGINX_ANNOTATED:
            annotation = item.obj.annotations().get(NGINX + key)
            if annotation is not None:
                return _NginxSetting(annotation.value, Provenance(file=item.obj.file, line=annotation.line,
                                                                  column=annotation.column), NGINX + key)
        if key in self.values and self.config_map is not None:
            text, node = self.values[key]
            return _NginxSetting(text, self.config_map.provenance(node), key)
        source = defaults.INGRESS_NGINX_ANNOTATIONS if key in defaults.INGRESS_NGINX_ANNOTATED \
            else defaults.INGRESS_NGINX_CONFIGMAP
        where = self.config_map if self.config_map is not None else (item.obj if item is not None else None)
        line_node = anchor if anchor is not None and self.config_map is None else (where.node if where else None)
        return _NginxSetting(defaults.INGRESS_NGINX_KEYS[key].default, Provenance(
            file=where.file if where else None, line=line_node.line if line_node else None,
            default=default_source(product="ingress-nginx", versions="controller v1.15", source=source)), key)


def _nginx_duration(ctx: _Context, setting: _NginxSetting, zero_is_unlimited: bool = False) -> Duration | None:
    unit = defaults.INGRESS_NGINX_KEYS[setting.key.removeprefix(NGINX)].unit
    try:
        seconds = durations.parse_nginx(setting.text) if unit == "nginx" else durations.parse_number(setting.text)
    except ValueError as exc:
        if setting.provenance.file is not None and not setting.provenance.is_default:
            ctx.diagnostics.append(Diagnostic(file=setting.provenance.file, line=setting.provenance.line,
                                              message=f"invalid value for {setting.key}: {exc}"))
        return None
    if zero_is_unlimited and seconds == 0:
        seconds = None  # type: ignore[assignment]
    raw = f"{setting.key}: {setting.text}" if not setting.provenance.is_default else f"{setting.key} (not set)"
    return Duration(seconds=seconds, key=setting.key, raw=raw, provenance=setting.provenance)


def _nginx_value(setting: _NginxSetting, value: object) -> Value:
    raw = f"{setting.key}: {setting.text}" if not setting.provenance.is_default else f"{setting.key} (not set)"
    return Value(value=value, key=setting.key, raw=raw, provenance=setting.provenance)  # type: ignore[arg-type]


def _controller_configmap(ctx: _Context) -> tuple[K8sObject | None, str | None]:
    from tolint.parsers.k8s_embedded import is_controller_configmap

    found = [obj for obj in ctx.cluster.by_kind.get("ConfigMap", []) if is_controller_configmap(obj)]
    if len(found) > 1:
        names = ", ".join(sorted(f"{obj.file}: {obj.ref}" for obj in found))
        return None, f"several ingress-nginx ConfigMaps ({names}); tolint cannot tell which controller reads which"
    return (found[0] if found else None), None


def _ingress_nginx(ctx: _Context, items: list[Ingress]) -> None:
    if not items:
        return
    config_map, problem = _controller_configmap(ctx)
    if problem is not None:
        first = items[0].obj
        ctx.diagnostics.append(Diagnostic(file=first.file, line=first.line, severity="warning",
                                          message=f"{problem}; ingress-nginx Ingresses are not modelled"))
        return
    config = _IngressNginxConfig(config_map)
    by_class: dict[str, list[Ingress]] = defaultdict(list)
    for item in items:
        by_class[item.class_name or "nginx"].append(item)
    for class_name, members in sorted(by_class.items()):
        first = members[0].obj
        anchor = config_map if config_map is not None else first
        component = Component(
            id=ctx.state.unique_id(f"ingress-nginx:{class_name}"), kind="ingress-nginx", product="ingress-nginx",
            version="1.15", name=f"ingress-nginx (class {class_name})", location=anchor.provenance(),
            files=sorted({item.obj.file for item in members} | ({config_map.file} if config_map else set())),
        )
        listener = Listener(
            id=f"{component.id}:listener", component=component.id, name=f"ingress-nginx (class {class_name})",
            location=anchor.provenance(), endpoints=[Endpoint(port=80), Endpoint(port=443)],
            names=sorted({host for item in members for host in item.hosts}),
            idle_timeout=_nginx_duration(ctx, config.get("keep-alive")),
            header_timeout=_nginx_duration(ctx, config.get("client-header-timeout")),
            body_timeout=_nginx_duration(ctx, config.get("client-body-timeout")),
        )
        component.listeners.append(listener)
        for item in members:
            for ref in item.backends:
                component.upstreams.append(_nginx_upstream(ctx, config, component, listener, item, ref))
            ctx.state.produced[id(item.obj)].append(component.id)
        component.lifecycle = Lifecycle(drain_timeout=_nginx_duration(ctx, config.get("worker-shutdown-timeout")),
                                        location=anchor.provenance())
        if config_map is not None:
            ctx.state.produced[id(config_map)].append(component.id)
        for item in members:
            ctx.state.produced[id(item.obj)].extend(
                u.id for u in component.upstreams if u.location.file == item.obj.file)
        ctx.state.components.append(component)


def _nginx_upstream(ctx: _Context, config: _IngressNginxConfig, component: Component, listener: Listener,
                    item: Ingress, ref: BackendRef) -> Upstream:
    obj = item.obj
    target, _svc = ctx.backend_target(obj, ref)
    upstream = Upstream(
        id=f"{component.id}:{obj.file}:{ref.node.line}", component=component.id,
        name=f"ingress-nginx ({obj.ref}) -> Service {obj.namespace}/{target.raw}",
        location=obj.provenance(ref.node), targets=[target], serves=[listener.id],
    )
    setting = lambda key: config.get(key, item, ref.node)  # noqa: E731
    upstream.connect_timeout = _nginx_duration(ctx, setting("proxy-connect-timeout"))
    upstream.read_timeout = _nginx_duration(ctx, setting("proxy-read-timeout"))
    upstream.send_timeout = _nginx_duration(ctx, setting("proxy-send-timeout"))
    pool = setting("upstream-keepalive-connections")
    size = int(pool.text) if is_int(pool.text.strip()) else None
    upstream.pool_size = _nginx_value(pool, size) if size is not None else None
    upstream.reuse = _nginx_value(pool, bool(size))
    upstream.idle_timeout = _nginx_duration(ctx, setting("upstream-keepalive-timeout"))
    upstream.max_lifetime = _nginx_duration(ctx, setting("upstream-keepalive-time"))
    version = setting("proxy-http-version")
    upstream.http_version = _nginx_value(version, version.text)
    if version.text.strip() == "1.0":
        upstream.reuse = _nginx_value(version, False).model_copy(update={
            "detail": "HTTP/1.0 to the backend closes the connection after every response"})
    conditions = setting("proxy-next-upstream")
    words = conditions.text.split()
    tries = setting("proxy-next-upstream-tries")
    upstream.retry = RetryPolicy(
        conditions=_nginx_value(conditions, words),
        non_idempotent=_nginx_value(conditions, "non_idempotent" in words),
        tries=_nginx_value(tries, int(tries.text)) if is_int(tries.text.strip()) else None,
        budget=_nginx_duration(ctx, setting("proxy-next-upstream-timeout"), zero_is_unlimited=True),
    )
    return upstream


# -- LoadBalancer Services (AWS NLB and CLB) ---------------------------------------------------------


def _service_balancer(ctx: _Context, svc: Service) -> None:
    obj = svc.obj
    annotations = obj.annotations()
    lb_type = annotations.get(f"{AWS_SERVICE}type")
    spec = obj.node.get("spec")
    lb_class = spec.get("loadBalancerClass") if spec is not None else None
    is_nlb = (lb_type is not None and lb_type.value.lower() in ("nlb", "external", "nlb-ip")) or (
        lb_class is not None and lb_class.text() == "service.k8s.aws/nlb")
    is_aws = is_nlb or any(key.startswith(AWS_SERVICE) for key in annotations)
    if not is_aws or not svc.ports:
        return  # a LoadBalancer Service on an unknown cloud: nothing documented to assume
    kind, product = ("aws-nlb", "AWS NLB") if is_nlb else ("aws-clb", "AWS CLB")
    label = f"{product.removeprefix('AWS ')} for {obj.ref}"
    component = Component(id=ctx.state.unique_id(f"{kind}:{obj.file}:{obj.ref}"), kind=kind, product=product,
                          name=label, location=obj.provenance(), files=[obj.file])
    backend = annotations.get(f"{AWS_SERVICE}backend-protocol")
    http_backend = not is_nlb and backend is not None and backend.value.lower() in ("http", "https")
    delay = None
    if is_nlb:
        delay = ctx.attribute(obj, f"{AWS_SERVICE}target-group-attributes", "deregistration_delay.timeout_seconds",
                              defaults.TARGET_GROUP_DEREGISTRATION, obj.annotation_anchor, 0, 3600)
    else:
        delay = _clb_draining(ctx, obj)
    for port in svc.ports:
        if is_nlb:
            listener_key = f"{AWS_SERVICE}listener-attributes.{port.protocol.upper()}-{port.port}"
            idle = ctx.attribute(obj, listener_key, "tcp.idle_timeout.seconds", defaults.NLB_TCP_IDLE, port.node,
                                 60, 6000)
        else:
            idle = _clb_idle(ctx, obj, port.node)
        listener = Listener(
            id=f"{component.id}:{port.port}", component=component.id, name=f"{label} port {port.port}",
            location=obj.provenance(port.node), protocol="http" if http_backend else "tcp",
            endpoints=[Endpoint(port=port.port)],
        )
        if http_backend:
            listener.idle_timeout = idle
        else:
            listener.inactivity_timeout = idle
        component.listeners.append(listener)
        target = Target(host=ctx.cluster.fqdn(obj.name, svc.namespace), port=port.port, scheme="tcp",
                        raw=f"{obj.name}:{port.port}", provenance=obj.provenance(port.node))
        if http_backend:
            reuse = Value(value=True, key=f"{AWS_SERVICE}backend-protocol", raw=f"backend-protocol: {backend.value}",
                          provenance=Provenance(file=obj.file, line=backend.line, column=backend.column))
        else:
            reuse = Value(value=False, key="listener protocol", raw="TCP listener",
                          provenance=obj.provenance(port.node),
                          detail=f"an {product} TCP listener forwards each client connection; it pools none")
        upstream = Upstream(
            id=f"{component.id}:{port.port}:upstream", component=component.id,
            name=f"{label} port {port.port} -> pods", location=obj.provenance(port.node),
            protocol="http" if http_backend else "tcp", targets=[target], serves=[listener.id],
            reuse=reuse, idle_timeout=idle,
        )
        component.upstreams.append(upstream)
    component.lifecycle = Lifecycle(deregistration_delay=delay, location=obj.provenance())
    ctx.state.add(obj, component)


def _clb_idle(ctx: _Context, obj: K8sObject, anchor: Node) -> Duration:
    annotation = obj.annotations().get(f"{AWS_SERVICE}connection-idle-timeout")
    if annotation is not None:
        if is_int(annotation.value) and 1 <= int(annotation.value) <= 3600:
            return annotation_value(obj, annotation, f"{AWS_SERVICE}connection-idle-timeout",
                                    float(annotation.value), f"connection-idle-timeout: {annotation.value}")
        ctx.bad(obj, annotation, f'connection-idle-timeout must be 1 to 3600 seconds, got "{annotation.value}"')
    return defaults.CLB_IDLE_DEFAULT.duration(obj.file, anchor.line, anchor.column)


def _clb_draining(ctx: _Context, obj: K8sObject) -> Duration | None:
    """CLB connection draining: only known when the annotations enable it (the default is undocumented)."""
    enabled = obj.annotations().get(f"{AWS_SERVICE}connection-draining-enabled")
    if enabled is None or enabled.value.lower() != "true":
        return None
    timeout = obj.annotations().get(f"{AWS_SERVICE}connection-draining-timeout")
    if timeout is not None and is_int(timeout.value) and 1 <= int(timeout.value) <= 3600:
        return annotation_value(obj, timeout, f"{AWS_SERVICE}connection-draining-timeout", float(timeout.value),
                                f"connection-draining-timeout: {timeout.value}")
    return defaults.CLB_DRAINING_TIMEOUT.duration(obj.file, enabled.line, enabled.column)


# -- Gateway API ------------------------------------------------------------------------------------


def _gateway_duration(obj: K8sObject, parent: Node | None, key: str, diagnostics: list[Diagnostic]) -> Duration | None:
    node = parent.get(key) if parent is not None and parent.is_map else None
    if node is None or not node.is_scalar or node.text() is None:
        return None
    text = node.text() or ""
    try:
        seconds: float | None = durations.parse_go(text)
    except ValueError as exc:
        diagnostics.append(Diagnostic(file=obj.file, line=node.line, column=node.column,
                                      message=f"{obj.ref}: timeouts.{key}: {exc}"))
        return None
    if seconds == 0:
        seconds = None  # "0s" disables the timeout (GEP-1742)
    key_node = parent.key_node(key) if parent is not None else None
    shown = key_node or node
    return Duration(seconds=seconds, key=f"timeouts.{key}", raw=f"timeouts.{key}: {text}",
                    provenance=obj.provenance(shown))


def _gateways(ctx: _Context) -> None:
    gateways = {(obj.namespace, obj.name): obj for obj in ctx.cluster.by_kind.get("Gateway", [])
                if obj.api_version.startswith("gateway.networking.k8s.io")}
    components: dict[tuple[str | None, str], Component] = {}
    for route in ctx.cluster.by_kind.get("HTTPRoute", []):
        reader = Reader(route, ctx.diagnostics)
        spec = reader.mapping(route.node, "spec")
        if spec is None:
            continue
        for parent in reader.sequence(spec, "parentRefs"):
            if not parent.is_map:
                continue
            kind = parent.get("kind")
            if kind is not None and kind.text() not in (None, "Gateway"):
                continue
            name = parent.get("name")
            namespace = parent.get("namespace")
            if name is None or not name.is_scalar or not name.text():
                continue
            key = (scalar_text(namespace) or route.namespace,
                   str(name.text()))
            component = components.get(key)
            if component is None:
                component = _gateway_component(ctx, key, gateways.get(key), route)
                components[key] = component
            _route_upstreams(ctx, component, route, spec, reader)
            ctx.state.produced[id(route)].append(component.id)
    for component in components.values():
        ctx.state.components.append(component)


def _gateway_component(ctx: _Context, key: tuple[str | None, str], gateway: K8sObject | None,
                       route: K8sObject) -> Component:
    anchor = gateway or route
    class_node = gateway.node.path("spec", "gatewayClassName") if gateway is not None else None
    product = scalar_text(class_node) or "Gateway API"
    name = f"Gateway {key[0]}/{key[1]}" + ("" if gateway is not None else " (not in the linted tree)")
    component = Component(id=ctx.state.unique_id(f"k8s-gateway:{key[0]}/{key[1]}"), kind="k8s-gateway",
                          product=product, name=name, location=anchor.provenance(), files=[anchor.file])
    ports: list[Endpoint] = []
    names: list[str] = []
    if gateway is not None:
        for item in Reader(gateway, ctx.diagnostics).sequence(gateway.node.get("spec"), "listeners"):
            port = item.get("port") if item.is_map else None
            if port is not None and port.as_int() is not None:
                ports.append(Endpoint(port=port.as_int()))
            hostname = item.get("hostname") if item.is_map else None
            if hostname is not None and hostname.is_scalar and hostname.text():
                names.append(str(hostname.text()))
        ctx.state.produced[id(gateway)].append(component.id)
    component.listeners.append(Listener(id=f"{component.id}:listener", component=component.id, name=name,
                                        location=anchor.provenance(), endpoints=ports, names=names))
    return component


def _route_upstreams(ctx: _Context, component: Component, route: K8sObject, spec: Node, reader: Reader) -> None:
    for rule in reader.sequence(spec, "rules"):
        if not rule.is_map:
            continue
        timeouts = rule.get("timeouts")
        request = _gateway_duration(route, timeouts, "request", ctx.diagnostics)
        backend_request = _gateway_duration(route, timeouts, "backendRequest", ctx.diagnostics)
        for backend in reader.sequence(rule, "backendRefs"):
            if not backend.is_map:
                continue
            kind = backend.get("kind")
            if kind is not None and kind.text() not in (None, "Service"):
                continue
            name = backend.get("name")
            if name is None or not name.is_scalar or not name.text():
                continue
            port = backend.get("port")
            namespace = backend.get("namespace")
            ns = scalar_text(namespace) or route.namespace
            number = port.as_int() if port is not None else None
            target = Target(host=ctx.cluster.fqdn(str(name.text()), ns or "default"), port=number, scheme="http",
                            raw=f"{name.text()}:{number}" if number else str(name.text()),
                            provenance=route.provenance(backend))
            upstream = Upstream(
                id=f"{component.id}:{route.file}:{backend.line}", component=component.id,
                name=f"{component.name} ({route.ref}) -> Service {ns}/{target.raw}",
                location=route.provenance(backend), targets=[target], serves=[component.listeners[0].id],
                request_timeout=backend_request or request,
            )
            if request is not None:
                upstream.settings["timeouts.request"] = request
            component.upstreams.append(upstream)
            ctx.state.produced[id(route)].append(upstream.id)
