"""Every real-world nginx file in the shared corpus goes through tolint without a crash."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import corpus_dir
from tolint.config import Settings
from tolint.pipeline import lint


def test_nginx_corpus_parses_without_exceptions(tmp_path: Path) -> None:
    root = corpus_dir("nginx")
    report = lint([str(root)], Settings(), cwd=str(root))
    assert len(report.files) > 500
    # The corpus holds a few deliberately broken files (crossplane's and gixy's own fixtures);
    # each must come back as a diagnostic with a line, not as an exception.
    errors = [d for d in report.diagnostics if d.severity == "error"]
    assert errors and all(d.line for d in errors)
    assert {Path(d.file).name for d in errors} >= {"tests__configs__missing-semicolon__broken-below.conf"}


def test_each_corpus_file_alone(tmp_path: Path) -> None:
    root = corpus_dir("nginx")
    for path in sorted(root.rglob("*")):
        if path.is_file():
            lint([str(path)], Settings(), cwd=str(root))


def test_kubernetes_corpus_parses_without_exceptions() -> None:
    root = corpus_dir("k8s")
    report = lint([str(root)], Settings(), cwd=str(root))
    assert len(report.files) > 2000
    # Every error points at a line: a real schema problem in a deliberately broken fixture
    # (checkov's malformed pods, kube-score's invalid YAML). Files with other template syntaxes
    # ({{uid}}, {{.Namespace}}) that are valid YAML are read, not skipped.
    errors = [d for d in report.diagnostics if d.severity == "error"]
    assert errors and all(d.line for d in errors)
    assert len(errors) < 10
    assert {c.kind for c in report.graph.components} >= {"k8s-workload", "nginx", "istio-sidecar", "ingress-nginx"}


def test_each_kubernetes_corpus_file_alone() -> None:
    from tolint.discover import InputFile
    from tolint.parsers.k8s import parse_kubernetes_inputs

    root = corpus_dir("k8s")
    for path in sorted(root.rglob("*")):
        if path.suffix in (".yaml", ".yml", ".json"):
            text = path.read_text(encoding="utf-8", errors="replace")
            parse_kubernetes_inputs([InputFile(str(path), path.name, "kubernetes", text)], Settings(), [str(root)],
                                    str(root))
