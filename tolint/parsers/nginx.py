"""nginx configuration to graph fragments.

One nginx main file (with its includes) becomes one ``Component``: every ``server``
block is a ``Listener`` and every location that passes requests on (``proxy_pass``,
``grpc_pass``, ``uwsgi_pass``, ``fastcgi_pass``) is an ``Upstream`` whose effective
settings come from the location, its enclosing blocks, the ``upstream{}`` block it
names, or nginx's documented default for the configured version.
"""

from __future__ import annotations

import re
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
from tolint.parsers import nginx_defaults
from tolint.parsers.nginx_files import LoadedFile, NginxSource
from tolint.parsers.nginx_scopes import Scope, build_scopes
from tolint.parsers.nginx_syntax import Statement

# Pass directive -> (module prefix for its settings, protocol, default scheme)
PASS_DIRECTIVES = {
    "proxy_pass": ("proxy", "http"),
    "grpc_pass": ("grpc", "grpc"),
    "uwsgi_pass": ("uwsgi", "uwsgi"),
    "fastcgi_pass": ("fastcgi", "fastcgi"),
}
_SCHEME_PORTS = {"http": 80, "https": 443, "grpc": 80, "grpcs": 443, "uwsgi": 80, "suwsgi": 443}
_URL = re.compile(r"^(?:(?P<scheme>[a-z][a-z0-9+.-]*)://)?(?P<host>\[[^\]]*\]|[^:/]+)(?::(?P<port>[^/]*))?")
_RESET_WHY = {
    "reset_timedout_connection": "nginx closes timed-out connections with a TCP reset, which discards unsent "
    "data and shows up as \"connection reset by peer\" instead of a clean close",
    "lingering_close": "nginx closes without reading what the client is still sending, so the client's "
    "kernel answers with a reset and the client may lose the response",
}
LINUX_KEEPALIVE_SOURCE = "https://www.kernel.org/doc/Documentation/networking/ip-sysctl.rst"


@dataclass
class NginxOptions:
    version: str = nginx_defaults.DEFAULT_NGINX_VERSION


