"""HAProxy sections to graph: inheritance, listeners, upstreams, routes, retries, reuse, lifecycle."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tolint.cli import main
from tolint.config import Settings
from tolint.graph import Listener, TimeoutGraph, Upstream
from tolint.parsers.formats import FORMATS, HaproxyFormat
from tolint.parsers.haproxy import HaproxyOptions, parse_config_text

EDGE = textwrap.dedent("""\
    global
        log stdout format raw local0
        hard-stop-after 5m
        grace 10s

    defaults web
        mode http
        timeout connect 5s
        timeout client 30s
        timeout server 1m
        timeout http-request 10s
        timeout http-keep-alive 2s
        option tcpka
        clitcpka-idle 60
        default-server inter 2s fall 3 pool-purge-delay 15s

    defaults tcp
        mode tcp
        timeout connect 3s
        timeout client 1h
        timeout server 1h

    frontend www from web
        bind :80
        bind 192.168.1.10:8443-8444 ssl crt /etc/ssl/site.pem
        bind [::1]:8080
        bind unix@/run/haproxy.sock
        option nolinger
        acl is_api path_beg /api
        use_backend api if is_api
        use_backend %[req.hdr(host),lower,map(/etc/haproxy/hosts.map)]
        default_backend app

    backend app from web
        http-reuse never
        server app1 app.internal:8080 check cookie backup
        server app2 10.0.0.12 check backup
        server app3 10.0.0.13:8080 disabled
        server-template dyn 1-5 _http._tcp.app.service.consul resolvers consul

    backend api from web
        option http-server-close
        retries 2
        retry-on conn-failure empty-response 503
        option redispatch 1
        default-server pool-purge-delay 30s
        server api1 [2001:db8::1]:9000
        server api2 ipv4@10.0.0.22:9000 ssl verify none
        server api3 /run/api.sock

    listen db from tcp
        bind :5432
        option srvtcpka
        srvtcpka-idle 30s
        server pg1 ${PG_HOST}:5432
