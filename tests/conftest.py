from __future__ import annotations

import os
from pathlib import Path

import pytest

from tolint.config import Settings
from tolint.pipeline import Report, lint
from tolint.testing import write_tree

ROOT = Path(__file__).resolve().parent.parent
# The shared folder sits beside the checkout; TOLINT_SHARED points elsewhere (a git worktree).
SHARED = Path(os.environ.get("TOLINT_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite fixtures/*/expected.* from current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def lint_tree(tmp_path: Path):
    """Write files into a temporary tree and lint it: ``lint_tree({"nginx.conf": "..."}, select=["TL101"])``."""

    def run(files: dict[str, str], **settings: object) -> Report:
        write_tree(tmp_path, files)
        return lint([str(tmp_path)], Settings.model_validate(settings), cwd=str(tmp_path))

    return run


def corpus_dir(kind: str) -> Path:
    path = CORPUS / kind
    if not path.is_dir():
        pytest.skip(f"shared corpus not present ({path}); it only exists in the development workspace")
    return path


@pytest.fixture(autouse=True)
def _no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    os.environ.pop("TOLINT_CACHE_DIR", None)
