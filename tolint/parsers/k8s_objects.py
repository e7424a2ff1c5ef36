"""Kubernetes documents to typed objects with provenance.

``read_file`` turns one input (a file, or standard input with ``helm template`` or
``kustomize build`` output) into ``K8sObject``s: multi-document streams, ``kind: List``,
JSON, all through the safe composer in ``tolint.yaml_nodes``. Helm chart templates are
skipped with a notice. The typed views below (pod templates, Services, Ingresses) read
only the fields tolint models; a field of the wrong type is a diagnostic, never an
exception.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from tolint.graph import Diagnostic, Duration, Provenance
from tolint.numbers import is_int
from tolint.parsers import k8s_defaults as defaults
from tolint.parsers.appservers import ANNOTATION_PREFIX, Declared, EnvVar, Token
from tolint.yaml_nodes import Document, Node, YamlError, compose, scalar_text

# Larger integers are out of range for every field tolint reads (100 years in seconds).
MAX_INTEGER = 3_153_600_000
# Kinds that are not namespaced (the rest default to the "default" namespace).
CLUSTER_SCOPED = frozenset({
    "Namespace", "IngressClass", "GatewayClass", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
    "StorageClass", "PersistentVolume", "Node", "PriorityClass", "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration", "APIService", "PodSecurityPolicy", "RuntimeClass",
})
# Workload kind -> path from the document root to its pod template (metadata + spec).
POD_TEMPLATE_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": (),
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
    "DeploymentConfig": ("spec", "template"),  # OpenShift
    "Rollout": ("spec", "template"),  # Argo Rollouts
}
_HELM = re.compile(
    r"\{\{-?\s*(?:\.(?:Values|Release|Chart|Capabilities|Files|Template)\b|(?:include|template|toYaml|tpl|"
    r"required|default|printf|quote|nindent|indent)\b)"
    r"|^\s*\{\{-?\s*(?:if|else|end|range|with|define|/\*)\b",
    re.MULTILINE,
)


@dataclass(frozen=True, slots=True)
class Annotation:
    key: str
    value: str
    line: int
    column: int


@dataclass(eq=False)
class K8sObject:
    """One Kubernetes object, with the file it came from and its parsed document."""

    kind: str
    api_version: str
    name: str
    namespace: str | None  # None for cluster-scoped kinds
    file: str
    node: Node
    namespace_explicit: bool = False
    _annotations: dict[str, Annotation] | None = field(default=None, repr=False)

    @property
    def line(self) -> int:
        return self.node.line

    @property
    def metadata(self) -> Node | None:
        return self.node.get("metadata")

    @property
    def ref(self) -> str:
        """``Deployment prod/api`` or ``IngressClass nginx``."""
        return f"{self.kind} {self.namespace}/{self.name}" if self.namespace is not None else f"{self.kind} {self.name}"

    @property
    def identity(self) -> tuple[str, str | None, str]:
        return self.kind, self.namespace, self.name

    def provenance(self, node: Node | None = None) -> Provenance:
        target = node if node is not None else self.node
        return Provenance(file=self.file, line=target.line, column=target.column)

    @property
    def annotation_anchor(self) -> Node:
        """Where a default that an annotation would override applies: the annotations block, or metadata."""
        metadata = self.metadata
        if metadata is not None and metadata.is_map:
            return metadata.key_node("annotations") or self.node.key_node("metadata") or self.node
        return self.node

    def labels(self) -> dict[str, str]:
        return string_map(self.metadata.get("labels") if self.metadata is not None else None)

    def annotations(self) -> dict[str, Annotation]:
        if self._annotations is None:
            self._annotations = annotation_map(self.metadata.get("annotations") if self.metadata is not None else None)
        return self._annotations


def string_map(node: Node | None) -> dict[str, str]:
    """A mapping of strings (labels, a selector); entries of other types are left out."""
    result: dict[str, str] = {}
    if node is None or not node.is_map:
        return result
    for key, value in node.items():
        if key.is_scalar and value.is_scalar:
            result[str(key.value)] = str(value.value) if value.value is not None else ""
    return result


def annotation_map(node: Node | None) -> dict[str, Annotation]:
    result: dict[str, Annotation] = {}
    if node is None or not node.is_map:
        return result
    for key, value in node.items():
        if key.is_scalar and value.is_scalar:
            result[str(key.value)] = Annotation(str(key.value), str(value.value or ""), key.line, key.column)
    return result


# -- reading files ----------------------------------------------------------------------------


def looks_like_helm_template(text: str) -> bool:
    return "{{" in text and _HELM.search(text) is not None


_TEMPLATE_NOTICE = ("template (contains {{ ... }}); skipped. Lint the rendered manifests instead: "
                    "helm template . | tolint check -")


def read_file(text: str, display: str, diagnostics: list[Diagnostic]) -> list[K8sObject]:
    """Every Kubernetes object in one file; problems become diagnostics.

    A Helm chart template is skipped with a notice. Other files with ``{{`` (a Prometheus
    rule, a Go template in a string) are read as YAML; only when such a file is not valid
    YAML is it taken for a template rather than reported as broken.
    """
    if looks_like_helm_template(text):
        diagnostics.append(Diagnostic(file=display, severity="warning", message=f"Helm chart {_TEMPLATE_NOTICE}"))
        return []
    objects: list[K8sObject] = []
    try:
        for document in compose(text):
            if document.root is not None:
                _report_duplicate_keys(document, display, diagnostics)
                _collect(document.root, display, objects, diagnostics, depth=0)
    except YamlError as exc:
        if "{{" in text:
            diagnostics.append(Diagnostic(file=display, line=exc.line, severity="warning",
                                          message=f"not valid YAML, probably a {_TEMPLATE_NOTICE}"))
            return []
        diagnostics.append(Diagnostic(file=display, line=exc.line, column=exc.column,
                                      message=f"invalid YAML: {exc.message}"))
    return objects


def _report_duplicate_keys(document: Document, display: str, diagnostics: list[Diagnostic]) -> None:
    """YAML forbids a key twice in one mapping; kubectl rejects it, other tools keep the last one.

    tolint reads the first (``Node.get``), so the two can disagree: report it.
    """
    for key, first_line in document.duplicate_keys or ():
        diagnostics.append(Diagnostic(
            file=display, line=key.line, column=key.column, severity="warning",
            message=f'duplicate key "{key.value}" (first at line {first_line}): YAML forbids it, kubectl '
                    "rejects it and other tools keep the last one; tolint reads the first",
        ))


def _collect(root: Node, display: str, objects: list[K8sObject], diagnostics: list[Diagnostic], depth: int) -> None:
    if not root.is_map:
        return
    kind_node, api_node = root.get("kind"), root.get("apiVersion")
    kind = kind_node.text() if kind_node is not None else None
    if kind is None or not kind_node.is_scalar:  # type: ignore[union-attr]
        return  # not a Kubernetes object (a values file, a kustomize patch fragment)
    if kind.endswith("List") and root.get("items") is not None and depth < 4:
        items = root.get("items")
        if items is not None and items.is_seq:
            for item in items.list():
                _collect(item, display, objects, diagnostics, depth + 1)
        return
    metadata = root.get("metadata")
    name_node = metadata.get("name") if metadata is not None else None
    if name_node is None and metadata is not None:
        name_node = metadata.get("generateName")
    name = scalar_text(name_node)
    namespace_node = metadata.get("namespace") if metadata is not None else None
    namespace = scalar_text(namespace_node)
    scoped = kind not in CLUSTER_SCOPED
    objects.append(K8sObject(
        kind=kind,
        api_version=scalar_text(api_node) or "",
        name=name or "(unnamed)",
        namespace=(namespace or "default") if scoped else None,
        file=display,
        node=root,
        namespace_explicit=bool(namespace),
    ))


# -- typed views ------------------------------------------------------------------------------


class Reader:
    """Typed access to fields, reporting values of the wrong type once, as diagnostics."""

    def __init__(self, obj: K8sObject, diagnostics: list[Diagnostic]) -> None:
        self.obj = obj
        self.diagnostics = diagnostics

    def bad(self, node: Node, field_name: str, expected: str) -> None:
        self.diagnostics.append(Diagnostic(
            file=self.obj.file, line=node.line, column=node.column,
            message=f"{self.obj.ref}: {field_name} must be {expected}, got {node.describe_type()}",
        ))

    def integer(self, parent: Node | None, key: str, minimum: int = 0) -> tuple[int, Node] | None:
        node = parent.get(key) if parent is not None else None
        if node is None or (node.is_scalar and node.text() is None):
            return None
        value = node.as_int()
        if value is None and node.is_scalar and not node.plain and is_int(node.text() or ""):
            value = int(node.text() or "0")  # "30" quoted: the API server rejects it, but the intent is clear
            self.bad(node, key, "an integer")
        elif value is None:
            self.bad(node, key, "an integer")
            return None
        if value < minimum:
            self.bad(node, key, f"an integer of at least {minimum}")
            return None
        if value > MAX_INTEGER:
            self.bad(node, key, f"an integer of at most {MAX_INTEGER}")
            return None
        return value, node

    def seconds(self, parent: Node | None, key: str, default: defaults.Default | None = None,
                anchor: Node | None = None, minimum: int = 0) -> Duration | None:
        """An integer-seconds field as a Duration; the Kubernetes default when absent."""
        found = self.integer(parent, key, minimum)
        if found is None:
            if default is None:
                return None
            where = anchor if anchor is not None else parent if parent is not None else self.obj.node
            return default.duration(self.obj.file, where.line, where.column)
        value, node = found
        key_node = parent.key_node(key) if parent is not None else None
        shown = key_node or node
        return Duration(seconds=float(value), key=key, raw=f"{key}: {value}",
                        provenance=Provenance(file=self.obj.file, line=shown.line, column=shown.column))

    def sequence(self, parent: Node | None, key: str) -> list[Node]:
        node = parent.get(key) if parent is not None else None
        if node is None or (node.is_scalar and node.text() is None):
            return []
        if not node.is_seq:
            self.bad(node, key, "a list")
            return []
        return node.list()

    def mapping(self, parent: Node | None, key: str) -> Node | None:
        node = parent.get(key) if parent is not None else None
        if node is None or (node.is_scalar and node.text() is None):
            return None
        if not node.is_map:
            self.bad(node, key, "a mapping")
            return None
        return node

    def text(self, parent: Node | None, key: str) -> str | None:
        node = parent.get(key) if parent is not None else None
        if node is None:
            return None
        if not node.is_scalar:
            self.bad(node, key, "a string")
            return None
        return node.text()

    def token(self, node: Node, text: str | None = None) -> Token:
        return Token(text if text is not None else str(node.value or ""), self.obj.file, node.line, node.column)


@dataclass
class ContainerPort:
    number: int
    name: str | None
    protocol: str
    node: Node


@dataclass
class Probe:
    kind: str  # "liveness", "readiness", "startup"
    node: Node
    timeout: Duration
    period: Duration
    failure_threshold: int
    failure_node: Node | None


@dataclass
class PreStop:
    kind: str  # "exec", "sleep", "httpGet", "tcpSocket"
    node: Node
    delay: Duration | None  # known sleep time, or None when the hook's duration cannot be read
    detail: str = ""


@dataclass
class Container:
    name: str
    node: Node
    image: str | None
    argv: list[Token]
    env: dict[str, EnvVar]
    ports: list[ContainerPort]
    prestop: PreStop | None
    probes: dict[str, Probe]
    mounts: list[tuple[str, str]]  # (volume name, mount path)
    env_from_configmaps: list[str] = field(default_factory=list)


@dataclass(eq=False)
class PodTemplate:
    """The pod template of a workload (or a bare Pod)."""

    owner: K8sObject
    node: Node  # the template (metadata + spec); the document itself for a Pod
    spec: Node
    labels: dict[str, str]
    annotations: dict[str, Annotation]
    grace: Duration
    containers: list[Container]
    configmap_volumes: dict[str, str]  # volume name -> ConfigMap name

    @property
    def namespace(self) -> str:
        return self.owner.namespace or "default"

    def declared(self) -> dict[str, Declared]:
        """``tolint.dev/*`` annotations: the pod template's win over the workload's."""
        found: dict[str, Declared] = {}
        for source in (self.owner.annotations(), self.annotations):
            for key, item in source.items():
                if key.startswith(ANNOTATION_PREFIX):
                    found[key[len(ANNOTATION_PREFIX):]] = Declared(
                        item.value, Token(item.value, self.owner.file, item.line, item.column))
        return found


def pod_template(obj: K8sObject, diagnostics: list[Diagnostic]) -> PodTemplate | None:
    path = POD_TEMPLATE_PATHS.get(obj.kind)
    if path is None:
        return None
    reader = Reader(obj, diagnostics)
    template = obj.node.path(*path) if path else obj.node
    if template is None or not template.is_map:
        return None
    spec = template.get("spec")
    if spec is None or not spec.is_map:
        return None
    metadata = template.get("metadata")
    labels = string_map(metadata.get("labels") if metadata is not None and metadata.is_map else None)
    annotations = annotation_map(metadata.get("annotations") if metadata is not None and metadata.is_map else None)
    grace = reader.seconds(spec, "terminationGracePeriodSeconds", defaults.GRACE_PERIOD,
                           anchor=template.key_node("spec") or spec)
    assert grace is not None
    volumes: dict[str, str] = {}
    for volume in reader.sequence(spec, "volumes"):
        if not volume.is_map:
            continue
        name = volume.get("name")
        config_map = volume.get("configMap")
        if name is not None and name.is_scalar and config_map is not None and config_map.is_map:
            cm_name = config_map.get("name")
            if cm_name is not None and cm_name.is_scalar and cm_name.text():
                volumes[str(name.value)] = str(cm_name.text())
    containers = [c for c in (_container(reader, node) for node in reader.sequence(spec, "containers")) if c]
    return PodTemplate(owner=obj, node=template, spec=spec, labels=labels, annotations=annotations, grace=grace,
                       containers=containers, configmap_volumes=volumes)


def _container(reader: Reader, node: Node) -> Container | None:
    if not node.is_map:
        reader.bad(node, "containers[]", "a mapping")
        return None
    name = reader.text(node, "name") or "(unnamed)"
    argv = [_word(reader, item) for item in reader.sequence(node, "command") + reader.sequence(node, "args")]
    env: dict[str, EnvVar] = {}
    for item in reader.sequence(node, "env"):
        if not item.is_map:
            continue
        env_name = item.get("name")
        if env_name is None or not env_name.is_scalar or not env_name.text():
            continue
        value = item.get("value")
        if value is not None and value.is_scalar:
            env[str(env_name.text())] = EnvVar(value.text() or "", reader.token(value, value.text() or ""))
        else:
            env[str(env_name.text())] = EnvVar(None, reader.token(env_name))
    env_from = []
    for item in reader.sequence(node, "envFrom"):
        ref = item.get("configMapRef") if item.is_map else None
        ref_name = ref.get("name") if ref is not None and ref.is_map else None
        if ref_name is not None and ref_name.is_scalar and ref_name.text():
            env_from.append(str(ref_name.text()))
    ports: list[ContainerPort] = []
    for item in reader.sequence(node, "ports"):
        if not item.is_map:
            continue
        number = reader.integer(item, "containerPort", minimum=1)
        if number is None:
            continue
        ports.append(ContainerPort(number[0], scalar_text(item.get("name")),
                                   scalar_text(item.get("protocol")) or "TCP", item))
    probes: dict[str, Probe] = {}
    for kind in ("liveness", "readiness", "startup"):
        probe_node = reader.mapping(node, f"{kind}Probe")
        if probe_node is not None:
            probes[kind] = _probe(reader, kind, probe_node, node.key_node(f"{kind}Probe") or probe_node)
    mounts = []
    for item in reader.sequence(node, "volumeMounts"):
        if item.is_map:
            volume, path = item.get("name"), item.get("mountPath")
            if volume is not None and path is not None and volume.is_scalar and path.is_scalar:
                mounts.append((str(volume.value), str(path.value)))
    image = reader.text(node, "image")
    return Container(name=name, node=node, image=image, argv=argv, env=env, ports=ports,
                     prestop=_prestop(reader, node), probes=probes, mounts=mounts, env_from_configmaps=env_from)


def _word(reader: Reader, node: Node) -> Token:
    if node.is_scalar:
        return reader.token(node, node.text() or "")
    return reader.token(node, "")


def _probe(reader: Reader, kind: str, node: Node, key: Node) -> Probe:
    timeout = reader.seconds(node, "timeoutSeconds", defaults.PROBE_TIMEOUT, anchor=key, minimum=0)
    period = reader.seconds(node, "periodSeconds", defaults.PROBE_PERIOD, anchor=key, minimum=0)
    assert timeout is not None and period is not None
    # The API server defaults 0 to 1 (timeout) and 10 (period).
    if timeout.seconds == 0:
        timeout = defaults.PROBE_TIMEOUT.duration(timeout.provenance.file, timeout.provenance.line)
    if period.seconds == 0:
        period = defaults.PROBE_PERIOD.duration(period.provenance.file, period.provenance.line)
    failure = reader.integer(node, "failureThreshold", minimum=0)
    threshold = failure[0] if failure is not None and failure[0] > 0 else defaults.PROBE_FAILURE_THRESHOLD
    return Probe(kind, key, timeout, period, threshold, node.key_node("failureThreshold") if failure else None)


_SLEEP_WORD = re.compile(r"^(\d+(?:\.\d+)?)([smhd]?)$")
_SLEEP_UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def _prestop(reader: Reader, container: Node) -> PreStop | None:
    lifecycle = reader.mapping(container, "lifecycle")
    hook = reader.mapping(lifecycle, "preStop") if lifecycle is not None else None
    if hook is None:
        return None
    key_node = lifecycle.key_node("preStop") if lifecycle is not None else None
    anchor = key_node or hook
    sleep = reader.mapping(hook, "sleep")
    if sleep is not None:
        seconds = reader.integer(sleep, "seconds")
        if seconds is None:
            return PreStop("sleep", anchor, None, "sleep action without a number of seconds")
        shown = sleep.key_node("seconds") or seconds[1]
        return PreStop("sleep", anchor, Duration(
            seconds=float(seconds[0]), key="preStop sleep.seconds", raw=f"preStop sleep seconds: {seconds[0]}",
            provenance=reader.obj.provenance(shown)))
    exec_node = reader.mapping(hook, "exec")
    if exec_node is not None:
        words = [item.text() or "" for item in reader.sequence(exec_node, "command") if item.is_scalar]
        command_node = exec_node.get("command") or exec_node
        seconds = exec_sleep_seconds(words)
        if seconds is None:
            return PreStop("exec", anchor, None, f"preStop exec {' '.join(words)[:80]}")
        return PreStop("exec", anchor, Duration(
            seconds=seconds, key="preStop exec sleep", raw=f"preStop exec {' '.join(words)}",
            provenance=reader.obj.provenance(command_node)))
    for kind in ("httpGet", "tcpSocket"):
        if hook.get(kind) is not None:
            return PreStop(kind, anchor, None, f"preStop {kind} hook")
    return PreStop("unknown", anchor, None, "preStop hook of an unknown type")


def exec_sleep_seconds(words: list[str]) -> float | None:
    """Total ``sleep`` time of an exec hook: ``["sleep","10"]`` or ``["sh","-c","sleep 10 && nginx -s quit"]``."""
    if not words:
        return None
    first = words[0].rsplit("/", 1)[-1]
    if first in ("sh", "bash", "ash", "dash") and "-c" in words[1:3]:
        index = words.index("-c") + 1
        if index >= len(words):
            return None
        try:
            lexer = shlex.shlex(words[index], posix=True, punctuation_chars=";&|")
            lexer.whitespace_split = True
            tokens = list(lexer)
        except ValueError:
            return None
        commands: list[list[str]] = [[]]
        for token in tokens:
            if token in (";", "&&", "||", "|", "&"):
                commands.append([])
            else:
                commands[-1].append(token)
        total = None
        for command in commands:
            found = _sleep_command(command)
            if found is not None:
                total = (total or 0.0) + found
        return total
    return _sleep_command(words)


def _sleep_command(words: list[str]) -> float | None:
    if words and words[0] == "exec":
        words = words[1:]
    if len(words) >= 2 and words[0].rsplit("/", 1)[-1] == "sleep":
        total = 0.0
        for word in words[1:]:
            match = _SLEEP_WORD.match(word)
            if match is None:
                return None
            total += float(match.group(1)) * _SLEEP_UNITS[match.group(2)]
        return total if total <= MAX_INTEGER else None
    return None


@dataclass
class ServicePort:
    port: int
    target: int | str  # a number, or the name of a container port
    name: str | None
    protocol: str
    node: Node


@dataclass(eq=False)
class Service:
    obj: K8sObject
    selector: dict[str, str] | None  # None: no selector (endpoints managed elsewhere)
    ports: list[ServicePort]
    type: str

    @property
    def namespace(self) -> str:
        return self.obj.namespace or "default"


def service(obj: K8sObject, diagnostics: list[Diagnostic]) -> Service:
    reader = Reader(obj, diagnostics)
    spec = reader.mapping(obj.node, "spec")
    selector_node = spec.get("selector") if spec is not None else None
    selector = string_map(selector_node) if selector_node is not None and selector_node.is_map else None
    if selector is not None and not selector:
        selector = None  # an empty selector selects nothing in a Service
    ports: list[ServicePort] = []
    for item in reader.sequence(spec, "ports"):
        if not item.is_map:
            continue
        port = reader.integer(item, "port", minimum=1)
        if port is None:
            continue
        target_node = item.get("targetPort")
        target: int | str = port[0]
        if target_node is not None and target_node.is_scalar and target_node.text() is not None:
            number = target_node.as_int()
            text = target_node.text() or ""
            target = number if number is not None else (int(text) if is_int(text) else text)
        ports.append(ServicePort(port[0], target, scalar_text(item.get("name")),
                                 scalar_text(item.get("protocol")) or "TCP", item))
    kind = (reader.text(spec, "type") or "ClusterIP") if spec is not None else "ClusterIP"
    return Service(obj=obj, selector=selector, ports=ports, type=kind)


@dataclass
class BackendRef:
    """An Ingress, HTTPRoute or VirtualService destination: a Service name and a port (number or name)."""

    service: str
    port: int | str | None
    node: Node
    host: str | None = None  # the rule's host, for listener names
    path: str | None = None


@dataclass(eq=False)
class Ingress:
    obj: K8sObject
    class_name: str | None
    class_node: Node | None
    backends: list[BackendRef]
    hosts: list[str]


def ingress(obj: K8sObject, diagnostics: list[Diagnostic]) -> Ingress:
    reader = Reader(obj, diagnostics)
    spec = reader.mapping(obj.node, "spec")
    class_name = reader.text(spec, "ingressClassName") if spec is not None else None
    class_node = spec.key_node("ingressClassName") if spec is not None and class_name else None
    legacy = obj.annotations().get("kubernetes.io/ingress.class")
    if class_name is None and legacy is not None:
        class_name = legacy.value
    backends: list[BackendRef] = []
    hosts: list[str] = []
    default = (reader.mapping(spec, "defaultBackend") or reader.mapping(spec, "backend")) if spec is not None else None
    if default is not None:
        ref = _ingress_backend(default)
        if ref is not None:
            backends.append(ref)
    for rule in reader.sequence(spec, "rules"):
        if not rule.is_map:
            continue
        host = rule.get("host")
        host_text = scalar_text(host)
        if host_text:
            hosts.append(host_text)
        http = rule.get("http")
        for path in reader.sequence(http, "paths") if http is not None and http.is_map else []:
            backend = path.get("backend") if path.is_map else None
            if backend is None or not backend.is_map:
                continue
            ref = _ingress_backend(backend)
            if ref is not None:
                path_node = path.get("path")
                ref.host = host_text
                ref.path = scalar_text(path_node)
                backends.append(ref)
    return Ingress(obj=obj, class_name=class_name, class_node=class_node, backends=backends, hosts=hosts)


def _ingress_backend(backend: Node) -> BackendRef | None:
    svc = backend.get("service")
    if svc is not None and svc.is_map:  # networking.k8s.io/v1
        name = svc.get("name")
        port = svc.get("port")
        if name is None or not name.is_scalar or not name.text():
            return None
        number: int | str | None = None
        if port is not None and port.is_map:
            if port.get("number") is not None:
                number = port.get("number").as_int()  # type: ignore[union-attr]
            elif port.get("name") is not None:
                number = port.get("name").text()  # type: ignore[union-attr]
        return BackendRef(str(name.text()), number, backend)
    name = backend.get("serviceName")  # extensions/v1beta1
    if name is None or not name.is_scalar or not name.text():
        return None
    port = backend.get("servicePort")
    value: int | str | None = None
    if port is not None and port.is_scalar:
        value = port.as_int() if port.as_int() is not None else port.text()
    return BackendRef(str(name.text()), value, backend)
