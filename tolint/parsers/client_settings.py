"""Client settings files (``*.tolint.yaml``) to graph fragments.

A client settings file declares the ends of hops that no other config file describes: a
mobile app's HTTP client, a service's connection pool, a load balancer created by
Terraform, a NAT gateway. Each declared component becomes a ``Component`` with a
``Listener`` (its server end) and/or an ``Upstream`` (its client end), exactly like the
ones other parsers build, so every rule reads them. Values a component does not write come
from its preset (``tolint/presets/``), with the product's name for the setting and the
documented source as provenance. Middleboxes become ``Middlebox`` records that the linker
attaches to the hops they sit on (``DeclaredLink``).

All files are read together: a component in one file may call, or sit behind, one declared
in another. A bad entry is reported with its file, line and key and skipped; the rest of
the file and of the tree is still linted.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from tolint.graph import (
    Alias,
    Component,
    DeclaredLink,
    DefaultSource,
    default_source,
    Diagnostic,
    Duration,
    Endpoint,
    Fragment,
    Listener,
    Middlebox,
    Provenance,
    RetryPolicy,
    Setting,
    Target,
    TcpKeepalive,
    Upstream,
    Value,
)
from tolint.numbers import is_port
from tolint.parsers import client_model as model
from tolint.presets import MIDDLEBOX_KINDS, Preset, load_presets, parse_version
from tolint.yaml_nodes import Node, YamlError, compose, scalar_text

if TYPE_CHECKING:
    from tolint.config import Settings
    from tolint.discover import InputFile

SERVER_KINDS = frozenset({"app-server", "grpc-server", "database", "load-balancer", "cdn", "proxy", "sidecar"})
CLIENT_KINDS = frozenset({"client", "grpc-client", "pool", "load-balancer", "cdn", "proxy", "sidecar"})
_KIND_PROTOCOL = {"grpc-client": "grpc", "grpc-server": "grpc", "database": "tcp", "pool": "tcp"}
_SCHEME_PORTS = {"http": 80, "https": 443, "grpc": 80, "grpcs": 443}
_URL = re.compile(r"^(?:(?P<scheme>[a-z][a-z0-9+.-]*)://)?(?P<host>\[[^\]]*\]|[^:/?#]+)(?::(?P<port>\d+))?")
_KNOWN_KEYS = sorted({
    *(info.alias or name
      for spec in (model.ComponentSpec, model.MiddleboxSpec, model.ServerSpec, model.ClientSpec, model.RetrySpec,
                   model.TcpKeepaliveSpec, model.BetweenSpec)
      for name, info in spec.model_fields.items()),
    *model.TOP_LEVEL_KEYS,
})


def parse_client_settings(files: list[InputFile], settings: Settings, roots: list[str], cwd: str) -> list[Fragment]:
    reads = [_read_file(item.display, item.text) for item in files]
    return _Builder(reads).build()


# -- reading and validating -----------------------------------------------------------------


@dataclass
class _Entry:
    """One validated component or middlebox, with the YAML node it came from."""

    spec: model.ComponentSpec | model.MiddleboxSpec
    node: Node
    file: str


@dataclass
class _FileRead:
    display: str
    components: list[_Entry] = field(default_factory=list)
    middleboxes: list[_Entry] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)  # names of entries that failed validation

    def error(self, node: Node | None, message: str, severity: str = "error") -> None:
        self.diagnostics.append(Diagnostic(
            file=self.display, line=node.line if node else None, column=node.column if node else None,
            message=message, severity=severity,  # type: ignore[arg-type]
        ))


def _read_file(display: str, text: str) -> _FileRead:
    read = _FileRead(display)
    try:
        documents = list(compose(text))
    except YamlError as exc:
        message = f"invalid YAML: {exc.message}"
        if "unexpected ':'" in exc.message:
            # libyaml reads YAML 1.1, where a colon inside [a, list] ends a plain scalar.
            message += ' (inside [brackets], quote host:port: ["api:8080"], or write a block list)'
        read.diagnostics.append(Diagnostic(file=display, line=exc.line, column=exc.column, message=message))
        return read
    documents = [doc for doc in documents if doc.root is not None]
    if not documents:
        return read
    if len(documents) > 1:
        read.error(documents[1].root, "a client settings file holds one YAML document; the ones after the first are ignored")
    root = documents[0].root
    assert root is not None
    if not root.is_map:
        read.error(root, f"expected a mapping with components: and middleboxes:, got {root.describe_type()}")
        return read
    for key_node, value in root.items():
        key = str(key_node.value)
        if key not in model.TOP_LEVEL_KEYS:
            read.error(key_node, f'unknown key "{key}"{_suggest(key, model.TOP_LEVEL_KEYS)}; '
                                 "a client settings file has version:, components: and middleboxes:")
        elif key == "version" and value.text() != "1":
            read.error(value, f"unsupported version {value.describe_type()}; this tolint reads version 1")
        elif key in ("components", "middleboxes"):
            if value.is_scalar and value.text() is None:
                continue
            if not value.is_seq:
                read.error(value, f"{key}: expected a list, got {value.describe_type()}")
                continue
            spec_type = model.ComponentSpec if key == "components" else model.MiddleboxSpec
            for index, item in enumerate(value.list()):
                entry = _validate(read, spec_type, item, f"{key}[{index}]")
                if entry is not None:
                    (read.components if key == "components" else read.middleboxes).append(entry)
    return read


def _validate(read: _FileRead, spec_type: type, node: Node, where: str) -> _Entry | None:
    name_node = node.get("name")
    name = scalar_text(name_node)
    label = f'{"component" if spec_type is model.ComponentSpec else "middlebox"} "{name}"' if name else where
    if not node.is_map:
        read.error(node, f"{where}: expected a mapping, got {node.describe_type()}")
        return None
    data, duplicates = _data(node)
    for key_node in duplicates:
        read.error(key_node, f'{label}: duplicate key "{key_node.value}"; the first one is used')
    try:
        spec = spec_type.model_validate(data)
    except ValidationError as exc:
        reported: set[tuple[int, str]] = set()
        for error in exc.errors(include_url=False):
            located, path = _locate(node, error["loc"], error["type"])
            key = (located.line, path)
            if key in reported:
                continue  # a value that fits no member of a union reports once
            reported.add(key)
            read.error(located, f"{label}: {_describe_error(error, path)}")
        if name:
            read.broken.add(name)
        return None
    return _Entry(spec, node, read.display)


def _data(node: Node) -> tuple[Any, list[Node]]:
    """Plain data for validation: scalars stay text (pydantic types them); duplicate keys are reported."""
    duplicates: list[Node] = []
    return _plain(node, duplicates), duplicates


# The recursive helpers here are module functions, not closures: a closure that calls
# itself is a reference cycle, and one per declared component kept the garbage collector busy.
def _plain(item: Node, duplicates: list[Node]) -> Any:
    if item.is_map:
        out: dict[str, Any] = {}
        for key_node, value in item.items():
            key = str(key_node.value)
            if key in out:
                duplicates.append(key_node)
                continue
            out[key] = _plain(value, duplicates)
        return out
    if item.is_seq:
        return [_plain(child, duplicates) for child in item.list()]
    return item.text()


def _locate(node: Node, loc: tuple[Any, ...], error_type: str) -> tuple[Node, str]:
    """The YAML node a pydantic error location points at, and the path as the user wrote it."""
    current = node
    parts: list[str] = []
    for index, segment in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(segment, int) and current.is_seq:
            items = current.list()
            if 0 <= segment < len(items):
                current = items[segment]
                parts.append(f"[{segment}]")
            continue
        if isinstance(segment, str) and current.is_map:
            key_node = current.key_node(segment)
            if key_node is None:
                if error_type == "missing" and last:
                    parts.append(f".{segment}")
                continue  # a union member's tag (bool, TcpKeepaliveSpec) or a missing key
            parts.append(f".{segment}")
            current = key_node if last and error_type == "extra_forbidden" else current.get(segment) or current
    return current, "".join(parts).lstrip(".")


def _describe_error(error: dict[str, Any], path: str) -> str:
    kind = error["type"]
    key = path.rsplit(".", 1)[-1] if path else ""
    if kind == "extra_forbidden":
        return f'unknown key "{path}"{_suggest(key, _KNOWN_KEYS)}'
    if kind == "missing":
        return f'missing required key "{path}"'
    message = str(error["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    if kind in ("bool_parsing", "bool_type"):
        message = f"expected true or false, got {error.get('input')!r}"
    elif kind in ("int_parsing", "int_type"):
        message = f"expected a whole number, got {error.get('input')!r}"
    elif kind in ("list_type",):
        message = "expected a list"
    elif kind in ("model_type", "dict_type"):
        message = "expected a mapping"
    return f"{path}: {message}" if path else message


def _suggest(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.7)
    return f' (did you mean "{close[0]}"?)' if close else ""


# -- building the graph ------------------------------------------------------------------------


@dataclass
class _Eff:
    """An effective setting: its typed value, the product's name for it, the text, where it came from."""

    value: Any
    key: str
    raw: str
    provenance: Provenance


