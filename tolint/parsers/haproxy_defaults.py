"""Documented HAProxy defaults and removed keywords, by version, with their sources.

Facts from ../shared/reference/defaults.md section 2 (HAProxy's doc/configuration.txt,
include/haproxy/defaults.h, src/server.c, src/cfgparse-listen.c), checked against the
messages of the HAProxy 2.6 binary where a keyword is rejected. ``since`` is inclusive
and ``until`` exclusive. tolint supports HAProxy 2.0 and later.
"""

from __future__ import annotations

from dataclasses import dataclass

from tolint.graph import DefaultSource, default_source
from tolint.parsers.haproxy_syntax import Version, parse_version
from tolint.versioned import VersionedDefault

# The current long-term-supported branch.
DEFAULT_HAPROXY_VERSION = "3.2"

MANUAL = "https://docs.haproxy.org/3.2/configuration.html"
_DEFAULTS_H = "https://github.com/haproxy/haproxy/blob/master/include/haproxy/defaults.h"
_SERVER_C = "https://github.com/haproxy/haproxy/blob/master/src/server.c"
_CFGPARSE_LISTEN = "https://github.com/haproxy/haproxy/blob/master/src/cfgparse-listen.c"


def manual(keyword: str) -> str:
    """The configuration manual, naming the keyword (its anchors differ between versions)."""
    return f"{MANUAL} ({keyword})"


def format_version(version: Version) -> str:
    major, minor, patch = version[:3]
    return f"{major}.{minor}" + (f".{patch}" if patch else "")


def _unset(*keywords: str) -> dict[str, list[VersionedDefault]]:
    return {keyword: [VersionedDefault(None, manual(keyword))] for keyword in keywords}


# Keyed by the keyword as written ("timeout client", "option redispatch").
DEFAULTS: dict[str, list[VersionedDefault]] = {
    # Every timeout is unset by default, which for client/server/connect means "never".
    **_unset("timeout client", "timeout server", "timeout connect", "timeout tunnel", "timeout http-request",
             "timeout http-keep-alive", "timeout client-fin", "timeout server-fin", "timeout queue",
             "timeout client-hs", "hard-stop-after", "close-spread-time"),
    "grace": [VersionedDefault("0", manual("grace"))],
    "mode": [VersionedDefault("tcp", manual("mode"))],
    "retries": [VersionedDefault("3", f"{manual('retries')}; {_DEFAULTS_H} (CONN_RETRIES)")],
    "retry-on": [VersionedDefault("conn-failure", manual("retry-on"))],
    "http-reuse": [VersionedDefault("safe", manual("http-reuse"))],
    "pool-purge-delay": [VersionedDefault("5s", f"{manual('pool-purge-delay')}; {_SERVER_C}")],
    "option http-keep-alive": [VersionedDefault("on", manual("option http-keep-alive"))],
    **{f"option {name}": [VersionedDefault("off", manual(f"option {name}"))]
       for name in ("redispatch", "nolinger", "clitcpka", "srvtcpka", "httpclose", "http-server-close")},
}


def lookup(key: str, version: Version) -> tuple[str | None, DefaultSource] | None:
    """The default of ``key`` for ``version``, or None when none is documented."""
    for entry in DEFAULTS.get(key, ()):
        if entry.applies(version):
            return entry.value, default_source(product="HAProxy", versions=entry.describe_versions(format_version),
                                              source=entry.source)
    return None


@dataclass(frozen=True)
class Removal:
    """A keyword HAProxy stopped honouring: first ignored (or deprecated), then rejected at startup."""

    keyword: str
    rejected_since: Version
    instead: str
    why: str
    source: str
    ignored_since: Version | None = None  # accepted but without effect (with a warning)
    # Still working but announced for removal (the old timeout spellings before 2.1).
    deprecated: bool = False

    def status(self, version: Version) -> str | None:
        """"rejected", "ignored", "deprecated", or None when the keyword still works in ``version``."""
        if version >= self.rejected_since:
            return "rejected"
        if self.ignored_since is not None and version >= self.ignored_since:
            return "ignored"
        return "deprecated" if self.deprecated else None


REMOVALS: dict[str, Removal] = {
    removal.keyword: removal
    for removal in (
        Removal("option forceclose", rejected_since=parse_version("2.5"), ignored_since=parse_version("2.0"),
                instead='remove it; use "option httpclose" only if connections must really be closed after '
                        "each response",
                why="it used to close both connections as soon as the response ended",
                source=f"{_CFGPARSE_LISTEN} (\"option 'forceclose' is not supported any more since HAProxy 2.0\")"),
        Removal("option http-tunnel", rejected_since=parse_version("2.1"), ignored_since=parse_version("2.0"),
                instead="remove it; HAProxy analyses every request of a keep-alive connection",
                why="it used to stop HTTP analysis after the first request of a connection",
                source=f"{_CFGPARSE_LISTEN} (\"option 'http-tunnel' is not supported any more since HAProxy 2.1\")"),
        Removal("option http_proxy", rejected_since=parse_version("2.5"), ignored_since=parse_version("2.0"),
                instead='"http-request set-dst", "http-request set-uri" and, for name resolution, '
                        '"http-request do-resolve"',
                why="it stopped working in HAProxy 1.9",
                source=f"{_CFGPARSE_LISTEN} (\"option 'http_proxy' is not supported any more since HAProxy 2.5\")"),
        Removal("clitimeout", rejected_since=parse_version("2.1"), deprecated=True,
                instead='"timeout client"', why="it is the pre-1.3 spelling of the client timeout",
                source=f"{_CFGPARSE_LISTEN} (\"the 'clitimeout' directive is not supported anymore since HAProxy 2.1\")"),
        Removal("contimeout", rejected_since=parse_version("2.1"), deprecated=True,
                instead='"timeout connect"', why="it is the pre-1.3 spelling of the connect timeout",
                source=f"{_CFGPARSE_LISTEN} (\"the 'contimeout' directive is not supported anymore since HAProxy 2.1\")"),
        Removal("srvtimeout", rejected_since=parse_version("2.1"), deprecated=True,
                instead='"timeout server"', why="it is the pre-1.3 spelling of the server timeout",
                source=f"{_CFGPARSE_LISTEN} (\"the 'srvtimeout' directive is not supported anymore since HAProxy 2.1\")"),
        Removal("redispatch", rejected_since=parse_version("2.1"), deprecated=True,
                instead='"option redispatch"', why="it is the old spelling of option redispatch",
                source=f"{_CFGPARSE_LISTEN} (\"keyword 'redispatch' directive is not supported anymore since HAProxy 2.1\")"),
        Removal("grace", rejected_since=parse_version("2.5"), deprecated=True,
                instead="delay the stop signal instead (a Kubernetes preStop hook), and bound the soft stop with "
                        'the global "hard-stop-after"',
                why="it used to keep a proxy's listeners open for a while after a soft stop",
                source=f"{_CFGPARSE_LISTEN} (\"the 'grace' keyword is not supported any more since HAProxy version 2.5\")"),
    )
}
# The old spellings still set the timeout while HAProxy accepted them.
LEGACY_TIMEOUTS = {"clitimeout": "timeout client", "contimeout": "timeout connect", "srvtimeout": "timeout server"}