""")


def _component(text: str, version: str = "3.2"):  # noqa: ANN202
    fragment = parse_config_text(text, "haproxy.cfg", options=HaproxyOptions(version=version))
    return fragment.components[0], fragment.diagnostics


def _listener(component, name: str) -> Listener:  # noqa: ANN001
    return next(item for item in component.listeners if item.name == name)


def _upstream(component, name: str) -> Upstream:  # noqa: ANN001
    return next(item for item in component.upstreams if item.name == name)


def test_realistic_config_builds_without_diagnostics() -> None:
    component, diagnostics = _component(EDGE)
    assert diagnostics == []
    assert (component.kind, component.product, component.version) == ("haproxy", "haproxy", "3.2")
    assert [item.name for item in component.listeners] == ["frontend www", "listen db"]
    assert [item.name for item in component.upstreams] == ["backend app", "backend api", "listen db"]


def test_frontend_listener() -> None:
    component, _ = _component(EDGE)
    www = _listener(component, "frontend www")
    assert www.protocol == "https"  # a bind with ssl
    assert [(e.host, e.port) for e in www.endpoints] == [
        (None, 80), ("192.168.1.10", 8443), ("192.168.1.10", 8444), ("::1", 8080)]
    assert www.names == []  # a section name is not a DNS name
    assert www.inactivity_timeout.seconds == 30
    assert www.inactivity_timeout.describe() == "30s (timeout client inherited from defaults web at haproxy.cfg:9)"
    assert (www.idle_timeout.key, www.idle_timeout.seconds) == ("timeout http-keep-alive", 2)
    assert (www.header_timeout.key, www.header_timeout.seconds) == ("timeout http-request", 10)
    assert www.tcp_keepalive.enabled.value is True and www.tcp_keepalive.enabled.raw == "option tcpka"
    assert www.tcp_keepalive.idle.seconds == 60  # clitcpka-idle: unsuffixed means seconds
    assert [(item.raw, item.provenance.line) for item in www.resets] == [("option nolinger", 28)]


def test_keep_alive_idle_falls_back_to_http_request_then_client() -> None:
    component, _ = _component("frontend a\n  mode http\n  bind :80\n  timeout client 40s\n  timeout http-request 7s\n"
                              "frontend b\n  mode http\n  bind :81\n  timeout client 40s\n  timeout http-keep-alive 0\n")
    a, b = component.listeners
    assert (a.idle_timeout.key, a.idle_timeout.seconds) == ("timeout http-request", 7)
    assert (b.idle_timeout.key, b.idle_timeout.seconds) == ("timeout client", 40)  # 0 means not set here
    assert b.header_timeout.key == "timeout client"


def test_tcp_listener_has_no_keep_alive_idle() -> None:
    component, _ = _component(EDGE)
    db = _listener(component, "listen db")
    assert db.protocol == "tcp" and db.idle_timeout is None
    assert db.inactivity_timeout.describe() == "1h (timeout client inherited from defaults tcp at haproxy.cfg:20)"
    assert db.tcp_keepalive.enabled.value is False and db.tcp_keepalive.enabled.provenance.is_default


def test_backend_targets_and_routes() -> None:
    component, _ = _component(EDGE)
    app = _upstream(component, "backend app")
    assert app.serves == ["haproxy:haproxy.cfg:frontend www"]
    targets = [(t.host, t.port, t.scheme, t.backup, t.disabled) for t in app.targets]
    assert targets == [
        ("app.internal", 8080, "http", False, False),  # "cookie backup" is a cookie value, not the flag
        ("10.0.0.12", None, "http", True, False),  # no port: the client's destination port
        ("10.0.0.13", 8080, "http", False, True),
        ("_http._tcp.app.service.consul", None, "http", False, False),
    ]
    api = _upstream(component, "backend api")
    assert api.protocol == "https"
    assert [(t.host, t.port, t.scheme) for t in api.targets] == [
        ("2001:db8::1", 9000, "http"), ("10.0.0.22", 9000, "https"), (None, None, "unix")]
    db = _upstream(component, "listen db")
    assert db.serves == ["haproxy:haproxy.cfg:listen db"]  # a listen section serves itself
    assert (db.targets[0].host, db.targets[0].raw) == (None, "${PG_HOST}:5432")


def test_backend_timeouts_retries_and_reuse() -> None:
    component, _ = _component(EDGE)
    app = _upstream(component, "backend app")
    assert (app.connect_timeout.seconds, app.read_timeout.seconds, app.tunnel_timeout) == (5, 60, None)
    assert app.reuse.value is False and "http-reuse never" in app.reuse.detail
    assert app.idle_timeout.describe() == "15s (pool-purge-delay inherited from defaults web at haproxy.cfg:15)"
    assert app.retry.conditions.value == ["conn-failure"] and app.retry.conditions.provenance.is_default
    assert (app.retry.tries.value, app.retry.tries.detail) == (4, "3 retries after the first attempt")
    assert app.retry.non_idempotent.value is False and app.retry.redispatch.value is False

    api = _upstream(component, "backend api")
    assert api.reuse.value is False
    assert api.reuse.detail == "option http-server-close (at haproxy.cfg:42) closes the server connection after each response"
    assert api.idle_timeout.seconds == 30 and api.idle_timeout.provenance.line == 46
    assert api.retry.conditions.value == ["conn-failure", "empty-response", "503"]
    assert api.retry.non_idempotent.value is True and "empty-response 503" in api.retry.non_idempotent.detail
    assert api.retry.tries.value == 3 and api.retry.redispatch.value is True

    db = _upstream(component, "listen db")
    assert db.reuse.value is False and "TCP mode" in db.reuse.detail
    assert db.tcp_keepalive.enabled.raw == "option srvtcpka" and db.tcp_keepalive.idle.seconds == 30


def test_lifecycle_from_global() -> None:
    component, _ = _component(EDGE)
    assert component.lifecycle.drain_timeout.describe() == "5m (hard-stop-after at haproxy.cfg:3)"
    assert component.lifecycle.prestop_delay.seconds == 10
    bare, _ = _component("frontend f\n  bind :80\n")
    assert bare.lifecycle.drain_timeout is None


def test_global_without_hard_stop_after_waits_forever() -> None:
    component, _ = _component("global\n  maxconn 100\nfrontend f\n  bind :80\n")
    drain = component.lifecycle.drain_timeout
    assert drain.unlimited and drain.provenance.is_default and drain.provenance.line == 1
    assert component.lifecycle.prestop_delay.seconds == 0


def test_options_negated_and_restored() -> None:
    component, _ = _component(textwrap.dedent("""\
        defaults
            mode http
            option http-server-close
            option nolinger
        backend a
            no option http-server-close
            server s 10.0.0.1:80
        backend b
            no option httpclose
            server s 10.0.0.1:80
        backend c
            option httpclose
            default option http-server-close
            no option nolinger
            server s 10.0.0.1:80
        """))
    a, b, c = component.upstreams
    assert a.reuse.value is True  # cancelled
    assert b.reuse.value is False  # "no option httpclose" does not cancel http-server-close
    assert c.reuse.value is False and "option http-server-close" in c.reuse.detail  # restored from defaults
    assert [len(item.resets) for item in (a, b, c)] == [1, 1, 0]


def test_reuse_is_off_when_every_frontend_closes() -> None:
    component, _ = _component(textwrap.dedent("""\
        defaults
            mode http
        frontend one
            bind :80
            option httpclose
            default_backend app
        frontend two
            bind :81
            option http-server-close
            default_backend app
        frontend three
            bind :82
            default_backend shared
        frontend four
            bind :83
            option httpclose
            default_backend shared
        backend app
            server s 10.0.0.1:80
        backend shared
            server s 10.0.0.1:80
        """))
    app, shared = component.upstreams
    assert app.reuse.value is False and "like every frontend" in app.reuse.detail
    assert shared.reuse.value is True


def test_retry_guard_disables_replay() -> None:
    component, _ = _component(textwrap.dedent("""\
        defaults
            mode http
        backend guarded
            retry-on all-retryable-errors
            http-request disable-l7-retry if METH_POST
            server s 10.0.0.1:80
        backend tcp
            mode tcp
            retry-on all-retryable-errors
            server s 10.0.0.1:80
        backend early
            retry-on conn-failure 0rtt-rejected
            server s 10.0.0.1:80
        """))
    guarded, tcp, early = component.upstreams
    assert guarded.retry.non_idempotent.value is False and "disable-l7-retry" in guarded.retry.non_idempotent.detail
    assert tcp.retry.non_idempotent.value is False  # no HTTP request to replay in TCP mode
    assert early.retry.non_idempotent.value is False


def test_pool_purge_delay_uses_the_longest_server_value() -> None:
    component, _ = _component(textwrap.dedent("""\
        backend b
            mode http
            server s1 10.0.0.1:80
            default-server pool-purge-delay 20s
            server s2 10.0.0.2:80
            server s3 10.0.0.3:80 pool-purge-delay 1m
        """))
    idle = component.upstreams[0].idle_timeout
    assert (idle.seconds, idle.provenance.line) == (60, 6)


def test_invalid_values_are_diagnostics() -> None:
    component, diagnostics = _component(textwrap.dedent("""\
        frontend f
            bind :80
            timeout client 30S
            timeout http-keep-alive 30d
            timeout http-request 1m30s
            mode http
        backend b from nowhere
            retries many
            server s 10.0.0.1:80
        backend b
            timeout
        """))
    messages = {(d.line, d.severity, d.message) for d in diagnostics}
    assert (3, "error", 'invalid time value "30S" in "timeout client"') in messages  # units are lower case
    assert (4, "error", '"30d" in "timeout http-keep-alive" is above the largest time HAProxy accepts '
                        "(2147483647 ms, about 24.8 days)") in messages
    assert any(line == 5 and severity == "warning" and 'reads only "1m"' in message
               for line, severity, message in messages)
    assert (7, "error", 'backend b: no defaults section named "nowhere" before it; its settings are unknown') in messages
    assert any(line == 8 and 'expected a number, got "many"' in message for line, _, message in messages)
    assert any(line == 10 and "same name as backend b" in message for line, _, message in messages)
    assert (11, "error", '"timeout" needs a value') in messages
    assert _listener(component, "frontend f").header_timeout.seconds == 60


def test_embedded_config_keeps_the_outer_file_and_lines() -> None:
    fragment = parse_config_text("frontend www\n  bind :80\n  timeout client 0\n", "k8s/haproxy.yaml", line_offset=12,
                                 component_id="k8s:prod/haproxy-config:haproxy.cfg")
    listener = fragment.components[0].listeners[0]
    assert listener.id == "k8s:prod/haproxy-config:haproxy.cfg:frontend www"
    assert (listener.location.file, listener.location.line) == ("k8s/haproxy.yaml", 13)
    assert listener.inactivity_timeout.provenance.line == 15 and listener.inactivity_timeout.unlimited


def test_removed_keywords_follow_the_version() -> None:
    text = "defaults\n  option forceclose\n  contimeout 5000\nfrontend f\n  bind :80\n"
    modern, _ = _component(text, "3.2")
    assert [(item.key, item.value) for item in modern.obsolete] == [("option forceclose", "rejected"),
                                                                    ("contimeout", "rejected")]
    old, _ = _component(text, "2.0")
    assert [(item.key, item.value) for item in old.obsolete] == [("option forceclose", "ignored"),
                                                                 ("contimeout", "deprecated")]
    # HAProxy 2.0 still honoured contimeout as timeout connect
    backend, _ = _component("defaults\n  contimeout 5000\nbackend b\n  server s 10.0.0.1:80\n", "2.0")
    assert backend.upstreams[0].connect_timeout.seconds == 5


def test_haproxy_version_setting() -> None:
    assert Settings().haproxy_version == "3.2"
    assert Settings.model_validate({"haproxy-version": "2.8.5"}).haproxy_version == "2.8.5"
    for bad in ("1.8", "latest"):
        with pytest.raises(ValidationError):
            Settings.model_validate({"haproxy-version": bad})


def test_cli_haproxy_version_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "haproxy.cfg").write_text("listen app\n  bind :80\n  mode http\n  option forceclose\n")
    assert main(["check", "--select", "TL502", "--haproxy-version", "2.4", str(tmp_path)]) == 1
    assert "HAProxy 2.4 ignores it" in capsys.readouterr().out
    assert main(["check", "--haproxy-version", "1.9", str(tmp_path)]) == 2


@pytest.mark.parametrize(
    ("path", "claimed"),
    [("deploy/haproxy.cfg", True), ("lb/edge.cfg", True), ("haproxy.conf", True), ("haproxy-edge.conf", True),
     ("x/edge.haproxy", True), ("etc/haproxy/edge", True), ("nginx.conf", False), ("setup.py", False)],
)
def test_format_claims_names(path: str, claimed: bool) -> None:
    assert HaproxyFormat().claims_name(path) is claimed


def test_haproxy_is_tried_before_nginx_and_tells_them_apart() -> None:
    names = [fmt.name for fmt in FORMATS]
    assert names.index("haproxy") + 1 == names.index("nginx")
    fmt = HaproxyFormat()
    assert fmt.sniff("frontend www\n    bind :80\n    http-request return status 200 if { path / }\n", "a.cfg")
    assert fmt.sniff("userlist admins\n    user bob insecure-password x\n", "a.cfg")
    assert not fmt.sniff("http {\n    server {\n        listen 80;\n    }\n}\n", "haproxy.conf")
    assert not fmt.sniff("[metadata]\nname = tolint\n", "setup.cfg")


def test_hops_between_haproxy_and_nginx(lint_tree) -> None:  # noqa: ANN001
    report = lint_tree({
        "lb/haproxy.cfg": textwrap.dedent("""\
            defaults
                mode http
                timeout connect 5s
                timeout client 30s
                timeout server 30s
            frontend www
                bind 10.0.0.5:80
                default_backend app
            backend app
                server app1 app.internal:8080
                server local 127.0.0.1:8081
            frontend internal
                bind 127.0.0.1:8081
            """),
        "app/nginx.conf": "events {}\nhttp {\n  server { listen 8080; server_name app.internal; }\n}\n",
        "edge/nginx.conf": "events {}\nhttp {\n  upstream lb { server 10.0.0.5:80; }\n"
                           "  server { listen 80; location / { proxy_pass http://lb; } }\n}\n",
    })
    graph: TimeoutGraph = report.graph
    pairs = sorted((graph.upstream(hop.upstream).name, graph.listener(hop.listener).name, hop.via) for hop in graph.hops)
    assert pairs == [
        ("backend app", "frontend internal", "loopback address in the same component"),
        ("backend app", "server app.internal (port 8080)", "host name matches server name"),
        ("upstream lb (from location /)", "frontend www", "address matches listen address"),
    ]


def test_defaults_used_both_explicitly_and_implicitly_is_a_warning() -> None:
    _, diagnostics = _component(textwrap.dedent("""\
        defaults web
            mode http
        frontend www
            bind :80
        defaults tcp from web
            mode tcp
        """))
    assert [(d.line, d.severity) for d in diagnostics] == [(3, "warning")]
    assert "frontend www uses defaults web implicitly while a \"from web\" names it too" in diagnostics[0].message
    _, clean = _component("defaults web\n  mode http\ndefaults\n  mode tcp\nfrontend www from web\n  bind :80\n")
    assert clean == []


def test_duplicate_and_disabled_proxies_keep_ids_unique() -> None:
    component, diagnostics = _component(textwrap.dedent("""\
        frontend www
            bind :80
            use_backend old if { path /old }
            default_backend app
        backend app
            server a 10.0.0.1:80
        backend app
            server b 10.0.0.2:80
        backend old
            disabled
            server c 10.0.0.3:80
        """))
    assert [item.id for item in component.upstreams] == ["haproxy:haproxy.cfg:backend app",
                                                        "haproxy:haproxy.cfg:backend app@7"]
    assert [(d.line, d.severity) for d in diagnostics] == [(7, "error")]  # nothing about the disabled backend


_WORDS = ["frontend f", "backend b", "listen l", "defaults d", "defaults from d", "global", "\n", "\n  ", " ",
          "timeout client", "timeout server", "timeout tunnel", "timeout http-keep-alive", "timeout connect", "0", "5s",
          "1m30s", "99999d", "x", "${T}", "mode tcp", "mode http", "mode spop", "server s", "10.0.0.1:80", "[::1]:x",
          "unix@/s", "server-template t", "default-server", "pool-purge-delay", "pool-max-conn", "-1", "backup",
          "option", "no option", "default option", "httpclose", "tcpka", "nolinger", "redispatch", "retries",
          "retry-on", "all-retryable-errors", "use_backend", "default_backend", "if", "{ path / }", "bind", ":80-70",
          "http-request set-timeout tunnel", "disable-l7-retry", "disabled", "enabled", "hard-stop-after", "grace"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=120).map(" ".join))
def test_any_haproxy_like_text_builds_without_exceptions(text: str) -> None:
    fragment = parse_config_text(text, "fuzz.cfg")
    assert all(d.file == "fuzz.cfg" for d in fragment.diagnostics)
