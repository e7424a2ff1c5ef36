"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit framework.

pre-commit installs the hook into its own virtualenv from this repository (``pip install .``
from a clone), exactly as a user's ``.pre-commit-config.yaml`` would. Installing needs the
package index; the environment is built once per test session (PRE_COMMIT_HOME is a
temporary directory) and reused.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
pytestmark = pytest.mark.slow


def run(args: list[str], cwd: Path, env: dict[str, str], check: bool = False) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def git(cwd: Path, env: dict[str, str], *args: str) -> str:
    return run(["git", *args], cwd, env, check=True).stdout


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("home")
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("GIT_", "PRE_COMMIT"))}
    environment.pop("GITHUB_ACTIONS", None)
    environment.update({
        "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")),
        "PRE_COMMIT_COLOR": "never",
        "HOME": str(home),  # no user-level git config or hooks
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    })
    return environment


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> tuple[Path, str]:
    """This repository as it is in the working tree (committed or not), as a git repo pre-commit can clone."""
    files = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], ROOT, env, check=True)
    target = tmp_path_factory.mktemp("tolint-snapshot")
    for name in filter(None, files.stdout.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    git(target, env, "init", "-q", "-b", "main")
    git(target, env, "add", "-A")
    git(target, env, "commit", "-q", "-m", "snapshot")
    return target, git(target, env, "rev-parse", "HEAD").strip()


def make_repo(path: Path, env: dict[str, str], scenario: str) -> Path:
    shutil.copytree(FIXTURES / scenario / "deploy", path / "deploy")
    (path / "pyproject.toml").write_text('[tool.tolint]\npaths = ["deploy"]\n')
    git(path, env, "init", "-q", "-b", "main")
    git(path, env, "add", "-A")
    return path


def try_repo(repo: Path, env: dict[str, str], hook_repo: Path, hook: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), hook, *extra], repo, env)


def test_try_repo_blocks_a_bad_tree(tmp_path: Path, env: dict[str, str]) -> None:
    """`pre-commit try-repo <this repository> tolint --all-files` on the broken nginx-edge tree fails."""
    repo = make_repo(tmp_path, env, "nginx-edge")
    result = try_repo(repo, env, ROOT, "tolint", "--all-files")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "tolint (timeouts and keep-alive" in output and "Failed" in output
    assert "deploy/edge/conf.d/upstreams.conf:2:1: TL101 upstream app (from location /)" in output
    assert "Found 6 findings (2 errors, 4 warnings) in 5 files." in output


def test_try_repo_passes_a_good_tree(tmp_path: Path, env: dict[str, str], snapshot: tuple[Path, str]) -> None:
    repo = make_repo(tmp_path, env, "nginx-edge-fixed")
    hook_repo, rev = snapshot
    result = try_repo(repo, env, hook_repo, "tolint", "--ref", rev, "--all-files")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Passed" in output


def test_commit_is_blocked_then_allowed(tmp_path: Path, env: dict[str, str], snapshot: tuple[Path, str]) -> None:
    """A real `git commit` with the hook installed: blocked by a bad config, allowed once it is fixed."""
    hook_repo, rev = snapshot
    repo = make_repo(tmp_path, env, "nginx-edge-fixed")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks:\n      - id: tolint\n")
    run([sys.executable, "-m", "pre_commit", "install"], repo, env, check=True)
    git(repo, env, "add", "-A")
    assert run(["git", "commit", "-q", "-m", "clean tree"], repo, env).returncode == 0

    app = repo / "deploy/app/nginx.conf"
    app.write_text(app.read_text().replace("keepalive_timeout 75s;", "keepalive_timeout 10s;", 1))
    git(repo, env, "add", "-A")
    blocked = run(["git", "commit", "-q", "-m", "shorter keep-alive"], repo, env)
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "TL101" in blocked.stdout + blocked.stderr
    assert git(repo, env, "rev-list", "--count", "HEAD").strip() == "1"

    app.write_text(app.read_text().replace("keepalive_timeout 10s;", "keepalive_timeout 90s;", 1))
    git(repo, env, "add", "-A")
    allowed = run(["git", "commit", "-q", "-m", "longer keep-alive"], repo, env)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert git(repo, env, "rev-list", "--count", "HEAD").strip() == "2"


def test_changed_hook_reports_only_findings_touching_staged_files(tmp_path: Path, env: dict[str, str],
                                                                   snapshot: tuple[Path, str]) -> None:
    hook_repo, rev = snapshot
    repo = make_repo(tmp_path, env, "nginx-edge")
    git(repo, env, "commit", "-q", "-m", "existing tree, with its old findings")

    proxy = repo / "deploy/edge/snippets/proxy.conf"
    proxy.write_text(proxy.read_text() + "proxy_send_timeout 30s;\n")
    git(repo, env, "add", "-A")
    quiet = try_repo(repo, env, hook_repo, "tolint-changed", "--ref", rev)
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr  # the old findings do not touch proxy.conf

    app = repo / "deploy/app/nginx.conf"
    app.write_text(app.read_text().replace("keepalive_timeout 10s;", "keepalive_timeout 9s;", 1))
    git(repo, env, "add", "-A")
    loud = try_repo(repo, env, hook_repo, "tolint-changed", "--ref", rev)
    output = loud.stdout + loud.stderr
    assert loud.returncode == 1, output
    assert "deploy/edge/conf.d/upstreams.conf:2:1: TL101" in output  # the hop, through the changed other end
    assert "TL301" not in output and "TL501" not in output
