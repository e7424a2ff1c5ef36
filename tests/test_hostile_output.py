"""Output that cannot be turned against its reader, whatever the file names and contents hold:
bytes that are not UTF-8, terminal escapes, bidirectional overrides, GitHub command syntax."""

from __future__ import annotations

import io
import json
import os
import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.formatters.test_formats import assert_valid_sarif
from tolint.cli import main
from tolint.fingerprints import normalise_message
from tolint.formatters.common import sanitize

FINDING = "events {}\nhttp { reset_timedout_connection on; server { listen 80; } }\n"  # TL501 at 2:8
BROKEN = "events {}\nhttp {\n"  # a syntax error at line 2
FORMATS = ["text", "full", "json", "sarif", "github", "junit", "gitlab"]
# Bytes that no text output may carry raw: ESC, BEL, CR, a C1 control, right-to-left override, isolate.
DANGEROUS = ["\x1b", "\x07", "\r", "\x9b", "\u202e", "\u2066"]


def _strict_stdout() -> io.TextIOWrapper:
    """A standard output that refuses what cannot be encoded, like a UTF-8 terminal outside the C locale."""
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict", newline="")


def _check(fmt: str, tree: Path) -> tuple[int, str]:
    out = _strict_stdout()
    code = main(["check", "--no-config", "--format", fmt, "."], stdout=out)
    out.flush()
    return code, out.buffer.getvalue().decode("utf-8")  # type: ignore[attr-defined]


def _assert_valid(fmt: str, text: str) -> None:
    if fmt in ("json", "gitlab"):
        json.loads(text)
    elif fmt == "sarif":
        assert_valid_sarif(text)
    elif fmt == "junit":
        ET.fromstring(text)
    else:
        assert not any(char in text for char in DANGEROUS), repr(text)


@pytest.fixture
def undecodable_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Files whose names are not UTF-8 (Latin-1 bytes, as old tarballs hold them)."""
    directory = os.fsencode(tmp_path)
    with open(os.path.join(directory, b"caf\xe9\x1b[31m.conf"), "w") as handle:
        handle.write(FINDING)
    with open(os.path.join(directory, b"broken\xff.conf"), "w") as handle:
        handle.write(BROKEN)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("fmt", FORMATS)
def test_file_names_that_are_not_utf8(undecodable_names: Path, fmt: str) -> None:
    code, text = _check(fmt, undecodable_names)
    assert code == 1
    _assert_valid(fmt, text)
    # The stray bytes are named, not dropped (JSON escapes the backslash, SARIF URIs percent-encode it).
    shown = {"json": "\\\\x", "gitlab": "\\\\x", "sarif": "%5Cx"}.get(fmt, "\\x")
    assert f"caf{shown}e9" in text and f"broken{shown}ff" in text


def test_json_names_the_files_as_shown(undecodable_names: Path) -> None:
    payload = json.loads(_check("json", undecodable_names)[1])
    assert payload["findings"][0]["location"]["file"] == "caf\\xe9\x1b[31m.conf"  # JSON escapes ESC itself
    assert payload["errors"][0]["file"] == "broken\\xff.conf"
    sarif = json.loads(_check("sarif", undecodable_names)[1])
    uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "caf%5Cxe9%1B%5B31m.conf"


@pytest.mark.parametrize("fmt", FORMATS)
def test_bidirectional_overrides_and_escapes_in_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        fmt: str) -> None:
    # "Trojan Source": a right-to-left override makes the line read differently from what it is.
    (tmp_path / "nginx.conf").write_text(
        "events {}\nhttp {\n    reset_timedout_connection on;  # \u202e }\u2066 \x1b[2J\x9b\n"
        "    server { listen 80; }\n    bad\u202e\x07\r }\n")
    monkeypatch.chdir(tmp_path)
    code, text = _check(fmt, tmp_path)
    assert code == 1
    _assert_valid(fmt, text)


def test_sanitize_names_every_dangerous_character() -> None:
    assert sanitize("a\u202eb\u2066c\u200fd\u2028e") == "a\\u202eb\\u2066c\\u200fd\\u2028e"
    assert sanitize("\udce9\x1b\x9b\t") == "\\xe9\\x1b\\x9b\t"  # a surrogate escape is the byte it stands for


def test_github_commands_cannot_be_injected_through_file_names(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    name = "a,b:c%25\n::error file=x::injected.conf"
    (tmp_path / name).write_text(FINDING)
    monkeypatch.chdir(tmp_path)
    code, text = _check("github", tmp_path)
    lines = text.splitlines()
    assert code == 1
    assert not any(line.startswith("::error file=x") for line in lines)  # no second command
    annotation = next(line for line in lines if line.startswith("::warning "))
    assert annotation.startswith("::warning file=a%2Cb%3Ac%2525\\x0a%3A%3Aerror file=x%3A%3Ainjected.conf,"
                                 "line=2,col=8,title=tolint TL501::")


def test_several_outputs_to_files_with_hostile_names(undecodable_names: Path) -> None:
    outputs = {fmt: undecodable_names / "out" / f"report.{fmt}" for fmt in ("json", "sarif", "junit", "text")}
    argv = ["check", "--no-config"] + [arg for fmt, path in outputs.items() for arg in ("--format", f"{fmt}={path}")]
    assert main([*argv, "."], stdout=io.StringIO()) == 1
    for fmt, path in outputs.items():
        _assert_valid(fmt, path.read_text(encoding="utf-8"))


_OLD_REFERENCE = re.compile(r"(?P<path>[^\s:()\[\]\"',;]+):\d+(?::\d+)?")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "b.conf", ":", "1", "12", " ", "(", ")", "=", "/", "x", ",", "deploy/a.conf"]),
                max_size=30).map("".join))
def test_fingerprint_references_are_read_as_before(message: str) -> None:
    """The token-start anchor changes speed, not meaning: same result as the unanchored expression."""
    files = {"a", "b.conf", "deploy/a.conf", "x"}

    def strip(match: re.Match[str]) -> str:
        return match.group("path") if match.group("path") in files else match.group(0)

    assert normalise_message(message, files) == _OLD_REFERENCE.sub(strip, message)


def test_references_that_follow_each_other_are_all_read() -> None:
    files = {"a", "b.conf"}
    assert normalise_message("a:1a:1", files) == "aa"  # found by the property above
    assert normalise_message("see b.conf:3:7b.conf:9 and x:1", files) == "see b.conf" + "b.conf and x:1"


def test_a_huge_name_in_a_message_is_fingerprinted_in_linear_time() -> None:
    """Found by the fuzzer: a 23 kB HAProxy frontend name took 2.3 s (quadratic backtracking)."""
    message = f"frontend {'a' * 50_000} (the other end: deploy/app.conf:10:5)"
    started = time.perf_counter()
    assert normalise_message(message, {"deploy/app.conf"}).endswith("(the other end: deploy/app.conf)")
    assert time.perf_counter() - started < 0.5
