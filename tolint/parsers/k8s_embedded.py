"""Configurations embedded in ConfigMaps (an ``nginx.conf`` key), parsed by their own parsers.

Each entry of ``EMBEDDED_FORMATS`` recognises a ConfigMap key (by name and content) and
builds fragments from the matching texts of one ConfigMap. Line numbers are mapped back
to the YAML file: a literal block scalar (``|``) starts on the line after its key; text
in any other style is pinned to its key's line. Adding a format (HAProxy) is one entry
in the list.

Upstream host names in an embedded config resolve the way the pod's DNS resolver does:
a bare ``api`` from a ConfigMap in namespace ``prod`` is tried as
``api.prod.svc.<domain>`` first, so it reaches that namespace's Service.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tolint.graph import Component, Diagnostic, Fragment
from tolint.parsers.formats import NginxFormat
from tolint.parsers.k8s_objects import K8sObject
from tolint.parsers.nginx_files import DISTRO_FILES, LoadedFile, NginxSource
from tolint.parsers.nginx_syntax import Statement, SyntaxTree, parse_text
from tolint.yaml_nodes import Node

if TYPE_CHECKING:
    from tolint.config import Settings

# ConfigMaps that configure a controller rather than embed a config file of their own.
INGRESS_NGINX_CONFIGMAP_NAMES = ("ingress-nginx-controller", "nginx-configuration", "nginx-ingress-controller")


@dataclass
class EmbeddedText:
    config_map: K8sObject
    key: str
    text: str
    key_node: Node
    value_node: Node

    def line_offset(self) -> int | None:
        """Offset from text lines to file lines, or None when every line maps to the key's line."""
        return self.value_node.line if self.value_node.style == "|" else None


@dataclass(frozen=True)
class EmbeddedFormat:
    name: str
    matches: Callable[[str, str], bool]  # (key, text) -> is this format
    # (texts of one ConfigMap, settings, file lines by display path) -> fragments
    build: Callable[[list[EmbeddedText], "Settings", dict[str, list[str]]], list[Fragment]]


def is_controller_configmap(obj: K8sObject) -> bool:
    labels = obj.labels()
    return (obj.name in INGRESS_NGINX_CONFIGMAP_NAMES or obj.name.endswith("-ingress-nginx-controller")
            or labels.get("app.kubernetes.io/name") == "ingress-nginx")


def embedded_texts(obj: K8sObject) -> list[EmbeddedText]:
    data = obj.node.get("data")
    if data is None or not data.is_map or is_controller_configmap(obj):
        return []
    texts = []
    for key, value in data.items():
        if key.is_scalar and value.is_scalar and value.text() and "snippet" not in str(key.value):
            texts.append(EmbeddedText(obj, str(key.value), value.text() or "", key, value))
    return texts


# -- nginx -------------------------------------------------------------------------------------

_NGINX = NginxFormat()
# A ";"-terminated nginx directive, at a line start or after "{", "}" or ";" (one-line configs).
_NGINX_STATEMENT = re.compile(
    r"(?:^|[;{}])[ \t]*(?:listen|server_name|proxy_pass|proxy_\w+|fastcgi_pass|grpc_pass|uwsgi_pass|root|return|"
    r"include|keepalive_\w+|worker_\w+|client_\w+|send_timeout|error_log|access_log|rewrite|add_header|"
    r"ssl_\w+|resolver)\b[^;{}\n]*;",
    re.MULTILINE,
)


def _is_nginx(key: str, text: str) -> bool:
    lower = key.lower()
    named = lower.endswith((".conf", ".conf.template", ".nginx", ".vhost")) or lower.startswith("nginx")
    # A ";"-terminated nginx directive is required: HCL and similar block syntaxes look alike otherwise.
    return (named or "{" in text) and _NGINX.sniff(text, key) and _NGINX_STATEMENT.search(text) is not None


class EmbeddedSource(NginxSource):
    """The nginx texts of one ConfigMap; includes resolve to its other keys by file name."""

    def __init__(self, texts: list[EmbeddedText], file_lines: dict[str, list[str]]) -> None:
        self.files: dict[str, LoadedFile] = {}
        self.order: list[str] = []
        self.texts: dict[str, EmbeddedText] = {}
        for item in texts:
            key = item.key
            display = item.config_map.file
            offset = item.line_offset()
            tree = parse_text(item.text, display, offset if offset is not None else 0)
            if offset is None:
                _pin_lines(tree, item.key_node.line)
            self.files[key] = LoadedFile(key, display, tree, file_lines.get(display, item.text.splitlines()))
            self.order.append(key)
            self.texts[key] = item

    def load(self, key: str) -> LoadedFile:
        return self.files[key]

    def resolve(self, pattern: str, main_key: str, stmt: Statement) -> tuple[list[str], Diagnostic | None]:
        name = os.path.basename(pattern)
        matches = sorted(key for key in self.files if fnmatch.fnmatchcase(key, name) and key != main_key)
        if matches or any(ch in name for ch in "*?["):
            return matches, None
        if name in DISTRO_FILES:
            return [], None
        return [], Diagnostic(
            file=stmt.file, line=stmt.line, severity="warning",
            message=f'included file "{pattern}" is not a key of this ConfigMap; settings it may hold are unknown',
        )

    def main_keys(self) -> list[str]:
        included: set[str] = set()
        for key in self.order:
            for stmt in _walk(self.files[key].tree.statements):
                if stmt.directive == "include" and len(stmt.args) == 1:
                    found, _ = self.resolve(stmt.args[0], key, stmt)
                    included.update(found)
        mains = [key for key in self.order if key == "nginx.conf" or any(
            stmt.directive in ("http", "events", "stream") for stmt in self.files[key].tree.statements)]
        return mains + [key for key in self.order if key not in included and key not in mains]


