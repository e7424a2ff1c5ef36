"""Kubernetes objects to graph components: workload containers, Service aliases, and the index that links them.

* Every container of a pod template is a ``k8s-workload`` component with one listener per
  port it serves (declared ``containerPort``\\s, the ports its app server binds, and
  numbered Service ``targetPort``\\s), carrying the app server's keep-alive settings, and a
  ``Lifecycle`` (grace period, preStop delay, the server's own drain time).
* A container that runs nginx from a ConfigMap it mounts is that nginx component instead:
  the ConfigMap's server blocks are the pod's listeners.
* Every Service port is an ``Alias``: its DNS names (``svc``, ``svc.ns``, ``svc.ns.svc``,
  ``svc.ns.svc.<cluster domain>``) lead to the listeners its ``targetPort`` selects in the
  pods its selector matches (namespace-aware, through a label index, never by scanning).

Objects that appear more than once (the same kind, namespace and name in two files, as
per-environment directories do) are resolved to the copy nearest in the directory tree;
a tie is reported, not guessed.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field

from tolint.graph import (
    Alias,
    Component,
    Diagnostic,
    Duration,
    Endpoint,
    Fragment,
    Lifecycle,
    Listener,
    ObjectSuppression,
    Provenance,
    Value,
)
from tolint.parsers import appservers
from tolint.parsers.appservers import AppServer, EnvVar
from tolint.parsers.k8s_objects import (
    Container,
    K8sObject,
    PodTemplate,
    Service,
    pod_template,
    service,
)

WORKLOAD_KIND = "k8s-workload"
IGNORE_ANNOTATION = "tolint.dev/ignore"


def common_prefix_depth(a: str, b: str) -> int:
    """How close two display paths are: shared leading directories, plus one for the same file."""
    left = os.path.dirname(a).split("/")
    right = os.path.dirname(b).split("/")
    depth = 0
    for x, y in zip(left, right):
        if x != y:
            break
        depth += 1
    return depth + (1 if a == b else 0)


def nearest(candidates: list, file: str, key=lambda item: item.obj.file):  # noqa: ANN001, ANN201
    """The candidates sharing the longest directory prefix with ``file``."""
    if len(candidates) <= 1:
        return candidates
    scored = [(common_prefix_depth(key(item), file), item) for item in candidates]
    best = max(score for score, _ in scored)
    return [item for score, item in scored if score == best]


@dataclass
class PodPorts:
    """What a pod template answers on: port number -> listener ids, port name -> number."""

    by_number: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    by_name: dict[str, int] = field(default_factory=dict)
    # Containers that could answer a port no container declares (single-container pods).
    fallback: list[tuple[Component, AppServer | None]] = field(default_factory=list)


class Cluster:
    """Every object of the run, indexed for linking (namespace-aware, no linear scans per lookup)."""

    def __init__(self, objects: list[K8sObject], diagnostics: list[Diagnostic], cluster_domain: str) -> None:
        self.objects = objects
        self.diagnostics = diagnostics
        self.domain = cluster_domain.strip(".") or "cluster.local"
        self.by_kind: dict[str, list[K8sObject]] = defaultdict(list)
        for obj in objects:
            self.by_kind[obj.kind].append(obj)
        self.pods: list[PodTemplate] = []
        for obj in objects:
            template = pod_template(obj, diagnostics)
            if template is not None:
                self.pods.append(template)
        self.label_index: dict[tuple[str, str, str], list[PodTemplate]] = defaultdict(list)
        self.pods_by_namespace: dict[str, list[PodTemplate]] = defaultdict(list)
        for pod in self.pods:
            self.pods_by_namespace[pod.namespace].append(pod)
            for key, value in pod.labels.items():
                self.label_index[(pod.namespace, key, value)].append(pod)
        self.services: list[Service] = [service(obj, diagnostics) for obj in self.by_kind.get("Service", [])]
        self.services_by_name: dict[tuple[str, str], list[Service]] = defaultdict(list)
        for svc in self.services:
            self.services_by_name[(svc.namespace, svc.obj.name)].append(svc)
        self.configmaps: dict[tuple[str, str], list[K8sObject]] = defaultdict(list)
        for obj in self.by_kind.get("ConfigMap", []):
            self.configmaps[(obj.namespace or "default", obj.name)].append(obj)

    def fqdn(self, name: str, namespace: str) -> str:
        return f"{name}.{namespace}.svc.{self.domain}"

    def find_service(self, namespace: str, name: str, near: str) -> tuple[Service | None, str]:
        """The Service ``namespace/name`` as seen from file ``near``, or why there is none."""
        found = nearest(self.services_by_name.get((namespace, name), []), near)
        if not found:
            return None, f"Service {namespace}/{name} is not in the linted tree"
        if len(found) > 1:
            files = ", ".join(sorted({svc.obj.file for svc in found}))
            return None, f"Service {namespace}/{name} is defined {len(found)} times ({files})"
        return found[0], ""

    def select(self, svc: Service) -> tuple[list[PodTemplate], str]:
        """The pod templates a Service's selector matches, and a reason when it matches none."""
        if svc.selector is None:
            return [], f"{svc.obj.ref} has no selector; its endpoints are managed outside the manifests"
        sets = [self.label_index.get((svc.namespace, key, value), []) for key, value in svc.selector.items()]
        smallest = min(sets, key=len)
        matched = [pod for pod in smallest if all(pod.labels.get(k) == v for k, v in svc.selector.items())]
        if not matched:
            wanted = ",".join(f"{k}={v}" for k, v in sorted(svc.selector.items()))
            return [], f"selector {wanted} of {svc.obj.ref} matches no pod template in the linted tree"
        # Copies of one workload in several files: keep the copy nearest to the Service.
        by_identity: dict[tuple, list[PodTemplate]] = defaultdict(list)
        for pod in matched:
            by_identity[pod.owner.identity].append(pod)
        chosen: list[PodTemplate] = []
        for copies in by_identity.values():
            near = nearest(copies, svc.obj.file, key=lambda pod: pod.owner.file)
            if len(near) == 1:
                chosen.append(near[0])
        if not chosen:
            return [], f"{svc.obj.ref} selects workloads defined in several files at the same distance"
        return chosen, ""

    def configmap_data(self, namespace: str, name: str, near: str) -> K8sObject | None:
        found = nearest(self.configmaps.get((namespace, name), []), near, key=lambda obj: obj.file)
        return found[0] if len(found) == 1 else None


