"""The linker: resolve every upstream target to the listeners in the tree that answer it.

A target resolves when exactly one listener matches; several matches are reported as
ambiguous and none as unknown. Nothing is guessed: what cannot be resolved is listed
(``tolint check --verbose``) and rules simply have no hop to read.
"""

from __future__ import annotations

import fnmatch
import re
from collections import defaultdict

from tolint.graph import (
    Alias,
    Component,
    DeclaredLink,
    Diagnostic,
    Fragment,
    Hop,
    Listener,
    Target,
    TimeoutGraph,
    Unresolved,
)

LOOPBACK = {"localhost", "127.0.0.1", "::1", "ip6-localhost"}
_GLOB_MAGIC = re.compile(r"[*?\[]")


def link(fragments: list[Fragment]) -> TimeoutGraph:
    components: list[Component] = [c for fragment in fragments for c in fragment.components]
    aliases: list[Alias] = [a for fragment in fragments for a in fragment.aliases]
    index = _ListenerIndex(components, aliases)
    hops: list[Hop] = []
    unresolved: list[Unresolved] = []
    for component in components:
        for upstream in component.upstreams:
            seen: set[str] = set()
            for target in upstream.targets:
                matches, via, reason = index.resolve(target, component)
                if reason:
                    unresolved.append(Unresolved(upstream=upstream.id, target=target, reason=reason))
                    continue
                # One listener, or every endpoint behind an alias (a Service balances over all its pods).
                for listener in matches:
                    if listener.id not in seen:
                        seen.add(listener.id)
                        hops.append(Hop(upstream=upstream.id, listener=listener.id, target=target, via=via))
    # Every part was validated when it was built: not again (the graph's schema is built
    # only if it is dumped, as by `tolint graph`).
    graph = TimeoutGraph.model_construct(components=components, hops=hops, unresolved=unresolved, aliases=aliases)
    apply_declared_links(graph, [item for fragment in fragments for item in fragment.links])
    return graph


def apply_declared_links(graph: TimeoutGraph, links: list[DeclaredLink]) -> None:
    """Attach declared middleboxes to the hops they sit on (see ``DeclaredLink``).

    A link that matches no hop is reported: a middlebox the user wrote down but that
    tolint silently ignored would hide exactly the problem it was declared for.
    """
    if not links:
        return
    for declared in links:
        upstreams = _select_upstreams(graph, declared.upstream)
        matched = False
        for hop in graph.hops:
            if hop.upstream not in upstreams or not _hop_reaches(graph, hop, declared.to):
                continue
            matched = True
            known = {box.name for box in hop.middleboxes}
            hop.middleboxes.extend(box for box in declared.middleboxes if box.name not in known)
        if not matched:
            names = ", ".join(box.name for box in declared.middleboxes) or "a declared link"
            caller = next((u.name for u in graph.upstreams() if u.id == declared.upstream), repr(declared.upstream))
            callee = "any target" if declared.to == "*" else repr(declared.to)
            graph.diagnostics.append(Diagnostic(
                file=declared.location.file or "<unknown>", line=declared.location.line,
                column=declared.location.column, severity="warning",
                message=f"{names}: no hop in the linted tree goes from {caller} to {callee}, so it is on no "
                        "connection (tolint graph shows the hops; tolint check --verbose, the targets that "
                        "did not resolve)",
            ))


def _select_upstreams(graph: TimeoutGraph, selector: str) -> set[str]:
    if selector == "*":
        return {upstream.id for upstream in graph.upstreams()}
    chosen: set[str] = set()
    for component in graph.components:
        if selector in (component.id, component.name) or any(_same_file(path, selector) for path in component.files):
            chosen.update(upstream.id for upstream in component.upstreams)
            continue
        chosen.update(upstream.id for upstream in component.upstreams if upstream.id == selector)
    return chosen


def _hop_reaches(graph: TimeoutGraph, hop: Hop, selector: str) -> bool:
    if selector == "*":
        return True
    wanted = selector.lower()
    target = hop.target
    if target.host is not None and (wanted == target.host or wanted == f"{target.host}:{target.port}"):
        return True
    listener = graph.listener(hop.listener)
    if selector == listener.id or wanted in (name.lower() for name in listener.names):
        return True
    return graph.component(listener.component).name == selector


def _same_file(path: str, selector: str) -> bool:
    """``deploy/edge/nginx.conf`` is named by ``edge/nginx.conf``, never by ``ge/nginx.conf``."""
    return path == selector or path.endswith("/" + selector.lstrip("./"))


