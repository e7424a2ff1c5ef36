"""missing-timeout (TL201) agrees with HAProxy's own startup check, section by section.

For every corpus file (and every TL201 rule case) that ``haproxy -dr -c`` accepts, the
sections for which HAProxy warns "missing timeouts" must be exactly the sections tolint
reports with TL201, with tolint set to the binary's version. ``-dr`` makes HAProxy ignore
server names this machine cannot resolve. Skipped only when no haproxy binary is
installed (``tools/install-test-deps`` installs Debian's).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import corpus_dir
from tolint.config import Settings
from tolint.pipeline import lint
from tolint.testing import load_case_file, write_tree

pytestmark = pytest.mark.slow

_WARNING = re.compile(r"missing timeouts for (frontend|backend|proxy) '([^']*)'")
_KIND = {"frontend": "frontend", "backend": "backend", "proxy": "listen"}
_CASES = Path(__file__).resolve().parent.parent / "rule_cases" / "TL201.yaml"


def _binary() -> str:
    found = shutil.which("haproxy") or ("/usr/sbin/haproxy" if os.access("/usr/sbin/haproxy", os.X_OK) else None)
    if found is None:
        pytest.skip("haproxy is not installed (tools/install-test-deps installs it)")
    return found


def _version(binary: str) -> str:
    output = subprocess.run([binary, "-v"], capture_output=True, text=True, timeout=30).stdout
    match = re.search(r"version (\d+\.\d+(?:\.\d+)?)", output)
    assert match, output
    return match.group(1)


def _offline_prefix() -> list[str]:
    """``unshare -n`` where allowed: -dr still tries to resolve server names, and without a
    network every lookup fails at once instead of waiting for the resolver's timeout."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        return [unshare, "-n"]
    return []


def _check(binary: str, path: Path, prefix: list[str]) -> tuple[bool, set[tuple[str, str]]]:
    """Whether haproxy accepts the file, and the (kind, name) sections it warns about."""
    env = {"PATH": os.environ.get("PATH", ""), "RES_OPTIONS": "timeout:1 attempts:1"}
    try:
        result = subprocess.run([*prefix, binary, "-dr", "-c", "-f", path.name], cwd=path.parent, env=env,
                                capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return False, set()
    output = result.stdout + result.stderr
    # Exit 2 with "has no error but will not start" (no listener) is still a checked configuration.
    accepted = result.returncode == 0 or "Configuration file has no error" in output
    return accepted, {(_KIND[kind], name) for kind, name in _WARNING.findall(output)}


def _tolint(path: Path, version: str) -> set[tuple[str, str]]:
    report = lint([str(path)], Settings(select=["TL201"], haproxy_version=version), cwd=str(path.parent))
    names = {item.id: item.name for item in report.graph.listeners()}
    names.update({item.id: item.name for item in report.graph.upstreams()})
    sections: set[tuple[str, str]] = set()
    for finding in report.findings:
        for subject in finding.subjects:
            kind, _, name = names[subject].partition(" ")
            sections.add((kind, name))
    return sections


def _compare(binary: str, paths: list[Path]) -> tuple[int, list[str], int]:
    version = _version(binary)
    prefix = _offline_prefix()
    with ThreadPoolExecutor(max_workers=8) as pool:
        checked = list(pool.map(lambda path: (path, *_check(binary, path, prefix)), paths))
    accepted = 0
    sections = 0
    mismatches: list[str] = []
    for path, ok, expected in checked:
        if not ok:
            continue
        accepted += 1
        sections += len(expected)
        actual = _tolint(path, version)
        if actual != expected:
            mismatches.append(f"{path.name}: haproxy warns {sorted(expected)}, tolint reports {sorted(actual)}")
    return accepted, mismatches, sections


def test_missing_timeout_matches_haproxy_on_the_corpus() -> None:
    binary = _binary()
    root = corpus_dir("haproxy")
    paths = sorted(path for path in root.rglob("*") if path.is_file())
    accepted, mismatches, sections = _compare(binary, paths)
    print(f"\nhaproxy -dr -c accepted {accepted} of {len(paths)} corpus files; {sections} sections with "
          f"'missing timeouts'; {accepted - len(mismatches)} of {accepted} files agree")
    assert accepted >= 100, "too few corpus files accepted by haproxy for the comparison to mean anything"
    assert sections >= 50
    assert not mismatches, "\n".join(mismatches)


def test_missing_timeout_matches_haproxy_on_the_rule_cases(tmp_path: Path) -> None:
    binary = _binary()
    paths = []
    for name, case in load_case_file(_CASES).cases.items():
        if "haproxy.cfg" not in case.files:
            continue  # the client cases of TL201
        text = case.files["haproxy.cfg"]
        if "${" in text or "defined(" in text:
            continue  # the binary reads the real environment; tolint leaves it unknown
        folder = tmp_path / name
        write_tree(folder, case.files)
        paths.append(folder / "haproxy.cfg")
    accepted, mismatches, _ = _compare(binary, paths)
    assert accepted == len(paths)
    assert not mismatches, "\n".join(mismatches)
