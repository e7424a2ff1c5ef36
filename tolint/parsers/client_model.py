"""The client settings format (``*.tolint.yaml``): its pydantic models and setting paths.

The models validate what users write and are the source of ``tolint schema``. Keys are
kebab-case; durations are strings with a unit (``65s``, ``500ms``, ``1h30m``, ``2d``) or
``unlimited``. A component's settings live in two sections named after the two ends of a
connection: ``server`` (what it does with connections it accepts) and ``client`` (how it
talks to what it calls). Presets fill in every setting a component does not write; their
data uses the same dotted paths (``server.idle-timeout``, ``client.retry.attempts``).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from tolint.numbers import is_int
from tolint.presets import COMPONENT_KINDS, MIDDLEBOX_KINDS, parse_version, preset_names

FILE_SUFFIXES = (".tolint.yaml", ".tolint.yml")

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)")
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
DURATION_PATTERN = r"^(unlimited|0|(\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d))+)$"
MAX_SECONDS = 100 * 365 * 86400.0


def parse_duration(text: str) -> float | None:
    """``"65s"`` -> 65.0, ``"1h30m"`` -> 5400.0, ``"unlimited"`` -> None. Raises ValueError."""
    stripped = text.strip()
    if stripped == "unlimited":
        return None
    if stripped == "0":
        return 0.0
    if re.fullmatch(r"\d+(\.\d+)?", stripped):
        raise ValueError(f'"{text}" needs a unit: write e.g. {stripped}s or {stripped}ms '
                         "(products disagree on what a bare number means)")
    pos, total = 0, 0.0
    while pos < len(stripped):
        match = _DURATION_PART.match(stripped, pos)
        if match is None:
            raise ValueError(f'invalid duration "{text}" (expected e.g. 65s, 500ms, 1h30m or unlimited)')
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if not stripped or total > MAX_SECONDS:
        raise ValueError(f'invalid duration "{text}"')
    return total


def _duration_text(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as 30s, got {str(value).lower()}")
    if isinstance(value, (int, float)):
        value = str(value)
    if isinstance(value, str):
        parse_duration(value)
        return value.strip()
    return value


def _listify(value: object) -> object:
    """``to: api`` is read as ``to: [api]``."""
    return [value] if isinstance(value, str) else value


DurationText = Annotated[str, BeforeValidator(_duration_text),
                         Field(json_schema_extra={"pattern": DURATION_PATTERN,
                                                  "examples": ["65s", "500ms", "10m", "unlimited"]})]
Names = Annotated[list[str], BeforeValidator(_listify)]
Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=253)]


def check_preset(value: str | None, middleboxes: bool) -> str | None:
    """``name`` or ``name@version``, with a known name; the error suggests the closest one."""
    if value is None:
        return value
    import difflib

    name, at, version = value.strip().partition("@")
    known = preset_names(middleboxes)
    if name not in known:
        other = preset_names(not middleboxes)
        if name in other:
            what = "a middlebox" if not middleboxes else "a component"
            raise ValueError(f'preset "{name}" is {what} preset; declare it under '
                             f'{"middleboxes" if not middleboxes else "components"}:')
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f' (did you mean "{close[0]}"?)' if close else ""
        raise ValueError(f'unknown preset "{name}"{hint}; `tolint schema --presets` lists them')
    if at:
        parse_version(version)
    return value.strip()


def _kebab(name: str) -> str:
    return name.rstrip("_").replace("_", "-")


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=_kebab, populate_by_name=True,
                              use_attribute_docstrings=True)


class TcpKeepaliveSpec(_Spec):
    """TCP keep-alive (SO_KEEPALIVE) on the connections; unset times are the OS defaults."""

    enabled: bool = True
    idle: DurationText | None = None
    """Idle time before the first probe (Linux net.ipv4.tcp_keepalive_time: 7200s)."""
    interval: DurationText | None = None
    """Time between probes (Linux net.ipv4.tcp_keepalive_intvl: 75s)."""
    count: int | None = Field(None, ge=1)
    """Unanswered probes before the connection is dropped (Linux: 9)."""


TcpKeepaliveField = Union[bool, TcpKeepaliveSpec]


class RetrySpec(_Spec):
    """How the client retries a request that failed."""

    attempts: int | None = Field(None, ge=1)
    """Total attempts, the first one included (3 = one try and two retries)."""
    on: Names | None = None
    """The conditions that trigger a retry, in the product's words (connect-failure, 503, timeout...)."""
    non_idempotent: bool | None = None
    """True when POST, PATCH and other non-idempotent requests are retried too."""
    idempotency_key: str | None = None
    """The request header (e.g. Idempotency-Key) that lets the server deduplicate a replayed request."""
    per_try_timeout: DurationText | None = None
    """The timeout of each attempt."""
    backoff: DurationText | None = None
    """The delay before a retry (the first one, for exponential backoff); 0s for none."""
    jitter: bool | None = None
    """True when the delay is randomised."""
    budget: DurationText | None = None
    """A bound on the total time spent on all attempts."""


