"""Changed-files mode: which files a commit or a branch touches, from git.

The graph always spans the whole configured tree; this only decides which findings are
reported (those with a primary or related location in a changed file).
"""

from __future__ import annotations

import os
import subprocess

from tolint.sources import display_path


class GitError(Exception):
    """git is missing, this is not a repository, or the revision is unknown; shown as a usage error."""


def _git(args: list[str], cwd: str) -> str:
    try:
        result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise GitError("git is not installed; pass the changed files as arguments instead") from exc
    if result.returncode != 0:
        raise GitError(f"git {' '.join(args)}: {result.stderr.strip() or 'failed'}")
    return result.stdout


def changed_files(cwd: str, since: str = "HEAD") -> list[str]:
    """Files changed since ``since`` (its merge base with HEAD), staged or not, plus untracked files.

    ``HEAD`` gives what a commit would contain; ``origin/main`` what a pull request changes.
    Paths are display paths (relative to ``cwd`` when below it).
    """
    top = _git(["rev-parse", "--show-toplevel"], cwd).strip()
    changed = _git(["diff", "--name-only", "-z", "--no-renames", "--merge-base", since, "--"], cwd).split("\0")
    untracked = _git(["ls-files", "--others", "--exclude-standard", "--full-name", "-z"], cwd).split("\0")
    return sorted({display_path(os.path.join(top, name), cwd) for name in changed + untracked if name})
