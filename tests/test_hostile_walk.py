"""Walking a tree tolint does not control: unreadable directories, files that vanish, FIFOs, missing paths.

Each problem is a diagnostic naming the path; the rest of the tree is linted; nothing blocks.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tolint.config import Settings
from tolint.pipeline import Report, lint

FINDING = "events {}\nhttp { reset_timedout_connection on; server { listen 80; } }\n"  # TL501


def run(tree: Path, *paths: str) -> Report:
    return lint(list(paths) or [str(tree)], Settings(), cwd=str(tree))


def linted(report: Report) -> list[str]:
    return sorted(f.location.file for f in report.findings)


def problems(report: Report) -> list[tuple[str, str, str]]:
    return [(d.file, d.severity, d.message) for d in report.diagnostics]


def test_an_unreadable_directory_is_reported_and_the_rest_is_linted(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "nginx.conf").write_text(FINDING)
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "nginx.conf").write_text(FINDING)
    real_scandir = os.scandir

    def scandir(path=".", *args, **kwargs):  # noqa: ANN001, ANN202 - root reads anything: act as the kernel would
        if str(path).endswith("secret"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)
    report = run(tmp_path)
    assert problems(report) == [("secret", "error", "cannot read directory: Permission denied")]
    assert linted(report) == ["ok/nginx.conf"]
    assert report.failed()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any directory")
def test_an_unreadable_directory_for_real(tmp_path: Path) -> None:
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "nginx.conf").write_text(FINDING)
    (tmp_path / "secret").chmod(0)
    try:
        report = run(tmp_path)
    finally:
        (tmp_path / "secret").chmod(0o755)
    assert problems(report) == [("secret", "error", "cannot read directory: Permission denied")]


def test_a_directory_that_vanishes_during_the_walk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "gone").mkdir()
    (tmp_path / "ok.conf").write_text(FINDING)
    real_scandir = os.scandir

    def scandir(path=".", *args, **kwargs):  # noqa: ANN001, ANN202
        if str(path).endswith("gone"):
            (tmp_path / "gone").rmdir()  # removed between listing its parent and reading it
        return real_scandir(path, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)
    report = run(tmp_path)
    assert problems(report) == [("gone", "error", "cannot read directory: No such file or directory")]
    assert linted(report) == ["ok.conf"]


def test_a_fifo_does_not_block_the_run(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "nginx.conf")  # opening it for reading would wait for a writer forever
    (tmp_path / "ok.conf").write_text(FINDING)
    result: list[Report] = []
    worker = threading.Thread(target=lambda: result.append(run(tmp_path)), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert result, "linting a tree with a FIFO blocked"
    assert problems(result[0]) == [("nginx.conf", "error", "not a regular file (a FIFO, socket or device); not read")]
    assert linted(result[0]) == ["ok.conf"]


def test_a_fifo_named_on_the_command_line(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "haproxy.cfg")
    result: list[Report] = []
    worker = threading.Thread(target=lambda: result.append(run(tmp_path, str(tmp_path / "haproxy.cfg"))), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert result and problems(result[0]) == [
        ("haproxy.cfg", "error", "not a regular file (a FIFO, socket or device); not read")]


def test_missing_paths_and_broken_links(tmp_path: Path) -> None:
    (tmp_path / "ok.conf").write_text(FINDING)
    (tmp_path / "dangling.conf").symlink_to("nowhere.conf")
    report = run(tmp_path, str(tmp_path), str(tmp_path / "absent.conf"))
    assert sorted(problems(report)) == [
        ("absent.conf", "error", "no such file or directory"),
        ("dangling.conf", "error", "broken symbolic link: its target does not exist"),
    ]
    assert linted(report) == ["ok.conf"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_for_real(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(FINDING)
    (tmp_path / "nginx.conf").chmod(0)
    (tmp_path / "ok.conf").write_text(FINDING)
    report = run(tmp_path)
    assert problems(report) == [("nginx.conf", "error", "permission denied")]
    assert linted(report) == ["ok.conf"]
