"""nginx includes and symbolic links in trees tolint does not control: nothing outside the tree is read
unless allowed, every loop terminates, and no layout of links makes an include glob explode."""

from __future__ import annotations

import glob
import os
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, corpus_dir
from tolint.config import Settings
from tolint.parsers import nginx_files
from tolint.parsers.nginx_files import include_glob
from tolint.pipeline import build_graph, lint
from tolint.testing import write_tree

GOOD_SERVER = "server { listen 8080; keepalive_timeout 9s; }\n"


def run(tree: Path, **settings: object):
    return lint([str(tree)], Settings.model_validate(settings), cwd=str(tree))


def messages(report) -> dict[tuple[str, int | None], str]:
    return {(d.file, d.line): d.message for d in report.diagnostics}


# -- the include glob ----------------------------------------------------------------------

@pytest.mark.parametrize("pattern", ["*/deploy/*/*.conf", "*/deploy/*/*/*.conf", "*", "*/deploy/*/nginx.conf",
                                     "*/deploy/*/conf.d/*.conf", "*/[a-m]*/*/*.yaml", "*/??????/*",
                                     "*/*/*.tolint.yaml", "incident-0?-*/deploy"])
def test_include_glob_finds_what_glob_finds(pattern: str) -> None:
    base = ROOT / "fixtures"
    expected = sorted(glob.glob(str(base / pattern)))
    assert expected, "the pattern should match something in fixtures/"
    assert include_glob(str(base / pattern)) == (expected, False)


def test_include_glob_on_the_corpus() -> None:
    base = corpus_dir("nginx")
    for pattern in ("*/*.conf", "*/*__nginx.conf", "h5bp*/*", "*/.*"):
        assert include_glob(str(base / pattern)) == (sorted(glob.glob(str(base / pattern))), False)


def test_links_to_parent_directories_cannot_make_a_glob_explode(tmp_path: Path) -> None:
    # Six links to "." and eight levels: glob(3) lists 6^8 directories (20 s before this was bounded).
    for index in range(6):
        (tmp_path / f"d{index}").symlink_to(".", target_is_directory=True)
    (tmp_path / "site.conf").write_text(GOOD_SERVER)
    (tmp_path / "nginx.conf").write_text(
        "events {}\nhttp {\n    include */*/*/*/*/*/*/*/none.conf;\n    include */*/site.conf;\n}\n")
    started = time.perf_counter()
    graph, diagnostics, _ = build_graph([str(tmp_path)], Settings(), cwd=str(tmp_path))
    assert time.perf_counter() - started < 3
    assert diagnostics == []
    # The directory is listed once per level, so the file is included once, not 36 times.
    assert [listener.idle_timeout.seconds for listener in graph.listeners()] == [9]


def test_a_glob_over_too_many_directories_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nginx_files, "MAX_GLOB_DIRECTORIES", 3)
    write_tree(tmp_path, {f"sites/s{index}/a.conf": GOOD_SERVER for index in range(5)})
    (tmp_path / "nginx.conf").write_text("events {}\nhttp {\n    include sites/*/a.conf;\n}\n")
    assert messages(run(tmp_path))[("nginx.conf", 3)] == (
        'include "sites/*/a.conf" goes through more than 3 directories; not followed')


# -- loops -----------------------------------------------------------------------------------

