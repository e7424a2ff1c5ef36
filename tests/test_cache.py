"""The result cache: hits on unchanged trees, misses on any change that matters, harmless when damaged."""

from __future__ import annotations

import io
import json
import os
import threading
from pathlib import Path

import pytest

from tolint import pipeline
from tolint.cache import ResultCache, default_directory
from tolint.cli import main
from tolint.testing import write_tree

TREE = {
    "edge/nginx.conf": """\
events {}
http {
    upstream app { server app.internal:8080; keepalive 16; }
    server {
        location / { include inc/proxy.params; proxy_pass http://app; }
    }
}
""",
    "edge/inc/proxy.params": 'proxy_http_version 1.1;\nproxy_set_header Connection "";\n',
    "app/nginx.conf": "events {}\nhttp { server { listen 8080; server_name app.internal; keepalive_timeout 30s; } }\n",
}


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the runs that really parsed (cache misses)."""
    calls: list[int] = []
    real = pipeline._parse

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_parse", counting)
    return calls


def check(tree: Path, *extra: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["check", "--format", "json", *extra, str(tree)], stdout=out)
    return code, out.getvalue()


def test_second_run_is_answered_from_the_cache(tmp_path: Path, parses: list[int]) -> None:
    write_tree(tmp_path, TREE)
    first = check(tmp_path)
    second = check(tmp_path)
    assert len(parses) == 1
    assert first == second and json.loads(first[1])["findings"][0]["code"] == "TL101"
    assert list(default_directory().glob("*.json")), "the entry lives in TOLINT_CACHE_DIR"


@pytest.mark.parametrize(
    "change",
    ["content", "included file", "new file", "settings", "removed file"],
)
def test_any_relevant_change_is_a_miss(tmp_path: Path, parses: list[int], change: str) -> None:
    write_tree(tmp_path, TREE)
    check(tmp_path)
    extra: tuple[str, ...] = ()
    if change == "content":
        (tmp_path / "app/nginx.conf").write_text(TREE["app/nginx.conf"].replace("30s", "90s"))
    elif change == "included file":  # not a discovered input: nginx read it through an include
        (tmp_path / "edge/inc/proxy.params").write_text('proxy_http_version 1.0;\n')
    elif change == "new file":
        (tmp_path / "edge/inc/other.params").write_text("proxy_read_timeout 5s;\n")
    elif change == "settings":
        extra = ("--select", "TL1")
    else:
        (tmp_path / "app/nginx.conf").unlink()
    code, out = check(tmp_path, *extra)
    assert len(parses) == 2
    expected = {"content": [], "included file": ["TL102"], "new file": ["TL101"], "settings": ["TL101"],
                "removed file": []}[change]
    assert [f["code"] for f in json.loads(out)["findings"]] == expected


def test_damaged_entries_are_misses_and_removed(tmp_path: Path, parses: list[int]) -> None:
    write_tree(tmp_path, TREE)
    check(tmp_path)
    (entry,) = default_directory().glob("*.json")
    entry.write_text("{ not json")
    code, out = check(tmp_path)
    assert code == 1 and len(parses) == 2 and json.loads(out)["findings"]
    assert json.loads(entry.read_text())["format"] == 1  # rewritten by the second run


def test_no_cache_and_verbose_bypass_it(tmp_path: Path, parses: list[int]) -> None:
    write_tree(tmp_path, TREE)
    check(tmp_path, "--no-cache")
    assert not list(default_directory().glob("*.json"))
    check(tmp_path)
    main(["check", "--verbose", str(tmp_path)], stdout=io.StringIO())
    assert len(parses) == 3


def test_entries_are_json_outside_the_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOLINT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_directory() == tmp_path / "xdg" / "tolint"
    tree = tmp_path / "repo"
    write_tree(tree, TREE)
    check(tree)
    (entry,) = (tmp_path / "xdg" / "tolint").glob("*.json")
    json.loads(entry.read_text())  # JSON, never pickle: an entry cannot run code
    assert not any(path.name.endswith(".json") for path in tree.rglob("*"))


def test_concurrent_writers_leave_a_valid_entry(tmp_path: Path) -> None:
    from tolint.cache import CachedResult

    cache = ResultCache(tmp_path / "cache")
    result = CachedResult(findings=[], diagnostics=[], files=["a.conf"], extra_sources={})
    threads = [threading.Thread(target=cache.store, args=("k" * 64, result)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.load("k" * 64, str(tmp_path)).files == ["a.conf"]
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["k" * 64 + ".json"]


def test_unwritable_cache_directory_costs_only_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("TOLINT_CACHE_DIR", str(blocker / "cache"))
    write_tree(tmp_path / "repo", TREE)
    code, out = check(tmp_path / "repo")
    assert code == 1 and json.loads(out)["findings"]
    assert os.path.isfile(blocker)
