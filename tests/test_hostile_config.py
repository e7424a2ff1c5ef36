"""A repository's own tolint files are input too: its config, what it extends, its baseline.

A pull request can point them at a device, a FIFO or a huge file; the run stops with a
usage error (exit 2) naming the file, never hangs or reads without end.
"""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

import pytest

from tolint.cli import main

FINDING = "events {}\nhttp { reset_timedout_connection on; server { listen 80; } }\n"


def check(tree: Path, *argv: str) -> tuple[int | None, str]:
    """Run ``tolint check`` in ``tree`` on a thread; (None, "") if it did not finish within 10 s."""
    result: list[int] = []
    error = io.StringIO()

    def run() -> None:
        import contextlib

        with contextlib.redirect_stderr(error):
            result.append(main(["check", *argv, "."], stdout=io.StringIO()))

    previous = os.getcwd()
    os.chdir(tree)
    try:
        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        worker.join(timeout=10)
    finally:
        os.chdir(previous)
    return (result[0] if result else None), error.getvalue()


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "nginx.conf").write_text(FINDING)
    return tmp_path


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/urandom"])
def test_baseline_pointing_at_a_device(tree: Path, target: str) -> None:
    (tree / "tolint.toml").write_text(f'baseline = "{target}"\n')
    code, error = check(tree)
    assert code == 2 and "not a regular file" in error


def test_baseline_that_is_a_fifo(tree: Path) -> None:
    os.mkfifo(tree / "baseline.json")
    (tree / "tolint.toml").write_text('baseline = "baseline.json"\n')
    code, error = check(tree)
    assert code == 2 and "baseline.json: not a readable tolint baseline" in error and "not a regular file" in error


def test_config_that_is_a_fifo_or_a_device(tree: Path) -> None:
    os.mkfifo(tree / "fifo.toml")
    for config in (str(tree / "fifo.toml"), "/dev/zero"):
        code, error = check(tree, "--config", config)
        assert code == 2 and error.startswith("tolint: error: ") and config in error
    (tree / "tolint.toml").write_text('extends = "fifo.toml"\n')
    code, error = check(tree)
    assert code == 2 and "fifo.toml" in error


def test_a_huge_config_file_is_refused(tree: Path) -> None:
    (tree / "big.toml").write_text("# padding\n" * 200_000)  # 2 MB
    (tree / "tolint.toml").write_text('extends = "big.toml"\n')
    code, error = check(tree)
    assert code == 2 and "big.toml: cannot read: larger than 1048576 bytes" in error


def test_a_config_file_that_is_not_utf8(tree: Path) -> None:
    (tree / "tolint.toml").write_bytes(b'fail-on = "caf\xe9"\n')
    code, error = check(tree)
    assert code == 2 and error == "tolint: error: tolint.toml: not valid TOML: not UTF-8 (byte 0xe9 at offset 14)\n"
