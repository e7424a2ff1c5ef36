"""nginx to graph: inheritance, defaults by version, includes, dumps, targets."""

from __future__ import annotations

from pathlib import Path

import pytest

from tolint.config import Settings
from tolint.pipeline import build_graph
from tolint.testing import write_tree


def graph_of(tmp_path: Path, files: dict[str, str], **settings: object):
    write_tree(tmp_path, files)
    return build_graph([str(tmp_path)], Settings.model_validate(settings), cwd=str(tmp_path))


def only(items):
    items = list(items)
    assert len(items) == 1, items
    return items[0]


def test_inheritance_http_server_location(tmp_path: Path) -> None:
    graph, diagnostics, _ = graph_of(tmp_path, {"nginx.conf": """\
events {}
http {
    proxy_read_timeout 120s;
    proxy_connect_timeout 5s;
    keepalive_timeout 30s 25s;
    server {
        listen 8080;
        proxy_connect_timeout 3s;
        location /api/ {
            proxy_pass http://10.0.0.1:9000;
            location /api/slow/ {
                proxy_read_timeout 1h;
                proxy_pass http://10.0.0.1:9000;
            }
        }
    }
}
"""})
    assert diagnostics == []
    api, slow = sorted(graph.upstreams(), key=lambda u: u.location.line)
    assert api.read_timeout.seconds == 120
    assert api.read_timeout.provenance.inherited_from == "http"
    assert api.read_timeout.provenance.line == 3
    assert api.read_timeout.describe() == "2m (proxy_read_timeout inherited from http at nginx.conf:3)"
    assert api.connect_timeout.seconds == 3 and api.connect_timeout.provenance.inherited_from == "server"
    assert slow.read_timeout.seconds == 3600 and slow.read_timeout.provenance.inherited_from is None
    assert api.send_timeout.provenance.is_default and api.send_timeout.seconds == 60
    listener = only(graph.listeners())
    assert listener.idle_timeout.seconds == 30
    assert [(e.host, e.port) for e in listener.endpoints] == [(None, 8080)]


@pytest.mark.parametrize(
    ("version", "requests", "http_version", "reuse"),
    [("1.18.0", 100, "1.0", False), ("1.28.0", 1000, "1.0", False), ("1.29.7", 1000, "1.1", True)],
)
def test_defaults_follow_the_nginx_version(tmp_path: Path, version: str, requests: int, http_version: str,
                                           reuse: bool) -> None:
    graph, _, _ = graph_of(tmp_path, {"nginx.conf": """\
events {}
http {
    upstream app { server 10.0.0.1:8080; keepalive 8; }
    server { location / { proxy_pass http://app; } }
}
"""}, nginx_version=version)
    listener = only(graph.listeners())
    upstream = only(graph.upstreams())
    assert listener.keepalive_requests.value == requests
    assert upstream.http_version.value == http_version
    assert upstream.http_version.provenance.default.product == "nginx"
    assert upstream.reuse.value is reuse


def test_includes_relative_to_main_file_and_their_provenance(tmp_path: Path) -> None:
    graph, diagnostics, files = graph_of(tmp_path, {
        "nginx/nginx.conf": "events {}\nhttp {\n    include conf.d/*.conf;\n    include mime.types;\n}\n",
        "nginx/conf.d/a.conf": "server {\n    listen 81;\n    keepalive_timeout 11s;\n}\n",
        "nginx/conf.d/b.conf": "server {\n    listen 82;\n    include snippets/timeouts.conf;\n}\n",
        "nginx/snippets/timeouts.conf": "keepalive_timeout 12s;\n",
    })
    assert diagnostics == []  # mime.types is a distro file: its absence is not reported
    component = only(graph.components)
    assert component.files == ["nginx/conf.d/a.conf", "nginx/conf.d/b.conf", "nginx/nginx.conf",
                               "nginx/snippets/timeouts.conf"]
    idle = {l.endpoints[0].port: l.idle_timeout for l in graph.listeners()}
    assert (idle[81].provenance.file, idle[81].provenance.line) == ("nginx/conf.d/a.conf", 3)
    assert (idle[82].provenance.file, idle[82].provenance.line) == ("nginx/snippets/timeouts.conf", 1)


def test_include_problems_are_diagnostics(tmp_path: Path) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-outside.conf"
    outside.write_text("keepalive_timeout 1s;\n")
    _, diagnostics, _ = graph_of(tmp_path, {
        "nginx.conf": (
            "events {}\nhttp {\n"
            "    include missing.conf;\n"
            "    include nothing/*.conf;\n"
            "    include /opt/other/x.conf;\n"
            f"    include ../{outside.name};\n"
            "    include self.conf;\n"
            "}\n"
        ),
        "self.conf": "include self.conf;\n",
    })
    messages = {(d.line, d.severity): d.message for d in diagnostics}
    assert "missing.conf" in messages[(3, "warning")]
    assert (4, "warning") not in messages  # an empty glob is fine in nginx too
    assert "outside the linted tree" in messages[(5, "warning")]
    assert "outside the linted tree" in messages[(6, "warning")]
    assert any("include cycle" in d.message and d.file == "self.conf" for d in diagnostics)


def test_absolute_includes_under_the_prefix_map_into_the_tree(tmp_path: Path) -> None:
    graph, diagnostics, _ = graph_of(tmp_path, {
        "etc/nginx/nginx.conf": "events {}\nhttp { include /etc/nginx/conf.d/*.conf; }\n",
        "etc/nginx/conf.d/site.conf": "server { listen 8443; keepalive_timeout 9s; }\n",
    })
    assert diagnostics == []
    assert only(graph.listeners()).idle_timeout.seconds == 9


