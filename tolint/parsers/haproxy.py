"""HAProxy configuration to graph fragments.

One HAProxy configuration file becomes one ``Component``. Its proxies are resolved the
way HAProxy resolves them (configuration manual, section 4): each ``frontend``,
``backend`` and ``listen`` starts from the last ``defaults`` section before it, or from
the one its ``from`` names; a ``defaults`` section starts from nothing (or from its own
``from``), so it resets everything an earlier one set. Then:

* a frontend or listen becomes a ``Listener`` (its ``bind`` addresses; ``timeout
  client`` as the inactivity timeout; the keep-alive idle timeout, which is ``timeout
  http-keep-alive``, else ``timeout http-request``, else ``timeout client``);
* a backend or listen becomes an ``Upstream`` (its ``server`` lines as targets; ``timeout
  connect``, ``timeout server``, ``timeout tunnel``; ``retries``/``retry-on``/``option
  redispatch``; connection reuse and its idle bound, ``pool-purge-delay``), serving the
  frontends whose ``use_backend``/``default_backend`` can send it traffic;
* ``global`` gives the lifecycle (``hard-stop-after``, ``grace``).

Disabled proxies do not run, so they are left out, as ``haproxy -c`` leaves them out of
its checks. Values that come from the environment (``${NAME}``) are unknown and left
unset rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from tolint import durations
from tolint.graph import (
    Component,
    default_source,
    Diagnostic,
    Duration,
    Endpoint,
    Fragment,
    Lifecycle,
    Listener,
    Provenance,
    RetryPolicy,
    Target,
    TcpKeepalive,
    Upstream,
    Value,
)
from tolint.numbers import is_int
from tolint.parsers import haproxy_defaults as defaults
from tolint.parsers.haproxy_syntax import PROXY_SECTIONS, HaproxyText, Line, Section, Version, parse_text

_HTTP_MODES = ("httpclose", "http-server-close", "http-keep-alive")
_SAFE_RETRY_CONDITIONS = frozenset({"none", "conn-failure", "0rtt-rejected"})
_TIME = re.compile(r"([0-9]+)(us|ms|s|m|h|d)?")
_MAX_TIMER_MS = 2**31 - 1  # "timer overflow" above this
# Server keywords that take a value, so that a value ("cookie backup") is never read as a flag.
_SERVER_VALUE_KEYWORDS = frozenset({
    "addr", "agent-addr", "agent-inter", "agent-port", "agent-send", "alpn", "ca-file", "check-alpn", "check-proto",
    "check-sni", "ciphers", "ciphersuites", "client-sigalgs", "cookie", "crl-file", "crt", "curves", "downinter",
    "error-limit", "fall", "fastinter", "guid", "hash-key", "id", "init-addr", "inter", "log-proto", "max-reuse",
    "maxconn", "maxqueue", "minconn", "namespace", "npn", "observe", "on-error", "on-marked-down", "on-marked-up",
    "pool-low-conn", "pool-max-conn", "pool-purge-delay", "port", "proto", "proxy-v2-options", "redir",
    "resolve-net", "resolve-opts", "resolve-prefer", "resolvers", "rise", "set-proxy-v2-tlv-fmt", "shard",
    "sigalgs", "slowstart", "sni", "socks4", "source", "ssl-max-ver", "ssl-min-ver", "tcp-ut", "track", "usesrc",
    "verify", "verifyhost", "weight", "ws",
})
_SERVER_FLAGS = frozenset({"backup", "disabled", "enabled", "ssl", "no-ssl", "no-backup"})
_SERVER_PARAMS = frozenset({"pool-purge-delay", "pool-max-conn"}) | _SERVER_FLAGS
_UNIX_PREFIXES = ("unix@", "abns@", "abnsz@", "fd@", "sockpair@", "rhttp@", "uxst@", "uxdg@", "/")
_ADDRESS_PREFIXES = ("ipv4@", "ipv6@", "tcp@", "tcp4@", "tcp6@", "quic4@", "quic6@", "udp@", "udp4@", "udp6@")
_ANY_ADDRESS = {"", "*", "0.0.0.0", "::"}
_MAX_RANGE_PORTS = 16
# WebSocket (and other upgrade) traffic, as ACLs and routing rules usually spell it.
_UPGRADE_TEXT = re.compile(
    r"hdr(?:_\w+)?\(\s*upgrade\s*[,)]|websocket|hdr(?:_\w+)?\(\s*connection\s*[,)].*\bupgrade\b"
    r"|path(?:_beg|_sub|_reg|_dir)?\s+(?:-\S+\s+)*[^\n]*(?:/ws\b|/wss\b|/socket\.io|/sockjs|/cable\b)",
    re.IGNORECASE,
)
_UPGRADE_NAMES = frozenset({"ws", "wss", "websocket", "websockets", "socketio", "sockjs"})
_METHOD_GUARD = re.compile(r"\bMETH_\w+|\bmethod\b", re.IGNORECASE)
LINUX_KEEPALIVE_SOURCE = "https://www.kernel.org/doc/Documentation/networking/ip-sysctl.rst"


@dataclass
class HaproxyOptions:
    version: str = defaults.DEFAULT_HAPROXY_VERSION


@dataclass(frozen=True, slots=True)
class _Written:
    """A setting as written: the line, the section it is in, and the argument that matters."""

    line: Line
    section: Section
    value: str


@dataclass(eq=False)
class _Server:
    name: str
    address: str
    line: Line
    section: Section
    params: dict[str, _Written]  # effective per-server parameters (default-server, then the line)
    template: bool = False


@dataclass(eq=False)
class _Proxy:
    section: Section
    settings: dict[str, _Written]
    servers: list[_Server] = field(default_factory=list)
    key: str = ""  # unique within the file: the label, plus the line for a duplicate name

    @property
    def kind(self) -> str:
        return self.section.kind

    @property
    def name(self) -> str:
        return self.section.name or ""

    @property
    def label(self) -> str:
        return self.section.label

    def lines(self, keyword: str) -> Iterator[Line]:
        return (line for line in self.section.lines if line.keyword == keyword)

    def location(self) -> Provenance:
        """The section's header line."""
        return Provenance(file=self.section.file, line=self.section.line, column=self.section.header.column)


