"""nginx blocks as scopes with inheritance (main -> http -> server -> location -> ...).

nginx merges most settings from the enclosing block unless the block sets its own.
A ``Scope`` holds the directives written in one block and finds the effective
statement for a name by walking up, remembering which block it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tolint.parsers.nginx_syntax import Statement

# Blocks that take part in inheritance of the settings we read.
_INHERITING = {"http", "server", "location", "if", "limit_except", "stream"}


@dataclass(eq=False)
class Scope:
    kind: str  # main, http, server, location, if, limit_except, upstream, stream, map
    stmt: Statement | None
    parent: Scope | None = None
    directives: dict[str, list[Statement]] = field(default_factory=dict)
    children: list[Scope] = field(default_factory=list)
    module: str = "http"  # "http" or "stream": which module's directives apply

    @property
    def label(self) -> str:
        if self.stmt is None:
            return self.kind
        args = " ".join(self.stmt.args)
        return f"{self.kind} {args}".strip()

    def first(self, name: str) -> Statement | None:
        found = self.directives.get(name)
        return found[0] if found else None

    def all(self, name: str) -> list[Statement]:
        return self.directives.get(name, [])

    def find(self, name: str) -> tuple[Statement, Scope] | None:
        """The effective statement for ``name`` and the scope it was written in."""
        scope: Scope | None = self
        while scope is not None:
            stmt = scope.first(name)
            if stmt is not None:
                return stmt, scope
            if scope.kind not in _INHERITING and scope.kind != "main":
                return None
            scope = scope.parent
        return None

    def find_group(self, name: str) -> tuple[list[Statement], Scope] | None:
        """For array directives (proxy_set_header): the nearest scope that has any, all of them."""
        scope: Scope | None = self
        while scope is not None:
            found = scope.all(name)
            if found:
                return found, scope
            if scope.kind not in _INHERITING and scope.kind != "main":
                return None
            scope = scope.parent
        return None

    def dispose(self) -> None:
        """Break the parent/child cycles, so the tree is freed while the garbage collector is paused."""
        for scope in self.walk():
            scope.parent = None
            scope.children = []

    def walk(self) -> list[Scope]:
        out: list[Scope] = []
        stack = [self]
        while stack:
            scope = stack.pop()
            out.append(scope)
            stack.extend(reversed(scope.children))
        return out


_CHILD_KINDS = {"http", "server", "location", "if", "limit_except", "upstream", "stream", "map", "events", "types"}


def root_kind(statements: list[Statement]) -> str:
    """The context a file's top-level statements belong to, for files that are snippets.

    A conf.d file with ``server`` blocks at the top is an http-context snippet; one with
    ``location`` blocks is a server-context snippet.
    """
    top = {stmt.directive for stmt in statements}
    if top & {"http", "events", "stream", "worker_processes", "user", "pid", "worker_shutdown_timeout"}:
        return "main"
    if top & {"server", "upstream", "map", "keepalive_timeout", "proxy_read_timeout", "proxy_pass"} and "location" not in top:
        return "http"
    if top & {"location", "listen", "server_name"}:
        return "server"
    return "main"


def build_scopes(statements: list[Statement]) -> Scope:
    """Build the scope tree. Snippet files get the implied enclosing blocks."""
    kind = root_kind(statements)
    main = Scope("main", None)
    if kind == "main":
        top = main
    elif kind == "http":
        top = Scope("http", None, parent=main)
        main.children.append(top)
    else:
        http = Scope("http", None, parent=main)
        main.children.append(http)
        top = Scope("server", None, parent=http)
        http.children.append(top)

    stack: list[tuple[Scope, list[Statement]]] = [(top, statements)]
    while stack:
        scope, body = stack.pop()
        for stmt in body:
            if stmt.block is not None and stmt.directive in _CHILD_KINDS:
                module = "stream" if stmt.directive == "stream" else scope.module
                child = Scope(stmt.directive, stmt, parent=scope, module=module)
                scope.children.append(child)
                if stmt.directive not in ("map", "types", "events"):
                    stack.append((child, stmt.block))
                continue
            if stmt.block is not None:
                continue  # geo, split_clients, *_by_lua_block: nothing we read
            scope.directives.setdefault(stmt.directive, []).append(stmt)
    return main