class ServerSpec(_Spec):
    """The server end: what the component does with the connections it accepts."""

    idle_timeout: DurationText | None = None
    """How long an idle keep-alive connection is kept open between requests (0s: keep-alive off)."""
    header_timeout: DurationText | None = None
    """Time allowed to receive a request's headers."""
    body_timeout: DurationText | None = None
    """Time allowed to receive a request's body."""
    request_timeout: DurationText | None = None
    """Time allowed to receive a whole request."""
    handler_timeout: DurationText | None = None
    """The longest the server lets one request be processed (gunicorn timeout, a handler deadline)."""
    keepalive_requests: int | None = Field(None, ge=0)
    """Requests served on one connection before it is closed (0: unlimited)."""
    max_connection_age: DurationText | None = None
    """Connections are closed after this long, idle or not."""
    tcp_keepalive: TcpKeepaliveField | None = None
    ping_interval: DurationText | None = None
    """Application-level pings the server sends (HTTP/2 or gRPC keep-alive)."""
    ping_min_interval: DurationText | None = None
    """The shortest interval between client pings the server accepts (gRPC permit keep-alive time)."""
    ping_without_calls: bool | None = None
    """Whether the server accepts pings on a connection with no call in progress."""


class ClientSpec(_Spec):
    """The client end: how the component talks to the components it calls."""

    connect_timeout: DurationText | None = None
    read_timeout: DurationText | None = None
    """Time waiting for response data (inactivity between reads)."""
    request_timeout: DurationText | None = None
    """The deadline of a whole call, retries included."""
    idle_timeout: DurationText | None = None
    """How long the pool keeps an idle connection for reuse."""
    max_lifetime: DurationText | None = None
    """Pooled connections are closed after this long, idle or not."""
    pool_size: int | None = Field(None, ge=0)
    reuse: bool | None = None
    """Whether connections are kept and reused (HTTP keep-alive, a connection pool)."""
    http_version: str | None = None
    tcp_keepalive: TcpKeepaliveField | None = None
    ping_interval: DurationText | None = None
    """Application-level pings on idle connections (gRPC keepalive time, HikariCP keepaliveTime)."""
    ping_without_calls: bool | None = None
    """Whether pings are sent while no call is in progress (gRPC permit_without_calls)."""
    retry: RetrySpec | None = None


class ComponentSpec(_Spec):
    """Something that runs: a client, a pool, a server, a load balancer, a proxy..."""

    name: Name
    """Unique in the linted tree; also a host name other components can use to reach it."""
    kind: Literal[COMPONENT_KINDS] | None = None  # type: ignore[valid-type]
    """What it is; implied by the preset, required without one."""
    preset: str | None = None
    """A product whose documented defaults apply: e.g. aws-alb, nodejs-http-server@18 (see tolint schema --presets)."""
    version: str | None = None
    """The product version whose defaults apply (also preset: name@version)."""
    description: str | None = None
    protocol: str | None = None
    listen: Annotated[list[Union[int, str]], BeforeValidator(lambda v: [v] if isinstance(v, (int, str)) else v)] | None = None
    """Ports (8080) or addresses (10.0.0.5:8080) it accepts connections on."""
    hosts: Names | None = None
    """More names it is reachable under: DNS names, IP addresses, Kubernetes Service names."""
    to: Names | None = None
    """What its client end calls: declared component names, host:port, Service DNS names or URLs."""
    through: Names | None = None
    """Middleboxes (declared under middleboxes:) that every connection of its client end crosses."""
    part_of: str | None = None
    """The declared server whose requests this client or pool makes, for request paths."""
    server: ServerSpec | None = None
    client: ClientSpec | None = None

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value

    @field_validator("preset")
    @classmethod
    def _preset(cls, value: str | None) -> str | None:
        return check_preset(value, middleboxes=False)

    @field_validator("listen")
    @classmethod
    def _ports(cls, value: list[int | str] | None) -> list[int | str] | None:
        for item in value or ():
            port = item if isinstance(item, int) else item.rpartition(":")[2]
            if not is_int(str(port)) or not 0 < int(port) < 65536:
                raise ValueError(f"{item!r} is not a port (1-65535) or host:port")
        return value