def parse_haproxy_inputs(files, settings, roots: list[str], cwd: str) -> list[Fragment]:  # noqa: ANN001
    """The format entry point: every discovered HAProxy file is one component."""
    options = HaproxyOptions(version=settings.haproxy_version)
    return [parse_config_text(item.text, item.display, options=options) for item in files]


def parse_config_text(text: str, display: str, line_offset: int = 0, options: HaproxyOptions | None = None,
                      component_id: str | None = None) -> Fragment:
    """Parse HAProxy configuration text into a fragment with one component.

    ``line_offset`` and ``display`` let a config embedded in another file (a Kubernetes
    ConfigMap) report lines of that file.
    """
    options = options or HaproxyOptions()
    try:
        version = defaults.parse_version(options.version)
    except ValueError:
        version = defaults.parse_version(defaults.DEFAULT_HAPROXY_VERSION)
    syntax = parse_text(text, display, line_offset, version)
    return build_fragment(syntax, version, options.version, component_id)


def build_fragment(syntax: HaproxyText, version: Version, version_text: str,
                   component_id: str | None = None) -> Fragment:
    diagnostics = [Diagnostic(file=syntax.file, line=line, message=message, severity=severity)  # type: ignore[arg-type]
                   for line, message, severity in syntax.errors]
    component = Component(
        id=component_id or f"haproxy:{syntax.file}",
        kind="haproxy",
        product="haproxy",
        version=version_text,
        name=f"haproxy {syntax.file}",
        location=Provenance(file=syntax.file, line=1),
        files=[syntax.file],
    )
    _Builder(syntax, version, component, diagnostics).build()
    return Fragment(components=[component], diagnostics=diagnostics, files=[syntax.file])