@dataclass
class _Declared:
    entry: _Entry
    preset: Preset | None
    version: tuple[int, ...] | None
    version_text: str | None
    version_assumed: bool
    kind: str
    id: str
    listener_id: str | None = None
    upstream_id: str | None = None


@dataclass(frozen=True)
class _PresetDefault:
    """One setting a preset gives a component that does not set it."""

    path: str
    value: Any
    key: str
    raw: str
    source: DefaultSource


class _Builder:
    def __init__(self, reads: list[_FileRead]) -> None:
        self.reads = reads
        self.presets = load_presets()
        self.components: dict[str, _Declared] = {}
        self.middleboxes: dict[str, tuple[_Entry, Middlebox | None]] = {}
        self.broken: set[str] = set().union(*(read.broken for read in reads)) if reads else set()
        self.used_middleboxes: set[str] = set()
        # A preset's defaults for one version, worked out once: a fleet declares thousands
        # of components with the same few presets.
        self.preset_defaults: dict[tuple[str, tuple[int, ...] | None, str | None, bool], list[_PresetDefault]] = {}

    def build(self) -> list[Fragment]:
        for read in self.reads:
            for entry in read.middleboxes:
                self._declare_middlebox(read, entry)
            for entry in read.components:
                self._declare_component(read, entry)
        fragments = {read.display: Fragment(files=[read.display]) for read in self.reads}
        for read in self.reads:
            for declared in [d for d in self.components.values() if d.entry.file == read.display]:
                self._build_component(read, declared, fragments[read.display])
        # After every component, so that a middlebox named in another file's through: counts as used.
        for read in self.reads:
            for entry, box in self.middleboxes.values():
                if entry.file == read.display and box is not None:
                    self._middlebox_links(read, entry, box, fragments[read.display])
        for read in self.reads:
            fragments[read.display].diagnostics.extend(read.diagnostics)
        return list(fragments.values())

    # -- declarations ------------------------------------------------------------------------

    def _preset_and_version(self, read: _FileRead, entry: _Entry) -> tuple[Preset | None, tuple[int, ...] | None, str | None, bool] | None:
        spec = entry.spec
        preset_text = spec.preset
        version_text = spec.version
        preset = None
        if preset_text:
            name, _, at_version = preset_text.partition("@")
            preset = self.presets[name]
            if at_version:
                if version_text and version_text != at_version:
                    read.error(entry.node.get("version"), f'version "{version_text}" contradicts preset "{preset_text}"')
                    return None
                version_text = at_version
        version = None
        if version_text:
            try:
                version = parse_version(version_text)
            except ValueError as exc:
                read.error(entry.node.get("version") or entry.node.get("preset"), str(exc))
                return None
        assumed = False
        if version is None and preset is not None and preset.default_version:
            version_text, version, assumed = preset.default_version, parse_version(preset.default_version), True
        return preset, version, version_text, assumed

    def _declare_middlebox(self, read: _FileRead, entry: _Entry) -> None:
        spec = entry.spec
        assert isinstance(spec, model.MiddleboxSpec)
        if self._duplicate(read, entry):
            return
        found = self._preset_and_version(read, entry)
        if found is None:
            self.middleboxes[spec.name] = (entry, None)
            return
        preset, version, version_text, assumed = found
        kind = spec.kind or (preset.kind if preset else None)
        if kind is None:
            read.error(entry.node, f'middlebox "{spec.name}": kind is required without a preset '
                                   f"({', '.join(MIDDLEBOX_KINDS)})")
            self.middleboxes[spec.name] = (entry, None)
            return
        user: dict[str, Any] = {}
        nodes: dict[str, Node] = {}
        for path in ("idle-timeout", "on-expiry"):
            node = entry.node.get(path)
            value = getattr(spec, path.replace("-", "_"))
            if value is not None and node is not None:
                user[path], nodes[path] = value, node
        declared = _Declared(entry, preset, version, version_text, assumed, kind, id=f"middlebox:{read.display}:{spec.name}")
        eff = self._effective(declared, user, nodes)
        idle = eff.get("idle-timeout")
        if idle is None:
            read.error(entry.node, f'middlebox "{spec.name}": idle-timeout is required without a preset that has one')
            self.middleboxes[spec.name] = (entry, None)
            return
        expiry = eff.get("on-expiry")
        box = Middlebox(
            name=spec.name, kind=kind,
            idle_timeout=Duration(seconds=idle.value, key=idle.key, raw=idle.raw, provenance=idle.provenance),
            on_expiry=expiry.value if expiry is not None and expiry.value in ("rst", "drop") else "drop",
            location=Provenance(file=read.display, line=entry.node.line, column=entry.node.column),
        )
        self.middleboxes[spec.name] = (entry, box)

    def _declare_component(self, read: _FileRead, entry: _Entry) -> None:
        spec = entry.spec
        assert isinstance(spec, model.ComponentSpec)
        if self._duplicate(read, entry):
            return
        found = self._preset_and_version(read, entry)
        if found is None:
            self.broken.add(spec.name)
            return
        preset, version, version_text, assumed = found
        if preset is not None and spec.kind is not None and spec.kind != preset.kind:
            read.error(entry.node.get("kind"), f'component "{spec.name}": kind {spec.kind} contradicts preset '
                                               f"{preset.id}, which is a {preset.kind}")
            self.broken.add(spec.name)
            return
        kind = spec.kind or (preset.kind if preset else None)
        if kind is None:
            read.error(entry.node, f'component "{spec.name}": kind is required without a preset '
                                   f"(one of {', '.join(sorted(SERVER_KINDS | CLIENT_KINDS))})")
            self.broken.add(spec.name)
            return
        component_id = f"declared:{read.display}:{spec.name}"
        declared = _Declared(entry, preset, version, version_text, assumed, kind, component_id)
        if kind in SERVER_KINDS:
            declared.listener_id = f"{component_id}:server"
        if kind in CLIENT_KINDS:
            declared.upstream_id = f"{component_id}:client"
        for key, allowed, side in (("server", SERVER_KINDS, "server"), ("listen", SERVER_KINDS, "server"),
                                   ("hosts", SERVER_KINDS, "server"), ("client", CLIENT_KINDS, "client"),
                                   ("to", CLIENT_KINDS, "client"), ("through", CLIENT_KINDS, "client"),
                                   ("part-of", CLIENT_KINDS - SERVER_KINDS, "client")):
            key_node = entry.node.key_node(key)
            if key_node is not None and kind not in allowed:
                what = "has no server end" if side == "server" else "has no client end"
                if key == "part-of":
                    what = "has a server end of its own"
                article = "an" if kind[0] in "aeiou" else "a"
                read.error(key_node, f'component "{spec.name}": {article} {kind} {what}, so "{key}" does not apply; '
                                     "declare a separate component for it")
        self.components[spec.name] = declared

    def _duplicate(self, read: _FileRead, entry: _Entry) -> bool:
        name = entry.spec.name
        first = self.components.get(name)
        other = first.entry if first else (self.middleboxes[name][0] if name in self.middleboxes else None)
        if other is None:
            return False
        read.error(entry.node.get("name"), f'"{name}" is already declared at {other.file}:{other.node.line}; '
                                           "names are unique across client settings files")
        return True

    # -- effective values --------------------------------------------------------------------

    def _effective(self, declared: _Declared, user: dict[str, Any], nodes: dict[str, Node]) -> dict[str, _Eff]:
        entry, preset = declared.entry, declared.preset
        eff: dict[str, _Eff] = {}
        anchor = entry.node.get("preset") or entry.node
        # Every default of one component points at its preset line; settings citing the same
        # source share one Provenance (a large declared fleet holds hundreds of thousands).
        provenances: dict[int, Provenance] = {}
        if preset is not None:
            for default in self._preset_defaults(declared, preset):
                provenance = provenances.get(id(default.source))
                if provenance is None:
                    provenance = Provenance(file=entry.file, line=anchor.line, column=anchor.column,
                                            default=default.source)
                    provenances[id(default.source)] = provenance
                eff[default.path] = _Eff(value=default.value, key=default.key, raw=default.raw, provenance=provenance)
        for path, value in user.items():
            node = nodes[path]
            setting = preset.settings.get(path) if preset is not None else None
            if setting is not None and setting.follows is not None:
                setting = preset.settings.get(setting.follows) if preset is not None else None
            key = setting.key if setting is not None and setting.key else path.split(".", 1)[-1]
            shown = node.text() if node.is_scalar else _text(value)
            eff[path] = _Eff(value=_coerce(model.SLOTS.get(path, "str"), value), key=key,
                             raw=f"{path.split('.', 1)[-1]}: {shown}",
                             provenance=Provenance(file=entry.file, line=node.line, column=node.column))
        if preset is not None:
            for path, setting in preset.settings.items():
                if setting.follows is not None and path not in user and setting.follows in eff:
                    eff[path] = eff[setting.follows]
        return eff

    def _preset_defaults(self, declared: _Declared, preset: Preset) -> list[_PresetDefault]:
        key = (preset.id, declared.version, declared.version_text, declared.version_assumed)
        found = self.preset_defaults.get(key)
        if found is None:
            found = []
            for path, setting in preset.settings.items():
                if setting.follows is not None:
                    continue
                chosen = setting.for_version(declared.version)
                if chosen is None:
                    continue
                value = _coerce(model.SLOTS[path], chosen.value)
                found.append(_PresetDefault(
                    path=path, value=value, key=setting.key or path,
                    # "keepAliveTimeout 5s"; a flag that is on reads as its name alone.
                    raw=str(setting.key) if value is True else f"{setting.key} {_text(chosen.value)}",
                    source=preset.default_source(chosen, declared.version_text, declared.version_assumed),
                ))
            self.preset_defaults[key] = found
        return found

    # -- components --------------------------------------------------------------------------

    def _build_component(self, read: _FileRead, declared: _Declared, fragment: Fragment) -> None:
        entry = declared.entry
        spec = entry.spec
        assert isinstance(spec, model.ComponentSpec)
        preset = declared.preset
        data = spec.model_dump(by_alias=True, exclude_unset=True, exclude_none=True)
        user = model.flatten_sections(data)
        nodes = _section_nodes(entry.node)
        if declared.listener_id is None:
            user = {path: value for path, value in user.items() if not path.startswith("server.")}
        if declared.upstream_id is None:
            user = {path: value for path, value in user.items() if not path.startswith("client.")}
        eff = self._effective(declared, user, nodes)
        if "client.reuse" not in eff:
            # Declaring how long a pool keeps idle connections says that it keeps them.
            implied = next((path for path in ("client.idle-timeout", "client.max-lifetime", "client.pool-size")
                            if path in user), None)
            if implied is not None:
                source = eff[implied]
                eff["client.reuse"] = _Eff(True, "reuse", f"reuse (implied by {implied.split('.', 1)[1]})",
                                           source.provenance)
        title = preset.title if preset else declared.kind
        shown_version = f" {declared.version_text}" if declared.version_text and not declared.version_assumed else ""
        label = f"{spec.name} ({title}{shown_version})"
        location = Provenance(file=read.display, line=entry.node.line, column=entry.node.column)
        protocol = spec.protocol or (preset.protocol if preset else None) or _KIND_PROTOCOL.get(declared.kind, "http")
        component = Component(
            id=declared.id, kind=declared.kind, product=preset.product if preset else "declared",
            version=declared.version_text, name=spec.name, location=location, files=[read.display],
        )
        if declared.listener_id is not None:
            component.listeners.append(self._listener(read, declared, eff, label, protocol, fragment))
        if declared.upstream_id is not None:
            component.upstreams.append(self._upstream(read, declared, eff, label, protocol, fragment))
        fragment.components.append(component)

    def _listener(self, read: _FileRead, declared: _Declared, eff: dict[str, _Eff], label: str, protocol: str,
                  fragment: Fragment) -> Listener:
        entry = declared.entry
        spec = entry.spec
        assert isinstance(spec, model.ComponentSpec) and declared.listener_id is not None
        endpoints: list[Endpoint] = []
        for item in spec.listen or ([declared.preset.port] if declared.preset and declared.preset.port else []):
            host, _, port = str(item).rpartition(":")
            endpoints.append(Endpoint(host=host.strip("[]").lower() or None, port=int(port)))
        names = [spec.name, *(host.lower() for host in spec.hosts or ())]
        names += [e.host for e in endpoints if e.host and e.host not in names]
        section = entry.node.key_node("server")
        listener = Listener(
            id=declared.listener_id, component=declared.id, name=label,
            location=_where(read, section or entry.node), protocol=protocol, endpoints=endpoints, names=names,
            idle_timeout=_duration(eff, "server.idle-timeout"),
            header_timeout=_duration(eff, "server.header-timeout"),
            body_timeout=_duration(eff, "server.body-timeout"),
            request_timeout=_duration(eff, "server.request-timeout"),
            keepalive_requests=_value(eff, "server.keepalive-requests"),
            max_connection_age=_duration(eff, "server.max-connection-age"),
            tcp_keepalive=self._tcp_keepalive(eff, "server", read, entry),
        )
        _extra_settings(listener.settings, eff, "server", (
            "handler-timeout", "ping-interval", "ping-min-interval", "ping-without-calls", "header-timeout-covers-idle"))
        alias_location = _where(read, entry.node)
        for port in sorted({e.port for e in endpoints}, key=lambda p: p or 0) or [None]:
            fragment.aliases.append(Alias(names=names, port=port, listeners=[listener.id],
                                          via=f"declared in {read.display}", location=alias_location))
        return listener

    def _upstream(self, read: _FileRead, declared: _Declared, eff: dict[str, _Eff], label: str, protocol: str,
                  fragment: Fragment) -> Upstream:
        entry = declared.entry
        spec = entry.spec
        assert isinstance(spec, model.ComponentSpec) and declared.upstream_id is not None
        section = entry.node.key_node("client") or entry.node.key_node("to")
        upstream = Upstream(
            id=declared.upstream_id, component=declared.id, name=label,
            location=_where(read, section or entry.node), protocol=protocol,
            targets=self._targets(read, entry),
            serves=self._serves(read, declared),
            connect_timeout=_duration(eff, "client.connect-timeout"),
            read_timeout=_duration(eff, "client.read-timeout"),
            request_timeout=_duration(eff, "client.request-timeout"),
            idle_timeout=_duration(eff, "client.idle-timeout"),
            max_lifetime=_duration(eff, "client.max-lifetime"),
            pool_size=_value(eff, "client.pool-size"),
            reuse=_value(eff, "client.reuse"),
            http_version=_value(eff, "client.http-version"),
            retry=self._retry(read, entry, eff),
            tcp_keepalive=self._tcp_keepalive(eff, "client", read, entry),
        )
        _extra_settings(upstream.settings, eff, "client", ("ping-interval", "ping-without-calls"))
        through = entry.node.get("through")
        boxes = []
        for name in spec.through or ():
            found = self.middleboxes.get(name)
            if found is None:
                if name not in self.broken:
                    read.error(through, f'component "{spec.name}": through: "{name}" is not a declared middlebox'
                                        f"{_suggest(name, self.middleboxes)}")
                continue
            if found[1] is not None:
                boxes.append(found[1])
                self.used_middleboxes.add(name)
        if boxes:
            fragment.links.append(DeclaredLink(upstream=upstream.id, to="*", middleboxes=boxes,
                                               location=_where(read, through or entry.node)))
        return upstream

    def _targets(self, read: _FileRead, entry: _Entry) -> list[Target]:
        spec = entry.spec
        assert isinstance(spec, model.ComponentSpec)
        to_node = entry.node.get("to")
        items = to_node.list() if to_node is not None and to_node.is_seq else ([to_node] if to_node else [])
        targets = []
        for text, node in zip(spec.to or (), items):
            provenance = _where(read, node)
            match = _URL.match(text.strip())
            if match is None:
                read.error(node, f'component "{spec.name}": cannot read target "{text}" '
                                 "(expected a name, host:port or a URL)")
                continue
            scheme = match.group("scheme")
            if match.group("port") and not is_port(match.group("port")):
                read.error(node, f'component "{spec.name}": target "{text}": port {match.group("port")[:20]} is '
                                 "out of range (1-65535)")
                continue
            port = int(match.group("port")) if match.group("port") else _SCHEME_PORTS.get(scheme or "")
            host = match.group("host").strip("[]").lower()
            if host in self.broken:
                continue
            targets.append(Target(host=host, port=port, scheme=scheme, raw=text, provenance=provenance))
        return targets

    def _serves(self, read: _FileRead, declared: _Declared) -> list[str]:
        spec = declared.entry.spec
        assert isinstance(spec, model.ComponentSpec)
        if declared.listener_id is not None:
            return [declared.listener_id]
        if spec.part_of is None:
            return []
        owner = self.components.get(spec.part_of)
        if owner is None or owner.listener_id is None:
            if spec.part_of not in self.broken:
                why = "is not a declared component" if owner is None else "has no server end"
                read.error(declared.entry.node.get("part-of"),
                           f'component "{spec.name}": part-of: "{spec.part_of}" {why}'
                           f"{_suggest(spec.part_of, self.components) if owner is None else ''}")
            return []
        return [owner.listener_id]

    def _retry(self, read: _FileRead, entry: _Entry, eff: dict[str, _Eff]) -> RetryPolicy | None:
        paths = {path: item for path, item in eff.items() if path.startswith("client.retry.")}
        if not paths:
            return None
        retry_node = (entry.node.get("client") or entry.node).key_node("retry") or entry.node
        where = _where(read, retry_node)
        spec_name = entry.spec.name
        attempts = paths.get("client.retry.attempts")
        if attempts is None:
            read.error(retry_node, f'component "{spec_name}": retry needs attempts (the total, the first try included)')
            return None
        on = paths.get("client.retry.on")
        conditions = Value(value=list(on.value), key=on.key, raw=on.raw, provenance=on.provenance) if on else Value(
            value=[], key="retry.on", raw="retry (conditions not declared)", provenance=where)
        non_idempotent = paths.get("client.retry.non-idempotent")
        backoff = paths.get("client.retry.backoff")
        return RetryPolicy(
            conditions=conditions,
            non_idempotent=_as_value(non_idempotent) if non_idempotent else Value(
                value=False, key="retry.non-idempotent", raw="non-idempotent (not declared)", provenance=where),
            tries=_as_value(attempts),
            budget=_duration(eff, "client.retry.budget"),
            per_try_timeout=_duration(eff, "client.retry.per-try-timeout"),
            # A declared retry without a backoff retries at once: say so, and where.
            backoff=_as_duration(backoff) if backoff else Duration(
                seconds=0.0, key="backoff", raw="backoff (not declared)", provenance=where),
            jitter=_value(eff, "client.retry.jitter"),
            idempotency_key=_value(eff, "client.retry.idempotency-key"),
        )

    def _tcp_keepalive(self, eff: dict[str, _Eff], side: str, read: _FileRead, entry: _Entry) -> TcpKeepalive | None:
        prefix = f"{side}.tcp-keepalive."
        parts = {path[len(prefix):]: item for path, item in eff.items() if path.startswith(prefix)}
        if not parts:
            return None
        enabled = parts.get("enabled")
        if enabled is None:
            first = next(iter(parts.values()))
            enabled = _Eff(True, "tcp-keepalive", first.raw, first.provenance)
        if not enabled.value:
            return TcpKeepalive(enabled=_as_value(enabled))
        linux = self.presets.get("linux-tcp-keepalive")

        def os_default(name: str) -> _Eff | None:
            if linux is None:
                return None
            setting = linux.settings[f"tcp-keepalive.{name}"]
            chosen = setting.values[0]
            return _Eff(_coerce(model.SLOTS[f"tcp-keepalive.{name}"], chosen.value), setting.key or name,
                        f"{setting.key} {chosen.value}",
                        Provenance(default=default_source(product=linux.product, source=chosen.source)))

        idle = parts.get("idle") or os_default("idle")
        interval = parts.get("interval") or os_default("interval")
        count = parts.get("count") or os_default("count")
        return TcpKeepalive(
            enabled=_as_value(enabled),
            idle=_as_duration(idle) if idle else None,
            interval=_as_duration(interval) if interval else None,
            count=_as_value(count) if count else None,
        )

    def _middlebox_links(self, read: _FileRead, entry: _Entry, box: Middlebox, fragment: Fragment) -> None:
        spec = entry.spec
        assert isinstance(spec, model.MiddleboxSpec)
        between = entry.node.get("between")
        items = between.list() if between is not None and between.is_seq else []
        for path, node in zip(spec.between or (), items):
            fragment.links.append(DeclaredLink(upstream=path.from_ or "*", to=path.to or "*", middleboxes=[box],
                                               location=_where(read, node)))
        if not spec.between and spec.name not in self.used_middleboxes:
            read.error(entry.node.get("name"), f'middlebox "{spec.name}" is on no path: list the hops it sits on '
                                               "under between:, or name it in a component's through:",
                       severity="warning")


