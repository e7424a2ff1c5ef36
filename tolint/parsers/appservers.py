"""Application servers inside containers: what a container's command line says about its keep-alive and drain.

gunicorn, uvicorn and hypercorn are recognised from a container's ``command``/``args``
(also through ``sh -c "..."`` wrappers, ``python -m``, and launchers such as ``exec`` or
``ddtrace-run``) and environment (``GUNICORN_CMD_ARGS``, ``UVICORN_*``). A setting that is
not on the command line has the server's documented default. A value that cannot be
known statically (``--keep-alive $KEEPALIVE`` with the variable set elsewhere, an
explicit ``--config`` file) makes that setting unknown rather than defaulted.

Servers configured in code (Node.js, Go, ...) are declared by the workload owner with
``tolint.dev/*`` annotations (see ``declared_server``).
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass, field

from tolint import durations
from tolint.graph import Duration, Provenance, Setting, Value, default_source
from tolint.numbers import is_int
from tolint.parsers import k8s_defaults as defaults


@dataclass(frozen=True)
class Token:
    """One word of a command line, with where it was written."""

    text: str
    file: str
    line: int
    column: int | None = None

    def provenance(self) -> Provenance:
        return Provenance(file=self.file, line=self.line, column=self.column)


@dataclass
class EnvVar:
    value: str | None  # None: set from a Secret, a field, or something else not in the file
    token: Token


@dataclass
class AppServer:
    """What a container's server does with connections, as far as the manifest tells."""

    product: str  # "gunicorn", "uvicorn", "hypercorn", "node", "go", or a declared name
    description: str  # "gunicorn (gthread worker)"
    anchor: Token  # where the server was recognised (its command line, or the runtime annotation)
    version: str | None = None
    ports: list[int] = field(default_factory=list)
    bind_host: str | None = None
    idle_timeout: Duration | None = None
    request_timeout: Duration | None = None
    header_timeout: Duration | None = None
    drain_timeout: Duration | None = None
    settings: dict[str, Setting] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


# -- finding the server in a command line -------------------------------------------------

SERVERS = ("gunicorn", "uvicorn", "hypercorn")
_SHELLS = {"sh", "bash", "ash", "dash", "zsh", "busybox"}
_SEPARATORS = {";", "&&", "||", "|", "&", "\n"}
_K8S_VAR = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")
_SHELL_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


def expand_k8s_vars(text: str, env: dict[str, EnvVar]) -> str:
    """Kubernetes expands ``$(VAR)`` in command and args from the container's env; ``$$`` escapes."""
    def replace(match: re.Match[str]) -> str:
        var = env.get(match.group(1))
        return var.value if var is not None and var.value is not None else match.group(0)

    return _K8S_VAR.sub(replace, text.replace("$$(", "\0")).replace("\0", "$(")


def find_server(argv: list[Token], env: dict[str, EnvVar]) -> tuple[str, list[Token]] | None:
    """The server a command line starts and the tokens after its name, or None."""
    words = [Token(expand_k8s_vars(t.text, env), t.file, t.line, t.column) for t in argv]
    for index, token in enumerate(words):
        name = os.path.basename(token.text)
        if name in _SHELLS and "-c" in [w.text for w in words[index + 1:index + 3]]:
            script_at = [w.text for w in words].index("-c", index) + 1
            if script_at < len(words):
                found = _find_in_script(words[script_at], env)
                if found is not None:
                    return found
            return None
        if name in SERVERS:
            return name, words[index + 1:]
        if token.text == "-m" and index + 1 < len(words) and words[index + 1].text in SERVERS:
            return words[index + 1].text, words[index + 2:]
    return None


def _find_in_script(script: Token, env: dict[str, EnvVar]) -> tuple[str, list[Token]] | None:
    try:
        lexer = shlex.shlex(script.text, posix=True, punctuation_chars=";&|")
        lexer.whitespace_split = True
        lexer.commenters = "#"
        words = list(lexer)
    except ValueError:
        return None  # unbalanced quotes: the shell would fail too
    command: list[str] = []
    commands: list[list[str]] = []
    for word in words:
        if word in _SEPARATORS:
            commands.append(command)
            command = []
        else:
            command.append(word)
    commands.append(command)
    for simple in commands:
        expanded = [_expand_shell(word, env) for word in simple]
        found = find_server([Token(word, script.file, script.line, script.column) for word in expanded], {})
        if found is not None:
            return found
    return None