class _Builder:
    def __init__(self, syntax: HaproxyText, version: Version, component: Component,
                 diagnostics: list[Diagnostic]) -> None:
        self.syntax = syntax
        self.version = version
        self.component = component
        self.diagnostics = diagnostics
        self.proxies: list[_Proxy] = []
        self.listeners: dict[int, Listener] = {}  # by id() of the proxy
        self.upstreams: dict[int, Upstream] = {}
        self.upgrade_routes: dict[int, _Written] = {}  # backend -> a use_backend that sends it upgrades
        self.by_listener: dict[str, _Proxy] = {}  # listener id -> the frontend or listen it came from
        self.disabled: set[str] = set()  # names of disabled proxies

    # -- resolution -------------------------------------------------------------------

    def build(self) -> None:
        named_defaults: dict[str, dict[str, _Written]] = {}
        last_defaults: dict[str, _Written] = {}
        last_section: Section | None = None
        explicit: set[str] = set()  # defaults named by a "from"
        implicit: dict[str, Section] = {}  # defaults used implicitly -> the first proxy doing so
        global_section: Section | None = None
        for section in self.syntax.sections:
            self._check_obsolete(section)
            if section.kind == "global" and global_section is None:
                global_section = section
            if section.kind not in PROXY_SECTIONS:
                continue
            base = last_defaults
            if section.from_name is not None:
                explicit.add(section.from_name)
                found = named_defaults.get(section.from_name)
                if found is None:
                    self._error(section.header, f'{section.label}: no defaults section named "{section.from_name}" '
                                "before it; its settings are unknown")
                base = found if found is not None else {}
            elif section.kind == "defaults":
                base = {}  # a defaults section resets everything
            elif last_section is not None and last_section.name:
                implicit.setdefault(last_section.name, section)
            proxy = _Proxy(section, dict(base))
            self._apply(proxy, base)
            if section.kind == "defaults":
                last_defaults = proxy.settings
                last_section = section
                if section.name:
                    named_defaults[section.name] = proxy.settings
            elif self._disabled(proxy):
                self.disabled.add(proxy.name)
            else:
                self.proxies.append(proxy)
        self._report_duplicates()
        for name in sorted(explicit & set(implicit), key=lambda item: implicit[item].line):
            self._error(implicit[name].header, f'{implicit[name].label} uses defaults {name} implicitly while '
                        f'a "from {name}" names it too; HAProxy warns about the ambiguity (name the defaults '
                        "in every proxy, or end with a defaults section that no \"from\" names)",
                        severity="warning")
        for proxy in self.proxies:
            if proxy.kind in ("frontend", "listen"):
                listener = self._listener(proxy)
                self.listeners[id(proxy)] = listener
                self.by_listener[listener.id] = proxy
        by_name = {proxy.name: proxy for proxy in self.proxies if proxy.kind in ("backend", "listen")}
        serves = self._routes(by_name)
        for proxy in self.proxies:
            if proxy.kind in ("backend", "listen"):
                self.upstreams[id(proxy)] = self._upstream(proxy, serves.get(id(proxy), []))
        self.component.listeners = list(self.listeners.values())
        self.component.upstreams = list(self.upstreams.values())
        self.component.lifecycle = self._lifecycle(global_section)

    def _apply(self, proxy: _Proxy, base: dict[str, _Written]) -> None:
        """Apply a section's lines over what it inherited, in order (the last setting wins)."""
        settings = proxy.settings
        section = proxy.section
        for line in section.lines:
            words = line.words
            keyword = words[0]
            if keyword == "timeout":
                if len(words) < 3:
                    self._error(line, f'"{" ".join(words)}" needs a value')
                    continue
                settings[f"timeout {words[1]}"] = _Written(line, section, words[2])
            elif keyword in defaults.LEGACY_TIMEOUTS and len(words) > 1:
                if defaults.REMOVALS[keyword].status(self.version) == "deprecated":
                    settings[defaults.LEGACY_TIMEOUTS[keyword]] = _Written(line, section, words[1])
            elif keyword in ("option", "no", "default"):
                self._option(settings, base, section, line)
            elif keyword in ("disabled", "enabled"):
                settings["disabled"] = _Written(line, section, "on" if keyword == "disabled" else "off")
            elif keyword == "default-server":
                for param, value in _server_params(words[1:]).items():
                    settings[f"default-server {param}"] = _Written(line, section, value)
            elif keyword in ("server", "server-template"):
                self._server(proxy, line)
            elif keyword in ("mode", "retries", "http-reuse", "default_backend", "clitcpka-idle", "clitcpka-intvl",
                             "clitcpka-cnt", "srvtcpka-idle", "srvtcpka-intvl", "srvtcpka-cnt"):
                if len(words) > 1:
                    settings[keyword] = _Written(line, section, words[1])
            elif keyword == "retry-on" and len(words) > 1:
                settings[keyword] = _Written(line, section, " ".join(words[1:]))

    def _option(self, settings: dict[str, _Written], base: dict[str, _Written], section: Section, line: Line) -> None:
        words = line.words
        prefix = words[0] if words[0] in ("no", "default") else ""
        rest = words[1:] if prefix else words
        if len(rest) < 2 or rest[0] != "option":
            return  # "no log" and friends: not an option we read
        name = rest[1]
        if name in _HTTP_MODES:
            key = "option http-mode"
            if prefix == "":
                settings[key] = _Written(line, section, name)
            elif prefix == "no":
                # "no option X" only cancels X when X is the current mode.
                current = settings.get(key)
                if current is not None and current.value == name:
                    settings[key] = _Written(line, section, "http-keep-alive")
            else:
                _restore(settings, base, key)
            return
        keys = ["option clitcpka", "option srvtcpka"] if name == "tcpka" else [f"option {name}"]
        for key in keys:
            if prefix == "default":
                _restore(settings, base, key)
            else:
                value = "off" if prefix == "no" else (" ".join(rest[2:]) or "on")
                settings[key] = _Written(line, section, value)

    def _server(self, proxy: _Proxy, line: Line) -> None:
        words = line.words
        template = words[0] == "server-template"
        address_index = 3 if template else 2
        if len(words) <= address_index:
            self._error(line, f'"{words[0]}" needs a name and an address')
            return
        params = {key[len("default-server "):]: written for key, written in proxy.settings.items()
                  if key.startswith("default-server ")}
        for param, value in _server_params(words[address_index + 1:]).items():
            params[param] = _Written(line, proxy.section, value)
        address = words[address_index]
        proxy.servers.append(_Server(words[1], address, line, proxy.section, params, template))

    def _disabled(self, proxy: _Proxy) -> bool:
        written = proxy.settings.get("disabled")
        return written is not None and written.value == "on"

    def _report_duplicates(self) -> None:
        """HAProxy allows a frontend and a backend of the same name, nothing else."""
        seen: dict[str, list[_Proxy]] = {}
        keys: set[str] = set()
        for proxy in self.proxies:
            for other in seen.get(proxy.name, []):
                if other.kind == proxy.kind or "listen" in (other.kind, proxy.kind):
                    self._error(proxy.section.header, f"{proxy.label} has the same name as {other.label} at line "
                                f"{other.section.line}; HAProxy refuses duplicate proxy names")
                    break
            seen.setdefault(proxy.name, []).append(proxy)
            proxy.key = proxy.label if proxy.label not in keys else f"{proxy.label}@{proxy.section.line}"
            keys.add(proxy.key)

    def _routes(self, backends: dict[str, _Proxy]) -> dict[int, list[str]]:
        """For each backend, the listener ids whose traffic can reach it; also records upgrade routes."""
        serves: dict[int, list[str]] = {}
        for proxy in self.proxies:
            listener = self.listeners.get(id(proxy))
            if listener is None:
                continue
            if proxy.kind == "listen":
                serves.setdefault(id(proxy), []).append(listener.id)
            targets: list[tuple[str, Line, list[str]]] = []
            default = proxy.settings.get("default_backend")
            if default is not None and not default.line.has_env(1):
                targets.append((default.value, default.line, []))
            for line in proxy.lines("use_backend"):
                if len(line.words) > 1 and "%[" not in line.words[1] and not line.has_env(1):
                    targets.append((line.words[1], line, line.words[2:]))
            upgrade_acls = _upgrade_acls(proxy)
            for name, line, condition in targets:
                backend = backends.get(name)
                if backend is None:
                    if name not in self.disabled:
                        self._error(line, f'{proxy.label}: no backend named "{name}"', severity="warning")
                    continue
                ids = serves.setdefault(id(backend), [])
                if listener.id not in ids:
                    ids.append(listener.id)
                if condition and _routes_upgrades(condition, upgrade_acls):
                    self.upgrade_routes.setdefault(id(backend), _Written(line, proxy.section, " ".join(line.words)))
        return serves

    # -- values -------------------------------------------------------------------------

    def _provenance(self, written: _Written, owner: Section | None = None) -> Provenance:
        inherited = written.section.label if owner is not None and written.section is not owner else None
        return Provenance(file=written.line.file, line=written.line.line, column=written.line.column,
                          inherited_from=inherited)

    def _default(self, key: str, section: Section) -> tuple[str | None, Provenance] | None:
        found = defaults.lookup(key, self.version)
        if found is None:
            return None
        value, source = found
        return value, Provenance(default=source, file=section.file, line=section.line, column=section.header.column)

    def _time(self, written: _Written, key: str, unit: str = "ms") -> float | None:
        """Seconds from a written time value; raises ValueError (already reported) when unusable."""
        match = _TIME.match(written.value)
        if match is None or (match.group(2) is None and match.end() != len(written.value)):
            self._error(written.line, f'invalid time value "{written.value}" in "{key}"')
            raise ValueError
        if match.end() != len(written.value):
            self._error(written.line, f'HAProxy reads only "{match.group(0)}" of "{written.value}" in "{key}" '
                        "(one number and one unit); newer versions reject it", severity="warning")
        try:
            seconds = durations.parse_haproxy(match.group(0), unit)
        except ValueError as exc:
            self._error(written.line, f'{exc} in "{key}"')
            raise
        if seconds * 1000 > _MAX_TIMER_MS:
            self._error(written.line, f'"{written.value}" in "{key}" is above the largest time HAProxy accepts '
                        "(2147483647 ms, about 24.8 days)")
            raise ValueError
        return seconds

    def duration(self, proxy: _Proxy, key: str, unit: str = "ms", written: _Written | None = None,
                 zero: str = "unlimited") -> Duration | None:
        """The effective value of a time setting, or None when it is unknown.

        ``zero`` says what 0 (or not writing the setting) means: "unlimited" for HAProxy's
        main timeouts (0 is no timeout at all); "unset" for settings that fall back to
        another one when 0 or absent (http-keep-alive, tunnel, ...), which return None
        then; "zero" for delays where 0 is just zero (grace, pool-purge-delay).
        """
        written = written or proxy.settings.get(key)
        section = proxy.section
        if written is not None:
            if "$" in written.value and written.line.env_words:
                return None  # from the environment: unknown
            try:
                seconds: float | None = self._time(written, key, unit)
            except ValueError:
                return None
            if seconds == 0 and zero == "unset":
                return None
            if seconds == 0 and zero == "unlimited":
                seconds = None
            return Duration(seconds=seconds, key=key, raw=written.line.text(),
                            provenance=self._provenance(written, section))
        if zero == "unset":
            return None
        default = self._default(key, section)
        if default is None:
            return None
        value, provenance = default
        if value is None:
            return Duration(seconds=None, key=key, raw=f"{key} (not set)", provenance=provenance)
        seconds = durations.parse_haproxy(value, unit)
        if seconds == 0 and zero == "unlimited":
            seconds = None
        return Duration(seconds=seconds, key=key, raw=f"{key} {value}", provenance=provenance)

    def value(self, proxy: _Proxy, key: str) -> Value | None:
        written = proxy.settings.get(key)
        if written is not None:
            shown = f"option {written.value}" if key == "option http-mode" else key
            return Value(value=written.value, key=shown, raw=written.line.text(),
                         provenance=self._provenance(written, proxy.section))
        default = self._default(key, proxy.section)
        if default is None or default[0] is None:
            return None
        value, provenance = default
        return Value(value=value, key=key, raw=f"{key} {value}", provenance=provenance)

    def flag(self, proxy: _Proxy, key: str) -> Value:
        """An on/off option as a boolean Value."""
        found = self.value(proxy, key)
        if found is None:
            return Value(value=False, key=key, raw=f"{key} (not set)",
                         provenance=Provenance(file=proxy.section.file, line=proxy.section.line))
        return found.model_copy(update={"value": (str(found.value).split() or ["on"])[0] != "off"})

    def _error(self, line: Line, message: str, severity: str = "error") -> None:
        self.diagnostics.append(Diagnostic(file=line.file, line=line.line, column=line.column, message=message,
                                           severity=severity))  # type: ignore[arg-type]

    # -- listeners ----------------------------------------------------------------------

    def _listener(self, proxy: _Proxy) -> Listener:
        mode = self.value(proxy, "mode")
        mode_text = str(mode.value) if mode is not None else "tcp"
        endpoints, tls = self._binds(proxy)
        protocol = mode_text if mode_text != "http" else ("https" if tls else "http")
        listener = Listener(
            id=self._id(proxy),
            component=self.component.id,
            name=proxy.label,
            location=proxy.location(),
            protocol=protocol,
            endpoints=endpoints,
        )
        client = self.duration(proxy, "timeout client")
        listener.inactivity_timeout = client
        if mode_text == "http":
            request = self.duration(proxy, "timeout http-request", zero="unset")
            keepalive = self.duration(proxy, "timeout http-keep-alive", zero="unset")
            listener.header_timeout = request or client
            # HAProxy waits for the next request of a keep-alive connection for timeout
            # http-keep-alive, else timeout http-request, else timeout client.
            listener.idle_timeout = keepalive or request or client
        listener.tcp_keepalive = self._tcp_keepalive(proxy, "cli")
        listener.resets = self._resets(proxy)
        if mode is not None:
            listener.settings["mode"] = mode
        for key in ("timeout client-fin", "timeout client-hs"):
            found = self.duration(proxy, key, zero="unset")
            if found is not None:
                listener.settings[key] = found
        http_mode = self.value(proxy, "option http-mode")
        if http_mode is not None:
            listener.settings["option http-mode"] = http_mode
        return listener

    def _binds(self, proxy: _Proxy) -> tuple[list[Endpoint], bool]:
        endpoints: list[Endpoint] = []
        tls = False
        for line in proxy.lines("bind"):
            if len(line.words) < 2:
                self._error(line, '"bind" needs an address')
                continue
            if any(word in ("ssl", "quic") for word in line.words[2:]) or line.words[1].startswith("quic"):
                tls = True
            if line.has_env(1):
                continue
            for address in line.words[1].split(","):
                found = _bind_endpoints(address)
                if any(e.port is not None and not 1 <= e.port <= 65535 for e in found):
                    self._error(line, f'"bind {address}": port out of range (1-65535)')
                    continue
                endpoints.extend(found)
        return endpoints, tls

    def _tcp_keepalive(self, proxy: _Proxy, side: str) -> TcpKeepalive:
        enabled = self.flag(proxy, f"option {side}tcpka")
        if enabled.value is not True:
            return TcpKeepalive(enabled=enabled)
        # Unsuffixed *tcpka-idle/-intvl values are seconds (configuration manual 2.5).
        idle = self.duration(proxy, f"{side}tcpka-idle", unit="s", zero="unset")
        interval = self.duration(proxy, f"{side}tcpka-intvl", unit="s", zero="unset")
        count_written = proxy.settings.get(f"{side}tcpka-cnt")
        count = None
        if count_written is not None and is_int(count_written.value):
            count = Value(value=int(count_written.value), key=f"{side}tcpka-cnt", raw=count_written.line.text(),
                          provenance=self._provenance(count_written, proxy.section))
        return TcpKeepalive(enabled=enabled, idle=idle or _linux_keepalive_idle(), interval=interval, count=count)

    def _resets(self, proxy: _Proxy) -> list[Value]:
        nolinger = self.flag(proxy, "option nolinger")
        if nolinger.value is not True:
            return []
        return [nolinger.model_copy(update={
            "raw": "option nolinger",
            "detail": "HAProxy closes connections with a TCP reset (SO_LINGER 0) instead of a FIN, which discards "
                      "data still in the send buffer: the peer can lose the end of a response and reports "
                      "\"connection reset by peer\"",
        })]

    # -- upstreams ----------------------------------------------------------------------

    def _upstream(self, proxy: _Proxy, serves: list[str]) -> Upstream:
        mode = self.value(proxy, "mode")
        mode_text = str(mode.value) if mode is not None else "tcp"
        http = mode_text == "http"
        targets = [self._target(server, http) for server in proxy.servers]
        tls = any(_is_on(server.params.get("ssl")) for server in proxy.servers)
        protocol = ("https" if tls else "http") if http else mode_text
        upstream = Upstream(
            id=self._id(proxy),
            component=self.component.id,
            name=proxy.label,
            location=proxy.location(),
            protocol=protocol,
            targets=targets,
            serves=serves,
        )
        upstream.connect_timeout = self.duration(proxy, "timeout connect")
        upstream.read_timeout = self.duration(proxy, "timeout server")
        upstream.send_timeout = upstream.read_timeout
        upstream.tunnel_timeout = (self.duration(proxy, "timeout tunnel", zero="unset")
                                   or self._set_timeout_tunnel(proxy, serves))
        upstream.retry = self._retry(proxy, http, serves)
        upstream.tcp_keepalive = self._tcp_keepalive(proxy, "srv")
        upstream.resets = self._resets(proxy)
        self._reuse(upstream, proxy, http, serves)
        if mode is not None:
            upstream.settings["mode"] = mode
        for key in ("timeout server-fin", "timeout queue"):
            found = self.duration(proxy, key, zero="unset")
            if found is not None:
                upstream.settings[key] = found
        upgrade = self._upgrade(proxy)
        if upgrade is not None:
            upstream.settings["upgrade"] = upgrade
        return upstream

    def _target(self, server: _Server, http: bool) -> Target:
        provenance = Provenance(file=server.line.file, line=server.line.line, column=server.line.column)
        tls = _is_on(server.params.get("ssl"))
        scheme = ("https" if tls else "http") if http else "tcp"
        backup = _is_on(server.params.get("backup"))
        disabled = _is_on(server.params.get("disabled"))
        raw = server.address
        host, port, kind = _server_address(raw)
        if port is not None and not 0 <= port <= 65535:  # 0: the client's own port (transparent proxies)
            self._error(server.line, f'port {port} of server "{server.name}" is out of range (1-65535)')
            port = None
        return Target(host=host, port=port, scheme="unix" if kind == "unix" else scheme, raw=raw,
                      provenance=provenance, backup=backup, disabled=disabled)

    def _set_timeout_tunnel(self, proxy: _Proxy, serves: list[str]) -> Duration | None:
        """``http-request set-timeout tunnel`` in the backend, or in a frontend routing to it."""
        owners = [proxy] + self._frontends(proxy, serves)
        for owner in owners:
            for line in owner.lines("http-request"):
                words = line.words
                if len(words) > 3 and words[1] == "set-timeout" and words[2] == "tunnel" and not line.has_env(3):
                    written = _Written(line, owner.section, words[3])
                    found = self.duration(owner, "http-request set-timeout tunnel", written=written,
                                          zero="unset")
                    if found is not None:
                        return found
        return None

    def _retry(self, proxy: _Proxy, http: bool, serves: list[str]) -> RetryPolicy:
        conditions = self.value(proxy, "retry-on")
        words = str(conditions.value).split() if conditions is not None else ["conn-failure"]
        if conditions is None:
            conditions = Value(value=words, key="retry-on", raw="retry-on conn-failure",
                               provenance=Provenance(file=proxy.section.file, line=proxy.section.line))
        conditions = conditions.model_copy(update={"value": words})
        replaying = [word for word in words if word not in _SAFE_RETRY_CONDITIONS]
        non_idempotent = conditions.model_copy(update={"value": False})
        if http and replaying:
            non_idempotent = conditions.model_copy(update={
                "value": True,
                "detail": f"on {' '.join(replaying)} HAProxy sends a buffered copy of the request again, whatever "
                          "its method, although the server may already have processed it",
            })
            guard = self._retry_guard(proxy, serves)
            if guard is not None:
                non_idempotent = non_idempotent.model_copy(update={
                    "value": False,
                    "detail": f"{guard.line.text()} at {guard.line.file}:{guard.line.line} keeps non-idempotent "
                              "requests from being replayed",
                })
        retries = proxy.settings.get("retries")
        tries: Value | None = None
        if retries is not None and is_int(retries.value):
            tries = Value(value=int(retries.value) + 1, key="retries", raw=retries.line.text(),
                          provenance=self._provenance(retries, proxy.section),
                          detail=f"{retries.value} retries after the first attempt")
        elif retries is not None:
            self._error(retries.line, f'invalid value in "retries": expected a number, got "{retries.value}"')
        else:
            default = self._default("retries", proxy.section)
            if default is not None and default[0] is not None:
                tries = Value(value=int(default[0]) + 1, key="retries", raw=f"retries {default[0]}",
                              provenance=default[1], detail=f"{default[0]} retries after the first attempt")
        redispatch = self.flag(proxy, "option redispatch")
        if redispatch.value is True and str(proxy.settings["option redispatch"].value).strip() == "0":
            redispatch = redispatch.model_copy(update={"value": False})  # "option redispatch 0" disables it
        return RetryPolicy(conditions=conditions, non_idempotent=non_idempotent, tries=tries, redispatch=redispatch)

    def _retry_guard(self, proxy: _Proxy, serves: list[str]) -> _Written | None:
        """An ``http-request disable-l7-retry`` that applies to all requests, or to non-idempotent methods."""
        owners = [proxy] + self._frontends(proxy, serves)
        for owner in owners:
            for line in owner.lines("http-request"):
                if len(line.words) > 1 and line.words[1] == "disable-l7-retry":
                    condition = " ".join(line.words[2:])
                    if not condition or _METHOD_GUARD.search(condition):
                        return _Written(line, owner.section, condition)
        return None

    def _reuse(self, upstream: Upstream, proxy: _Proxy, http: bool, serves: list[str]) -> None:
        """Whether HAProxy keeps idle server connections for reuse, and for how long."""
        location = upstream.location
        upstream.idle_timeout = self._pool_purge_delay(proxy)
        max_conn = self._pool_max_conn(proxy)
        if max_conn is not None:
            upstream.pool_size = max_conn
        if not http:
            mode = self.value(proxy, "mode")
            assert mode is not None  # "mode" has a documented default
            upstream.reuse = mode.model_copy(update={
                "value": False, "detail": "in TCP mode each client connection gets its own server connection"})
            return
        reuse = self.value(proxy, "http-reuse") or Value(value="safe", key="http-reuse", raw="http-reuse safe",
                                                          provenance=location)
        if str(reuse.value) == "never":
            upstream.reuse = reuse.model_copy(update={"value": False,
                                                      "detail": "http-reuse never keeps no idle server connection"})
            return
        close = self._closing_mode(proxy, serves)
        if close is not None:
            upstream.reuse = close
            return
        if max_conn is not None and max_conn.value == 0:
            upstream.reuse = max_conn.model_copy(update={"value": False,
                                                         "detail": "pool-max-conn 0 keeps no idle server connection"})
            return
        upstream.reuse = reuse.model_copy(update={"value": True})

    def _closing_mode(self, proxy: _Proxy, serves: list[str]) -> Value | None:
        """``option httpclose``/``http-server-close`` in the backend, or in every frontend using it."""
        own = self.value(proxy, "option http-mode")
        if own is not None and own.value in ("httpclose", "http-server-close"):
            return own.model_copy(update={"value": False, "detail": (
                f"{own.raw} ({own.provenance.describe()}) closes the server connection after each response")})
        frontends = self._frontends(proxy, serves)
        closing = [self.value(other, "option http-mode") for other in frontends]
        if frontends and all(item is not None and item.value in ("httpclose", "http-server-close") for item in closing):
            first = closing[0]
            assert first is not None
            return first.model_copy(update={"value": False, "detail": (
                f"{first.raw} ({first.provenance.describe()}), like every frontend that uses this backend, "
                "closes the server connection after each response")})
        return None

    def _pool_purge_delay(self, proxy: _Proxy) -> Duration | None:
        """The longest pool-purge-delay among the servers (HAProxy's bound on idle server connections).

        pool-purge-delay, not timeout http-keep-alive (which is the client side), decides
        how long HAProxy keeps an idle connection to a server: every delay it closes part
        of the idle connections. A connection can survive a purge, so the delay is the
        shortest time HAProxy may keep it; TL101 compares this lower bound, which never
        reports a race that cannot happen.
        """
        candidates = [server.params.get("pool-purge-delay") for server in proxy.servers]
        if not candidates:
            candidates = [proxy.settings.get("default-server pool-purge-delay")]
        found = [self.duration(proxy, "pool-purge-delay", written=written, zero="zero") for written in candidates]
        known = [item for item in found if item is not None]
        if not known:
            return None
        return max(known, key=lambda item: float("inf") if item.seconds is None else item.seconds)

    def _pool_max_conn(self, proxy: _Proxy) -> Value | None:
        written = [server.params.get("pool-max-conn") for server in proxy.servers] or \
            [proxy.settings.get("default-server pool-max-conn")]
        values = [item for item in written if item is not None]
        if not values or len(values) != len(written) or not all(re.fullmatch(r"-?[0-9]{1,18}", item.value) for item in values):
            return None
        largest = max(values, key=lambda item: int(item.value) if int(item.value) >= 0 else float("inf"))
        return Value(value=int(largest.value), key="pool-max-conn", raw=largest.line.text(),
                     provenance=self._provenance(largest, proxy.section))

    def _upgrade(self, proxy: _Proxy) -> Value | None:
        """Evidence that WebSocket (upgraded) connections go through this backend."""
        route = self.upgrade_routes.get(id(proxy))
        if route is not None:
            return Value(value=True, key="use_backend", raw=route.value, provenance=self._provenance(route),
                         detail=f'{route.section.label} routes upgrade requests here with "{route.value}"')
        for line in proxy.section.lines:
            if line.keyword in ("acl", "http-request", "use-server") and _UPGRADE_TEXT.search(line.text()):
                return Value(value=True, key=line.keyword, raw=line.text(),
                             provenance=Provenance(file=line.file, line=line.line, column=line.column),
                             detail=f'{proxy.label} handles upgrade requests: "{line.text()}"')
        if set(re.split(r"[-_.]", proxy.name.lower())) & _UPGRADE_NAMES:
            return Value(value=True, key=proxy.kind, raw=proxy.label,
                         provenance=Provenance(file=proxy.section.file, line=proxy.section.line),
                         detail="its name says so")
        return None

    # -- global -------------------------------------------------------------------------

    def _lifecycle(self, section: Section | None) -> Lifecycle:
        if section is None:
            return Lifecycle(location=self.component.location)
        holder = _Proxy(section, {})
        for line in section.lines:
            if line.keyword in ("hard-stop-after", "grace", "close-spread-time") and len(line.words) > 1:
                holder.settings[line.keyword] = _Written(line, section, line.words[1])
        lifecycle = Lifecycle(
            drain_timeout=self.duration(holder, "hard-stop-after"),
            prestop_delay=self.duration(holder, "grace", zero="zero"),
            location=Provenance(file=section.file, line=section.line),
        )
        spread = self.duration(holder, "close-spread-time", zero="unset")
        if spread is not None:
            self.component.settings["close-spread-time"] = spread
        return lifecycle

    # -- removed keywords ------------------------------------------------------------------

    def _check_obsolete(self, section: Section) -> None:
        if section.kind not in PROXY_SECTIONS:
            return
        for line in section.lines:
            words = line.words
            key = f"option {words[1]}" if words[0] == "option" and len(words) > 1 else words[0]
            removal = defaults.REMOVALS.get(key)
            if removal is None:
                continue
            status = removal.status(self.version)
            if status is None:
                continue
            version = defaults.format_version(self.version)
            what = {
                "rejected": f"HAProxy {version} refuses to start with it (removed in "
                            f"{defaults.format_version(removal.rejected_since)})",
                "ignored": f"HAProxy {version} ignores it (it has had no effect since "
                           f"{defaults.format_version(removal.ignored_since or removal.rejected_since)}, and "
                           f"{defaults.format_version(removal.rejected_since)} refuses to start with it)",
                "deprecated": f"HAProxy {defaults.format_version(removal.rejected_since)} and later refuse to start "
                              "with it",
            }[status]
            self.component.obsolete.append(Value(
                value=status, key=key, raw=line.text(),
                provenance=Provenance(file=line.file, line=line.line, column=line.column,
                                      default=None),
                detail=f"{what}; {removal.why}. Use instead: {removal.instead}",
            ))

    def _frontends(self, proxy: _Proxy, serves: list[str]) -> list[_Proxy]:
        """The frontends and listens (other than ``proxy`` itself) that route to ``proxy``."""
        return [self.by_listener[listener_id] for listener_id in serves
                if self.by_listener[listener_id] is not proxy]

    def _id(self, proxy: _Proxy) -> str:
        return f"{self.component.id}:{proxy.key}"