def _section_nodes(entry: Node) -> dict[str, Node]:
    """Setting path -> the YAML node of its value, for the server and client sections."""
    nodes: dict[str, Node] = {}
    for section in ("server", "client"):
        node = entry.get(section)
        if node is not None:
            _collect_section_nodes(section, node, nodes)
    return nodes


def _collect_section_nodes(prefix: str, node: Node, nodes: dict[str, Node]) -> None:
    if node.is_map:
        for key_node, value in node.items():
            _collect_section_nodes(f"{prefix}.{key_node.value}", value, nodes)
    else:
        if prefix.endswith("tcp-keepalive"):
            nodes[f"{prefix}.enabled"] = node
        nodes[prefix] = node


def _coerce(kind: str, value: Any) -> Any:
    """Type a preset's text or a validated user value by the setting's kind."""
    if kind == "duration":
        return model.parse_duration(str(value)) if not isinstance(value, float) else value
    if kind == "bool":
        return value if isinstance(value, bool) else str(value).lower() in ("true", "yes", "on", "1")
    if kind == "int":
        return int(value)
    if kind == "list":
        return [str(item) for item in value] if isinstance(value, list) else [str(value)]
    return str(value)


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_text(item)}" for key, item in value.items()) + "}"
    return str(value)


def _where(read: _FileRead, node: Node) -> Provenance:
    return Provenance(file=read.display, line=node.line, column=node.column)


def _as_duration(item: _Eff) -> Duration:
    return Duration(seconds=item.value, key=item.key, raw=item.raw, provenance=item.provenance)


def _as_value(item: _Eff) -> Value:
    return Value(value=item.value, key=item.key, raw=item.raw, provenance=item.provenance)


def _duration(eff: dict[str, _Eff], path: str) -> Duration | None:
    item = eff.get(path)
    return _as_duration(item) if item is not None else None


def _value(eff: dict[str, _Eff], path: str) -> Value | None:
    item = eff.get(path)
    return _as_value(item) if item is not None else None


def _extra_settings(target: dict[str, Setting], eff: dict[str, _Eff], side: str, names: tuple[str, ...]) -> None:
    """Settings without a field of their own go to ``settings`` under snake_case names."""
    for name in names:
        item = eff.get(f"{side}.{name}")
        if item is None:
            continue
        kind = model.SLOTS[f"{side}.{name}"]
        target[name.replace("-", "_")] = _as_duration(item) if kind == "duration" else _as_value(item)
