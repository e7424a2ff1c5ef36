"""The command line's streams: a reader that goes away, standard input over the size limit, and
messages on standard error that quote input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tolint.cli import main

FINDING = "events {}\nhttp { reset_timedout_connection on; server { listen 80; } }\n"  # TL501, a warning


def _tree(tmp_path: Path, count: int = 1) -> Path:
    tree = tmp_path / "tree"
    tree.mkdir(parents=True)
    for index in range(count):
        (tree / f"n{index}.conf").write_text(FINDING)
    return tree


def _with_reader_gone(*argv: str) -> tuple[int, str]:
    """Run tolint with a standard output nobody reads: the pipe is closed before tolint writes."""
    process = subprocess.Popen([sys.executable, "-m", "tolint", *argv], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    error = process.stderr.read().decode()
    return process.wait(timeout=60), error


def test_check_piped_into_a_reader_that_quits(tmp_path: Path) -> None:
    tree = _tree(tmp_path, count=30)
    sarif = tmp_path / "out.sarif"
    code, error = _with_reader_gone("check", "--no-config", "--format", "full", "--format", f"sarif={sarif}",
                                    str(tree))
    assert error == ""  # no "internal error: BrokenPipeError", no "Exception ignored"
    assert code == 1  # the run's own result: findings
    assert len(json.loads(sarif.read_text())["runs"][0]["results"]) == 30  # the other output is still written


@pytest.mark.parametrize("argv", [["rules"], ["rule", "TL101"], ["schema"], ["formats"], ["config", "--no-config"]])
def test_other_commands_piped_into_a_reader_that_quits(argv: list[str]) -> None:
    assert _with_reader_gone(*argv) == (0, "")


def test_graph_piped_into_a_reader_that_quits(tmp_path: Path) -> None:
    assert _with_reader_gone("graph", "--no-config", str(_tree(tmp_path))) == (0, "")


class _GoneReader(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_broken_pipe_in_process(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree = _tree(tmp_path)
    assert main(["check", "--no-config", str(tree)], stdout=_GoneReader()) == 1
    assert main(["check", "--no-config", "--exit-zero", str(tree)], stdout=_GoneReader()) == 0
    assert capsys.readouterr().err == ""


def test_standard_input_has_the_size_limit_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "tolint.toml").write_text("max-file-size = 100\n")
    big = io.TextIOWrapper(io.BytesIO(FINDING.encode() + b"# padding\n" * 20))
    code = main(["check", "--config", str(tmp_path / "tolint.toml"), "-"], stdout=io.StringIO(), stdin=big)
    assert code == 2
    assert capsys.readouterr().err == "tolint: error: standard input is above the 100-byte limit (max-file-size)\n"
    small = io.TextIOWrapper(io.BytesIO(FINDING.encode()))
    out = io.StringIO()
    assert main(["check", "--no-config", "-"], stdout=out, stdin=small) == 1 and "TL501" in out.getvalue()


def test_internal_errors_are_one_short_sanitised_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    import tolint.pipeline

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bad \x1b[2J value\n" + "second line of a long message\n" * 50)

    monkeypatch.setattr(tolint.pipeline, "lint", explode)
    assert main(["check", "--no-config", str(_tree(tmp_path))], stdout=io.StringIO()) == 2
    error = capsys.readouterr().err
    assert error == ("tolint: internal error: RuntimeError: bad \\x1b[2J value\n"
                     "This is a bug in tolint. Rerun with --debug for the traceback and report it.\n")
    with pytest.raises(RuntimeError):
        main(["--debug", "check", "--no-config", str(_tree(tmp_path / "again"))], stdout=io.StringIO())


def test_messages_on_standard_error_are_sanitised(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "nginx.conf").write_text("events {}\nhttp {\n  bad\x1b[2J\x07 }\n")
    assert main(["graph", "--no-config", str(tmp_path)], stdout=io.StringIO()) == 1
    error = capsys.readouterr().err
    assert "\x1b" not in error and "\x07" not in error and '"bad\\x1b[2J\\x07" is not terminated' in error
    (tmp_path / "tolint.toml").write_text('"fail\\u001b[31m-on" = "error"\n')
    assert main(["check", "--config", str(tmp_path / "tolint.toml"), str(tmp_path)], stdout=io.StringIO()) == 2
    error = capsys.readouterr().err
    assert error.startswith("tolint: error: ") and "\x1b" not in error and "\\x1b[31m" in error
