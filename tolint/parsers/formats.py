"""The input formats tolint reads: how each is recognised and parsed into fragments.

Discovery asks each format, in order, whether a file is its own: first by name (cheap,
used while walking a tree), then by content. A format's ``parse`` receives every file
of that format at once, because some (nginx includes, Kubernetes selectors) only make
sense together.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from tolint.graph import Fragment

if TYPE_CHECKING:
    from tolint.config import Settings
    from tolint.discover import InputFile


class InputFormat(Protocol):
    name: str
    title: str

    def claims_name(self, path: str) -> bool: ...

    def sniff(self, text: str, path: str) -> bool: ...

    def parse(self, files: list[InputFile], settings: Settings, roots: list[str], cwd: str) -> list[Fragment]: ...


_HAPROXY_SECTION = re.compile(r"^[ \t]*(global|defaults|frontend|backend|listen)\b[^{;\n]*$", re.MULTILINE)
_HAPROXY_KEYWORD = re.compile(r"^[ \t]+(bind|server|mode|timeout|balance|default_backend|use_backend|option|"
                              r"maxconn|log|retries|http-request|acl|stats)\b", re.MULTILINE)
# The keyword must be followed by a blank or the brace, and "${" is an environment reference:
# HAProxy's "http-check ... '{...}'", "server-template" and "server s ${HOST}:80" lines are not
# nginx blocks.
_NGINX_BLOCK = re.compile(r"^[ \t]*(http|server|location|upstream|events|stream|map|types)(?=[ \t{])[^;{}\n]*(?<!\$)\{",
                          re.MULTILINE)
# HAProxy sections that the section pattern above does not list, at the start of a line.
_HAPROXY_OTHER_SECTION = re.compile(
    r"^(userlist|peers|resolvers|cache|http-errors|ring|program|mailers|fcgi-app|log-forward|crt-store|traces|acme)"
    r"(?:[ \t]+[^\s{;]+)?[ \t]*(?:#.*)?\n[ \t]+\S", re.MULTILINE)
_NGINX_DIRECTIVE = re.compile(
    r"^[ \t]*(proxy_\w+|fastcgi_\w+|grpc_\w+|uwsgi_\w+|listen|server_name|keepalive_\w+|client_\w+_timeout|"
    r"send_timeout|include|root|location|add_header|access_log|error_log|return|rewrite|ssl_\w+|gzip\w*|"
    r"worker_\w+|sendfile|tcp_\w+|resolver|set|lingering_\w+|reset_timedout_connection)\b[^;\n]*;",
    re.MULTILINE,
)


@dataclass(frozen=True)
class NginxFormat:
    name: str = "nginx"
    title: str = "nginx"

    def claims_name(self, path: str) -> bool:
        base = os.path.basename(path)
        lower = base.lower()
        if lower.endswith((".conf", ".nginx", ".vhost", ".conf.template", ".conf.tmpl", ".conf.sample")):
            return True
        if lower.startswith("nginx") and ".conf" in lower:
            return True
        parent = os.path.basename(os.path.dirname(path))
        return "." not in base and parent in ("sites-enabled", "sites-available", "conf.d", "nginx", "snippets")

    def sniff(self, text: str, path: str) -> bool:
        if _looks_like_haproxy(text):
            return False
        return bool(_NGINX_BLOCK.search(text) or _NGINX_DIRECTIVE.search(text))

    def parse(self, files: list[InputFile], settings: Settings, roots: list[str], cwd: str) -> list[Fragment]:
        from tolint.parsers.nginx_input import parse_nginx_inputs

        return parse_nginx_inputs(files, settings, roots, cwd)


@dataclass(frozen=True)
class ClientSettingsFormat:
    """``*.tolint.yaml``: declared clients, pools, load balancers and middleboxes.

    Recognised by name only: the suffix is the contract, so a Kubernetes manifest or any
    other YAML is never read as client settings, nor the other way round.
    """

    name: str = "client-settings"
    title: str = "client settings (*.tolint.yaml)"

    def claims_name(self, path: str) -> bool:
        return path.lower().endswith((".tolint.yaml", ".tolint.yml"))

    def sniff(self, text: str, path: str) -> bool:
        return self.claims_name(path)

    def parse(self, files: list[InputFile], settings: Settings, roots: list[str], cwd: str) -> list[Fragment]:
        from tolint.parsers.client_settings import parse_client_settings

        return parse_client_settings(files, settings, roots, cwd)


@dataclass(frozen=True)
class HaproxyFormat:
    name: str = "haproxy"
    title: str = "HAProxy"

    def claims_name(self, path: str) -> bool:
        base = os.path.basename(path).lower()
        if base.endswith((".cfg", ".haproxy")) or (base.startswith("haproxy") and ".conf" in base):
            return True
        return os.path.basename(os.path.dirname(path)).lower() == "haproxy"

    def sniff(self, text: str, path: str) -> bool:
        if _looks_like_haproxy(text):
            return True
        return bool(_HAPROXY_OTHER_SECTION.search(text)) and not _NGINX_BLOCK.search(text)

    def parse(self, files: list[InputFile], settings: Settings, roots: list[str], cwd: str) -> list[Fragment]:
        from tolint.parsers.haproxy import parse_haproxy_inputs

        return parse_haproxy_inputs(files, settings, roots, cwd)


def _looks_like_haproxy(text: str) -> bool:
    return bool(_HAPROXY_SECTION.search(text) and _HAPROXY_KEYWORD.search(text)) and not _NGINX_BLOCK.search(text)


_K8S_YAML_KIND = re.compile(r"^kind:[ \t]*\S", re.MULTILINE)
_K8S_YAML_API = re.compile(r"^apiVersion:[ \t]*\S", re.MULTILINE)
_K8S_JSON_KIND = re.compile(r'"kind"\s*:\s*"')
_K8S_JSON_API = re.compile(r'"apiVersion"\s*:\s*"')
_KUSTOMIZATION = ("kustomization.yaml", "kustomization.yml")


@dataclass(frozen=True)
class KubernetesFormat:
    """Kubernetes manifests (YAML or JSON; ``helm template``/``kustomize build`` output on stdin)."""

    name: str = "kubernetes"
    title: str = "Kubernetes manifests"

    def claims_name(self, path: str) -> bool:
        lower = os.path.basename(path).lower()
        if lower.endswith((".tolint.yaml", ".tolint.yml")):
            return False  # client settings files, another format
        return lower.endswith((".yaml", ".yml", ".json"))

    def sniff(self, text: str, path: str) -> bool:
        lower = os.path.basename(path).lower()
        if lower.endswith((".tolint.yaml", ".tolint.yml")):
            return False
        if lower in _KUSTOMIZATION:
            return True
        if _K8S_YAML_KIND.search(text) and _K8S_YAML_API.search(text):
            return True
        return text.lstrip().startswith(("{", "[")) and bool(_K8S_JSON_KIND.search(text) and _K8S_JSON_API.search(text))

    def parse(self, files: list[InputFile], settings: Settings, roots: list[str], cwd: str) -> list[Fragment]:
        from tolint.parsers.k8s import parse_kubernetes_inputs

        return parse_kubernetes_inputs(files, settings, roots, cwd)


# Kubernetes first: a manifest whose ConfigMap embeds an nginx.conf must not be taken for nginx.
# HAProxy before nginx: it claims a few names nginx also claims (haproxy.conf), and its sniff is stricter.
# Client settings first: they are recognised by name only (*.tolint.yaml), which is a contract.
FORMATS: list[InputFormat] = [ClientSettingsFormat(), KubernetesFormat(), HaproxyFormat(), NginxFormat()]
