from __future__ import annotations

from tolint.parsers.nginx_syntax import MAX_DEPTH, parse_text


def shape(statements):
    return [(s.directive, s.args, s.line, shape(s.block) if s.block is not None else None) for s in statements]


def test_blocks_args_lines_and_comments() -> None:
    tree = parse_text('http {\n  keepalive_timeout 75s 60s; # trailing\n  server { listen "80"; }\n}\n', "n.conf")
    assert tree.errors == []
    assert shape(tree.statements) == [
        ("http", [], 1, [("keepalive_timeout", ["75s", "60s"], 2, None), ("server", [], 3, [("listen", ["80"], 3, None)])])
    ]
    assert tree.comments == [(2, " trailing")]
    assert tree.statements[0].file == "n.conf"


def test_missing_semicolon_before_brace_is_an_error_but_keeps_structure() -> None:
    tree = parse_text("http {\n  server {\n    listen 80\n  }\n  keepalive_timeout 5;\n}\n", "n.conf")
    assert tree.errors == [(3, 'directive "listen" is not terminated by ";"')]
    http = tree.statements[0]
    assert [s.directive for s in http.block] == ["server", "keepalive_timeout"]


def test_unbalanced_braces() -> None:
    assert parse_text("http {\n", "f").errors == [(1, 'unexpected end of file, expecting "}" (block opened at line 1)')]
    assert parse_text("a;\n}\n", "f").errors == [(2, 'unexpected "}"')]


def test_unterminated_quote_reports_its_line() -> None:
    tree = parse_text('a b;\nadd_header X "unterminated;\nc d;\n', "f")
    assert tree.errors == [(2, "unterminated quoted string; the rest of the file is ignored")]


def test_missing_final_semicolon() -> None:
    assert parse_text("worker_processes 1", "f").errors == [
        (1, 'unexpected end of file, expecting ";" or "}" after "worker_processes"')
    ]


def test_lua_block_is_one_argument() -> None:
    tree = parse_text('location / {\n  content_by_lua_block {\n    ngx.say("}")\n  }\n}\n', "f")
    assert tree.errors == []
    assert tree.statements[0].block[0].directive == "content_by_lua_block"


def test_deep_nesting_is_refused_without_recursion() -> None:
    text = "location / {\n" * 5000 + "}\n" * 5000
    tree = parse_text(text, "f")
    assert any(f"deeper than {MAX_DEPTH}" in message for _, message in tree.errors)


def test_line_offset_for_embedded_configs() -> None:
    tree = parse_text("server {\n  listen 80\n}\n", "cm.yaml", line_offset=10)
    assert tree.statements[0].line == 11
    assert tree.errors == [(12, 'directive "listen" is not terminated by ";"')]


def test_crlf_line_endings() -> None:
    tree = parse_text("http {\r\n  keepalive_timeout 5s;\r\n}\r\n", "f")
    assert tree.errors == []
    assert tree.statements[0].block[0].args == ["5s"]
