"""Parsing formats on both cores when a tree is large enough for it to pay.

Formats are independent until the linker joins their fragments, so the format with the
most input is parsed in a worker process while this process parses the others. The
worker is spawned, not forked: a forked child touching the parent's heap copies its pages
one reference count at a time, and measured slower than no worker at all (4.4 s against
3.9 s at 4,000 services; spawned: 3.3 s). Starting an interpreter costs about 0.3 s and
the worker's fragments come back pickled, so small trees are parsed in one process.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tolint.graph import Fragment

# Input text (characters) of the largest format above which a worker pays for itself:
# measured on the synthetic trees, a worker was slower at 1,000 services (about 2 MB of
# manifests) and faster from about 3 MB on.
WORKER_THRESHOLD = 3_000_000

Job = Callable[[], "list[Fragment]"]


def _run(box: list[Job], result_path: str) -> None:
    """Run the job in ``box`` in the worker; its fragments are pickled to ``result_path``.

    The job comes in a list it is taken out of, so that its inputs (every file's text) are
    freed before the fragments are pickled, the worker's busiest moment.

    Through a file rather than as the call's return value: a returned value is pickled into
    one bytes object in the worker and received as another in this process, 20-30 MB each
    at 10,000 services on top of the graph itself; a file is written and read in frames.
    """
    from tolint.gc_policy import young_collections_only

    young_collections_only()  # as in the parent
    fragments = box.pop()()
    with open(result_path, "wb") as handle:
        pickle.dump(fragments, handle, protocol=pickle.HIGHEST_PROTOCOL)


def run_jobs(jobs: list[tuple[int, Job]]) -> list[list[Fragment]]:
    """Run parse jobs (each with its input size); results in the jobs' order."""
    if not _worth_a_worker(jobs):
        return [job() for _, job in jobs]
    biggest = max(range(len(jobs)), key=lambda index: jobs[index][0])
    results: list[list[Fragment] | None] = [None] * len(jobs)
    try:
        _run_with_worker(jobs, biggest, results)
    except (BrokenProcessPool, OSError):
        # No worker could start (a sandbox without process creation, no temporary
        # directory) or it died (killed for memory): parse in this process instead.
        # An exception raised by the parser itself is not caught: it is a bug to report.
        pass
    return [result if result is not None else job() for result, (_, job) in zip(results, jobs)]


def _run_with_worker(jobs: list[tuple[int, Job]], biggest: int, results: list[list[Fragment] | None]) -> None:
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="tolint-") as scratch, \
            ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        result_path = os.path.join(scratch, "fragments.pickle")
        future = pool.submit(_run, [jobs[biggest][1]], result_path)
        for index, (_, job) in enumerate(jobs):
            if index != biggest:
                results[index] = job()
        future.result()  # raises what the worker raised
        with open(result_path, "rb") as handle:
            results[biggest] = pickle.load(handle)  # noqa: S301 - written by our own worker just now


def _worth_a_worker(jobs: list[tuple[int, Job]]) -> bool:
    if len(jobs) < 2 or (os.cpu_count() or 1) < 2 or os.environ.get("TOLINT_NO_PARALLEL"):
        return False
    return max(size for size, _ in jobs) >= WORKER_THRESHOLD
