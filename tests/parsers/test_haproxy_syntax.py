"""HAProxy text to sections and words: quoting, comments, environment references, conditionals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tolint.parsers.haproxy_syntax import evaluate_condition, parse_text, parse_version, split_line

V32 = parse_version("3.2")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("    timeout client 30s", ["timeout", "client", "30s"]),
        ('\tdescription "my web site"', ["description", "my web site"]),
        ("  http-request set-header X-Note 'a $literal #not-a-comment'", ["http-request", "set-header", "X-Note",
                                                                          "a $literal #not-a-comment"]),
        (r"  acl has_space path_reg ^/a\ b$", ["acl", "has_space", "path_reg", "^/a b$"]),
        (r"  set-var txn.x str(\#hash)", ["set-var", "txn.x", "str(#hash)"]),
        (r'  errorfile 503 "/etc/haproxy/a\"b.http"', ["errorfile", "503", '/etc/haproxy/a"b.http']),
        (r"  http-response set-header X \x41\t", ["http-response", "set-header", "X", "A\t"]),
        ('  server s1 10.0.0.1:80 check # primary', ["server", "s1", "10.0.0.1:80", "check"]),
        ("  bind :80#no space before the comment", ["bind", ":80"]),
        ('  http-request set-header X-Empty ""', ["http-request", "set-header", "X-Empty", ""]),
        ('  log-format "%ci"":%cp"', ["log-format", "%ci:%cp"]),
        ("", []),
        ("   # only a comment", []),
    ],
)
def test_split_line_like_haproxy(text: str, words: list[str]) -> None:
    found, _env, _comment, error = split_line(text)
    assert error is None
    assert found == words


def test_comments_are_returned_for_suppressions() -> None:
    _words, _env, comment, _error = split_line("  option nolinger  # tolint: ignore[TL501] on purpose")
    assert comment == " tolint: ignore[TL501] on purpose"


def test_environment_references_are_kept_and_marked() -> None:
    words, env, _comment, error = split_line('  server app "${APP_HOST}:8080" weight $WEIGHT check')
    assert error is None
    assert words == ["server", "app", "${APP_HOST}:8080", "weight", "$WEIGHT", "check"]
    assert env == frozenset({2, 4})
    # single quotes do not expand
    words, env, _comment, _error = split_line("  http-request set-header X '${NOT_ENV}'")
    assert words[-1] == "${NOT_ENV}" and not env


@pytest.mark.parametrize("text", ['  description "unterminated', "  acl x hdr(a) -m str 'open"])
def test_unmatched_quote_is_an_error(text: str) -> None:
    _words, _env, _comment, error = split_line(text)
    assert error is not None and "unmatched" in error


def test_sections_names_and_from() -> None:
    parsed = parse_text(
        "global\n  maxconn 100\n"
        "defaults base\n  mode http\n"
        "defaults from base\n  option httplog\n"
        "defaults web from base\n"
        "frontend www from web\n  bind :80\n"
        "backend app\n  server a 10.0.0.1:80\n"
        "peers mypeers\n  peer a 10.0.0.1:1024\n"
        "userlist admins\n  user bob insecure-password x\n"
        "listen stats\n  bind :8404\n",
        "haproxy.cfg",
    )
    assert not parsed.errors
    summary = [(s.kind, s.name, s.from_name, s.line) for s in parsed.sections]
    assert summary == [
        ("global", None, None, 1), ("defaults", "base", None, 3), ("defaults", None, "base", 5),
        ("defaults", "web", "base", 7), ("frontend", "www", "web", 8), ("backend", "app", None, 10),
        ("peers", "mypeers", None, 12), ("userlist", "admins", None, 14), ("listen", "stats", None, 16),
    ]
    assert [line.words for line in parsed.sections[5].lines] == [["server", "a", "10.0.0.1:80"]]
    assert parsed.sections[5].lines[0].column == 3


def test_a_section_keyword_starts_a_section_whatever_its_indentation() -> None:
    parsed = parse_text("frontend a\n  bind :80\n  backend b\n  server s 10.0.0.1:80\n", "haproxy.cfg")
    assert [(s.kind, s.name) for s in parsed.sections] == [("frontend", "a"), ("backend", "b")]


def test_problems_are_reported_with_lines() -> None:
    parsed = parse_text('bind :80\nfrontend\n  bind :80\nfrontend f from\n  description "x\n', "h.cfg")
    messages = {(line, message) for line, message, _severity in parsed.errors}
    assert (1, 'unknown keyword "bind" out of section') in messages
    assert (2, '"frontend" section needs a name') in messages
    assert (4, '"frontend": "from" needs the name of a defaults section') in messages
    assert (5, "unmatched double quote") in messages


def test_line_offset_and_display_path_for_embedded_configs() -> None:
    parsed = parse_text("frontend www\n  bind :80 # note\n  timeout client 0\n", "k8s/haproxy-cm.yaml", line_offset=40)
    section = parsed.sections[0]
    assert (section.file, section.line) == ("k8s/haproxy-cm.yaml", 41)
    assert [line.line for line in section.lines] == [42, 43]
    assert parsed.comments == [(42, " note")]


@pytest.mark.parametrize(
    ("version", "key_order"),
    [("3.1-dev8", "3.1"), ("3.0", "3.0.1"), ("2.9.9", "3.0-dev1"), ("2.8", "2.8.0")],
)
def test_versions_order(version: str, key_order: str) -> None:
    assert parse_version(version) <= parse_version(key_order)


@pytest.mark.parametrize("text", ["", "three", "3.x", "v3.2", "3.2.1.4"])
def test_bad_versions(text: str) -> None:
    with pytest.raises(ValueError):
        parse_version(text)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("version_atleast(3.1-dev8)", True),
        ("version_atleast(3.3)", False),
        ("version_before(2.4)", False),
        ("!version_before(2.4)", True),
        ("1", True),
        ("0", False),
        ("defined(PROD)", None),
        ("feature(QUIC)", None),
        ("defined(PROD) && 0", False),
        ("defined(PROD) || 1", True),
        ("defined(PROD) && 1", None),
        ("(0 || 1) && !0", True),
        ("streq(a,a)", True),
        ("strneq(a,b)", True),
        ("streq(${ENV},a)", None),
        ("!(feature(QUIC))", None),
    ],
)
def test_condition_evaluation(condition: str, expected: bool | None) -> None:
    assert evaluate_condition(condition, V32) is expected


@pytest.mark.parametrize("condition", ["", "(1", "1 &&", "version_atleast(3.2", "1 1", "(" * 5000 + "1" + ")" * 5000])
def test_bad_conditions_raise_value_error(condition: str) -> None:
    with pytest.raises(ValueError):
        evaluate_condition(condition, V32)


def _lines(text: str, version: str = "3.2") -> list[tuple[int, tuple[str, ...]]]:
    parsed = parse_text(text, "h.cfg", version=parse_version(version))
    return [(line.line, line.conditions) for section in parsed.sections for line in section.lines]


def test_if_elif_else_chain_takes_one_branch() -> None:
    text = ("frontend f\n"
            ".if version_before(2.6)\n  timeout client 1s\n"
            ".elif version_before(3.0)\n  timeout client 2s\n"
            ".else\n  timeout client 3s\n"
            ".endif\n")
    assert _lines(text, "2.8") == [(5, ())]
    assert _lines(text, "3.2") == [(7, ())]
    assert _lines(text, "2.4") == [(3, ())]


def test_unknown_conditions_keep_every_possible_branch() -> None:
    text = ("frontend f\n"
            ".if defined(A)\n  timeout client 1s\n"
            ".elif 1\n  timeout client 2s\n"
            ".else\n  timeout client 3s\n"
            ".endif\n")
    # Branch 1 may be taken; branch 2 is taken when branch 1 is not; the else never is.
    assert _lines(text) == [(3, ("defined(A)",)), (5, ("1",))]


def test_else_after_unknown_condition_is_possible() -> None:
    text = "frontend f\n.if feature(QUIC)\n  bind quic4@:443\n.else\n  bind :443\n.endif\n"
    assert _lines(text) == [(3, ("feature(QUIC)",)), (5, ("not (feature(QUIC))",))]


def test_nested_blocks_inside_a_skipped_branch_stay_skipped() -> None:
    text = "frontend f\n.if 0\n.if 1\n  bind :1\n.else\n  bind :2\n.endif\n.endif\n  bind :3\n"
    assert _lines(text) == [(9, ())]


def test_conditional_sections() -> None:
    text = ".if version_atleast(3.1-dev8)\ntraces\n  trace all sink stderr\n.endif\nfrontend f\n  bind :80\n"
    assert [s.kind for s in parse_text(text, "h.cfg", version=parse_version("3.0")).sections] == ["frontend"]
    assert [s.kind for s in parse_text(text, "h.cfg", version=parse_version("3.2")).sections] == ["traces", "frontend"]


def test_unbalanced_conditionals_are_errors() -> None:
    parsed = parse_text(".endif\nfrontend f\n.if 1\n.else\n.elif 1\n", "h.cfg")
    messages = [(line, message) for line, message, _ in parsed.errors]
    assert (1, '".endif" without a matching ".if"') in messages
    assert (5, '".elif" after ".else"') in messages
    assert (3, '".if" block is not closed by ".endif"') in messages


def test_nesting_is_limited_like_haproxy_and_stays_linear() -> None:
    inner = "frontend f\n" + ".if 1\n" * 100 + "  timeout client 5s\n" + ".endif\n" * 100
    parsed = parse_text(inner, "h.cfg")
    assert not parsed.errors and parsed.sections[0].lines[0].line == 102
    depth = 50_000
    deep = "frontend f\n" + ".if 1\n" * depth + "  timeout client 5s\n" + ".endif\n" * depth + "  bind :80\n"
    parsed = parse_text(deep, "h.cfg")
    assert [(line, message) for line, message, _ in parsed.errors] == [
        (102, 'too many nested ".if" blocks (HAProxy allows 100); what they hold is ignored')]
    assert [line.words for line in parsed.sections[0].lines] == [["bind", ":80"]]


_PIECES = list("ab #\"'\\${}()!&|.\n\t") + [
    "frontend x\n", "defaults d from e\n", ".if ", ".elif ", ".else\n", ".endif\n", "timeout client ", "backend "]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=200).map("".join))
def test_any_text_parses_without_exceptions(text: str) -> None:
    parse_text(text, "fuzz.cfg")