@dataclass
class _Context:
    """State shared while building one component."""

    version: tuple[int, ...]
    version_text: str
    files: dict[str, LoadedFile]
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lines = {loaded.display: loaded.lines for loaded in self.files.values()}

    def column(self, stmt: Statement) -> int | None:
        """crossplane gives no columns: find the directive on its line."""
        lines = self._lines.get(stmt.file)
        if lines is None or not 0 < stmt.line <= len(lines):
            return None
        index = lines[stmt.line - 1].find(stmt.directive)
        return index + 1 if index >= 0 else None

    def provenance(self, stmt: Statement, owner: Scope | None = None, scope: Scope | None = None) -> Provenance:
        inherited = owner.label if owner is not None and scope is not None and owner is not scope else None
        return Provenance(file=stmt.file, line=stmt.line, column=self.column(stmt), inherited_from=inherited)

    def default(self, key: str, scope: Scope | None = None) -> tuple[str | None, Provenance] | None:
        """nginx's default for ``key``; its provenance points at the block it applies to, if any."""
        found = nginx_defaults.lookup(key, self.version)
        if found is None:
            return None
        value, source = found
        block = scope.stmt if scope is not None else None
        if block is None:
            return value, Provenance(default=source)
        return value, Provenance(default=source, file=block.file, line=block.line, column=self.column(block))

    def bad_value(self, stmt: Statement, reason: str) -> None:
        self.diagnostics.append(Diagnostic(
            file=stmt.file, line=stmt.line, column=self.column(stmt),
            message=f'invalid value in "{stmt.directive}": {reason}',
        ))

    # -- settings -----------------------------------------------------------------

    def duration(self, scope: Scope, name: str, default_key: str | None = None, zero_is_unlimited: bool = False,
                 arg: int = 0, inherit: bool = True) -> Duration | None:
        found = scope.find(name) if inherit else ((scope.first(name), scope) if scope.first(name) else None)
        if found is not None:
            stmt, owner = found
            if len(stmt.args) > arg:
                raw = stmt.args[arg]
                try:
                    seconds: float | None = durations.parse_nginx(raw)
                except ValueError as exc:
                    self.bad_value(stmt, str(exc))
                else:
                    if zero_is_unlimited and seconds == 0:
                        seconds = None
                    return Duration(seconds=seconds, key=name, raw=f"{name} {' '.join(stmt.args)}",
                                    provenance=self.provenance(stmt, owner, scope))
            else:
                self.bad_value(stmt, "missing argument")
        default = self.default(default_key or name, scope)
        if default is None:
            return None
        value, provenance = default
        if value is None:
            return Duration(seconds=None, key=name, raw=f"{name} (not set)", provenance=provenance)
        seconds = durations.parse_nginx(value)
        if zero_is_unlimited and seconds == 0:
            return Duration(seconds=None, key=name, raw=f"{name} {value}", provenance=provenance)
        return Duration(seconds=seconds, key=name, raw=f"{name} {value}", provenance=provenance)

    def text(self, scope: Scope, name: str, default_key: str | None = None, inherit: bool = True) -> Value | None:
        found = scope.find(name) if inherit else ((scope.first(name), scope) if scope.first(name) else None)
        if found is not None:
            stmt, owner = found
            return Value(value=" ".join(stmt.args), key=name, raw=f"{name} {' '.join(stmt.args)}",
                         provenance=self.provenance(stmt, owner, scope))
        default = self.default(default_key or name, scope)
        if default is None or default[0] is None:
            return None
        value, provenance = default
        return Value(value=value, key=name, raw=f"{name} {value}", provenance=provenance)

    def count(self, scope: Scope, name: str, default_key: str | None = None, inherit: bool = True) -> Value | None:
        found = self.text(scope, name, default_key, inherit)
        if found is None:
            return None
        first = str(found.value).split()[0] if str(found.value).split() else ""
        if not is_int(first):
            if not found.provenance.is_default:
                self.diagnostics.append(Diagnostic(
                    file=found.provenance.file or "", line=found.provenance.line,
                    message=f'invalid value in "{name}": expected a number, got "{found.value}"',
                ))
            return None
        return found.model_copy(update={"value": int(first)})


def build_component(source: NginxSource, main_key: str, options: NginxOptions) -> Fragment:
    """Build the fragment for one nginx main file (and everything it includes)."""
    diagnostics: list[Diagnostic] = []
    statements, files = source.expand(main_key, diagnostics)
    main_file = files[0]
    try:
        version = nginx_defaults.parse_version(options.version)
    except ValueError:
        version = nginx_defaults.parse_version(nginx_defaults.DEFAULT_NGINX_VERSION)
    ctx = _Context(version=version, version_text=options.version, files={f.key: f for f in files},
                   diagnostics=diagnostics)
    root = build_scopes(statements)
    component_id = f"nginx:{main_file.display}"
    component = Component(
        id=component_id,
        kind="nginx",
        product="nginx",
        version=options.version,
        name=f"nginx {main_file.display}",
        location=Provenance(file=main_file.display, line=1),
        files=sorted({f.display for f in files}),
    )
    _NginxBuilder(ctx, root, component).build()
    root.dispose()
    sources = {f.display: f.text for f in files
               if f.error is None and f.text is not None and f.display != main_file.display}
    return Fragment(components=[component], diagnostics=diagnostics, files=component.files, sources=sources)


