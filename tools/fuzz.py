"""Mutation fuzzer for every tolint parser and the whole pipeline.

    python tools/fuzz.py --minutes 10              # all formats, seeded from fixtures/ and the corpus
    python tools/fuzz.py --format nginx --runs 5000 --seed 7

Each run takes a seed file of one format, mutates it (bytes, tokens, structure), writes it
into a scratch tree under that format's file name, and lints the tree in process. A Python
exception escaping the pipeline is a crash; a run over ``--time-limit`` seconds is a hang.
Every crashing or hanging input is saved under ``tests/fuzz_regressions/<format>/``, where
``tests/test_fuzz_regressions.py`` replays it on every test run.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tolint.config import Settings  # noqa: E402
from tolint.pipeline import lint  # noqa: E402

REGRESSIONS = ROOT / "tests" / "fuzz_regressions"
CORPUS = ROOT.parent / "shared" / "corpus"

# format -> (file name the input is written as, seed globs under fixtures/ and the corpus)
FORMATS: dict[str, tuple[str, tuple[str, ...]]] = {
    "nginx": ("nginx.conf", ("**/*.conf", "**/*.conf.sample", "**/nginx.conf")),
    "haproxy": ("haproxy.cfg", ("**/*.cfg",)),
    "kubernetes": ("manifests.yaml", ("**/k8s/**/*.yaml", "**/*.yaml")),
    "clients": ("clients.tolint.yaml", ("**/*.tolint.yaml",)),
}

TOKENS = [
    b"{", b"}", b";", b'"', b"'", b"\\", b"#", b"\n", b"\t", b"\r\n", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf",
    b"$", b"${X}", b"*", b"&a", b"*a", b"!!python/object:os.system", b"---", b"- ", b": ", b"[", b"]",
    b"0", b"-1", b"99999999999999999999", b"1h 30m", b"abc", b"include", b"include /etc/passwd;",
    b"include ../../x;", b"server", b"location", b"upstream", b"frontend", b"backend", b"defaults",
    b"timeout client", b".if", b".endif", b"apiVersion: v1", b"kind: Service", b"{{ .Values.x }}",
]


class Hang(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise Hang()


def seeds_for(fmt: str) -> list[bytes]:
    _, globs = FORMATS[fmt]
    found: list[bytes] = []
    for base in (ROOT / "fixtures", CORPUS):
        if not base.is_dir():
            continue
        for pattern in globs:
            for path in sorted(base.glob(pattern)):
                if path.is_file() and path.stat().st_size < 200_000:
                    found.append(path.read_bytes())
    return found or [b""]


def mutate(data: bytes, rng: random.Random) -> bytes:
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        choice = rng.random()
        position = rng.randint(0, len(buffer)) if buffer else 0
        if choice < 0.2 and buffer:  # flip a byte
            buffer[rng.randrange(len(buffer))] = rng.randrange(256)
        elif choice < 0.4:  # insert a meaningful token
            buffer[position:position] = rng.choice(TOKENS)
        elif choice < 0.55 and buffer:  # delete a span
            end = min(len(buffer), position + rng.randint(1, 64))
            del buffer[position:end]
        elif choice < 0.7 and buffer:  # duplicate a span (structure: repeated blocks)
            end = min(len(buffer), position + rng.randint(1, 400))
            buffer[position:position] = buffer[position:end] * rng.randint(1, 20)
        elif choice < 0.8:  # nest deeply
            opener, closer = rng.choice([(b"{", b"}"), (b"[", b"]"), (b"location / {", b"}"), (b"a:\n ", b"")])
            depth = rng.randint(10, 3000)
            buffer[position:position] = opener * depth + closer * depth
        elif choice < 0.9 and buffer:  # truncate
            del buffer[position:]
        else:  # splice in a line from elsewhere in the file
            lines = bytes(buffer).splitlines(keepends=True)
            if lines:
                buffer[position:position] = rng.choice(lines)
    return bytes(buffer)


def run_one(fmt: str, data: bytes, scratch: Path, time_limit: float) -> str | None:
    """None when tolint handled the input; otherwise 'crash: ...' or 'hang'."""
    tree = scratch / "tree"
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir()
    (tree / FORMATS[fmt][0]).write_bytes(data)
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, time_limit)
    try:
        lint([str(tree)], Settings(), cwd=str(tree))
    except Hang:
        return "hang"
    except RecursionError:
        return "crash: RecursionError"
    except Exception:  # noqa: BLE001 - exactly what the fuzzer looks for
        return "crash: " + traceback.format_exc(limit=-3).strip().splitlines()[-1]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return None


def save(fmt: str, data: bytes, problem: str) -> Path:
    digest = hashlib.sha256(data).hexdigest()[:16]
    target = REGRESSIONS / fmt / f"{digest}{Path(FORMATS[fmt][0]).suffix or '.txt'}"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    target.with_suffix(target.suffix + ".why").write_text(problem + "\n")
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--format", choices=sorted(FORMATS), action="append")
    parser.add_argument("--minutes", type=float, default=1.0, help="total time budget")
    parser.add_argument("--runs", type=int, default=0, help="stop after this many runs per format (0: time only)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=1.0, help="seconds before an input counts as a hang")
    args = parser.parse_args()

    formats = args.format or sorted(FORMATS)
    rng = random.Random(args.seed)
    deadline = time.monotonic() + args.minutes * 60
    per_format_deadline = args.minutes * 60 / len(formats)
    stats: Counter[str] = Counter()
    slowest: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="tolint-fuzz-") as scratch:
        for fmt in formats:
            seeds = seeds_for(fmt)
            started = time.monotonic()
            runs = 0
            while time.monotonic() < deadline and time.monotonic() - started < per_format_deadline:
                if args.runs and runs >= args.runs:
                    break
                data = mutate(rng.choice(seeds), rng)
                began = time.perf_counter()
                problem = run_one(fmt, data, Path(scratch), args.time_limit)
                slowest[fmt] = max(slowest.get(fmt, 0.0), time.perf_counter() - began)
                runs += 1
                stats[f"{fmt} runs"] += 1
                if problem:
                    stats[f"{fmt} {problem.split(':')[0]}es"] += 1
                    print(f"{fmt}: {problem} -> {save(fmt, data, problem)}", flush=True)
            print(f"{fmt}: {runs} runs from {len(seeds)} seeds, slowest input {slowest.get(fmt, 0):.3f}s", flush=True)
    failures = sum(count for key, count in stats.items() if not key.endswith("runs"))
    print(f"total: {sum(c for k, c in stats.items() if k.endswith('runs'))} runs, {failures} crashes or hangs")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
