"""Documented nginx defaults, by version, with their sources.

Facts from ../shared/reference/defaults.md section 1 (nginx.org module docs and
nginx's changes.xml). A default that changed between versions has one entry per range;
``since`` is inclusive and ``until`` exclusive.
"""

from __future__ import annotations

from tolint.graph import DefaultSource, default_source
from tolint.versioned import Version, VersionedDefault

from tolint.numbers import is_int

# The current stable branch, which includes the 1.29.7 changes to upstream keep-alive.
DEFAULT_NGINX_VERSION = "1.30.0"

_CORE = "https://nginx.org/en/docs/http/ngx_http_core_module.html"
_PROXY = "https://nginx.org/en/docs/http/ngx_http_proxy_module.html"
_UPSTREAM = "https://nginx.org/en/docs/http/ngx_http_upstream_module.html"
_GRPC = "https://nginx.org/en/docs/http/ngx_http_grpc_module.html"
_UWSGI = "https://nginx.org/en/docs/http/ngx_http_uwsgi_module.html"
_FASTCGI = "https://nginx.org/en/docs/http/ngx_http_fastcgi_module.html"
_MAIN = "https://nginx.org/en/docs/ngx_core_module.html"
_STREAM_PROXY = "https://nginx.org/en/docs/stream/ngx_stream_proxy_module.html"
_CHANGES_1_29_7 = "https://nginx.org/en/CHANGES (1.29.7)"


def parse_version(text: str) -> Version:
    """``"1.29.7"`` -> ``(1, 29, 7)``; raises ValueError on anything else."""
    parts = text.strip().split(".")
    if not 1 <= len(parts) <= 4 or not all(is_int(part) for part in parts):
        raise ValueError(f'invalid nginx version "{text}" (expected e.g. "1.30.0")')
    return tuple(int(part) for part in parts)


def _same(value: str, source: str, *names: str) -> dict[str, list[VersionedDefault]]:
    return {name: [VersionedDefault(value, source)] for name in names}


# Keyed by directive name; HTTP-module directives unless prefixed "stream:" or "upstream:".
DEFAULTS: dict[str, list[VersionedDefault]] = {
    "keepalive_timeout": [VersionedDefault("75s", _CORE)],
    "keepalive_requests": [
        VersionedDefault("100", _CORE, until=(1, 19, 10)),
        VersionedDefault("1000", _CORE, since=(1, 19, 10)),
    ],
    "keepalive_time": [VersionedDefault("1h", _CORE, since=(1, 19, 10))],
    **_same("60s", _CORE, "client_header_timeout", "client_body_timeout", "send_timeout"),
    "lingering_close": [VersionedDefault("on", _CORE)],
    "reset_timedout_connection": [VersionedDefault("off", _CORE)],
    **_same("60s", _PROXY, "proxy_connect_timeout", "proxy_read_timeout", "proxy_send_timeout"),
    **_same("60s", _GRPC, "grpc_connect_timeout", "grpc_read_timeout", "grpc_send_timeout"),
    **_same("60s", _UWSGI, "uwsgi_connect_timeout", "uwsgi_read_timeout", "uwsgi_send_timeout"),
    **_same("60s", _FASTCGI, "fastcgi_connect_timeout", "fastcgi_read_timeout", "fastcgi_send_timeout"),
    "proxy_http_version": [
        VersionedDefault("1.0", _PROXY, until=(1, 29, 7)),
        VersionedDefault("1.1", _CHANGES_1_29_7, since=(1, 29, 7)),
    ],
    # The Connection header nginx sends upstream when no proxy_set_header sets it.
    "proxy_set_header Connection": [
        VersionedDefault("close", _PROXY, until=(1, 29, 7)),
        VersionedDefault(None, _CHANGES_1_29_7, since=(1, 29, 7)),
    ],
    "proxy_next_upstream": [VersionedDefault("error timeout", _PROXY)],
    "grpc_next_upstream": [VersionedDefault("error timeout", _GRPC)],
    "uwsgi_next_upstream": [VersionedDefault("error timeout", _UWSGI)],
    "fastcgi_next_upstream": [VersionedDefault("error timeout", _FASTCGI)],
    **_same("0", _PROXY, "proxy_next_upstream_tries", "proxy_next_upstream_timeout"),
    **_same("0", _GRPC, "grpc_next_upstream_tries", "grpc_next_upstream_timeout"),
    **_same("0", _UWSGI, "uwsgi_next_upstream_tries", "uwsgi_next_upstream_timeout"),
    **_same("0", _FASTCGI, "fastcgi_next_upstream_tries", "fastcgi_next_upstream_timeout"),
    **_same("off", _PROXY, "proxy_socket_keepalive"),
    **_same("off", _GRPC, "grpc_socket_keepalive"),
    **_same("off", _UWSGI, "uwsgi_socket_keepalive"),
    **_same("off", _FASTCGI, "fastcgi_socket_keepalive", "fastcgi_keep_conn"),
    # upstream{} block
    "upstream:keepalive": [
        VersionedDefault(None, _UPSTREAM, until=(1, 29, 7)),
        VersionedDefault("32", _CHANGES_1_29_7, since=(1, 29, 7)),
    ],
    "upstream:keepalive_timeout": [VersionedDefault("60s", _UPSTREAM, since=(1, 15, 3))],
    "upstream:keepalive_requests": [
        VersionedDefault("100", _UPSTREAM, since=(1, 15, 3), until=(1, 19, 10)),
        VersionedDefault("1000", _UPSTREAM, since=(1, 19, 10)),
    ],
    "upstream:keepalive_time": [VersionedDefault("1h", _UPSTREAM, since=(1, 19, 10))],
    # main context
    "worker_shutdown_timeout": [VersionedDefault(None, _MAIN)],
    # stream module
    "stream:proxy_connect_timeout": [VersionedDefault("60s", _STREAM_PROXY)],
    "stream:proxy_timeout": [VersionedDefault("10m", _STREAM_PROXY)],
    "stream:proxy_next_upstream": [VersionedDefault("on", _STREAM_PROXY)],
    "stream:proxy_next_upstream_tries": [VersionedDefault("0", _STREAM_PROXY)],
    "stream:proxy_next_upstream_timeout": [VersionedDefault("0", _STREAM_PROXY)],
    "stream:proxy_socket_keepalive": [VersionedDefault("off", _STREAM_PROXY)],
}


def lookup(key: str, version: Version) -> tuple[str | None, DefaultSource] | None:
    """The default of ``key`` for ``version``, or None when nginx has none in that version."""
    for entry in DEFAULTS.get(key, ()):
        if entry.applies(version):
            return entry.value, default_source(
                product="nginx", versions=entry.describe_versions(), source=entry.source
            )
    return None
