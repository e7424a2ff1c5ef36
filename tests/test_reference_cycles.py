"""A run creates no reference cycles per input object.

tolint keeps Python's cyclic garbage collector to young objects only (``tolint.gc_policy``):
full collections over a large run's heap cost more than the run itself. That is only safe
while parsing and linting do not build cycles per file or per service (a recursive closure,
a parse tree with parent links): those would be freed late or never. This test counts the
cyclic garbage of whole runs on trees of two sizes; it must not grow with the tree.
"""

from __future__ import annotations

import gc
import io
from pathlib import Path

from bench.generate import generate
from tolint.cli import main


def cyclic_garbage(tree: Path) -> int:
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        main(["check", "--no-cache", "--exit-zero", "--format", "json", str(tree)], stdout=io.StringIO())
        gc.collect()
        return len(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def test_cyclic_garbage_does_not_grow_with_the_tree(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("TOLINT_NO_PARALLEL", "1")
    small, large = tmp_path / "small", tmp_path / "large"
    generate(5, small)
    generate(60, large)
    cyclic_garbage(small)  # the first run's one-time garbage: imports, class creation, argparse
    baseline = cyclic_garbage(small)
    grown = cyclic_garbage(large) - baseline
    # 55 more services: nginx, HAProxy, manifests and client settings for each. A cycle per
    # service or per file would add hundreds of objects.
    assert grown < 55, f"{grown} more objects in reference cycles for 55 more services"