def _restore(settings: dict[str, _Written], base: dict[str, _Written], key: str) -> None:
    """``default option X``: back to what the defaults section said."""
    if key in base:
        settings[key] = base[key]
    else:
        settings.pop(key, None)


def _is_on(written: _Written | None) -> bool:
    return written is not None and written.value == "on"


def _server_params(words: list[str]) -> dict[str, str]:
    """The server parameters tolint reads, from a server or default-server line's arguments."""
    found: dict[str, str] = {}
    index = 0
    while index < len(words):
        word = words[index]
        if word in _SERVER_VALUE_KEYWORDS:
            if word in _SERVER_PARAMS and index + 1 < len(words):
                found[word] = words[index + 1]
            index += 2
            continue
        if word in _SERVER_FLAGS:
            if word == "no-ssl":
                found["ssl"] = "off"
            elif word == "no-backup":
                found["backup"] = "off"
            elif word == "enabled":
                found["disabled"] = "off"
            else:
                found[word] = "on"
        index += 1
    return found


def _server_address(address: str) -> tuple[str | None, int | None, str]:
    """Host, port and kind ("inet" or "unix") of a server address; host None when not static."""
    if "$" in address:
        return None, None, "inet"
    lower = address.lower()
    if lower.startswith(_UNIX_PREFIXES):
        return None, None, "unix"
    for prefix in _ADDRESS_PREFIXES:
        if lower.startswith(prefix):
            lower = lower[len(prefix):]
            break
    host, port_text = _split_host_port(lower)
    port = int(port_text) if is_int(port_text) else None  # "+1000"/"-1000": relative to the client's port
    return host or None, port, "inet"


