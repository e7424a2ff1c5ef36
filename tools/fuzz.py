"""Mutation fuzzer for every tolint parser and the command line as a whole.

    python tools/fuzz.py --minutes 12 --seed 7          # every format, seeded from fixtures/ and the corpus
    python tools/fuzz.py --format haproxy --runs 5000   # one format, a fixed number of runs
    python tools/fuzz.py --minutes 10 --report fuzz.json --save-slowest /tmp/slow

Formats: ``nginx``, ``haproxy``, ``kubernetes`` and ``clients`` (one file, written under
that format's file name), and ``tree`` (a whole fixture tree, one or two of its files
mutated, so includes, ConfigMaps and the linker see broken input together). Seeds are the
files of ``fixtures/`` and of the shared corpus (``../shared/corpus``, or
``$TOLINT_SHARED/corpus``) that tolint recognises as that format. Mutations
(``tools/fuzz_mutations.py``) change bytes, tokens, lines and each format's structure, so
most mutants still reach their parser; the share that does is reported as "reach".

Every mutant is linted in process, then rendered in every output format, which must stay
valid (JSON and SARIF parse, JUnit is XML, text holds no control characters); every 25th
goes through ``tolint.cli.main`` with ``--debug``. A Python exception is a crash. An input
that takes more than ``--time-limit`` seconds twice in a row is a hang (the property:
no input of up to 128 KiB takes more than a second). Each crash or hang is minimised and
saved under ``tests/fuzz_regressions/<format>/`` with a ``.why`` file;
``tests/test_fuzz.py`` replays every saved input on each test run. The summary gives,
per format, runs, reach, crashes, hangs and the slowest input; ``--report`` writes it
as JSON. Exit status 1 when anything crashed or hung.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import random
import resource
import shutil
import signal
import statistics
import sys
import tempfile
import time
import traceback
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tolint.config import Settings  # noqa: E402
from tolint.discover import discover  # noqa: E402
from tolint.formatters import REGISTRY  # noqa: E402
from tolint.parsers.formats import FORMATS as INPUT_FORMATS  # noqa: E402
from tolint.pipeline import Report, lint  # noqa: E402
from tolint.sources import SourceError, decode  # noqa: E402
from tools.fuzz_mutations import MAX_INPUT_BYTES, Dictionary, mutate  # noqa: E402

REGRESSIONS = ROOT / "tests" / "fuzz_regressions"
MAX_SEED_BYTES = 64 * 1024
# Characters no text output may carry raw (terminal escapes, bidirectional overrides).
DANGEROUS = ("\x1b", "\x07", "\x9b", "\u202e", "\u2066", "\r", "\x00")


@dataclass(frozen=True)
class Target:
    file_name: str  # what a single-file input is written as
    input_format: str  # the tolint input format it must reach
    globs: tuple[str, ...]  # seed files under fixtures/ and the corpus


TARGETS: dict[str, Target] = {
    "nginx": Target("nginx.conf", "nginx", ("**/*.conf", "**/*.conf.sample", "**/*.nginx", "**/sites-enabled/*")),
    "haproxy": Target("haproxy.cfg", "haproxy", ("**/*.cfg", "**/haproxy*.conf")),
    "kubernetes": Target("manifests.yaml", "kubernetes", ("**/*.yaml", "**/*.yml", "**/*.json")),
    "clients": Target("clients.tolint.yaml", "client-settings", ("**/*.tolint.yaml", "**/*.tolint.yml")),
}
# Kept for the regression replay: format -> (file name, seed globs).
FORMATS: dict[str, tuple[str, tuple[str, ...]]] = {name: (t.file_name, t.globs) for name, t in TARGETS.items()}
ALL_FORMATS = [*TARGETS, "tree"]


def shared_corpus() -> Path | None:
    """../shared/corpus beside the checkout, or ../../shared from a worktree, or $TOLINT_SHARED/corpus."""
    candidates = [Path(os.environ["TOLINT_SHARED"])] if "TOLINT_SHARED" in os.environ else []
    candidates += [ROOT.parent / "shared", ROOT.parent.parent / "shared"]
    return next((base / "corpus" for base in candidates if (base / "corpus").is_dir()), None)


def classify(text: str, file_name: str) -> str | None:
    """The input format tolint picks for this text under this name, as discovery does."""
    for fmt in INPUT_FORMATS:
        if fmt.claims_name(file_name) and fmt.sniff(text, file_name):
            return fmt.name
    return None


def seeds_for(fmt: str) -> list[str]:
    """Texts of the seed files that tolint reads as ``fmt`` under its file name."""
    target = TARGETS[fmt]
    found: list[str] = []
    seen: set[str] = set()
    for base in (ROOT / "fixtures", shared_corpus()):
        if base is None or not base.is_dir():
            continue
        for pattern in target.globs:
            for path in sorted(base.glob(pattern)):
                if not path.is_file() or path.stat().st_size > MAX_SEED_BYTES:
                    continue
                try:
                    text = decode(path.read_bytes())
                except SourceError:
                    continue
                digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
                if digest not in seen and classify(text, target.file_name) == target.input_format:
                    seen.add(digest)
                    found.append(text)
    return found


def tree_seeds() -> list[dict[str, str]]:
    """Every fixture scenario as {relative path: text}."""
    trees = []
    for scenario in sorted((ROOT / "fixtures").iterdir()):
        files = {}
        for path in sorted(scenario.rglob("*")):
            if path.is_file() and not path.name.startswith("expected") and path.suffix != ".md":
                files[str(path.relative_to(scenario))] = path.read_text(encoding="utf-8")
        if files:
            trees.append(files)
    return trees


def tree_format(path: str) -> str:
    """Which single-file mutator suits a file of a tree."""
    if path.endswith((".tolint.yaml", ".tolint.yml")):
        return "clients"
    if path.endswith((".yaml", ".yml", ".json")):
        return "kubernetes"
    if path.endswith(".cfg") or "haproxy" in path:
        return "haproxy"
    return "nginx"


# -- encodings: a few mutants test the decoder instead of the parser ------------------------------

def encode(text: str, rng: random.Random) -> bytes:
    roll = rng.random()
    if roll < 0.94:
        return text.encode("utf-8", "surrogatepass")
    return rng.choice([
        lambda: text.encode("utf-16"),
        lambda: b"\xef\xbb\xbf" + text.encode("utf-8", "surrogatepass"),
        lambda: text.replace("\n", "\r\n").encode("utf-8", "surrogatepass"),
        lambda: text.replace("\n", "\r").encode("utf-8", "surrogatepass"),
        lambda: text.encode("latin-1", "replace"),
        lambda: text.encode("utf-8", "surrogatepass") + b"\x00\xff",
    ])()


# -- one run --------------------------------------------------------------------------------------

class Hang(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise Hang()


def check_outputs(report: Report) -> None:
    """Every output format renders and stays valid; raises AssertionError otherwise."""
    for name, formatter in REGISTRY.items():
        if name == "auto":
            continue
        stream = io.StringIO()
        formatter.write(report, stream, False)
        text = stream.getvalue()
        text.encode("utf-8")  # a lone surrogate would fail on any real stream
        if name in ("json", "gitlab", "sarif"):
            json.loads(text)
        elif name == "junit":
            ET.fromstring(text)
        else:
            bad = [char for char in DANGEROUS if char in text]
            assert not bad, f"{name} output carries {bad!r}"


def lint_tree(tree: Path, through_cli: bool) -> None:
    """Lint a tree and render every format; with ``through_cli``, also the command line with --debug."""
    report = lint([str(tree)], Settings(), cwd=str(tree))
    check_outputs(report)
    if through_cli:
        from tolint.cli import main

        out = tree.parent / "out"
        out.mkdir(exist_ok=True)
        code = main(["--debug", "check", "--no-config", "--no-cache", "--format", "full", "--format", f"sarif={out / 's.sarif'}",
                     "--format", f"junit={out / 'j.xml'}", str(tree)], stdout=io.StringIO())
        assert code in (0, 1), f"exit code {code}"
        json.loads((out / "s.sarif").read_text(encoding="utf-8"))
        ET.fromstring((out / "j.xml").read_text(encoding="utf-8"))


def write_tree(tree: Path, files: dict[str, bytes]) -> None:
    shutil.rmtree(tree, ignore_errors=True)
    for relative, data in files.items():
        path = tree / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def run_once(files: dict[str, bytes], scratch: Path, time_limit: float, through_cli: bool = False
             ) -> tuple[str | None, float]:
    """(None, seconds) when tolint handled the input; else ("crash: ...", s) or ("hang", s)."""
    tree = scratch / "tree"
    write_tree(tree, files)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, max(time_limit * 5, 5.0))  # a hard stop well past the limit
    started = time.perf_counter()
    try:
        lint_tree(tree, through_cli)
    except Hang:
        return "hang", time.perf_counter() - started
    except RecursionError:
        return "crash: RecursionError", time.perf_counter() - started
    except MemoryError:
        return "crash: MemoryError", time.perf_counter() - started
    except Exception as exc:  # noqa: BLE001 - exactly what the fuzzer looks for
        return f"crash: {_signature(exc)}", time.perf_counter() - started
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    elapsed = time.perf_counter() - started
    return ("hang" if elapsed > time_limit else None), elapsed


def _signature(exc: BaseException) -> str:
    """Exception type and the innermost tolint frame: one signature per bug, not per input."""
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if "/tolint/" in frame.filename]
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    first_line = (str(exc).splitlines() or [""])[0][:120]
    return f"{type(exc).__name__}{where}: {first_line}"


def run_input(files: dict[str, bytes], scratch: Path, time_limit: float, through_cli: bool) -> tuple[str | None, float]:
    """Like run_once, but an input over the time limit is run again: a hang must be repeatable."""
    problem, elapsed = run_once(files, scratch, time_limit, through_cli)
    if problem == "hang":
        again, elapsed_again = run_once(files, scratch, time_limit, through_cli)
        if again is None:
            return None, elapsed_again
        return again, max(elapsed, elapsed_again)
    return problem, elapsed


# -- minimising and saving --------------------------------------------------------------------------

def minimise(files: dict[str, bytes], target: str, problem: str, scratch: Path, time_limit: float,
             budget: float = 20.0) -> dict[str, bytes]:
    """Drop chunks of lines of the target file while the same problem persists (bounded time)."""
    deadline = time.monotonic() + budget
    lines = files[target].splitlines(keepends=True)
    chunk = max(1, len(lines) // 2)
    while chunk >= 1 and time.monotonic() < deadline:
        index = 0
        while index < len(lines) and time.monotonic() < deadline:
            candidate = lines[:index] + lines[index + chunk:]
            trial = {**files, target: b"".join(candidate)}
            if run_once(trial, scratch, time_limit)[0] == problem:
                lines = candidate
            else:
                index += chunk
        chunk //= 2
    # Then halve the longest line while the problem persists: a crash on a long token needs the
    # token, rarely all of it (a hang usually does, and stops this early).
    while lines and time.monotonic() < deadline:
        longest = max(range(len(lines)), key=lambda index: len(lines[index]))
        line = lines[longest]
        if len(line) < 200:
            break
        ending = b"\n" if line.endswith(b"\n") else b""
        for shorter in (line[:len(line) // 2] + ending, line[len(line) // 2:]):
            if run_once({**files, target: b"".join(lines[:longest] + [shorter] + lines[longest + 1:])},
                        scratch, time_limit)[0] == problem:
                lines[longest] = shorter
                break
        else:
            break
    return {**files, target: b"".join(lines)}


def save(fmt: str, files: dict[str, bytes], problem: str, detail: str, regressions: Path = REGRESSIONS) -> Path:
    if fmt == "tree":
        payload = {"files": {path: base64.b64encode(data).decode() for path, data in sorted(files.items())}}
        data = json.dumps(payload, indent=1).encode()
        suffix = ".tree.json"
    else:
        data = next(iter(files.values()))
        suffix = Path(TARGETS[fmt].file_name).suffix or ".txt"
    digest = hashlib.sha256(data).hexdigest()[:16]
    target = regressions / fmt / f"{digest}{suffix}"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    target.with_name(target.name + ".why").write_text(f"{problem}\n{detail}\n")
    return target


def load_regression(path: Path) -> dict[str, bytes]:
    """The files of a saved input, by relative path (for the replay in tests/test_fuzz.py)."""
    if path.name.endswith(".tree.json"):
        payload = json.loads(path.read_text())
        return {name: base64.b64decode(data) for name, data in payload["files"].items()}
    return {TARGETS[path.parent.name].file_name: path.read_bytes()}


# -- the campaign ---------------------------------------------------------------------------------------

@dataclass
class Stats:
    seeds: int = 0
    runs: int = 0
    reached: int = 0
    crashes: int = 0
    hangs: int = 0
    times: list[float] = field(default_factory=list)
    slowest: float = 0.0
    slowest_input: dict[str, bytes] = field(default_factory=dict)
    largest_input: int = 0
    signatures: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict[str, object]:
        times = sorted(self.times) or [0.0]
        return {
            "seeds": self.seeds, "runs": self.runs, "reached_parser": self.reached,
            "reach_rate": round(self.reached / self.runs, 3) if self.runs else 0.0,
            "crashes": self.crashes, "hangs": self.hangs,
            "median_ms": round(statistics.median(times) * 1000, 2),
            "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))] * 1000, 2),
            "slowest_s": round(self.slowest, 3), "largest_input_bytes": self.largest_input,
            "problems": dict(self.signatures),
        }


class Campaign:
    def __init__(self, formats: list[str], rng: random.Random, scratch: Path, time_limit: float,
                 cli_every: int, minimise_budget: float, regressions: Path = REGRESSIONS) -> None:
        self.rng = rng
        self.regressions = regressions
        self.scratch = scratch
        self.time_limit = time_limit
        self.cli_every = cli_every
        self.minimise_budget = minimise_budget
        self.seeds: dict[str, list] = {}
        self.words: dict[str, Dictionary] = {}
        self.stats = {fmt: Stats() for fmt in formats}
        single = {name: seeds_for(name) for name in TARGETS}
        for name, texts in single.items():
            self.words[name] = Dictionary.learn(texts)
        for fmt in formats:
            self.seeds[fmt] = tree_seeds() if fmt == "tree" else (single[fmt] or [""])
            self.stats[fmt].seeds = len(self.seeds[fmt])

    def next_input(self, fmt: str) -> tuple[dict[str, bytes], str]:
        """A mutant, and the path of its mutated file (the one that must reach its parser)."""
        if fmt != "tree":
            text = mutate(self.rng.choice(self.seeds[fmt]), fmt, self.rng, self.words[fmt])
            name = TARGETS[fmt].file_name
            return {name: encode(text, self.rng)}, name
        tree = self.rng.choice(self.seeds["tree"])
        files = {path: text.encode() for path, text in tree.items()}
        victims = self.rng.sample(sorted(tree), k=min(len(tree), self.rng.choice([1, 1, 2])))
        for path in victims:
            kind = tree_format(path)
            files[path] = encode(mutate(tree[path], kind, self.rng, self.words[kind]), self.rng)
        return files, victims[0]

    def reached(self, fmt: str, files: dict[str, bytes], path: str) -> bool:
        tree = self.scratch / "probe"
        write_tree(tree, {path: files[path]})
        found = discover([str(tree)], [], MAX_INPUT_BYTES * 8, str(tree))
        wanted = TARGETS[tree_format(path) if fmt == "tree" else fmt].input_format
        return any(item.format == wanted for item in found.files)

    def step(self, fmt: str) -> None:
        stats = self.stats[fmt]
        files, path = self.next_input(fmt)
        stats.runs += 1
        stats.reached += self.reached(fmt, files, path)
        stats.largest_input = max(stats.largest_input, sum(len(data) for data in files.values()))
        through_cli = self.cli_every > 0 and stats.runs % self.cli_every == 0
        problem, elapsed = run_input(files, self.scratch, self.time_limit, through_cli)
        stats.times.append(elapsed)
        if elapsed > stats.slowest and problem is None:
            stats.slowest, stats.slowest_input = elapsed, files
        if problem is None:
            return
        kind = problem.split(":")[0]
        stats.hangs += kind == "hang"
        stats.crashes += kind == "crash"
        stats.signatures[problem] = stats.signatures.get(problem, 0) + 1
        if stats.signatures[problem] > 3:
            return  # the same bug again: three examples are enough
        original = sum(len(data) for data in files.values())
        small = minimise(files, path, problem, self.scratch, self.time_limit, self.minimise_budget)
        detail = f"format {fmt}; input {original} bytes, minimised to {sum(len(d) for d in small.values())}"
        saved = save(fmt, small, problem, detail, self.regressions)
        print(f"{fmt}: {problem} -> {saved}", flush=True)


def warm_up(scratch: Path) -> None:
    """Import everything and load the catalog once, so the first timed input is not charged for it."""
    write_tree(scratch / "tree", {"nginx.conf": b"events {}\nhttp { server { listen 80; } }\n"})
    lint_tree(scratch / "tree", through_cli=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--format", choices=ALL_FORMATS, action="append", help="repeatable; default: all")
    parser.add_argument("--minutes", type=float, default=1.0, help="total time budget, shared by the formats")
    parser.add_argument("--runs", type=int, default=0, help="stop after this many runs per format (0: time only)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=1.0, help="seconds an input may take")
    parser.add_argument("--cli-every", type=int, default=25, help="every Nth input also goes through tolint.cli.main")
    parser.add_argument("--minimise-seconds", type=float, default=20.0, help="time to shrink each new crash")
    parser.add_argument("--memory-limit-mb", type=int, default=4096, help="address-space limit (a MemoryError is a crash)")
    parser.add_argument("--report", metavar="FILE", help="write the figures as JSON")
    parser.add_argument("--save-slowest", metavar="DIR", help="write the slowest input of each format there")
    args = parser.parse_args()

    if args.memory_limit_mb:
        limit = args.memory_limit_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    formats = args.format or ALL_FORMATS
    rng = random.Random(args.seed)
    started = time.monotonic()
    deadline = started + args.minutes * 60
    with tempfile.TemporaryDirectory(prefix="tolint-fuzz-") as directory:
        scratch = Path(directory)
        warm_up(scratch)
        campaign = Campaign(formats, rng, scratch, args.time_limit, args.cli_every, args.minimise_seconds)
        print(f"seeds: {', '.join(f'{fmt} {campaign.stats[fmt].seeds}' for fmt in formats)}; "
              f"corpus: {shared_corpus() or 'not found'}", flush=True)
        active = list(formats)
        while active and time.monotonic() < deadline:
            for fmt in list(active):  # round robin, in small batches, so every format gets its share
                for _ in range(20):
                    if args.runs and campaign.stats[fmt].runs >= args.runs:
                        active.remove(fmt)
                        break
                    campaign.step(fmt)
                if time.monotonic() >= deadline:
                    break
        if args.save_slowest:
            for fmt, stats in campaign.stats.items():
                if stats.slowest_input:
                    save_to = Path(args.save_slowest) / fmt
                    write_tree(save_to, stats.slowest_input)
    summary = {
        "seed": args.seed, "minutes": round((time.monotonic() - started) / 60, 2), "time_limit_s": args.time_limit,
        "max_input_bytes": MAX_INPUT_BYTES, "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "formats": {fmt: stats.summary() for fmt, stats in campaign.stats.items()},
    }
    print(f"{'format':11} {'seeds':>6} {'runs':>7} {'reach':>6} {'crash':>6} {'hang':>5} {'median':>8} {'p99':>8} {'slowest':>8}")
    for fmt, figures in summary["formats"].items():
        print(f"{fmt:11} {figures['seeds']:>6} {figures['runs']:>7} {figures['reach_rate']:>6.0%} "
              f"{figures['crashes']:>6} {figures['hangs']:>5} {figures['median_ms']:>6.1f}ms {figures['p99_ms']:>6.1f}ms "
              f"{figures['slowest_s']:>7.3f}s")
    total_runs = sum(figures["runs"] for figures in summary["formats"].values())
    failures = sum(figures["crashes"] + figures["hangs"] for figures in summary["formats"].values())
    print(f"total: {total_runs} runs in {summary['minutes']} min, {failures} crashes or hangs, "
          f"peak memory {summary['peak_rss_mb']} MB")
    if args.report:
        Path(args.report).write_text(json.dumps(summary, indent=2) + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