def _walk(statements: list[Statement]) -> list[Statement]:
    found: list[Statement] = []
    stack = list(statements)
    while stack:
        stmt = stack.pop()
        found.append(stmt)
        if stmt.block:
            stack.extend(stmt.block)
    return found


def _pin_lines(tree: SyntaxTree, line: int) -> None:
    """Text in a quoted or folded scalar has no line structure left: everything is at the key's line."""
    for stmt in _walk(tree.statements):
        stmt.line = line
    tree.errors = [(line, message) for _, message in tree.errors]
    tree.comments = [(line, text) for _, text in tree.comments]


def _build_nginx(texts: list[EmbeddedText], settings: Settings, file_lines: dict[str, list[str]]) -> list[Fragment]:
    from tolint.parsers.nginx import NginxOptions, build_component

    source = EmbeddedSource(texts, file_lines)
    options = NginxOptions(version=settings.nginx_version)
    fragments = []
    for main in source.main_keys():
        item = source.texts[main]
        fragment = build_component(source, main, options)
        obj = item.config_map
        for component in fragment.components:
            _rename(component, f"nginx:{obj.file}:ConfigMap/{obj.namespace}/{obj.name}/{main}",
                    f"nginx (ConfigMap {obj.namespace}/{obj.name} key {main})")
            component.location = component.location.model_copy(update={"line": item.key_node.line,
                                                                        "column": item.key_node.column})
        fragments.append(fragment)
    return fragments


def _rename(component: Component, new_id: str, name: str) -> None:
    component.id = new_id
    component.name = name
    for listener in component.listeners:
        listener.component = new_id
    for upstream in component.upstreams:
        upstream.component = new_id


# -- HAProxy -----------------------------------------------------------------------------------


def _is_haproxy(key: str, text: str) -> bool:
    from tolint.parsers.formats import HaproxyFormat

    lower = key.lower()
    named = lower.endswith(".cfg") or lower.startswith("haproxy")
    return named and HaproxyFormat().sniff(text, key)


def _build_haproxy(texts: list[EmbeddedText], settings: Settings,
                   file_lines: dict[str, list[str]]) -> list[Fragment]:
    from tolint.parsers.haproxy import HaproxyOptions, parse_config_text

    fragments = []
    for item in texts:
        obj = item.config_map
        offset = item.line_offset()
        # Text in a quoted or folded scalar lost its lines: count them from the key's line.
        fragment = parse_config_text(item.text, obj.file, offset if offset is not None else item.key_node.line - 1,
                                     HaproxyOptions(version=settings.haproxy_version),
                                     component_id=f"haproxy:{obj.file}:ConfigMap/{obj.namespace}/{obj.name}/{item.key}")
        for component in fragment.components:
            component.name = f"haproxy (ConfigMap {obj.namespace}/{obj.name} key {item.key})"
            component.location = component.location.model_copy(update={"line": item.key_node.line,
                                                                        "column": item.key_node.column})
        fragments.append(fragment)
    return fragments


EMBEDDED_FORMATS: list[EmbeddedFormat] = [
    EmbeddedFormat("nginx", _is_nginx, _build_nginx),
    EmbeddedFormat("haproxy", _is_haproxy, _build_haproxy),
]


def build_embedded(config_maps: list[K8sObject], settings: Settings,
                   file_lines: dict[str, list[str]]) -> dict[tuple[str, str], list[Fragment]]:
    """Fragments of every embedded configuration, keyed by the ConfigMap's (namespace, name)."""
    result: dict[tuple[str, str], list[Fragment]] = {}
    for obj in config_maps:
        texts = embedded_texts(obj)
        if not texts:
            continue
        for fmt in EMBEDDED_FORMATS:
            chosen = [item for item in texts if fmt.matches(item.key, item.text)]
            if chosen:
                result.setdefault((obj.namespace or "default", obj.name), []).extend(fmt.build(chosen, settings,
                                                                                               file_lines))
    return result
