"""App servers recognised from container command lines and environments, with their defaults."""

from __future__ import annotations

import pytest

from tolint.parsers.appservers import EnvVar, Token, apply_declared, Declared, recognise, runtime_defaults


def argv(*words: str, line: int = 10) -> list[Token]:
    return [Token(word, "k8s/app.yaml", line + index, 11) for index, word in enumerate(words)]


def env(**values: str | None) -> dict[str, EnvVar]:
    return {name: EnvVar(value, Token(value or "", "k8s/app.yaml", 40, 22)) for name, value in values.items()}


def test_gunicorn_defaults_and_the_sync_worker() -> None:
    server = recognise(argv("gunicorn", "app:app"), {})
    assert server is not None and server.product == "gunicorn"
    assert server.description == "gunicorn sync worker"
    # The sync worker closes every connection after its response: no keep-alive at all.
    assert server.idle_timeout.seconds == 0
    assert "sync" in server.settings["keep-alive"].detail
    assert server.drain_timeout.seconds == 30 and server.drain_timeout.provenance.is_default
    assert server.ports == [8000] and server.bind_host == "127.0.0.1"
    assert server.request_timeout.seconds == 30  # --timeout bounds a request for sync workers


@pytest.mark.parametrize("words", [
    ("gunicorn", "--threads", "4", "app:app"),
    ("gunicorn", "-k", "gthread", "app:app"),
    ("gunicorn", "--worker-class=gevent", "app:app"),
    ("gunicorn", "-k", "uvicorn.workers.UvicornWorker", "app:app"),
    ("python", "-m", "gunicorn", "--threads=2", "app:app"),
    ("ddtrace-run", "gunicorn", "-k", "gthread", "app:app"),
])
def test_gunicorn_workers_that_keep_connections(words: tuple[str, ...]) -> None:
    server = recognise(argv(*words), {})
    assert server is not None and server.idle_timeout.seconds == 2
    assert server.idle_timeout.key == "--keep-alive" and server.idle_timeout.provenance.is_default
    # The default points at the word that starts gunicorn.
    assert server.idle_timeout.provenance.line == 10 + words.index(next(w for w in words if "gunicorn" in w))


def test_gunicorn_values_on_the_command_line_override_gunicorn_cmd_args() -> None:
    server = recognise(
        argv("gunicorn", "-k", "gthread", "--keep-alive", "75", "-b0.0.0.0:9000", "app:app"),
        env(GUNICORN_CMD_ARGS="--keep-alive=5 --graceful-timeout=12 --bind=0.0.0.0:8000"),
    )
    assert server.idle_timeout.seconds == 75 and server.idle_timeout.provenance.line == 13  # the flag
    assert server.drain_timeout.seconds == 12 and server.drain_timeout.provenance.line == 40
    assert server.ports == [9000] and server.bind_host == "0.0.0.0"


def test_gunicorn_port_from_the_port_variable() -> None:
    server = recognise(argv("gunicorn", "--threads", "4", "app:app"), env(PORT="5000"))
    assert server.ports == [5000] and server.bind_host == "0.0.0.0"


def test_values_that_cannot_be_known_are_not_defaulted() -> None:
    config = recognise(argv("gunicorn", "-c", "/etc/gunicorn.py", "app:app"), {})
    assert config.idle_timeout is None and config.drain_timeout is None and config.ports == []
    assert "config file" in config.notes[0]
    variable = recognise(argv("gunicorn", "-k", "gthread", "--keep-alive", "$(KEEPALIVE)", "app:app"),
                         env(KEEPALIVE=None))
    assert variable.idle_timeout is None
    secret_env = recognise(argv("uvicorn", "app:app"), env(UVICORN_TIMEOUT_KEEP_ALIVE=None))
    assert secret_env.idle_timeout is None and secret_env.drain_timeout is not None


