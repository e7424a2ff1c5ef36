"""The timeout graph: who calls whom, with the effective settings on both ends of every hop.

Vocabulary (see ARCHITECTURE.md):

* a ``Component`` is something that runs: an nginx instance, an HAProxy process, a
  Kubernetes workload's container, a cloud load balancer, a declared client;
* a ``Listener`` is the server end of connections a component accepts;
* an ``Upstream`` is the client end of connections a component opens to some targets;
* a ``Hop`` is one resolved ``Upstream -> Listener`` link;
* a ``Lifecycle`` holds what happens when the component is stopped.

Every setting is a ``Duration`` or a ``Value`` that carries its ``Provenance``: the
file and line where it was written, the block it was inherited from, or the documented
default of a product version when it was not written at all. Parsers resolve
inheritance and defaults, so rules only ever read effective values.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from sys import intern
from dataclasses import dataclass as std_dataclass
from dataclasses import field, replace
from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr
from pydantic.dataclasses import dataclass

from tolint.durations import format_seconds

# Graph nodes are validated pydantic dataclasses with __slots__: a large tree holds
# millions of them, and a slotted dataclass takes a fifth of a BaseModel's memory
# (96 against 520 bytes for a Provenance). Schemas are built on first use, not at import.
_CONFIG = ConfigDict(defer_build=True, extra="forbid")
graph_node = dataclass(slots=True, kw_only=True, config=_CONFIG)


class _Node:
    """Base of graph nodes: the few BaseModel conveniences the parsers and rules use."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as the class and its field values, not as a state dict: a worker's fragments
        # come back pickled, and the unpickler keeps every state dict alive until it is done,
        # which doubled the receiving process's memory at 10,000 services (240 MB for 100 MB
        # of nodes). The values were validated when the node was built.
        cls = type(self)
        return _restore, (cls, *(getattr(self, name) for name in _field_names(cls)))

    def model_copy(self, *, update: dict[str, Any] | None = None) -> Any:
        """A shallow copy with some fields replaced (validated again, like construction)."""
        return replace(self, **(update or {}))  # type: ignore[type-var]


@lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(cls.__dataclass_fields__)  # type: ignore[attr-defined]


def _restore(cls: type, *values: Any) -> Any:
    node = object.__new__(cls)
    for name, value in zip(_field_names(cls), values):
        object.__setattr__(node, name, value)
    return node


@graph_node
class DefaultSource(_Node):
    """A documented default: which product, for which versions, and where it is documented."""

    product: str
    versions: str = "all versions"
    source: str = ""


@lru_cache(maxsize=None)
def default_source(product: str, versions: str = "all versions", source: str = "") -> DefaultSource:
    """A shared ``DefaultSource``: thousands of settings cite the same few documented defaults."""
    return DefaultSource(product=product, versions=versions, source=source)