@dataclass
class BuildState:
    """Everything the builders produce, plus which object produced which graph ids (for suppressions)."""

    cluster: Cluster
    components: list[Component] = field(default_factory=list)
    aliases: list[Alias] = field(default_factory=list)
    produced: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    pod_ports: dict[int, PodPorts] = field(default_factory=dict)
    used_ids: set[str] = field(default_factory=set)
    # ConfigMap (namespace, name) -> nginx components built from it, and who mounts them.
    embedded: dict[tuple[str, str], list[Component]] = field(default_factory=dict)

    def unique_id(self, base: str) -> str:
        candidate, counter = base, 2
        while candidate in self.used_ids:
            candidate = f"{base}#{counter}"
            counter += 1
        self.used_ids.add(candidate)
        return candidate

    def add(self, obj: K8sObject, component: Component) -> None:
        self.components.append(component)
        ids = self.produced[id(obj)]
        ids.append(component.id)
        ids.extend(listener.id for listener in component.listeners)
        ids.extend(upstream.id for upstream in component.upstreams)


# -- workloads --------------------------------------------------------------------------------


def build_workloads(state: BuildState) -> None:
    mounted_by: dict[tuple[str, str], list[tuple[PodTemplate, Container]]] = defaultdict(list)
    for pod in state.cluster.pods:
        for container in pod.containers:
            for volume, _path in container.mounts:
                config_map = pod.configmap_volumes.get(volume)
                if config_map is not None and (pod.namespace, config_map) in state.embedded:
                    mounted_by[(pod.namespace, config_map)].append((pod, container))
    for pod in state.cluster.pods:
        ports = PodPorts()
        state.pod_ports[id(pod)] = ports
        for container in pod.containers:
            if container.name == "istio-proxy":
                continue  # an already-injected Istio sidecar: k8s_mesh models it
            embedded = _embedded_server(state, pod, container, mounted_by)
            if embedded is not None:
                _adopt_embedded(state, pod, container, embedded, ports)
            else:
                _workload_component(state, pod, container, ports)


# Image or command names that show a container runs the product of an embedded config.
_SERVER_IMAGES = {"nginx": ("nginx", "openresty"), "haproxy": ("haproxy",)}


