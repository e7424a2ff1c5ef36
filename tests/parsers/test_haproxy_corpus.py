"""Every real-world HAProxy file in the shared corpus goes through tolint without a crash."""

from __future__ import annotations

import time
from pathlib import Path

from tests.conftest import corpus_dir
from tolint.config import Settings
from tolint.parsers.haproxy import parse_config_text
from tolint.pipeline import lint

PORTS_TEST = "haproxy__haproxy/tests__conf__ports.cfg"  # deliberately invalid addresses


def test_haproxy_corpus_lints_without_exceptions() -> None:
    root = corpus_dir("haproxy")
    started = time.perf_counter()
    report = lint([str(root)], Settings(), cwd=str(root))
    elapsed = time.perf_counter() - started
    haproxy_files = [c.files[0] for c in report.graph.components if c.product == "haproxy"]
    assert len(haproxy_files) >= 170
    # Real configurations (HAProxy's own examples and tests, dataplaneapi fixtures) are valid:
    # nothing in them may come back as a parse error, except in HAProxy's test of its address
    # parser, whose comments list the errors "haproxy -c" reports; tolint finds the port ones.
    errors = [d for d in report.diagnostics if d.severity == "error"]
    assert not [d for d in errors if d.file != PORTS_TEST], errors
    assert [(d.line, d.message) for d in errors if d.file == PORTS_TEST] == [
        (20, '"bind :::0": port out of range (1-65535)'), (21, '"bind :::0-11": port out of range (1-65535)')]
    assert sum(len(c.listeners) for c in report.graph.components) > 150
    assert sum(len(c.upstreams) for c in report.graph.components) > 150
    assert elapsed < 10, f"linting the HAProxy corpus took {elapsed:.1f}s"


def test_each_corpus_file_parses_alone_even_when_not_recognised() -> None:
    root = corpus_dir("haproxy")
    for path in sorted(root.rglob("*")):
        if path.is_file():
            fragment = parse_config_text(path.read_text(encoding="utf-8", errors="replace"), path.name)
            assert all(d.line for d in fragment.diagnostics if d.severity == "error"), (path, fragment.diagnostics)


def test_quadratic_blowup_is_absent(tmp_path: Path) -> None:
    """A generated config with thousands of proxies parses in linear time."""
    parts = ["defaults\n  mode http\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n"]
    for index in range(3000):
        parts.append(f"frontend f{index}\n  bind :{10000 + index}\n  use_backend b{index} if {{ path /x }}\n"
                     f"  default_backend b{(index + 1) % 3000}\n")
        parts.append(f"backend b{index}\n  server s{index} 10.0.{index // 250}.{index % 250}:8080 check\n")
    started = time.perf_counter()
    fragment = parse_config_text("".join(parts), "big.cfg")
    elapsed = time.perf_counter() - started
    component = fragment.components[0]
    assert len(component.listeners) == 3000 and len(component.upstreams) == 3000
    assert elapsed < 10, f"parsing 6000 proxies took {elapsed:.1f}s"