def test_kubernetes_variable_expansion() -> None:
    server = recognise(argv("gunicorn", "-k", "gthread", "--keep-alive", "$(KEEPALIVE)", "app:app"),
                       env(KEEPALIVE="65"))
    assert server.idle_timeout.seconds == 65


def test_shell_wrappers_and_scripts() -> None:
    script = "python manage.py migrate && exec gunicorn app.wsgi --threads 8 --keep-alive ${KA:-30}"
    server = recognise(argv("/bin/sh", "-c", script), {})
    assert server.idle_timeout.seconds == 30 and server.description == "gunicorn gthread worker"
    quoted = recognise(argv("bash", "-c", "uvicorn app:app --port \"$PORT\""), env(PORT="7000"))
    assert quoted.ports == [7000]
    assert recognise(argv("sh", "-c", "echo 'unbalanced"), {}) is None
    assert recognise(argv("celery", "-A", "app", "worker"), {}) is None


def test_uvicorn_flags_environment_and_defaults() -> None:
    server = recognise(argv("uvicorn", "app:app", "--host", "0.0.0.0", "--port", "8080"), {})
    assert server.idle_timeout.seconds == 5 and server.idle_timeout.key == "--timeout-keep-alive"
    assert server.drain_timeout.seconds is None  # no bound on draining by default
    assert server.ports == [8080]
    from_env = recognise(argv("uvicorn", "app:app", "--timeout-keep-alive", "90"),
                         env(UVICORN_TIMEOUT_KEEP_ALIVE="10", UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN="20"))
    assert from_env.idle_timeout.seconds == 90  # the flag wins over the variable
    assert from_env.drain_timeout.seconds == 20 and from_env.drain_timeout.provenance.line == 40


def test_hypercorn_defaults() -> None:
    server = recognise(argv("hypercorn", "--bind", "0.0.0.0:8443", "app:app"), {})
    assert (server.idle_timeout.seconds, server.drain_timeout.seconds, server.ports) == (5, 3, [8443])
    assert "hypercorn" in server.idle_timeout.provenance.default.product


@pytest.mark.parametrize(("runtime", "idle", "headers"), [
    ("node@22.11.0", 5.0, 60.0),
    ("node@26", 65.0, 60.0),
    ("nodejs@v20", 5.0, 60.0),
    ("go", None, None),
])
def test_declared_runtimes(runtime: str, idle: float | None, headers: float | None) -> None:
    server = runtime_defaults(runtime, Token(runtime, "k8s/app.yaml", 5, 5))
    assert server.idle_timeout.seconds == idle
    assert (server.header_timeout.seconds if server.header_timeout else None) == headers


def test_node_without_a_version_is_unknown() -> None:
    server = runtime_defaults("node", Token("node", "k8s/app.yaml", 5, 5))
    assert server.idle_timeout is None and "version" in server.notes[0]


def test_declared_values_override_recognised_ones() -> None:
    recognised = recognise(argv("uvicorn", "app:app"), {})
    token = Token("75s", "k8s/app.yaml", 7, 9)
    server, problems = apply_declared(recognised, {"keepalive-timeout": Declared("75s", token),
                                                   "drain-timeout": Declared("soon", token)})
    assert server.idle_timeout.seconds == 75 and server.idle_timeout.key == "tolint.dev/keepalive-timeout"
    assert problems and "drain-timeout" in problems[0][0] and problems[0][1] is token


def test_gunicorn_worker_class_from_a_variable_is_unknown() -> None:
    server = recognise(argv("gunicorn", "--threads", "$(THREADS)", "app:app"), env(THREADS=None))
    assert server.idle_timeout is None and server.description == "gunicorn unknown worker"
    third_party = recognise(argv("gunicorn", "-k", "mypkg.workers.Custom", "app:app"), {})
    assert third_party.idle_timeout is None and "Custom" in third_party.notes[0]
    egg = recognise(argv("gunicorn", "-k", "egg:gunicorn#gevent", "app:app"), {})
    assert egg.idle_timeout.seconds == 2 and egg.description == "gunicorn gevent worker"