class _NginxBuilder:
    def __init__(self, ctx: _Context, root: Scope, component: Component) -> None:
        self.ctx = ctx
        self.root = root
        self.component = component
        self.upstream_blocks: dict[str, Scope] = {}
        self.maps: dict[str, Statement] = {}

    def build(self) -> None:
        scopes = self.root.walk()
        for scope in scopes:
            if scope.kind == "upstream" and scope.stmt is not None and scope.stmt.args:
                self.upstream_blocks.setdefault(f"{scope.module}:{scope.stmt.args[0]}", scope)
            if scope.kind == "map" and scope.stmt is not None and len(scope.stmt.args) == 2:
                self.maps.setdefault(scope.stmt.args[1], scope.stmt)
        for scope in scopes:
            if scope.kind == "server" and (scope.parent is None or scope.parent.kind in ("http", "stream", "main")):
                self._server(scope)
        worker_shutdown = self.ctx.duration(self.root, "worker_shutdown_timeout")
        self.component.lifecycle = Lifecycle(drain_timeout=worker_shutdown, location=self.component.location)

    # -- server blocks ------------------------------------------------------------------

    def _server(self, server: Scope) -> None:
        ctx = self.ctx
        stmt = server.stmt
        file = stmt.file if stmt else self.component.location.file
        line = stmt.line if stmt else 1
        listener_id = f"{self.component.id}:{file}:{line}"
        endpoints, tcp_keepalive, protocol = self._listen(server)
        names = [name for s in server.all("server_name") for name in s.args if name not in ("_", "")]
        label = names[0] if names else "_"
        ports = ",".join(str(e.port) for e in endpoints if e.port is not None)
        listener = Listener(
            id=listener_id,
            component=self.component.id,
            name=f"server {label}" + (f" (port {ports})" if ports else ""),
            location=Provenance(file=file, line=line, column=ctx.column(stmt) if stmt else None),
            protocol=protocol,
            endpoints=endpoints,
            names=names,
            tcp_keepalive=tcp_keepalive,
        )
        if server.module == "stream":
            listener.protocol = "tcp"
            listener.inactivity_timeout = ctx.duration(server, "proxy_timeout", "stream:proxy_timeout")
        else:
            listener.idle_timeout = ctx.duration(server, "keepalive_timeout")
            listener.header_timeout = ctx.duration(server, "client_header_timeout")
            listener.body_timeout = ctx.duration(server, "client_body_timeout")
            listener.send_timeout = ctx.duration(server, "send_timeout")
            listener.keepalive_requests = ctx.count(server, "keepalive_requests")
            listener.max_connection_age = ctx.duration(server, "keepalive_time")
            listener.resets = self._resets(server)
        self.component.listeners.append(listener)

        for scope in server.walk():
            if scope is server:
                if server.module == "stream" and server.first("proxy_pass"):
                    self._upstream(server, server.first("proxy_pass"), listener)
                continue
            if scope.kind == "server":
                continue  # a nested server block is an error nginx reports; skip it
            for directive in PASS_DIRECTIVES:
                pass_stmt = scope.first(directive)
                if pass_stmt is not None and scope.module == "http":
                    self._upstream(scope, pass_stmt, listener)

    def _listen(self, server: Scope) -> tuple[list[Endpoint], TcpKeepalive | None, str]:
        endpoints: list[Endpoint] = []
        keepalive: TcpKeepalive | None = None
        protocol = "http"
        for stmt in server.all("listen"):
            if not stmt.args:
                continue
            endpoint = _parse_listen_address(stmt.args[0])
            if endpoint is not None and endpoint.port is not None and not 1 <= endpoint.port <= 65535:
                self.ctx.bad_value(stmt, f"port {endpoint.port} is out of range (1-65535)")
            elif endpoint is not None:
                endpoints.append(endpoint)
            for arg in stmt.args[1:]:
                if arg == "ssl" or arg == "quic":
                    protocol = "https"
                if arg.startswith("so_keepalive="):
                    keepalive = self._so_keepalive(stmt, arg.split("=", 1)[1])
        if not server.all("listen"):
            endpoints.append(Endpoint(host=None, port=80))
        return endpoints, keepalive, protocol

    def _so_keepalive(self, stmt: Statement, spec: str) -> TcpKeepalive | None:
        provenance = self.ctx.provenance(stmt)
        raw = f"listen ... so_keepalive={spec}"
        if spec == "off":
            return TcpKeepalive(enabled=Value(value=False, key="so_keepalive", raw=raw, provenance=provenance))
        enabled = Value(value=True, key="so_keepalive", raw=raw, provenance=provenance)
        if spec == "on":
            return TcpKeepalive(enabled=enabled, idle=_linux_keepalive_idle())
        parts = (spec.split(":") + ["", "", ""])[:3]
        try:
            idle = durations.parse_nginx(parts[0]) if parts[0] else None
            interval = durations.parse_nginx(parts[1]) if parts[1] else None
        except ValueError as exc:
            self.ctx.bad_value(stmt, str(exc))
            return TcpKeepalive(enabled=enabled, idle=_linux_keepalive_idle())
        return TcpKeepalive(
            enabled=enabled,
            idle=Duration(seconds=idle, key="so_keepalive idle", raw=raw, provenance=provenance)
            if idle is not None else _linux_keepalive_idle(),
            interval=Duration(seconds=interval, key="so_keepalive interval", raw=raw, provenance=provenance)
            if interval is not None else None,
            count=Value(value=int(parts[2]), key="so_keepalive count", raw=raw, provenance=provenance)
            if is_int(parts[2]) else None,
        )

    def _resets(self, server: Scope) -> list[Value]:
        """Settings under this server that make nginx close connections with RST."""
        resets: list[Value] = []
        seen: set[tuple[str | None, int | None]] = set()
        for scope in server.walk():
            for name, bad in (("reset_timedout_connection", "on"), ("lingering_close", "off")):
                found = scope.find(name) if scope is server else (
                    (scope.first(name), scope) if scope.first(name) else None)
                if found is None:
                    continue
                stmt, owner = found
                if not stmt.args or stmt.args[0].lower() != bad:
                    continue
                key = (stmt.file, stmt.line)
                if key in seen:
                    continue
                seen.add(key)
                resets.append(Value(value=bad, key=name, raw=f"{name} {bad}",
                                    provenance=self.ctx.provenance(stmt, owner, scope), detail=_RESET_WHY[name]))
        return resets

    # -- locations that pass requests on ------------------------------------------------

    def _upstream(self, scope: Scope, pass_stmt: Statement, listener: Listener) -> None:
        ctx = self.ctx
        directive = pass_stmt.directive
        stream = scope.module == "stream"
        module, protocol = ("proxy", "tcp") if stream else PASS_DIRECTIVES[directive]
        prefix = "stream:" if stream else ""
        upstream_id = f"{self.component.id}:{pass_stmt.file}:{pass_stmt.line}"
        where = scope.label if scope.kind != "server" else "server"
        raw_target = pass_stmt.args[0] if pass_stmt.args else ""
        block, targets, scheme = self._targets(scope, pass_stmt, module)
        if scheme in ("https", "grpcs"):
            protocol = "https" if protocol == "http" else protocol
        if block is not None and block.stmt is not None:
            name = f"upstream {block.stmt.args[0]} (from {where})"
        else:
            name = f"{where} -> {raw_target}"
        upstream = Upstream(
            id=upstream_id,
            component=self.component.id,
            name=name,
            location=ctx.provenance(pass_stmt),
            protocol=protocol,
            targets=targets,
            serves=[listener.id],
        )
        upstream.settings["target"] = Value(value=raw_target, key=directive, raw=f"{directive} {raw_target}",
                                            provenance=ctx.provenance(pass_stmt))
        if stream:
            upstream.connect_timeout = ctx.duration(scope, "proxy_connect_timeout", "stream:proxy_connect_timeout")
            upstream.read_timeout = ctx.duration(scope, "proxy_timeout", "stream:proxy_timeout")
            upstream.send_timeout = upstream.read_timeout
        else:
            upstream.connect_timeout = ctx.duration(scope, f"{module}_connect_timeout")
            upstream.read_timeout = ctx.duration(scope, f"{module}_read_timeout")
            upstream.send_timeout = ctx.duration(scope, f"{module}_send_timeout")
        upstream.retry = self._retry(scope, module, prefix, stream)
        upstream.tcp_keepalive = self._socket_keepalive(scope, module, prefix)
        self._reuse(upstream, scope, block, module, stream)
        self.component.upstreams.append(upstream)

    def _targets(self, scope: Scope, pass_stmt: Statement, module: str) -> tuple[Scope | None, list[Target], str | None]:
        ctx = self.ctx
        if not pass_stmt.args:
            ctx.bad_value(pass_stmt, "missing address")
            return None, [], None
        raw = pass_stmt.args[0]
        provenance = ctx.provenance(pass_stmt)
        if raw.startswith("unix:") or "://unix:" in raw:
            return None, [Target(host=None, raw=raw, provenance=provenance, scheme="unix")], "unix"
        match = _URL.match(raw)
        if match is None:
            return None, [Target(host=None, raw=raw, provenance=provenance)], None
        scheme = "tcp" if scope.module == "stream" else (match.group("scheme") or _default_scheme(pass_stmt.directive))
        host = match.group("host")
        port_text = match.group("port")
        block = self.upstream_blocks.get(f"{scope.module}:{host}") if not port_text else None
        if block is not None:
            return block, self._block_targets(block, scheme), scheme
        if "$" in raw:
            return None, [Target(host=None, raw=raw, provenance=provenance, scheme=scheme)], scheme
        port = _port(port_text, scheme)
        if port is not None and not 1 <= port <= 65535:
            ctx.bad_value(pass_stmt, f"port {port} is out of range (1-65535)")
            return None, [Target(host=None, raw=raw, provenance=provenance, scheme=scheme)], scheme
        return None, [Target(host=host.strip("[]").lower(), port=port, scheme=scheme, raw=raw, provenance=provenance)], scheme

    def _block_targets(self, block: Scope, scheme: str | None) -> list[Target]:
        targets: list[Target] = []
        for stmt in block.all("server"):
            if not stmt.args:
                continue
            address = stmt.args[0]
            provenance = self.ctx.provenance(stmt)
            backup = "backup" in stmt.args[1:]
            if address.startswith("unix:"):
                targets.append(Target(host=None, raw=address, provenance=provenance, scheme="unix", backup=backup))
                continue
            match = _URL.match(address)
            if match is None or "$" in address:
                targets.append(Target(host=None, raw=address, provenance=provenance, backup=backup))
                continue
            host = match.group("host").strip("[]").lower()
            port = _port(match.group("port"), scheme)
            if port is not None and not 1 <= port <= 65535:
                self.ctx.bad_value(stmt, f"port {port} is out of range (1-65535)")
                continue
            targets.append(Target(host=host, port=port, scheme=scheme,
                                  raw=address, provenance=provenance, backup=backup))
        return targets

    def _retry(self, scope: Scope, module: str, prefix: str, stream: bool) -> RetryPolicy | None:
        ctx = self.ctx
        conditions = ctx.text(scope, f"{module}_next_upstream", f"{prefix}{module}_next_upstream")
        if conditions is None:
            return None
        words = str(conditions.value).split()
        if stream:
            words = ["error", "timeout"] if words == ["on"] else ["off"]
        conditions = conditions.model_copy(update={"value": words})
        tries = ctx.count(scope, f"{module}_next_upstream_tries", f"{prefix}{module}_next_upstream_tries")
        budget = ctx.duration(scope, f"{module}_next_upstream_timeout", f"{prefix}{module}_next_upstream_timeout",
                              zero_is_unlimited=True)
        return RetryPolicy(
            conditions=conditions,
            non_idempotent=conditions.model_copy(update={"value": "non_idempotent" in words}),
            tries=tries,
            budget=budget,
        )

    def _socket_keepalive(self, scope: Scope, module: str, prefix: str) -> TcpKeepalive | None:
        setting = self.ctx.text(scope, f"{module}_socket_keepalive", f"{prefix}{module}_socket_keepalive")
        if setting is None:
            return None
        enabled = str(setting.value).lower() == "on"
        return TcpKeepalive(
            enabled=setting.model_copy(update={"value": enabled}),
            idle=_linux_keepalive_idle() if enabled else None,
        )

    # -- connection reuse ------------------------------------------------------------

    def _reuse(self, upstream: Upstream, scope: Scope, block: Scope | None, module: str, stream: bool) -> None:
        """Work out whether nginx reuses connections to this upstream, and why not when it does not."""
        ctx = self.ctx
        location = upstream.location
        if stream or module == "uwsgi":
            why = "the stream module" if stream else "uwsgi_pass"
            upstream.reuse = Value(value=False, key=upstream.settings["target"].key, raw=upstream.settings["target"].raw, provenance=location,
                                   detail=f"{why} opens a new connection for every client connection")
            return
        if block is None:
            upstream.pool_size = Value(value=0, key="keepalive", raw=upstream.settings["target"].raw, provenance=location,
                                       detail="an address without an upstream{} block never caches idle connections")
            upstream.reuse = upstream.pool_size.model_copy(update={"value": False})
            return

        pool = ctx.count(block, "keepalive", "upstream:keepalive", inherit=False)
        if pool is None:
            pool = Value(value=0, key="keepalive", raw="keepalive (not set)", provenance=ctx.provenance(block.stmt) if block.stmt else location,
                         detail=f"upstream {block.stmt.args[0] if block.stmt else ''} has no keepalive directive")
        upstream.pool_size = pool
        upstream.idle_timeout = ctx.duration(block, "keepalive_timeout", "upstream:keepalive_timeout", inherit=False)
        upstream.max_lifetime = ctx.duration(block, "keepalive_time", "upstream:keepalive_time", inherit=False)
        requests = ctx.count(block, "keepalive_requests", "upstream:keepalive_requests", inherit=False)
        if requests is not None:
            upstream.settings["keepalive_requests"] = requests
        if pool.value == 0:
            upstream.reuse = pool.model_copy(update={"value": False})
            return

        if module == "grpc":
            upstream.http_version = Value(value="2", key="grpc_pass", raw="grpc_pass", provenance=location)
            upstream.reuse = pool.model_copy(update={"value": True})
            return
        if module == "fastcgi":
            keep = ctx.text(scope, "fastcgi_keep_conn")
            on = keep is not None and str(keep.value).lower() == "on"
            upstream.reuse = (keep or pool).model_copy(update={
                "value": on,
                "detail": None if on else "fastcgi_keep_conn is off, so nginx closes FastCGI connections after each request",
            })
            return

        version = ctx.text(scope, "proxy_http_version")
        upstream.http_version = version
        connection = self._connection_header(scope)
        upstream.connection_header = connection
        if version is not None and str(version.value) == "1.0":
            upstream.reuse = version.model_copy(update={
                "value": False,
                "detail": f"nginx sends HTTP/1.0 upstream ({version.origin()}), which closes the connection "
                "after every response",
            })
        elif connection is not None and str(connection.value).lower() == "close":
            upstream.reuse = connection.model_copy(update={
                "value": False,
                "detail": f'nginx sends "Connection: close" upstream ({connection.origin()}), so the connection '
                "is closed after every response" + (f"; {connection.detail}" if connection.detail else ""),
            })
        else:
            upstream.reuse = pool.model_copy(update={"value": True})

    def _connection_header(self, scope: Scope) -> Value | None:
        """The Connection header nginx sends upstream for an ordinary (non-upgrade) request."""
        ctx = self.ctx
        group = scope.find_group("proxy_set_header")
        default = ctx.default("proxy_set_header Connection", scope)
        default_value, default_provenance = default if default else (None, Provenance())
        if group is None:
            if default_value is None:
                return None
            return Value(value=default_value, key="Connection header", raw=f"Connection: {default_value}",
                         provenance=default_provenance)
        statements, owner = group
        for stmt in statements:
            if len(stmt.args) >= 2 and stmt.args[0].lower() == "connection":
                value, detail = self._resolve_header_value(stmt.args[1])
                return Value(value=value, key="proxy_set_header Connection",
                             raw=f"proxy_set_header Connection \"{stmt.args[1]}\"",
                             provenance=ctx.provenance(stmt, owner, scope), detail=detail)
        # The nearest block that sets any proxy_set_header replaces every inherited one.
        dropped = self._dropped_connection_header(owner)
        if default_value is None and dropped is None:
            return None
        first = statements[0]
        detail = None
        if dropped is not None:
            detail = (f"the proxy_set_header at {first.file}:{first.line} replaces all inherited ones, "
                      f"including proxy_set_header Connection \"{' '.join(dropped.args[1:])}\" at {dropped.file}:{dropped.line}")
        shown = default_value if default_value is not None else ""
        return Value(value=shown, key="Connection header", raw=f"Connection: {shown}" if shown else "no Connection header",
                     provenance=default_provenance if default_value is not None else ctx.provenance(first),
                     detail=detail)

    def _dropped_connection_header(self, owner: Scope) -> Statement | None:
        parent = owner.parent
        while parent is not None:
            for stmt in parent.all("proxy_set_header"):
                if len(stmt.args) >= 2 and stmt.args[0].lower() == "connection":
                    return stmt
            if parent.all("proxy_set_header"):
                return None
            parent = parent.parent
        return None

    def _resolve_header_value(self, value: str) -> tuple[str, str | None]:
        """Resolve ``$var`` set by a ``map`` for a request without an Upgrade header."""
        if not value.startswith("$"):
            return value, None
        stmt = self.maps.get(value)
        if stmt is None or stmt.block is None:
            return value, None
        if stmt.args[0] != "$http_upgrade":
            return value, None  # only the WebSocket idiom can be evaluated statically
        entries = {entry.directive: entry.args[0] if entry.args else "" for entry in stmt.block}
        # A request without Upgrade matches the '' key; nginx's map default is "" when unset.
        chosen = entries.get("", entries.get("default", ""))
        return chosen, f"{value} comes from the map at {stmt.file}:{stmt.line}, which gives \"{chosen}\" to requests without an Upgrade header"