def _split_host_port(address: str) -> tuple[str, str]:
    if address.startswith("["):
        host, _, rest = address[1:].partition("]")
        return host, rest[1:] if rest.startswith(":") else ""
    if address.count(":") > 1:
        # IPv6 without brackets: HAProxy reads the part after the last colon as the port.
        host, _, port = address.rpartition(":")
        return host, port
    host, _, port = address.partition(":")
    return host, port


def _bind_endpoints(address: str) -> list[Endpoint]:
    lower = address.strip().lower()
    if not lower or lower.startswith(_UNIX_PREFIXES):
        return []
    for prefix in _ADDRESS_PREFIXES:
        if lower.startswith(prefix):
            lower = lower[len(prefix):]
            break
    host, port_text = _split_host_port(lower)
    host_value = None if host in _ANY_ADDRESS else host
    if "-" in port_text:
        first, _, last = port_text.partition("-")
        if is_int(first) and is_int(last) and int(first) <= int(last):
            ports = range(int(first), min(int(last), int(first) + _MAX_RANGE_PORTS - 1) + 1)
            return [Endpoint(host=host_value, port=port) for port in ports]
        return []
    if not is_int(port_text):
        return [Endpoint(host=host_value, port=None)] if host_value else []
    return [Endpoint(host=host_value, port=int(port_text))]