class BetweenSpec(_Spec):
    """Hops a middlebox sits on: from a caller to a callee (either may be omitted: any)."""

    from_: str | None = Field(None, alias="from")
    """A component: its declared name, or a config file of another format (edge/nginx.conf)."""
    to: str | None = None
    """A callee: a declared name, a host, or host:port."""


class MiddleboxSpec(_Spec):
    """A stateful box on the path (NAT gateway, NLB, firewall) that forgets idle connections."""

    name: Name
    kind: Literal[MIDDLEBOX_KINDS] | None = None  # type: ignore[valid-type]
    preset: str | None = None
    """e.g. aws-nat-gateway, aws-nlb, azure-lb."""
    version: str | None = None
    description: str | None = None
    idle_timeout: DurationText | None = None
    """How long it remembers an idle connection."""
    on_expiry: Literal["rst", "drop"] | None = None
    """What happens to the next packet of a forgotten connection: a reset, or silence."""
    between: list[BetweenSpec] | None = None

    @field_validator("preset")
    @classmethod
    def _preset(cls, value: str | None) -> str | None:
        return check_preset(value, middleboxes=True)


class ClientSettingsFile(_Spec):
    """A tolint client settings file (*.tolint.yaml)."""

    version: Literal[1] = 1
    components: list[ComponentSpec] = Field(default_factory=list)
    middleboxes: list[MiddleboxSpec] = Field(default_factory=list)


TOP_LEVEL_KEYS = ("version", "components", "middleboxes")

# Leaf setting paths and their types: what presets may define and the builder reads.
_SERVER = {
    "idle-timeout": "duration", "header-timeout": "duration", "body-timeout": "duration",
    "request-timeout": "duration", "handler-timeout": "duration", "keepalive-requests": "int",
    "max-connection-age": "duration", "ping-interval": "duration", "ping-min-interval": "duration",
    "ping-without-calls": "bool",
    # Preset-only: the product counts a keep-alive connection's idle time toward its header
    # timeout (Node.js 10.15.2 to 12.18, nodejs/node#27363).
    "header-timeout-covers-idle": "bool",
}
_CLIENT = {
    "connect-timeout": "duration", "read-timeout": "duration", "request-timeout": "duration",
    "idle-timeout": "duration", "max-lifetime": "duration", "pool-size": "int", "reuse": "bool",
    "http-version": "str", "ping-interval": "duration", "ping-without-calls": "bool",
    "retry.attempts": "int", "retry.on": "list", "retry.non-idempotent": "bool", "retry.idempotency-key": "str",
    "retry.per-try-timeout": "duration", "retry.backoff": "duration", "retry.jitter": "bool",
    "retry.budget": "duration",
}
_TCP = {"enabled": "bool", "idle": "duration", "interval": "duration", "count": "int"}

SLOTS: dict[str, str] = {
    **{f"server.{key}": kind for key, kind in _SERVER.items()},
    **{f"client.{key}": kind for key, kind in _CLIENT.items()},
    **{f"server.tcp-keepalive.{key}": kind for key, kind in _TCP.items()},
    **{f"client.tcp-keepalive.{key}": kind for key, kind in _TCP.items()},
    # middlebox presets
    "idle-timeout": "duration", "on-expiry": "str",
    # the linux-tcp-keepalive preset
    **{f"tcp-keepalive.{key}": kind for key, kind in _TCP.items()},
}


def flatten_sections(data: dict[str, Any]) -> dict[str, Any]:
    """``{"server": {"tcp-keepalive": False}}`` -> ``{"server.tcp-keepalive.enabled": False}``."""
    flat: dict[str, Any] = {}
    for section in ("server", "client"):
        if data.get(section) is not None:
            _flatten(section, data[section], flat)
    return flat


def _flatten(prefix: str, value: Any, flat: dict[str, Any]) -> None:
    # A module function rather than a closure: a recursive closure is a reference cycle.
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}.{key}" if prefix else key, item, flat)
    elif prefix.endswith("tcp-keepalive") and isinstance(value, bool):
        flat[f"{prefix}.enabled"] = value
    else:
        flat[prefix] = value


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a client settings file, with the preset names editors can complete."""
    schema = ClientSettingsFile.model_json_schema(by_alias=True)
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
    }
    for spec, middleboxes in (("ComponentSpec", False), ("MiddleboxSpec", True)):
        names = preset_names(middleboxes)
        preset = schema["$defs"][spec]["properties"]["preset"]
        versioned = "^(" + "|".join(re.escape(name) for name in names) + r")@\d+(\.\d+)*$"
        schema["$defs"][spec]["properties"]["preset"] = {
            "anyOf": [{"enum": list(names)}, {"type": "string", "pattern": versioned}, {"type": "null"}],
            "description": preset.get("description", ""),
            "default": None,
        }
    return schema
