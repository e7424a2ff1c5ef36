"""Broken and hostile input: every case is a diagnostic with a file (and a line when there is one)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from tolint.cli import main
from tolint.config import Settings
from tolint.pipeline import lint

GOOD = "events {}\nhttp { reset_timedout_connection on; server { listen 80; } }\n"


def run_lint(tree: Path, **settings: object):
    return lint([str(tree)], Settings.model_validate(settings), cwd=str(tree))


def errors(report) -> list[tuple[str, int | None, str]]:
    return [(d.file, d.line, d.message) for d in report.diagnostics]


def test_empty_file_is_fine(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text("")
    report = run_lint(tmp_path)
    assert report.diagnostics == [] and report.findings == []


def test_binary_file_with_a_config_name(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_bytes(b"\x7fELF\x00\x00\x01server {" + bytes(range(256)))
    (tmp_path / "ok.conf").write_text(GOOD)
    report = run_lint(tmp_path)
    assert [(f, m) for f, _, m in errors(report)] == [("nginx.conf", "binary file (contains NUL bytes); not a configuration file")]
    assert [f.code for f in report.findings] == ["TL501"]  # the other file is still linted


def test_non_utf8_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_bytes(b"events {}\nhttp {\n  # caf\xe9\n}\n")
    report = run_lint(tmp_path)
    assert errors(report) == [("nginx.conf", 3, "not valid UTF-8 (byte 0xe9 at offset 24); save the file as UTF-8")]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "utf-32"])
def test_files_with_a_byte_order_mark_are_decoded(tmp_path: Path, encoding: str) -> None:
    (tmp_path / "nginx.conf").write_bytes(GOOD.encode(encoding))
    report = run_lint(tmp_path)
    assert report.diagnostics == []
    assert [(f.code, f.location.line) for f in report.findings] == [("TL501", 2)]


def test_crlf_line_endings(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_bytes(GOOD.replace("\n", "\r\n").encode())
    report = run_lint(tmp_path)
    assert report.diagnostics == [] and [(f.code, f.location.line) for f in report.findings] == [("TL501", 2)]


def test_truncated_file(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(GOOD[:40])
    report = run_lint(tmp_path)
    assert [line for _, line, _ in errors(report)] == [2]


def test_size_limit_is_configurable(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(GOOD + "# padding\n" * 200)
    report = run_lint(tmp_path, max_file_size=1000)
    assert "above the 1000-byte limit (max-file-size)" in errors(report)[0][2]
    assert run_lint(tmp_path).diagnostics == []


def test_unreadable_and_vanishing_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.conf").write_text(GOOD)
    (tmp_path / "b.conf").write_text(GOOD)
    import tolint.sources as sources

    real_open = open

    def guarded_open(path, *args, **kwargs):  # root can read anything: simulate the kernel's answers
        if str(path).endswith("a.conf"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    real_getsize = os.path.getsize

    def vanishing_getsize(path):
        if str(path).endswith("b.conf"):
            raise FileNotFoundError(2, "No such file")
        return real_getsize(path)

    monkeypatch.setattr(sources, "open", guarded_open, raising=False)
    monkeypatch.setattr(sources.os.path, "getsize", vanishing_getsize)
    report = run_lint(tmp_path)
    assert sorted((f, m) for f, _, m in errors(report)) == [
        ("a.conf", "permission denied"),
        ("b.conf", "file not found (it may have been removed while tolint ran)"),
    ]


def test_symlinks_leaving_the_tree_are_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.conf").write_text(GOOD)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "link.conf").symlink_to(outside / "secret.conf")
    (tree / "loop").symlink_to(tree, target_is_directory=True)  # a directory loop must terminate
    (tree / "nginx.conf").write_text("events {}\nhttp { include link.conf; }\n")
    report = run_lint(tree)
    messages = [m for _, _, m in errors(report)]
    assert any("outside the linted tree; not read" in m for m in messages)
    assert any("resolves to" in m and "outside the linted tree; not followed" in m for m in messages)
    assert report.findings == []
    assert [f.code for f in run_lint(tree, allow_outside_tree=True).findings] == ["TL501"]


def test_control_characters_in_names_and_content_are_neutralised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    evil = "x\x1b[31mred\x07.conf"
    (tmp_path / evil).write_text("events {}\nhttp { server { listen 80; } }\nbad\x1b]0;pwned\x07 {\n")
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    assert main(["check", "."], stdout=out) == 1
    text = out.getvalue()
    assert "\x1b" not in text and "\x07" not in text
    assert "\\x1b[31mred\\x07.conf" in text
    out = io.StringIO()
    main(["check", "--format", "json", "."], stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["errors"][0]["file"] == evil