def _embedded_server(state: BuildState, pod: PodTemplate, container: Container,
                     mounted_by: dict[tuple[str, str], list[tuple[PodTemplate, Container]]]) -> Component | None:
    """The nginx or HAProxy component a container runs from a ConfigMap it alone mounts, if any."""
    image = (container.image or "").lower()
    command = " ".join(token.text for token in container.argv).lower()
    for volume, _path in container.mounts:
        config_map = pod.configmap_volumes.get(volume)
        key = (pod.namespace, config_map) if config_map else None
        if key is None or key not in state.embedded:
            continue
        components = state.embedded[key]
        if len(components) != 1 or len(mounted_by[key]) != 1:
            continue  # shared by several containers or several main files: kept on its own
        component = components[0]
        runs_it = any(name in image or name in command for name in _SERVER_IMAGES.get(component.product, ()))
        declared_ports = {port.number for port in container.ports}
        listens = {endpoint.port for listener in component.listeners for endpoint in listener.endpoints}
        if runs_it or (declared_ports & listens):
            return component
    return None


def _adopt_embedded(state: BuildState, pod: PodTemplate, container: Container, component: Component,
                    ports: PodPorts) -> None:
    owner = pod.owner
    component.name = f"{component.name} in {owner.ref} container {container.name}"
    component.lifecycle = _lifecycle(pod, container, None, component.lifecycle)
    _probe_settings(component, container)
    for listener in component.listeners:
        for endpoint in listener.endpoints:
            if endpoint.port is not None and not _loopback(endpoint.host):
                ports.by_number[endpoint.port].append(listener.id)
    for port in container.ports:
        if port.name:
            ports.by_name[port.name] = port.number
    ids = state.produced[id(owner)]
    ids.append(component.id)
    ids.extend(listener.id for listener in component.listeners)
    ids.extend(upstream.id for upstream in component.upstreams)


def _loopback(host: str | None) -> bool:
    return host is not None and (host in ("localhost", "::1") or host.startswith("127."))


def _env_with_configmaps(state: BuildState, pod: PodTemplate, container: Container) -> dict[str, EnvVar]:
    """The container's env, plus literal values of ConfigMaps it loads with envFrom (env wins)."""
    env: dict[str, EnvVar] = {}
    for name in container.env_from_configmaps:
        config_map = state.cluster.configmap_data(pod.namespace, name, pod.owner.file)
        data = config_map.node.get("data") if config_map is not None else None
        if data is None or not data.is_map:
            continue
        for key, value in data.items():
            if key.is_scalar and value.is_scalar:
                env[str(key.value)] = EnvVar(value.text() or "", appservers.Token(
                    value.text() or "", config_map.file, value.line, value.column))  # type: ignore[union-attr]
    env.update(container.env)
    return env


def _workload_component(state: BuildState, pod: PodTemplate, container: Container, ports: PodPorts) -> None:
    owner = pod.owner
    env = _env_with_configmaps(state, pod, container)
    server = appservers.recognise(container.argv, env)
    declared = _declared_for(pod, container.name)
    server, problems = appservers.apply_declared(server, declared)
    for problem, token in problems:
        state.cluster.diagnostics.append(Diagnostic(file=token.file, line=token.line, column=token.column,
                                                    message=f"{owner.ref}: {problem}"))
    base = f"k8s:{owner.file}:{owner.kind}/{owner.namespace}/{owner.name}/{container.name}"
    component_id = state.unique_id(base)
    component = Component(
        id=component_id,
        kind=WORKLOAD_KIND,
        product=server.product if server is not None else "container",
        version=server.version if server is not None else None,
        name=f"{owner.ref} container {container.name}",
        location=owner.provenance(container.node),
        files=[owner.file],
    )
    if server is not None:
        component.settings["app server"] = Value(value=server.description, key="app server", raw=server.description,
                                                 provenance=server.anchor.provenance(),
                                                 detail="; ".join(server.notes) or None)
    component.lifecycle = _lifecycle(pod, container, server, None)
    _probe_settings(component, container)

    served = {port.number: port for port in container.ports}
    server_ports = [p for p in (server.ports if server is not None else []) if p not in served]
    for number in sorted(set(served) | set(server_ports)):
        _listener(component, owner, container, number, served.get(number), server)
    for port in container.ports:
        if port.name:
            ports.by_name[port.name] = port.number
    for listener in component.listeners:
        for endpoint in listener.endpoints:
            if endpoint.port is not None:
                ports.by_number[endpoint.port].append(listener.id)
    ports.fallback.append((component, server))
    state.add(owner, component)