def _expand_shell(word: str, env: dict[str, EnvVar]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(3)
        var = env.get(name)
        if var is not None and var.value is not None:
            return var.value
        if match.group(2) is not None and var is None:
            return match.group(2)  # ${VAR:-default} with VAR unset in the manifest
        return match.group(0)

    return _SHELL_VAR.sub(replace, word)


# -- command-line options ---------------------------------------------------------------------


@dataclass
class _Options:
    """Options of one command line: name -> (value, token); later occurrences win."""

    values: dict[str, tuple[str, Token]] = field(default_factory=dict)
    lists: dict[str, list[tuple[str, Token]]] = field(default_factory=dict)


def _parse_options(tokens: list[Token], spec: dict[str, str], repeated: frozenset[str] = frozenset()) -> _Options:
    """Parse ``--name value``, ``--name=value`` and ``-xvalue``; ``spec`` maps each spelling to a canonical name."""
    options = _Options()
    index = 0
    while index < len(tokens):
        token = tokens[index]
        text = token.text
        index += 1
        name, value = text, None
        if text.startswith("--") and "=" in text:
            name, value = text.split("=", 1)
        elif text.startswith("-") and not text.startswith("--") and len(text) > 2 and text[:2] in spec:
            name, value = text[:2], text[2:]
        canonical = spec.get(name)
        if canonical is None:
            continue
        if canonical.endswith("!"):  # a flag without a value
            options.values[canonical[:-1]] = ("true", token)
            continue
        if value is None:
            if index >= len(tokens):
                break
            value = tokens[index].text
            index += 1
        if canonical in repeated:
            options.lists.setdefault(canonical, []).append((value, token))
        else:
            options.values[canonical] = (value, token)
    return options


def _seconds(value: str) -> float | None:
    """Integer-or-float seconds as the Python servers accept them; None when not a literal number."""
    try:
        return durations.parse_number(value)
    except ValueError:
        return None


def _unknown_value(value: str) -> bool:
    return "$" in value or "{{" in value


def _bind_ports(binds: list[str]) -> tuple[list[int], str | None]:
    ports: list[int] = []
    host: str | None = None
    for bind in binds:
        if bind.startswith(("unix:", "fd://")):
            continue
        address, _, port = bind.rpartition(":")
        if not address and not is_int(port):  # "0.0.0.0" alone: port 8000
            address, port = bind, "8000"
        if is_int(port):
            ports.append(int(port))
        host = address.strip("[]") or None
    return ports, host


class _Builder:
    """Turns parsed options into an AppServer, with provenance on every value."""

    def __init__(self, server: AppServer, product: str, source: str) -> None:
        self.server = server
        self.product = product
        self.source = source

    def default(self, key: str, seconds: float | None, versions: str = "all versions") -> Duration:
        anchor = self.server.anchor
        return Duration(
            seconds=seconds, key=key, raw=f"{key} (not set)",
            provenance=Provenance(file=anchor.file, line=anchor.line, column=anchor.column,
                                  default=default_source(product=self.product, versions=versions, source=self.source)),
        )

    def written(self, key: str, value: str, token: Token, seconds: float | None) -> Duration:
        return Duration(seconds=seconds, key=key, raw=f"{key} {value}", provenance=token.provenance())

    def duration(self, key: str, found: tuple[str, Token] | None, default: float | None,
                 unknown: bool = False, zero_is_unlimited: bool = False) -> Duration | None:
        """The written value, the default, or None when the value cannot be known."""
        if found is None:
            return None if unknown else self.default(key, default)
        value, token = found
        if _unknown_value(value):
            self.server.notes.append(f"{key} is set from a variable ({value}) that is not in the manifest")
            return None
        seconds = _seconds(value)
        if seconds is None:
            self.server.notes.append(f'{key} has a value that is not a number: "{value}"')
            return None
        if zero_is_unlimited and seconds == 0:
            return self.written(key, value, token, None)
        return self.written(key, value, token, seconds)


# -- gunicorn ---------------------------------------------------------------------------------

_GUNICORN_SPEC = {
    "-b": "bind", "--bind": "bind", "-k": "worker_class", "--worker-class": "worker_class",
    "--threads": "threads", "--keep-alive": "keepalive", "-t": "timeout", "--timeout": "timeout",
    "--graceful-timeout": "graceful_timeout", "-c": "config", "--config": "config", "-w": "workers",
    "--workers": "workers",
}
_KEEPALIVE_WORKERS = ("gthread", "gevent", "eventlet", "tornado", "uvicorn", "UvicornWorker", "UvicornH11Worker")


def _gunicorn_worker(options: _Options, build: _Builder) -> tuple[str | None, Provenance]:
    """The effective worker class (None when a variable sets it) and where it comes from."""
    found = options.values.get("worker_class")
    threads = options.values.get("threads")
    if (found is not None and _unknown_value(found[0])) or (threads is not None and _unknown_value(threads[0])):
        return None, (found or threads)[1].provenance()  # type: ignore[index]
    name = found[0].rsplit(".", 1)[-1].rsplit("#", 1)[-1] if found is not None else "sync"
    provenance = found[1].provenance() if found is not None else build.default("--worker-class", None).provenance
    if name == "sync" and threads is not None and is_int(threads[0]) and int(threads[0]) > 1:
        # gunicorn switches a sync worker with --threads > 1 to gthread.
        return "gthread", threads[1].provenance()
    return name, provenance


def gunicorn(tokens: list[Token], env: dict[str, EnvVar], anchor: Token) -> AppServer:
    server = AppServer(product="gunicorn", description="gunicorn", anchor=anchor)
    cmd_args = env.get("GUNICORN_CMD_ARGS")
    options = _Options()
    if cmd_args is not None and cmd_args.value is not None:
        try:
            words = shlex.split(cmd_args.value)
        except ValueError:
            words = []
        env_tokens = [Token(word, cmd_args.token.file, cmd_args.token.line, cmd_args.token.column) for word in words]
        options = _parse_options(env_tokens, _GUNICORN_SPEC, frozenset({"bind"}))
    elif cmd_args is not None:
        server.notes.append("GUNICORN_CMD_ARGS is set from outside the manifest; its settings are unknown")
    command = _parse_options(tokens, _GUNICORN_SPEC, frozenset({"bind"}))
    options.values.update(command.values)  # the command line overrides GUNICORN_CMD_ARGS
    for name, items in command.lists.items():
        options.lists[name] = items
    build = _Builder(server, "gunicorn", defaults.GUNICORN_SETTINGS)
    unknown = "config" in options.values or (cmd_args is not None and cmd_args.value is None)
    if "config" in options.values:
        path = options.values["config"][0]
        server.notes.append(f"settings not on the command line may come from the config file {path}, "
                            "which tolint does not read; declare them with tolint.dev/ annotations")

    binds = [value for value, _ in options.lists.get("bind", [])]
    if binds:
        server.ports, server.bind_host = _bind_ports(binds)
    elif not unknown:
        port = env.get("PORT")
        if port is not None and port.value and is_int(port.value):
            server.ports, server.bind_host = [int(port.value)], "0.0.0.0"
        else:
            server.ports, server.bind_host = [8000], "127.0.0.1"

    worker_name, worker_provenance = _gunicorn_worker(options, build)
    keepalive = build.duration("--keep-alive", options.values.get("keepalive"), 2.0, unknown)
    if worker_name is None or (unknown and "worker_class" not in options.values):
        keepalive = None  # the worker class is unknown (a variable, or possibly set in the config file)
        worker_name = worker_name or "unknown"
    elif worker_name == "sync":
        # The sync worker closes the connection after every response (Connection: close).
        keepalive = Duration(seconds=0.0, key="--worker-class sync", raw="sync worker (no keep-alive)",
                             provenance=worker_provenance)
        server.settings["keep-alive"] = Value(
            value=False, key="--worker-class", raw="sync worker", provenance=worker_provenance,
            detail="gunicorn's sync worker does not support persistent connections and closes every "
            "connection after its response, so --keep-alive is ignored")
    elif not any(name in worker_name for name in _KEEPALIVE_WORKERS):
        keepalive = None  # a third-party worker class: its keep-alive behaviour is unknown
        server.notes.append(f"worker class {worker_name} is not one whose keep-alive behaviour tolint knows")
    server.description = (f"gunicorn with {worker_name}" if worker_name.lower().endswith("worker")
                          else f"gunicorn {worker_name} worker")
    server.settings["worker_class"] = Value(value=worker_name, key="--worker-class", raw=worker_name,
                                            provenance=worker_provenance)
    server.idle_timeout = keepalive
    server.drain_timeout = build.duration("--graceful-timeout", options.values.get("graceful_timeout"), 30.0, unknown)
    timeout = build.duration("--timeout", options.values.get("timeout"), 30.0, unknown, zero_is_unlimited=True)
    if timeout is not None:
        server.settings["timeout"] = timeout
        if worker_name == "sync":
            server.request_timeout = timeout  # a sync worker silent for --timeout is killed mid-request
    return server


# -- uvicorn ----------------------------------------------------------------------------------

_UVICORN_SPEC = {
    "--host": "host", "--port": "port", "--uds": "uds", "--fd": "fd",
    "--timeout-keep-alive": "timeout_keep_alive", "--timeout-graceful-shutdown": "timeout_graceful_shutdown",
    "--workers": "workers",
}
_UVICORN_ENV = {
    "UVICORN_HOST": "host", "UVICORN_PORT": "port", "UVICORN_TIMEOUT_KEEP_ALIVE": "timeout_keep_alive",
    "UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN": "timeout_graceful_shutdown", "UVICORN_UDS": "uds",
}


def uvicorn(tokens: list[Token], env: dict[str, EnvVar], anchor: Token) -> AppServer:
    server = AppServer(product="uvicorn", description="uvicorn", anchor=anchor)
    options = _Options()
    unknown_env: set[str] = set()
    for variable, name in _UVICORN_ENV.items():  # click's auto_envvar_prefix="UVICORN"
        var = env.get(variable)
        if var is None:
            continue
        if var.value is None:
            unknown_env.add(name)
            server.notes.append(f"{variable} is set from outside the manifest; its value is unknown")
        else:
            options.values[name] = (var.value, var.token)
    command = _parse_options(tokens, _UVICORN_SPEC)
    options.values.update(command.values)  # the command line overrides the environment
    unknown_env -= set(command.values)
    build = _Builder(server, "uvicorn", defaults.UVICORN_SETTINGS)
    if "uds" not in options.values and "fd" not in options.values and "port" not in unknown_env:
        port = options.values.get("port", ("8000", anchor))[0]
        server.ports = [int(port)] if is_int(port) else []
        server.bind_host = options.values.get("host", ("127.0.0.1", anchor))[0]
    server.idle_timeout = build.duration("--timeout-keep-alive", options.values.get("timeout_keep_alive"), 5.0,
                                         "timeout_keep_alive" in unknown_env)
    server.drain_timeout = build.duration("--timeout-graceful-shutdown",
                                          options.values.get("timeout_graceful_shutdown"), None,
                                          "timeout_graceful_shutdown" in unknown_env)
    return server


# -- hypercorn --------------------------------------------------------------------------------

_HYPERCORN_SPEC = {
    "-b": "bind", "--bind": "bind", "--keep-alive": "keep_alive", "--graceful-timeout": "graceful_timeout",
    "-c": "config", "--config": "config", "-k": "worker_class", "--worker-class": "worker_class",
    "--read-timeout": "read_timeout",
}


def hypercorn(tokens: list[Token], env: dict[str, EnvVar], anchor: Token) -> AppServer:
    server = AppServer(product="hypercorn", description="hypercorn", anchor=anchor)
    options = _parse_options(tokens, _HYPERCORN_SPEC, frozenset({"bind"}))
    build = _Builder(server, "hypercorn", defaults.HYPERCORN_CONFIG)
    unknown = "config" in options.values
    if unknown:
        server.notes.append(f"settings not on the command line may come from the config file "
                            f"{options.values['config'][0]}, which tolint does not read")
    binds = [value for value, _ in options.lists.get("bind", [])]
    if binds:
        server.ports, server.bind_host = _bind_ports(binds)
    elif not unknown:
        server.ports, server.bind_host = [8000], "127.0.0.1"
    server.idle_timeout = build.duration("--keep-alive", options.values.get("keep_alive"), 5.0, unknown)
    server.drain_timeout = build.duration("--graceful-timeout", options.values.get("graceful_timeout"), 3.0, unknown)
    read = build.duration("--read-timeout", options.values.get("read_timeout"), None, unknown)
    if read is not None and read.seconds is not None:
        server.settings["read_timeout"] = read
    return server


PARSERS = {"gunicorn": gunicorn, "uvicorn": uvicorn, "hypercorn": hypercorn}


def recognise(argv: list[Token], env: dict[str, EnvVar]) -> AppServer | None:
    """The app server a container runs, from its command, args and environment."""
    found = find_server(argv, env)
    if found is None:
        return None
    name, tokens = found
    anchor = argv[0] if argv else Token("", "", 0)
    # Point at the word that names the server when it is a list item of its own.
    for token in argv:
        if name in token.text:
            anchor = token
            break
    return PARSERS[name](tokens, env, anchor)


# -- declared servers (tolint.dev/ annotations) -----------------------------------------------

ANNOTATION_PREFIX = "tolint.dev/"
DECLARED_KEYS = ("runtime", "keepalive-timeout", "request-timeout", "headers-timeout", "drain-timeout",
                 "prestop-delay")


@dataclass(frozen=True)
class Declared:
    """One ``tolint.dev/<key>`` annotation value and where it is written."""

    value: str
    token: Token


def parse_declared_duration(text: str) -> float | None:
    """``65s``, ``500ms``, ``1m30s`` (Go syntax) or a bare number of seconds; ``off``/``none`` is unlimited."""
    stripped = text.strip()
    if stripped.lower() in ("off", "none", "unlimited", "infinite"):
        return None
    if re.fullmatch(r"\d+(\.\d+)?", stripped):
        return durations.parse_number(stripped)
    return durations.parse_go(stripped)


def _version_tuple(text: str) -> tuple[int, ...] | None:
    parts = text.lstrip("v").split(".")
    if not parts or not all(is_int(part) for part in parts):
        return None
    return tuple(int(part) for part in parts)


def runtime_defaults(runtime: str, anchor: Token) -> AppServer | None:
    """A server configured in code, with its documented defaults (defaults.md section 7)."""
    name, _, version = runtime.strip().partition("@")
    name = name.lower()
    version_tuple = _version_tuple(version) if version else None

    def default(key: str, seconds: float | None, product: str, source: str, versions: str) -> Duration:
        return Duration(seconds=seconds, key=key, raw=f"{key} (not set)", provenance=Provenance(
            file=anchor.file, line=anchor.line, column=anchor.column,
            default=default_source(product=product, versions=versions, source=source)))

    if name in ("node", "nodejs"):
        server = AppServer(product="node", description=f"Node.js {version}".strip(), anchor=anchor, version=version or None)
        if version_tuple is None:
            server.notes.append("no Node.js version declared (tolint.dev/runtime: node@22); "
                                "keepAliveTimeout changed from 5s to 65s in v26, so it is unknown")
        else:
            major = version_tuple[0]
            if major >= 26:
                server.idle_timeout = default("keepAliveTimeout", 65.0, "Node.js", defaults.NODE_65S, "since v26")
            else:
                server.idle_timeout = default("keepAliveTimeout", 5.0, "Node.js", defaults.NODE_HTTP, "v8 to v25")
            if version_tuple >= (18,):
                server.request_timeout = default("requestTimeout", 300.0, "Node.js", defaults.NODE_HTTP, "since v18")
                server.header_timeout = default("headersTimeout", 60.0, "Node.js", defaults.NODE_HTTP, "since v18.14")
        return server
    if name in ("go", "golang"):
        server = AppServer(product="go", description=f"Go net/http {version}".strip(), anchor=anchor,
                           version=version or None)
        # IdleTimeout 0 falls back to ReadTimeout; both 0 means idle connections are never closed.
        server.idle_timeout = default("IdleTimeout", None, "Go net/http", defaults.GO_HTTP, "all versions")
        return server
    return AppServer(product=name, description=runtime.strip(), anchor=anchor, version=version or None)


def apply_declared(server: AppServer | None,
                   declared: dict[str, Declared]) -> tuple[AppServer | None, list[tuple[str, Token]]]:
    """Overlay ``tolint.dev/*`` annotations on the recognised server; returns problems and where they are."""
    problems: list[tuple[str, Token]] = []
    runtime = declared.get("runtime")
    if runtime is not None:
        declared_server = runtime_defaults(runtime.value, runtime.token)
        if declared_server is not None and (server is None or declared_server.product != server.product):
            if declared_server.product in PARSERS and server is None:
                # gunicorn declared but not recognised from the command: its defaults still apply.
                server = PARSERS[declared_server.product]([], {}, runtime.token)
            else:
                declared_server.ports = server.ports if server is not None else []
                server = declared_server
    fields = {"keepalive-timeout": "idle_timeout", "request-timeout": "request_timeout",
              "headers-timeout": "header_timeout", "drain-timeout": "drain_timeout"}
    for key, attribute in fields.items():
        item = declared.get(key)
        if item is None:
            continue
        try:
            seconds = parse_declared_duration(item.value)
        except ValueError as exc:
            problems.append((f"{ANNOTATION_PREFIX}{key}: {exc}", item.token))
            continue
        if server is None:
            server = AppServer(product="declared", description="declared server", anchor=item.token)
        setattr(server, attribute, Duration(seconds=seconds, key=f"{ANNOTATION_PREFIX}{key}",
                                            raw=f"{ANNOTATION_PREFIX}{key}: {item.value}",
                                            provenance=item.token.provenance()))
    return server, problems