def _upgrade_acls(proxy: _Proxy) -> set[str]:
    """Names of the ACLs of a frontend that match upgrade (WebSocket) requests."""
    names: set[str] = set()
    for line in proxy.lines("acl"):
        if len(line.words) > 2 and _UPGRADE_TEXT.search(" ".join(line.words[2:])):
            names.add(line.words[1])
    return names


def _routes_upgrades(condition: list[str], upgrade_acls: set[str]) -> bool:
    """True when a use_backend condition selects upgrade requests (not when it excludes them)."""
    if not condition or condition[0] != "if":
        return False
    text = " ".join(condition[1:])
    for block in re.findall(r"\{([^}]*)\}", text):
        if _UPGRADE_TEXT.search(block):
            return True
    words = re.sub(r"\{[^}]*\}", " ", text).split()
    return any(word in upgrade_acls for word in words)  # "!is_ws" stays "!is_ws" and does not match


def _linux_keepalive_idle() -> Duration:
    """TCP keep-alive enabled without an idle time uses the kernel's net.ipv4.tcp_keepalive_time."""
    return Duration(
        seconds=7200.0,
        key="net.ipv4.tcp_keepalive_time",
        raw="net.ipv4.tcp_keepalive_time 7200",
        provenance=Provenance(default=default_source(product="Linux", source=LINUX_KEEPALIVE_SOURCE)),
    )
