"""The worker process: large trees parse one format in a spawned worker; results must not change."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bench.generate import generate
from tolint import parallel
from tolint.cli import main


def check_json(tree: Path) -> str:
    out = io.StringIO()
    main(["check", "--no-cache", "--format", "json", str(tree)], stdout=out)
    return out.getvalue()


def test_worker_gives_the_same_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    generate(30, tmp_path / "tree")
    monkeypatch.setenv("TOLINT_NO_PARALLEL", "1")
    alone = check_json(tmp_path / "tree")
    monkeypatch.delenv("TOLINT_NO_PARALLEL")
    monkeypatch.setattr(parallel, "WORKER_THRESHOLD", 1)
    used: list[bool] = []
    real = parallel._worth_a_worker
    monkeypatch.setattr(parallel, "_worth_a_worker", lambda jobs: used.append(real(jobs)) or used[-1])
    assert check_json(tmp_path / "tree") == alone
    assert used == [True] or (used == [False] and parallel.os.cpu_count() == 1)


def test_small_trees_stay_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    jobs = [(1000, lambda: ["a"]), (2000, lambda: ["b"])]
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 8)
    assert parallel._worth_a_worker(jobs) is False
    assert parallel.run_jobs(jobs) == [["a"], ["b"]]
    assert parallel._worth_a_worker([(parallel.WORKER_THRESHOLD, jobs[0][1]), (1, jobs[1][1])]) is True
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 1)
    assert parallel._worth_a_worker([(parallel.WORKER_THRESHOLD, jobs[0][1]), (1, jobs[1][1])]) is False


class _DeadPool:
    """A process pool whose worker dies, as when the system kills it for memory."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def __enter__(self) -> _DeadPool:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, *args: object) -> None:
        raise parallel.BrokenProcessPool("worker died")


def test_a_worker_that_cannot_run_leaves_the_job_to_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "_worth_a_worker", lambda jobs: True)
    monkeypatch.setattr(parallel, "ProcessPoolExecutor", _DeadPool)
    ran: list[str] = []
    jobs = [(5, lambda: ran.append("small") or ["a"]), (9, lambda: ran.append("big") or ["b"])]
    assert parallel.run_jobs(jobs) == [["a"], ["b"]]
    assert ran == ["small", "big"]


def test_a_parser_error_in_the_worker_is_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "_worth_a_worker", lambda jobs: True)

    class _FailingPool(_DeadPool):
        def submit(self, *args: object) -> None:
            raise ValueError("a parser bug")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", _FailingPool)
    with pytest.raises(ValueError, match="a parser bug"):
        parallel.run_jobs([(5, lambda: ["a"]), (9, lambda: ["b"])])