def _linux_keepalive_idle() -> Duration:
    """TCP keep-alive enabled without an idle time uses the kernel's net.ipv4.tcp_keepalive_time."""
    return Duration(
        seconds=7200.0,
        key="net.ipv4.tcp_keepalive_time",
        raw="net.ipv4.tcp_keepalive_time 7200",
        provenance=Provenance(default=default_source(product="Linux", source=LINUX_KEEPALIVE_SOURCE)),
    )


def _default_scheme(directive: str) -> str:
    return {"proxy_pass": "http", "grpc_pass": "grpc", "uwsgi_pass": "uwsgi", "fastcgi_pass": "fastcgi"}[directive]


def _port(text: str | None, scheme: str | None) -> int | None:
    if text and is_int(text):
        return int(text)
    return _SCHEME_PORTS.get(scheme or "", None) if not text else None


def _parse_listen_address(arg: str) -> Endpoint | None:
    if arg.startswith("unix:"):
        return None
    if is_int(arg):
        return Endpoint(host=None, port=int(arg))
    if arg.startswith("["):
        host, _, rest = arg[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
        return Endpoint(host=None if host in ("::", "") else host, port=int(port) if is_int(port) else 80)
    host, _, port = arg.rpartition(":")
    if not host:
        host, port = arg, ""
    if host == "*":
        host = ""
    return Endpoint(host=host.lower() or None, port=int(port) if is_int(port) else 80)