def test_snippets_included_by_a_main_file_are_not_linted_alone(tmp_path: Path) -> None:
    graph, _, _ = graph_of(tmp_path, {
        "nginx.conf": "events {}\nhttp { include sites/*.conf; }\n",
        "sites/one.conf": "server { listen 80; }\n",
        "standalone/other.conf": "server { listen 9000; }\n",
    })
    assert sorted(c.name for c in graph.components) == ["nginx nginx.conf", "nginx standalone/other.conf"]


def test_nginx_dash_T_dump(tmp_path: Path) -> None:
    dump = """\
nginx: the configuration file /etc/nginx/nginx.conf syntax is ok
nginx: configuration file /etc/nginx/nginx.conf test is successful
# configuration file /etc/nginx/nginx.conf:
events {}
http {
    include /etc/nginx/conf.d/*.conf;
}

# configuration file /etc/nginx/conf.d/app.conf:
server {
    listen 8080;
    keepalive_timeout 7s;
}
"""
    graph, diagnostics, _ = graph_of(tmp_path, {"dump.txt.conf": dump})
    assert diagnostics == []
    idle = only(graph.listeners()).idle_timeout
    assert idle.seconds == 7
    assert (idle.provenance.file, idle.provenance.line) == ("dump.txt.conf", 12)


def test_targets_of_every_pass_directive(tmp_path: Path) -> None:
    graph, _, _ = graph_of(tmp_path, {"nginx.conf": """\
events {}
http {
    upstream pool { server a.internal:8080; server [::1]:8081 backup; server unix:/run/app.sock; }
    server {
        location /a { proxy_pass https://api.example.com/v1/; }
        location /b { proxy_pass http://pool; }
        location /c { grpc_pass grpcs://grpc.internal; }
        location /d { fastcgi_pass 127.0.0.1:9000; }
        location /e { uwsgi_pass uwsgi://py.internal:3031; }
        location /f { proxy_pass http://$host$request_uri; }
        location /g { proxy_pass http://unix:/run/app.sock:/api/; }
    }
}
"""})
    by_line = {u.location.line: u for u in graph.upstreams()}
    target = lambda line: [(t.host, t.port, t.scheme, t.backup) for t in by_line[line].targets]  # noqa: E731
    assert target(5) == [("api.example.com", 443, "https", False)]
    assert target(6) == [("a.internal", 8080, "http", False), ("::1", 8081, "http", True), (None, None, "unix", False)]
    assert target(7) == [("grpc.internal", 443, "grpcs", False)]
    assert by_line[7].protocol == "grpc"
    assert target(8) == [("127.0.0.1", 9000, "fastcgi", False)]
    assert target(9) == [("py.internal", 3031, "uwsgi", False)]
    assert target(10)[0][0] is None
    assert target(11) == [(None, None, "unix", False)]
    reasons = " ".join(item.reason for item in graph.unresolved)
    assert "variables" in reasons and "unix socket" in reasons


def test_stream_module(tmp_path: Path) -> None:
    graph, _, _ = graph_of(tmp_path, {"nginx.conf": """\
events {}
stream {
    upstream db { server 10.0.0.5:5432; }
    server {
        listen 5432;
        proxy_timeout 30m;
        proxy_pass db;
    }
}
"""})
    listener = only(graph.listeners())
    upstream = only(graph.upstreams())
    assert listener.protocol == "tcp" and listener.inactivity_timeout.seconds == 1800
    assert upstream.read_timeout.seconds == 1800 and upstream.connect_timeout.seconds == 60
    assert upstream.reuse.value is False
    assert [(t.host, t.port) for t in upstream.targets] == [("10.0.0.5", 5432)]


def test_bad_values_are_diagnostics_and_the_rest_is_read(tmp_path: Path) -> None:
    graph, diagnostics, _ = graph_of(tmp_path, {"nginx.conf": """\
events {}
http {
    keepalive_timeout abc;
    keepalive_requests many;
    server { listen 80; send_timeout 10s; }
}
"""})
    assert [(d.line, d.message) for d in diagnostics] == [
        (3, 'invalid value in "keepalive_timeout": invalid time value "abc"'),
        (4, 'invalid value in "keepalive_requests": expected a number, got "many"'),
    ]
    listener = only(graph.listeners())
    assert listener.idle_timeout.provenance.is_default and listener.send_timeout.seconds == 10


def test_so_keepalive_and_resets(tmp_path: Path) -> None:
    graph, _, _ = graph_of(tmp_path, {"nginx.conf": """\
events {}
http {
    server { listen 80 so_keepalive=30m::10; }
    server { listen 81 so_keepalive=on; lingering_close off; }
}
"""})
    first, second = sorted(graph.listeners(), key=lambda l: l.location.line)
    assert first.tcp_keepalive.idle.seconds == 1800 and first.tcp_keepalive.count.value == 10
    assert first.tcp_keepalive.interval is None
    assert second.tcp_keepalive.idle.seconds == 7200 and second.tcp_keepalive.idle.provenance.default.product == "Linux"
    assert [(r.key, r.value) for r in second.resets] == [("lingering_close", "off")]


def test_syntax_error_file_is_reported_and_other_files_still_linted(tmp_path: Path) -> None:
    graph, diagnostics, _ = graph_of(tmp_path, {
        "a/nginx.conf": "events {}\nhttp {\n    server {\n        listen 80\n    }\n",
        "b/nginx.conf": "events {}\nhttp { server { listen 81; } }\n",
    })
    assert {(d.file, d.line) for d in diagnostics if d.severity == "error"} == {("a/nginx.conf", 4), ("a/nginx.conf", 5)}
    assert {e.port for l in graph.listeners() for e in l.endpoints} >= {81}
