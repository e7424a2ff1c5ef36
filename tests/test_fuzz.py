"""Property-based tests: no input makes a parser or the pipeline raise (bounded budget).

The long-running mutation fuzzer is tools/fuzz.py; inputs it found are replayed here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tolint.config import Settings
from tolint.parsers.nginx_syntax import parse_text
from tolint.pipeline import lint
from tolint.yaml_nodes import YamlError, compose

REGRESSIONS = Path(__file__).parent / "fuzz_regressions"
NAMES = ["nginx.conf", "haproxy.cfg", "manifests.yaml", "clients.tolint.yaml"]

nginx_alphabet = st.sampled_from(list("{};#\"'\\$ \n\tabcxyz0129") + ["server", "location", "include", "proxy_pass",
                                                                         "keepalive_timeout", "upstream", "http"])
nginx_text = st.lists(nginx_alphabet, max_size=80).map("".join)
yaml_alphabet = st.sampled_from(list(":-[]{}&*!|>#'\" \n\t,ab01") + ["apiVersion", "kind", "---", "!!python/object"])
yaml_text = st.lists(yaml_alphabet, max_size=80).map("".join)
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(nginx_text)
def test_nginx_syntax_never_raises(text: str) -> None:
    tree = parse_text(text, "f.conf")
    assert all(isinstance(line, int) for line, _ in tree.errors)


@FAST
@given(yaml_text)
def test_yaml_composer_raises_only_yaml_errors(text: str) -> None:
    try:
        for _ in compose(text):
            pass
    except YamlError as exc:
        assert exc.message


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                    HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(NAMES), data=st.one_of(st.binary(max_size=300), nginx_text.map(str.encode),
                                                     yaml_text.map(str.encode)))
def test_pipeline_never_raises(tmp_path_factory: pytest.TempPathFactory, name: str, data: bytes) -> None:
    tree = tmp_path_factory.mktemp("fuzz")
    (tree / name).write_bytes(data)
    report = lint([str(tree)], Settings(), cwd=str(tree))
    assert all(d.file for d in report.diagnostics)
    shutil.rmtree(tree)


def _regressions() -> list[Path]:
    return sorted(p for p in REGRESSIONS.rglob("*") if p.is_file() and not p.name.endswith(".why")
                  and p.name != "README.md")


@pytest.mark.parametrize("path", _regressions(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fuzz_regression(path: Path, tmp_path: Path) -> None:
    from tools.fuzz import FORMATS  # the file name each format is linted under

    (tmp_path / FORMATS[path.parent.name][0]).write_bytes(path.read_bytes())
    lint([str(tmp_path)], Settings(), cwd=str(tmp_path))