def _declared_for(pod: PodTemplate, container: str) -> dict[str, appservers.Declared]:
    """``tolint.dev/<key>`` for every container, ``tolint.dev/<key>.<container>`` for one (which wins)."""
    result: dict[str, appservers.Declared] = {}
    scoped: dict[str, appservers.Declared] = {}
    for key, item in pod.declared().items():
        name, dot, target = key.partition(".")
        if not dot:
            result[name] = item
        elif target == container:
            scoped[name] = item
    result.update(scoped)
    result.pop("ignore", None)
    return result


def _listener(component: Component, owner: K8sObject, container: Container, number: int,
              port, server: AppServer | None) -> Listener:  # noqa: ANN001 - ContainerPort | None
    applies = server is not None and (not server.ports or number in server.ports)
    label = f"{owner.ref} container {container.name} port {number}"
    if applies and server is not None:
        label += f" ({server.description})"
    location = owner.provenance(port.node) if port is not None else (
        server.anchor.provenance() if server is not None else component.location)
    listener = Listener(
        id=f"{component.id}:{number}",
        component=component.id,
        name=label,
        location=location,
        protocol="udp" if port is not None and port.protocol.upper() == "UDP" else "http",
        endpoints=[Endpoint(host=server.bind_host if applies and server is not None and server.bind_host
                            not in (None, "0.0.0.0", "::") else None, port=number)],
    )
    if port is not None:
        listener.settings["containerPort"] = Value(value=number, key="containerPort", raw=f"containerPort: {number}",
                                                   provenance=location)
    if applies and server is not None:
        listener.idle_timeout = server.idle_timeout
        listener.request_timeout = server.request_timeout
        listener.header_timeout = server.header_timeout
        keep_alive = server.settings.get("keep-alive")
        if keep_alive is not None:
            listener.settings["keep-alive"] = keep_alive
    component.listeners.append(listener)
    return listener


def _lifecycle(pod: PodTemplate, container: Container, server: AppServer | None,
               existing: Lifecycle | None) -> Lifecycle:
    declared = _declared_for(pod, container.name)
    prestop: Duration | None = container.prestop.delay if container.prestop is not None else None
    if "prestop-delay" in declared:
        item = declared["prestop-delay"]
        try:
            seconds = appservers.parse_declared_duration(item.value)
        except ValueError:
            seconds = None
        if seconds is not None:
            prestop = Duration(seconds=seconds, key="tolint.dev/prestop-delay",
                               raw=f"tolint.dev/prestop-delay: {item.value}", provenance=item.token.provenance())
    drain = server.drain_timeout if server is not None else None
    if existing is not None and existing.drain_timeout is not None:
        drain = existing.drain_timeout
    return Lifecycle(grace_period=pod.grace, prestop_delay=prestop, drain_timeout=drain,
                     location=pod.owner.provenance(container.node))


def _probe_settings(component: Component, container: Container) -> None:
    if container.prestop is not None and container.prestop.delay is None:
        component.settings["preStop"] = Value(
            value=container.prestop.kind, key="preStop", raw=container.prestop.detail,
            provenance=Provenance(file=component.location.file, line=container.prestop.node.line,
                                  column=container.prestop.node.column),
            detail="a preStop hook whose duration tolint cannot read")
    for kind, probe in container.probes.items():
        prefix = f"{kind}Probe"
        component.settings[f"{prefix}.timeoutSeconds"] = probe.timeout.model_copy(
            update={"key": f"{prefix}.timeoutSeconds"})
        component.settings[f"{prefix}.periodSeconds"] = probe.period.model_copy(
            update={"key": f"{prefix}.periodSeconds"})
        where = probe.failure_node or probe.node
        component.settings[f"{prefix}.failureThreshold"] = Value(
            value=probe.failure_threshold, key=f"{prefix}.failureThreshold",
            raw=f"failureThreshold: {probe.failure_threshold}",
            provenance=Provenance(file=component.location.file, line=where.line, column=where.column))


# -- Services -------------------------------------------------------------------------------------


def build_service_aliases(state: BuildState) -> None:
    cluster = state.cluster
    for svc in cluster.services:
        pods, reason = cluster.select(svc)
        name, namespace = svc.obj.name, svc.namespace
        # A bare name only means this Service inside its namespace. Callers without a namespace
        # (an nginx file) resolve it only when no other namespace has a Service of that name:
        # the linker reports a name that leads to two different Services as ambiguous.
        names = [name, f"{name}.{namespace}", f"{name}.{namespace}.svc", cluster.fqdn(name, namespace)]
        for port in svc.ports:
            listeners, port_reason = _target_listeners(state, svc, pods, port)
            state.aliases.append(Alias(
                names=names,
                port=port.port,
                listeners=listeners,
                via=f"{svc.obj.ref} port {port.port}",
                location=svc.obj.provenance(port.node),
                reason=reason or port_reason or None,
            ))