def test_symbolic_link_loops_terminate_with_clear_messages(tmp_path: Path) -> None:
    (tmp_path / "self.conf").symlink_to("self.conf")
    (tmp_path / "a.conf").symlink_to("b.conf")
    (tmp_path / "b.conf").symlink_to("a.conf")
    (tmp_path / "gone.conf").symlink_to("missing.conf")
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "up").symlink_to("..", target_is_directory=True)  # a directory loop
    (tmp_path / "conf.d" / "main.conf").symlink_to("../nginx.conf")  # includes the main file again
    (tmp_path / "conf.d" / "site.conf").write_text(GOOD_SERVER)
    (tmp_path / "nginx.conf").write_text(
        "events {}\nhttp {\n    include self.conf;\n    include a.conf;\n    include conf.d/*.conf;\n"
        "    include conf.d/up/conf.d/up/conf.d/site.conf;\n}\n")
    started = time.perf_counter()
    report = run(tmp_path)
    assert time.perf_counter() - started < 3
    found = messages(report)
    loop = "symbolic link loop (the link leads back to itself); not read"
    assert found[("self.conf", None)] == found[("a.conf", None)] == found[("b.conf", None)] == loop
    assert found[("gone.conf", None)] == "broken symbolic link: its target does not exist"
    assert "is a symbolic link that leads nowhere (a loop, or a missing target)" in found[("nginx.conf", 3)]
    assert "is a symbolic link that leads nowhere" in found[("nginx.conf", 4)]
    assert found[("nginx.conf", 5)].startswith('include cycle: "conf.d/*.conf"')
    assert ("nginx.conf", 6) not in found  # a path through the directory loop is just a path
    listeners = [listener for component in report.graph.components for listener in component.listeners]
    assert [listener.idle_timeout.seconds for listener in listeners] == [9, 9]  # site.conf, twice as written
    assert report.failed()  # unreadable files fail the run


def test_mutual_include_cycle_through_symlinked_directories(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "nginx.conf": "events {}\nhttp {\n    include sites/*.conf;\n}\n",
        "real/a.conf": "include sites/b.conf;\n" + GOOD_SERVER,
        "real/b.conf": "include sites/a.conf;\n",
    })
    (tmp_path / "sites").symlink_to("real", target_is_directory=True)
    report = run(tmp_path)
    assert any(message.startswith('include cycle: "sites/a.conf"') for message in messages(report).values())


# -- paths that leave the tree -----------------------------------------------------------------

def test_absolute_and_parent_includes_never_leave_the_tree(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write_tree(outside, {"secret.conf": "server { listen 9; keepalive_timeout 1s; }\n"})
    tree = tmp_path / "tree"
    write_tree(tree, {
        "nginx.conf": (
            "events {}\nhttp {\n"
            f"    include {outside}/secret.conf;\n"   # absolute, not under the prefix
            "    include ../outside/secret.conf;\n"  # relative, leaving the tree
            "    include /etc/passwd;\n"
            "    include /opt/nginx/conf.d/*.conf;\n"  # under a custom prefix
            "}\n"
        ),
        "conf.d/site.conf": GOOD_SERVER,
    })
    report = run(tree, nginx_include_prefix="/opt/nginx")
    found = messages(report)
    assert "is outside the linted tree; not followed (set nginx-include-prefix" in found[("nginx.conf", 3)]
    assert "outside the linted tree; not followed" in found[("nginx.conf", 4)]
    assert 'include of absolute path "/etc/passwd" is outside the linted tree' in found[("nginx.conf", 5)]
    assert ("nginx.conf", 6) not in found  # mapped to conf.d/ next to nginx.conf
    seconds = sorted(listener.idle_timeout.seconds for listener in report.graph.listeners())
    assert seconds == [9]  # the secret server was never read
    assert "secret.conf" not in " ".join(report.sources)
    # Reading outside is a deliberate choice.
    allowed = run(tree, nginx_include_prefix="/opt/nginx", allow_outside_tree=True)
    assert sorted(listener.idle_timeout.seconds for listener in allowed.graph.listeners()) == [1, 9]


def test_directory_symlinks_out_of_the_tree_are_not_walked(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write_tree(outside, {"nginx.conf": "events {}\nhttp { reset_timedout_connection on; }\n"})
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "etc").symlink_to(outside, target_is_directory=True)
    report = run(tree)
    assert report.findings == [] and report.files == []
    assert os.path.realpath(tree / "etc") == str(outside)
