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
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tolint.graph import Fragment

# Input text (characters) of the largest format above which a worker pays for itself:
# measured on the synthetic trees, a worker was slower at 1,000 services (about 2 MB of
# manifests) and faster from about 3 MB on.
WORKER_THRESHOLD = 3_000_000

Job = Callable[[], "list[Fragment]"]


def _run(job: Job) -> list[Fragment]:
    from tolint.gc_policy import young_collections_only

    young_collections_only()  # as in the parent
    return job()


def run_jobs(jobs: list[tuple[int, Job]]) -> list[list[Fragment]]:
    """Run parse jobs (each with its input size); results in the jobs' order."""
    if not _worth_a_worker(jobs):
        return [job() for _, job in jobs]
    biggest = max(range(len(jobs)), key=lambda index: jobs[index][0])
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        future = pool.submit(_run, jobs[biggest][1])
        results: list[list[Fragment] | None] = [None if index == biggest else job()
                                                for index, (_, job) in enumerate(jobs)]
        results[biggest] = future.result()
    return [result or [] for result in results]


def _worth_a_worker(jobs: list[tuple[int, Job]]) -> bool:
    if len(jobs) < 2 or (os.cpu_count() or 1) < 2 or os.environ.get("TOLINT_NO_PARALLEL"):
        return False
    return max(size for size, _ in jobs) >= WORKER_THRESHOLD