class _ListenerIndex:
    """Listeners by name, address, component and port, so that resolving a target never scans them all.

    A tree with thousands of servers (or a hostile one) must link in linear time: every
    lookup below is a dictionary access, except server names with inner wildcards
    (``www.*``), which are rare and kept in a list.
    """

    def __init__(self, components: list[Component], aliases: list[Alias]) -> None:
        self.listeners: dict[str, Listener] = {}
        self.ports: dict[str, set[int | None]] = {}
        self.by_name: dict[str, list[Listener]] = defaultdict(list)
        self.by_suffix: dict[str, list[Listener]] = defaultdict(list)  # ".example.com" for *.example.com
        self.by_pattern: list[tuple[str, Listener]] = []  # other wildcard names
        self.by_address: dict[str, list[Listener]] = defaultdict(list)
        self.by_component: dict[str, list[Listener]] = defaultdict(list)
        for component in components:
            for listener in component.listeners:
                self.listeners[listener.id] = listener
                self.ports[listener.id] = {endpoint.port for endpoint in listener.endpoints} or {None}
                self.by_component[listener.component].append(listener)
                for host in {endpoint.host for endpoint in listener.endpoints if endpoint.host is not None}:
                    self.by_address[host].append(listener)
                for name in {name.lower() for name in listener.names}:
                    self._index_name(name, listener)
        self.aliases: dict[str, list[Alias]] = defaultdict(list)
        for alias in aliases:
            for name in alias.names:
                self.aliases[name.lower()].append(alias)

    def _index_name(self, name: str, listener: Listener) -> None:
        """Where ``_name_matches`` would find this server name."""
        if name.startswith("~"):
            return  # regular-expression server names are not evaluated
        if name.startswith("."):  # ".example.com": the domain and every subdomain
            self.by_name[name[1:]].append(listener)
            self.by_suffix[name].append(listener)
        elif name.startswith("*.") and not _GLOB_MAGIC.search(name[1:]):
            self.by_suffix[name[1:]].append(listener)
        elif _GLOB_MAGIC.search(name):
            self.by_pattern.append((name, listener))
        else:
            self.by_name[name].append(listener)

    def _named(self, host: str) -> list[Listener]:
        found = list(self.by_name.get(host, ()))
        for index, char in enumerate(host):
            if char == ".":
                found.extend(self.by_suffix.get(host[index:], ()))
        found.extend(listener for pattern, listener in self.by_pattern if _name_matches(host, pattern))
        return found

    def _fitting(self, listeners: list[Listener], port: int | None) -> list[Listener]:
        """The listeners (each once) that accept connections on ``port``, or on a port they do not state."""
        unique = {listener.id: listener for listener in listeners}
        return [listener for listener in unique.values()
                if port is None or port in self.ports[listener.id] or None in self.ports[listener.id]]

    def resolve(self, target: Target, caller: Component) -> tuple[list[Listener], str, str]:
        """Matching listeners, how they were found, and why not when there is not exactly one."""
        if target.host is None:
            kind = "a unix socket" if target.scheme == "unix" else "an address built from variables"
            return [], "", f"{target.raw or 'the target'} is {kind}; it cannot be resolved statically"
        host = target.host.lower()

        named = [
            alias for alias in self.aliases.get(host, ())
            if alias.port is None or target.port is None or alias.port == target.port
        ]
        if named:
            return self._through_alias(named, target)

        if host in LOOPBACK or host.startswith("127."):
            local = [
                listener for listener in self._fitting(self.by_component.get(caller.id, []), target.port)
                if any(e.host is None or e.host in LOOPBACK or e.host.startswith("127.") for e in listener.endpoints)
            ]
            return self._verdict(local, "loopback address in the same component", target)

        by_name = self._fitting(self._named(host), target.port)
        if by_name:
            return self._verdict(by_name, "host name matches server name", target)
        by_address = self._fitting(self.by_address.get(host, []), target.port)
        return self._verdict(by_address, "address matches listen address", target)

    def _through_alias(self, named: list[Alias], target: Target) -> tuple[list[Listener], str, str]:
        """Every listener behind the one alias the name means; several different aliases are ambiguous.

        Copies of one alias in several files (per-environment directories) resolve to the
        copy sharing the longest directory prefix with the file the target is written in.
        """
        shown = f"{target.host}:{target.port}" if target.port else str(target.host)
        vias = sorted({alias.via for alias in named})
        if len(vias) > 1:
            return [], "", f"{shown} is ambiguous: it names {', '.join(vias[:4])}"
        if len(named) > 1:
            named = _nearest_copies(named, target.provenance.file or "")
            if len(named) > 1:
                files = ", ".join(sorted({a.location.file or "?" for a in named}))
                return [], "", f"{shown} is ambiguous: {vias[0]} is defined in several files ({files})"
        alias = named[0]
        listeners = [self.listeners[i] for i in sorted(set(alias.listeners)) if i in self.listeners]
        if not listeners:
            why = alias.reason or f"{alias.via} leads to no listener in the linted tree"
            return [], "", f"{shown} ({alias.via}): {why}"
        return listeners, alias.via, ""

    @staticmethod
    def _verdict(matches: list[Listener], via: str, target: Target) -> tuple[list[Listener], str, str]:
        shown = f"{target.host}:{target.port}" if target.port else str(target.host)
        if not matches:
            return [], "", f"no listener in the linted tree answers {shown}"
        if len(matches) > 1:
            names = ", ".join(sorted(listener.name for listener in matches)[:4])
            return [], "", f"{shown} is ambiguous: {len(matches)} listeners match ({names})"
        return matches, via, ""


def _nearest_copies(aliases: list[Alias], file: str) -> list[Alias]:
    def depth(alias: Alias) -> int:
        theirs = (alias.location.file or "").split("/")[:-1]
        ours = file.split("/")[:-1]
        count = 0
        for a, b in zip(theirs, ours):
            if a != b:
                break
            count += 1
        return count + (1 if alias.location.file == file else 0)

    best = max(depth(alias) for alias in aliases)
    return [alias for alias in aliases if depth(alias) == best]


def _name_matches(host: str, pattern: str) -> bool:
    pattern = pattern.lower()
    if pattern.startswith("~"):
        return False  # regular-expression server names are not evaluated
    if pattern.startswith("."):
        return host == pattern[1:] or host.endswith(pattern)
    if "*" in pattern:
        return fnmatch.fnmatchcase(host, pattern)
    return host == pattern
