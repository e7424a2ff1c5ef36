"""Changed-files mode: the graph spans the whole tree, findings are kept only if an end is in a changed file."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest

from tests.conftest import edit
from tolint.cli import main

UPSTREAMS = "deploy/edge/conf.d/upstreams.conf"
APP = "deploy/app/nginx.conf"
SHOP = "deploy/edge/conf.d/shop.conf"


def check(*argv: str) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = main(["check", *argv], stdout=out)
    return code, out.getvalue().splitlines()


def located(lines: list[str]) -> list[str]:
    return [line.split(": ")[0] + " " + line.split(": ")[1].split()[0] for line in lines[:-1]]


def test_changed_file_at_the_other_end_keeps_the_hop_finding(edge_tree: Path) -> None:
    """Only the app server changed, but the TL101 hop needs the edge's files too: the graph spans the tree."""
    (edge_tree / "tolint.toml").write_text('paths = ["deploy"]\n')
    code, lines = check("--changed-only", APP)
    assert located(lines) == [f"{UPSTREAMS}:2:1 TL101"]
    assert lines[-1] == ("Found 1 finding (1 error) in 5 files. Only findings touching 1 changed file are shown.")
    assert code == 1


def test_unrelated_change_passes(edge_tree: Path) -> None:
    code, lines = check("--changed-only", "deploy/edge/snippets/proxy.conf", "README.md")
    assert (code, located(lines)) == (0, [])


def test_several_changed_files(edge_tree: Path) -> None:
    code, lines = check("--changed-only", SHOP, "deploy/edge/nginx.conf")
    assert sorted(located(lines)) == sorted([f"{SHOP}:18:9 TL102", f"{SHOP}:25:9 TL301", f"{SHOP}:25:9 TL302",
                                             f"{SHOP}:31:9 TL302", "deploy/edge/nginx.conf:16:5 TL501"])


def test_parse_errors_only_in_changed_files(edge_tree: Path) -> None:
    (edge_tree / "deploy/edge/conf.d/broken.conf").write_text("server {\n    listen 80\n}\n")
    code, lines = check("--changed-only", "deploy/edge/snippets/proxy.conf")
    assert code == 0
    code, lines = check("--changed-only", "deploy/edge/conf.d/broken.conf")
    assert code == 1 and lines[0].startswith("deploy/edge/conf.d/broken.conf:")


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True,
                          env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
                               "HOME": str(root), "PATH": "/usr/bin:/bin:/usr/local/bin"}).stdout


@pytest.fixture
def repo(edge_tree: Path) -> Path:
    git(edge_tree, "init", "-q", "-b", "main")
    git(edge_tree, "add", "-A")
    git(edge_tree, "commit", "-q", "-m", "deploy tree")
    return edge_tree


def test_changed_files_from_git(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert check("--changed-only") == (0, ["No findings in 5 files. Only findings touching 0 changed files are shown."])
    edit(repo / APP, "server_name app.internal;\n        root", "server_name app.internal;\n        # moved\n        root")
    code, lines = check("--changed-only")  # unstaged change
    assert located(lines) == [f"{UPSTREAMS}:2:1 TL101"] and code == 1
    git(repo, "add", APP)  # staged: the same
    assert located(check("--changed-only")[1]) == [f"{UPSTREAMS}:2:1 TL101"]
    (repo / "deploy/edge/conf.d/new.conf").write_text("server { listen 81; lingering_close off; }\n")  # untracked
    assert "deploy/edge/conf.d/new.conf:1:21 TL501" in located(check("--changed-only")[1])
    # From a subdirectory: git's paths and the findings' are both relative to the working directory.
    monkeypatch.chdir(repo / "deploy")
    assert located(check("--changed-only")[1])[:1] == ["edge/conf.d/new.conf:1:21 TL501"]
    assert "edge/conf.d/upstreams.conf:2:1 TL101" in located(check("--changed-only")[1])


def test_changed_since_a_branch(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    edit(repo / SHOP, "proxy_read_timeout 30s;", "proxy_read_timeout 20s;")
    git(repo, "commit", "-q", "-am", "tune search")
    code, lines = check("--changed-since", "main")
    assert {line.split(": ")[0].rsplit(":", 2)[0] for line in lines[:-1]} == {SHOP}
    assert code == 1


def test_git_errors_exit_2(edge_tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check("--changed-only")[0] == 2  # not a git repository
    assert "tolint: error: git" in capsys.readouterr().err
