"""Benchmark harness: tolint as whole processes, against the parse floor and the import floor.

    python -m bench.run                      # corpus (if present), N=100, 1000, 10000, a 10-file tree
    python -m bench.run --sizes 100 1000     # only these synthetic sizes
    python -m bench.run --json results.json  # also write the raw figures

Every figure comes from separate processes measured with ``os.wait4`` (wall time, CPU
time, peak RSS of that one process); each is the median of ``--repeat`` runs. Ratios are
computed within the same run, so they hold on any machine even when absolute times do not.
Nothing here is part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.generate import generate

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
IMPORT_FLOOR = "import crossplane, ruamel.yaml, ruamel.yaml.cyaml; from pydantic import BaseModel"


@dataclass
class Measure:
    wall: float
    cpu: float
    peak_mb: float


@dataclass
class Row:
    name: str
    files: int
    documents: int
    tolint: Measure
    parse_floor: Measure
    import_floor: Measure
    cached: Measure | None = None

    def ratios(self) -> dict[str, float]:
        result = {
            "vs_parse_floor": self.tolint.wall / self.parse_floor.wall,
            "vs_import_floor": self.tolint.wall / self.import_floor.wall,
        }
        if self.cached is not None:
            result["cached_vs_first"] = self.cached.wall / self.tolint.wall
        return result


def bench_env(**extra: str) -> dict[str, str]:
    """The environment of an installed tool: bytecode is cached, as pip does at install time.

    With PYTHONDONTWRITEBYTECODE set (as in some containers) every run would compile
    tolint's sources again, a cost no installed copy pays; ``main`` compiles them once.
    """
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "NO_COLOR": "1", **extra}


def run_process(argv: list[str], env: dict[str, str] | None = None) -> Measure:
    env = env if env is not None else bench_env()
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(argv)} exited {process.returncode}: {stderr[-2000:]}")
    return Measure(wall=wall, cpu=usage.ru_utime + usage.ru_stime, peak_mb=usage.ru_maxrss / 1024)


def median(measures: list[Measure]) -> Measure:
    return Measure(
        wall=statistics.median(m.wall for m in measures),
        cpu=statistics.median(m.cpu for m in measures),
        peak_mb=max(m.peak_mb for m in measures),
    )


def count_inputs(tree: Path) -> tuple[int, int]:
    from bench.floor import classify

    files = documents = 0
    for path in tree.rglob("*"):
        if path.is_file() and classify(path.name):
            files += 1
            if classify(path.name) == "yaml":
                text = path.read_text(encoding="utf-8", errors="replace")
                documents += 1 + text.count("\n---")
    return files, documents


def measure_tree(name: str, tree: Path, repeat: int, cache_dir: Path) -> Row:
    python = sys.executable
    env = bench_env(TOLINT_CACHE_DIR=str(cache_dir))
    tolint_argv = [python, "-m", "tolint", "check", "--exit-zero", str(tree)]
    no_cache = [*tolint_argv, "--no-cache"] if _supports_no_cache() else tolint_argv
    tolint_runs, cached_runs = [], []
    run_process([python, str(ROOT / "bench" / "floor.py"), str(tree)])  # warm the file system cache
    for _ in range(repeat):
        shutil.rmtree(cache_dir, ignore_errors=True)
        tolint_runs.append(run_process(no_cache, env))
    if _supports_no_cache():
        for _ in range(repeat):
            shutil.rmtree(cache_dir, ignore_errors=True)
            run_process(tolint_argv, env)  # fill the cache
            cached_runs.append(run_process(tolint_argv, env))
    floor = [run_process([python, str(ROOT / "bench" / "floor.py"), str(tree)]) for _ in range(repeat)]
    imports = [run_process([python, "-c", IMPORT_FLOOR]) for _ in range(repeat)]
    files, documents = count_inputs(tree)
    return Row(name, files, documents, median(tolint_runs), median(floor), median(imports),
               median(cached_runs) if cached_runs else None)


def _supports_no_cache() -> bool:
    """The cache comes with issue 7; until then the harness measures first runs only."""
    result = subprocess.run([sys.executable, "-m", "tolint", "check", "--help"], capture_output=True, text=True,
                            cwd=ROOT)
    return "--no-cache" in result.stdout


def ten_file_tree(out: Path) -> Path:
    """The pre-commit case: 6 services give exactly 10 files."""
    generate(6, out)
    return out


def render(rows: list[Row]) -> str:
    lines = [
        "| input | files | docs | tolint wall | CPU | peak MB | parse floor | import floor | "
        "× parse floor | × import floor | cached run | cached/first |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        ratios = row.ratios()
        cached = f"{row.cached.wall:.2f}s" if row.cached else "n/a"
        cached_ratio = f"{ratios['cached_vs_first']:.2f}" if row.cached else "n/a"
        lines.append(
            f"| {row.name} | {row.files} | {row.documents} | {row.tolint.wall:.2f}s | {row.tolint.cpu:.2f}s | "
            f"{row.tolint.peak_mb:.0f} | {row.parse_floor.wall:.2f}s | {row.import_floor.wall:.2f}s | "
            f"{ratios['vs_parse_floor']:.2f} | {ratios['vs_import_floor']:.2f} | {cached} | {cached_ratio} |"
        )
    per_second = [
        f"{row.name}: {row.files / row.tolint.wall:.0f} files/s, {row.documents / row.tolint.wall:.0f} documents/s"
        for row in rows if row.tolint.wall > 0
    ]
    return "\n".join(lines + [""] + per_second)


def main() -> None:
    parser = argparse.ArgumentParser(description="tolint benchmark harness")
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-corpus", action="store_true")
    parser.add_argument("--json", type=Path, help="write raw figures here")
    args = parser.parse_args()

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "tolint")], check=True)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="tolint-bench-") as scratch:
        scratch_path = Path(scratch)
        cache_dir = scratch_path / "cache"
        rows.append(measure_tree("10-file tree", ten_file_tree(scratch_path / "small"), args.repeat, cache_dir))
        if CORPUS.is_dir() and not args.no_corpus:
            rows.append(measure_tree("shared corpus", CORPUS, args.repeat, cache_dir))
        for size in args.sizes:
            tree = scratch_path / f"n{size}"
            generate(size, tree)
            rows.append(measure_tree(f"N={size}", tree, 1 if size >= 10000 else args.repeat, cache_dir))
            shutil.rmtree(tree)

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}")
    print(render(rows))
    sizes = {row.name: row for row in rows}
    if "N=1000" in sizes and "N=10000" in sizes:
        growth = sizes["N=10000"].tolint.wall / sizes["N=1000"].tolint.wall
        print(f"growth: time at N=10000 is {growth:.1f} × time at N=1000")
    if args.json:
        args.json.write_text(json.dumps([{**asdict(row), "ratios": row.ratios()} for row in rows], indent=2))


if __name__ == "__main__":
    main()