def _target_listeners(state: BuildState, svc: Service, pods: list[PodTemplate], port) -> tuple[list[str], str]:  # noqa: ANN001
    listeners: list[str] = []
    missing: list[str] = []
    for pod in pods:
        ports = state.pod_ports.get(id(pod))
        if ports is None:
            continue
        number = port.target if isinstance(port.target, int) else ports.by_name.get(port.target)
        if number is None:
            missing.append(f"{pod.owner.ref} has no container port named {port.target}")
            continue
        found = ports.by_number.get(number)
        if not found:
            found = _undeclared_port(state, pod, ports, number)
        if not found:
            missing.append(f"no container of {pod.owner.ref} serves port {number}")
            continue
        listeners.extend(found)
    reason = "; ".join(missing) if not listeners and missing else ""
    return sorted(set(listeners)), reason


def _undeclared_port(state: BuildState, pod: PodTemplate, ports: PodPorts, number: int) -> list[str]:
    """A numbered targetPort no container declares: it is the single container's, or the one whose server binds it."""
    candidates = [(c, s) for c, s in ports.fallback if s is not None and number in s.ports]
    if not candidates and len(ports.fallback) == 1:
        candidates = ports.fallback
    if len(candidates) != 1:
        return []
    component, server = candidates[0]
    owner = pod.owner
    container = next((c for c in pod.containers if component.name.endswith(f"container {c.name}")), None)
    if container is None:
        return []
    listener = _listener(component, owner, container, number, None, server)
    ports.by_number[number].append(listener.id)
    state.produced[id(owner)].append(listener.id)
    return [listener.id]


# -- suppressions --------------------------------------------------------------------------------


def object_suppressions(state: BuildState) -> tuple[list[ObjectSuppression], list[Diagnostic]]:
    """``tolint.dev/ignore: "TL401: reason; TL402: reason"`` on any object covers what it produced."""
    suppressions: list[ObjectSuppression] = []
    problems: list[Diagnostic] = []
    for obj in state.cluster.objects:
        sources = [obj.annotations().get(IGNORE_ANNOTATION)]
        template = pod_template_annotation(obj)
        if template is not None:
            sources.append(template)
        subjects = state.produced.get(id(obj), [])
        for annotation in sources:
            if annotation is None:
                continue
            location = Provenance(file=obj.file, line=annotation.line, column=annotation.column)
            entries = parse_ignore(annotation.value)
            if not entries:
                problems.append(Diagnostic(file=obj.file, line=annotation.line, column=annotation.column,
                                           severity="warning",
                                           message=f'{obj.ref}: {IGNORE_ANNOTATION} is empty; expected '
                                           '"TL401: reason; TL402: reason"'))
            for rules, reason in entries:
                suppressions.append(ObjectSuppression(subjects=list(subjects), rules=rules, reason=reason,
                                                      location=location))
    return suppressions, problems


def pod_template_annotation(obj: K8sObject):  # noqa: ANN201 - Annotation | None
    from tolint.parsers.k8s_objects import POD_TEMPLATE_PATHS, annotation_map

    path = POD_TEMPLATE_PATHS.get(obj.kind)
    if not path:
        return None
    metadata = obj.node.path(*path, "metadata")
    return annotation_map(metadata.get("annotations") if metadata is not None else None).get(IGNORE_ANNOTATION)


def parse_ignore(text: str) -> list[tuple[list[str], str]]:
    """``"TL401, TL402: reason; all: other reason"`` -> ``[(["TL401","TL402"], "reason"), ([], "other reason")]``."""
    entries: list[tuple[list[str], str]] = []
    for part in text.replace("\n", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        codes_text, _, reason = part.partition(":")
        codes = [code.strip() for code in codes_text.split(",") if code.strip()]
        if any(code.lower() in ("all", "*") for code in codes):
            codes = []
        entries.append((codes, reason.strip()))
    return entries


def fragment(state: BuildState, files: list[str], diagnostics: list[Diagnostic]) -> Fragment:
    suppressions, problems = object_suppressions(state)
    return Fragment(components=state.components, aliases=state.aliases, diagnostics=diagnostics + problems,
                    files=files, suppressions=suppressions)