@graph_node
class Provenance(_Node):
    """Where a value came from."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    # Set when the value was written in an enclosing block (nginx http/server, an
    # HAProxy defaults section) and inherited: names that block.
    inherited_from: str | None = None
    # Set when the value was not written anywhere and the product default applies.
    default: DefaultSource | None = None

    @property
    def is_default(self) -> bool:
        return self.default is not None

    def where(self) -> str:
        """``file:line`` (or ``file``), or an empty string for a default."""
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file

    def describe(self) -> str:
        """Human text for messages: ``at nginx.conf:12``, ``inherited from http at ...``, ``nginx default ...``."""
        if self.default is not None:
            text = f"{self.default.product} default"
            if self.default.versions and self.default.versions != "all versions":
                text += f" {self.default.versions}"
            return text
        where = self.where()
        if self.inherited_from:
            return f"inherited from {self.inherited_from} at {where}"
        return f"at {where}" if where else "declared"


def _share_texts(setting: Duration | Value) -> None:
    # Keys and short raw texts ("readinessProbe.timeoutSeconds", "containerPort: 8000") are
    # the same in every service: one shared string each instead of one per setting, in
    # memory and in the pickle a worker sends (half of its 380,000 strings at 10,000 services).
    setting.key = intern(setting.key)
    if len(setting.raw) < 64:
        setting.raw = intern(setting.raw)


def _origin(key: str, provenance: Provenance) -> str:
    where = provenance.describe()
    if not key:
        return where
    separator = ", " if provenance.is_default else " "
    return f"{key}{separator}{where}"


@graph_node
class Duration(_Node):
    """A time value in seconds; ``seconds=None`` means unlimited (no timeout at all)."""

    seconds: float | None
    key: str = ""  # the setting's name as the product spells it: "keepalive_timeout", "timeout client"
    raw: str = ""  # the statement as written, or the default's text
    provenance: Provenance

    def __post_init__(self) -> None:
        _share_texts(self)

    @property
    def unlimited(self) -> bool:
        return self.seconds is None

    def text(self) -> str:
        return format_seconds(self.seconds)

    def origin(self) -> str:
        """``keepalive_timeout, nginx default since 1.15.3`` or ``keepalive_timeout at app.conf:7``."""
        return _origin(self.key, self.provenance)

    def describe(self) -> str:
        """``60s (keepalive_timeout, nginx default since 1.15.3)`` or ``30s (keepalive_timeout at app.conf:7)``."""
        return f"{self.text()} ({self.origin()})"


Scalar = Union[bool, int, float, str, list[str]]


@graph_node
class Value(_Node):
    """A non-duration setting (a flag, a count, a version, a list of retry conditions)."""

    value: Scalar
    key: str = ""
    raw: str = ""
    provenance: Provenance
    # Why the effective value is what it is, when that is not obvious from the raw text
    # (e.g. a proxy_set_header in a child block that drops the inherited ones).
    detail: str | None = None

    def __post_init__(self) -> None:
        _share_texts(self)

    def text(self) -> str:
        if isinstance(self.value, list):
            return " ".join(self.value)
        if isinstance(self.value, bool):
            return "on" if self.value else "off"
        return str(self.value)

    def origin(self) -> str:
        return _origin(self.key, self.provenance)

    def describe(self) -> str:
        return f"{self.text()} ({self.origin()})"


Setting = Union[Duration, Value]


@graph_node
class Endpoint(_Node):
    """An address a listener accepts connections on. ``host=None`` means any address."""

    host: str | None = None
    port: int | None = None


@graph_node
class Target(_Node):
    """An address an upstream connects to. ``host=None`` when it cannot be known statically."""

    host: str | None
    port: int | None = None
    scheme: str | None = None
    raw: str = ""
    provenance: Provenance
    backup: bool = False
    disabled: bool = False  # configured but out of rotation (HAProxy "disabled" servers)


@graph_node
class TcpKeepalive(_Node):
    """TCP keep-alive (SO_KEEPALIVE) on a socket; idle/interval default to the OS when unset."""

    enabled: Value
    idle: Duration | None = None
    interval: Duration | None = None
    count: Value | None = None


@graph_node
class RetryPolicy(_Node):
    """When and how a caller retries a request on another attempt or server."""

    conditions: Value  # list[str] of product-specific condition keywords
    # Requests other than GET/HEAD/... are replayed (nginx non_idempotent, HAProxy
    # retry-on beyond conn-failure, a client policy that retries POST).
    non_idempotent: Value
    tries: Value | None = None  # total attempts including the first; 0 means unlimited
    budget: Duration | None = None  # bound on the total time spent retrying
    per_try_timeout: Duration | None = None
    backoff: Duration | None = None
    jitter: Value | None = None
    redispatch: Value | None = None  # retries may go to another server
    # A request header (e.g. "Idempotency-Key") the caller sends so that the server can
    # deduplicate replays; with one, retrying a non-idempotent request is safe.
    idempotency_key: Value | None = None


@graph_node
class Middlebox(_Node):
    """A stateful box on a hop (NAT gateway, NLB, firewall) that forgets idle flows."""

    name: str
    kind: str
    idle_timeout: Duration
    on_expiry: Literal["rst", "drop"] = "drop"
    location: Provenance


@graph_node
class Listener(_Node):
    """The server end of connections: what a component does with connections it accepts."""

    id: str
    component: str
    name: str
    location: Provenance
    protocol: str = "http"
    endpoints: list[Endpoint] = Field(default_factory=list)
    names: list[str] = Field(default_factory=list)  # server names, DNS names, declared names
    # Keep-alive idle: how long the server keeps an idle connection between requests.
    idle_timeout: Duration | None = None
    # Inactivity while a request or response is in flight on the client side.
    inactivity_timeout: Duration | None = None
    header_timeout: Duration | None = None
    body_timeout: Duration | None = None
    send_timeout: Duration | None = None
    request_timeout: Duration | None = None
    keepalive_requests: Value | None = None
    max_connection_age: Duration | None = None
    tcp_keepalive: TcpKeepalive | None = None
    # Settings that make the server close connections with RST instead of FIN.
    resets: list[Value] = Field(default_factory=list)
    settings: dict[str, Setting] = Field(default_factory=dict)


@graph_node
class Upstream(_Node):
    """The client end of connections: how a component talks to the targets behind it."""

    id: str
    component: str
    name: str
    location: Provenance
    protocol: str = "http"
    targets: list[Target] = Field(default_factory=list)
    # Listener ids whose requests this upstream forwards (empty for an origin client).
    serves: list[str] = Field(default_factory=list)
    connect_timeout: Duration | None = None
    read_timeout: Duration | None = None
    send_timeout: Duration | None = None
    request_timeout: Duration | None = None  # whole-request deadline
    tunnel_timeout: Duration | None = None
    # Connection reuse: whether idle connections are pooled, how many, for how long.
    reuse: Value | None = None
    pool_size: Value | None = None
    idle_timeout: Duration | None = None
    max_lifetime: Duration | None = None
    http_version: Value | None = None
    connection_header: Value | None = None
    retry: RetryPolicy | None = None
    tcp_keepalive: TcpKeepalive | None = None
    resets: list[Value] = Field(default_factory=list)
    settings: dict[str, Setting] = Field(default_factory=dict)

    @property
    def reuses_connections(self) -> bool:
        """Idle connections are known to be pooled and reused (not when reuse is unknown)."""
        return self.reuse is not None and self.reuse.value is True


@graph_node
class Lifecycle(_Node):
    """What happens when the component is asked to stop."""

    grace_period: Duration | None = None  # SIGTERM to SIGKILL
    prestop_delay: Duration | None = None  # time it keeps serving after the stop request
    drain_timeout: Duration | None = None  # the component's own bound on finishing work
    deregistration_delay: Duration | None = None  # how long a load balancer drains a target
    location: Provenance | None = None


@graph_node
class Component(_Node):
    """Something that runs and has listeners, upstreams, or both."""

    id: str
    kind: str
    product: str
    version: str | None = None
    name: str
    location: Provenance
    files: list[str] = Field(default_factory=list)
    listeners: list[Listener] = Field(default_factory=list)
    upstreams: list[Upstream] = Field(default_factory=list)
    lifecycle: Lifecycle | None = None
    settings: dict[str, Setting] = Field(default_factory=dict)
    # Keywords the configured product version rejects or ignores (value: "rejected",
    # "ignored" or "deprecated"; detail: since when, and what to use instead).
    obsolete: list[Value] = Field(default_factory=list)


@graph_node
class Alias(_Node):
    """Another name under which listeners are reachable (a Kubernetes Service, a declared host)."""

    names: list[str]
    port: int | None = None
    listeners: list[str]  # listener ids behind the name
    via: str  # e.g. "Service prod/api"
    location: Provenance
    # Why ``listeners`` is empty, when it is (a selector that matches no pod template, a
    # targetPort no container serves): shown for targets that resolve to this name.
    reason: str | None = None


@graph_node
class Hop(_Node):
    """One resolved link from an upstream (client end) to a listener (server end)."""

    upstream: str
    listener: str
    target: Target
    via: str
    middleboxes: list[Middlebox] = Field(default_factory=list)


@graph_node
class Unresolved(_Node):
    """An upstream target the linker could not resolve; shown with --verbose, never guessed."""

    upstream: str
    target: Target
    reason: str


@graph_node
class Diagnostic(_Node):
    """A problem with the input itself (syntax error, unreadable file, bad value)."""

    file: str
    line: int | None = None
    column: int | None = None
    message: str
    severity: Literal["error", "warning", "info"] = "error"


@graph_node
class DeclaredLink(_Node):
    """A link written down by a user: this upstream reaches that name, maybe through middleboxes.

    ``upstream`` names the caller: an upstream id, a component id or name, or a file of the
    component (``edge/nginx.conf``); ``to`` names the callee: a target host or ``host:port``, a
    listener's name or id, or a component's name. ``*`` matches anything. The linker attaches
    the middleboxes to every hop that matches both.
    """

    upstream: str
    to: str
    middleboxes: list[Middlebox] = Field(default_factory=list)
    location: Provenance


@graph_node
class ObjectSuppression(_Node):
    """A suppression declared on an object (a Kubernetes annotation) rather than in a comment."""

    subjects: list[str]  # ids of the components, listeners and upstreams it covers
    rules: list[str]  # codes or names; empty means every rule
    reason: str = ""
    location: Provenance


@std_dataclass(kw_only=True)
class Fragment:
    """What one parser produced from one input (a file, or a main file with its includes).

    A plain container handed from a parser to the linker: what it holds was validated
    when it was built, so it is not validated again (its schema cost every run 12 ms).
    """

    components: list[Component] = field(default_factory=list)
    aliases: list[Alias] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Files read to produce this fragment (for suppressions and changed-file filters).
    files: list[str] = field(default_factory=list)
    # Text of files the parser read itself, beyond the discovered inputs (nginx includes),
    # keyed by display path: suppression comments are looked up in them.
    sources: dict[str, str] = field(default_factory=dict)
    # Declared links and middleboxes (client settings) that the linker applies.
    links: list[DeclaredLink] = field(default_factory=list)
    suppressions: list[ObjectSuppression] = field(default_factory=list)


class TimeoutGraph(BaseModel):
    """The linked graph that rules run over (a BaseModel for its JSON dump and schema)."""

    model_config = _CONFIG

    components: list[Component] = Field(default_factory=list)
    hops: list[Hop] = Field(default_factory=list)
    unresolved: list[Unresolved] = Field(default_factory=list)
    aliases: list[Alias] = Field(default_factory=list)
    # Problems found while linking (a declared link that matches no hop).
    diagnostics: list[Diagnostic] = Field(default_factory=list)

    # Lookup tables, built on first use. Read through __pydantic_private__ directly: a private
    # attribute read through the model's __getattr__ costs microseconds, and rules look
    # listeners and upstreams up once per hop.
    _lookup: dict[str, dict[str, Any]] | None = PrivateAttr(default=None)

    def _tables(self) -> dict[str, dict[str, Any]]:
        tables = self.__pydantic_private__["_lookup"]  # type: ignore[index]
        if tables is None:
            hops_from: dict[str, list[Hop]] = {}
            for hop in self.hops:
                hops_from.setdefault(hop.upstream, []).append(hop)
            tables = {
                "components": {c.id: c for c in self.components},
                "listeners": {item.id: item for c in self.components for item in c.listeners},
                "upstreams": {item.id: item for c in self.components for item in c.upstreams},
                "hops_from": hops_from,
            }
            self.__pydantic_private__["_lookup"] = tables  # type: ignore[index]
        return tables

    def listeners(self) -> Iterator[Listener]:
        for component in self.components:
            yield from component.listeners

    def upstreams(self) -> Iterator[Upstream]:
        for component in self.components:
            yield from component.upstreams

    def listener(self, listener_id: str) -> Listener:
        return self._tables()["listeners"][listener_id]

    def upstream(self, upstream_id: str) -> Upstream:
        return self._tables()["upstreams"][upstream_id]

    def component(self, component_id: str) -> Component:
        return self._tables()["components"][component_id]

    def hop_ends(self) -> Iterator[tuple[Hop, Upstream, Listener]]:
        """Every hop with its two ends: the caller's upstream and the callee's listener."""
        upstreams, listeners = self._tables()["upstreams"], self._tables()["listeners"]
        for hop in self.hops:
            yield hop, upstreams[hop.upstream], listeners[hop.listener]

    def hops_from(self, upstream_id: str) -> list[Hop]:
        return self._tables()["hops_from"].get(upstream_id, [])

