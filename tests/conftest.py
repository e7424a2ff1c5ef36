from __future__ import annotations

import os
from pathlib import Path

import pytest

from tolint.config import Settings
from tolint.pipeline import Report, lint
from tolint.testing import write_tree

ROOT = Path(__file__).resolve().parent.parent
# The shared folder sits beside the checkout (../shared, or ../../shared from a worktree
# under wt/); TOLINT_SHARED points anywhere else.
SHARED = (Path(os.environ["TOLINT_SHARED"]) if "TOLINT_SHARED" in os.environ else
          next((base / "shared" for base in (ROOT.parent, ROOT.parent.parent) if (base / "shared").is_dir()),
               ROOT.parent / "shared"))
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
def _hermetic_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No colours, no CI detection, and a result cache of this test's own (never the user's)."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("TOLINT_NO_CACHE", raising=False)
    monkeypatch.setenv("TOLINT_CACHE_DIR", str(tmp_path_factory.mktemp("tolint-cache")))


@pytest.fixture
def edge_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the realistic fixtures/nginx-edge tree as ``deploy/`` in a temporary working directory."""
    import shutil

    shutil.copytree(ROOT / "fixtures" / "nginx-edge" / "deploy", tmp_path / "deploy")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    """Replace one exact piece of text in a file (the test fails if it is not there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
