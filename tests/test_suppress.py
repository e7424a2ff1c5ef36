"""Suppression comments, annotations and per-file-ignores on a realistic tree (fixtures/nginx-edge)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tests.conftest import edit
from tolint.catalog import load_catalog
from tolint.checks.suppressions import SuppressionContext, SuppressionReason, UnusedSuppression
from tolint.checks.base import BaseParams
from tolint.cli import main
from tolint.config import Settings
from tolint.findings import Finding, Location, Related
from tolint.graph import Component, Listener, ObjectSuppression, Provenance, TimeoutGraph, Upstream
from tolint.pipeline import lint
from tolint.suppress import Suppressor, parse_annotation, scan

EDGE = "deploy/edge/nginx.conf"
SHOP = "deploy/edge/conf.d/shop.conf"
UPSTREAMS = "deploy/edge/conf.d/upstreams.conf"
APP = "deploy/app/nginx.conf"


def check(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(["check", *argv], stdout=out), out.getvalue()


def shown(report) -> list[tuple[str, str, int | None]]:
    return [(f.code, f.location.file, f.location.line) for f in report.shown()]


def run(root: Path, **settings: object):
    return lint(["deploy"], Settings.model_validate(settings), cwd=str(root))


def test_trailing_comment_suppresses_its_line_and_keeps_the_reason(edge_tree: Path) -> None:
    edit(edge_tree / EDGE, "reset_timedout_connection on;",
         "reset_timedout_connection on;  # tolint: ignore[forced-reset-on-close] frees sockets of stalled scanners")
    report = run(edge_tree)
    assert ("TL501", EDGE, 16) not in shown(report)
    suppressed = [f for f in report.findings if f.suppressed is not None]
    assert [(f.code, f.suppressed, f.suppressed_by) for f in suppressed] == [
        ("TL501", "frees sockets of stalled scanners", "comment")]
    assert not [f for f in report.shown() if f.code == "TL001"]
    assert len(report.shown()) == 5


def test_comment_on_the_line_above_applies_to_the_next_code_line(edge_tree: Path) -> None:
    edit(edge_tree / UPSTREAMS, "upstream app {",
         "# tolint: ignore[TL101] app servers are being moved to HAProxy (PLAT-1234)\n\nupstream app {")
    report = run(edge_tree)
    assert "TL101" not in [code for code, _, _ in shown(report)]
    assert not [f for f in report.shown() if f.code == "TL001"]


def test_hop_finding_is_suppressed_at_the_other_end(edge_tree: Path) -> None:
    """TL101 points at the edge's upstream; the app team suppresses it next to their keepalive_timeout."""
    edit(edge_tree / APP, "    keepalive_timeout 10s;",
         "    # tolint: ignore[idle-timeout-order] browsers only; the edge pool is being retired\n"
         "    keepalive_timeout 10s;")
    report = run(edge_tree)
    tl101 = [f for f in report.findings if f.code == "TL101"]
    assert len(tl101) == 1 and tl101[0].location.file == UPSTREAMS
    assert tl101[0].suppressed == "browsers only; the edge pool is being retired"
    assert not [f for f in report.shown() if f.code in ("TL101", "TL001")]


def test_disable_enable_range_covers_only_its_lines(edge_tree: Path) -> None:
    edit(edge_tree / SHOP, "    location /api/orders {",
         "    # tolint: disable[TL301,unbounded-retries] orders API takes idempotency keys\n    location /api/orders {")
    edit(edge_tree / SHOP, "    location /api/search {", "    # tolint: enable[TL301,unbounded-retries]\n    location /api/search {")
    report = run(edge_tree)
    codes = shown(report)
    assert not [c for c in codes if c[0] == "TL301"]
    assert [c for c in codes if c[0] == "TL302"] == [("TL302", SHOP, 33)]  # the search location, after enable


def test_disable_without_enable_runs_to_the_end_of_the_file(edge_tree: Path) -> None:
    edit(edge_tree / SHOP, "    location /api/orders {", "    # tolint: disable[TL302] retries are bounded by the client\n"
         "    location /api/orders {")
    assert not [c for c in shown(run(edge_tree)) if c[0] == "TL302"]


def test_file_ignore_anywhere_in_the_file(edge_tree: Path) -> None:
    path = edge_tree / SHOP
    path.write_text(path.read_text() + "# tolint: file-ignore[unbounded-retries] retry budgets live in the mesh\n")
    report = run(edge_tree)
    assert not [c for c in shown(report) if c[0] == "TL302"]
    assert {f.suppressed for f in report.findings if f.code == "TL302"} == {"retry budgets live in the mesh"}


def test_ignore_on_the_wrong_line_is_unused_and_does_not_suppress(edge_tree: Path) -> None:
    edit(edge_tree / SHOP, "proxy_read_timeout 1h;", "proxy_read_timeout 1h;  # tolint: ignore[TL301] not here")
    report = run(edge_tree)
    assert ("TL301", SHOP, 25) in shown(report)
    unused = [f for f in report.shown() if f.code == "TL001"]
    assert [(f.location.line, f.message) for f in unused] == [
        (19, "unused suppression ignore[TL301]: TL301 reported nothing here")]


def test_suppression_for_a_rule_that_is_not_enabled_is_reported(edge_tree: Path) -> None:
    edit(edge_tree / EDGE, "reset_timedout_connection on;", "reset_timedout_connection on;  # tolint: ignore[TL501] ok")
    report = run(edge_tree, ignore=["TL501"])
    assert [f.message for f in report.shown() if f.code == "TL001"] == [
        "unused suppression ignore[TL501]: TL501 is not enabled in this run"]


def test_per_file_ignores_from_config(edge_tree: Path) -> None:
    (edge_tree / "tolint.toml").write_text('[per-file-ignores]\n"deploy/edge/conf.d/*" = ["TL3"]\n')
    code, out = check("--format", "json")
    payload = json.loads(out)
    assert {f["code"] for f in payload["findings"]} == {"TL101", "TL102", "TL501"}
    assert {(f["code"], f["suppression"]["kind"]) for f in payload["suppressed"]} == {
        ("TL301", "config"), ("TL302", "config")}
    assert code == 1


def test_strict_profile_requires_reasons(edge_tree: Path) -> None:
    (edge_tree / "tolint.toml").write_text('extends = "strict"\n')
    edit(edge_tree / EDGE, "reset_timedout_connection on;", "reset_timedout_connection on;  # tolint: ignore[TL501]")
    code, out = check("--select", "TL501,TL001")
    assert code == 1
    assert f"{EDGE}:16:36: TL002 suppression ignore[TL501] gives no reason" in out
    assert "TL501 reset_timedout" not in out


def test_require_suppression_reason_respects_ignore(edge_tree: Path) -> None:
    (edge_tree / "tolint.toml").write_text('require-suppression-reason = true\nignore = ["suppression-without-reason"]\n')
    edit(edge_tree / EDGE, "reset_timedout_connection on;", "reset_timedout_connection on;  # tolint: ignore[TL501]")
    assert "TL002" not in check()[1]


def test_meta_findings_can_be_suppressed_by_file_ignore(edge_tree: Path) -> None:
    edit(edge_tree / EDGE, "sendfile on;", "sendfile on;  # tolint: ignore[TL9999]\n"
         "    # tolint: file-ignore[unused-suppression] vendored file, comments kept from upstream")
    report = run(edge_tree)
    assert not [f for f in report.shown() if f.code == "TL001"]
    assert [f.code for f in report.findings if f.suppressed and f.code == "TL001"] == ["TL001"]


# -- the scanner on every #-comment format ---------------------------------------------

HAPROXY = """\
defaults
    mode http
    timeout client 30s  # tolint: ignore[TL101] the CDN closes first
    # tolint: disable[TL301] retries are on GETs only (see acl)
    retry-on all-retryable-errors
    # tolint: enable[TL301]

backend api
    # tolint: ignore[unbounded-retries]: budget is enforced by the client
    retries 3
"""

YAML = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  annotations:
    tolint.dev/ignore: "TL401: drained by the mesh sidecar"
spec:
  template:
    spec:
      # tolint: ignore[TL402] the app handles SIGTERM itself
      terminationGracePeriodSeconds: 5
      containers:
        - name: api
          args: ["--keep-alive", "2"]  # tolint: ignore[idle-timeout-order] ALB idle is 1s here
"""


def test_scan_haproxy_comments() -> None:
    directives = scan(HAPROXY, "haproxy.cfg")
    assert [(d.kind, d.line, d.target, d.rules, d.reason) for d in directives] == [
        ("ignore", 3, 3, ("TL101",), "the CDN closes first"),
        ("disable", 4, 5, ("TL301",), "retries are on GETs only (see acl)"),
        ("enable", 6, 8, ("TL301",), ""),
        ("ignore", 9, 10, ("unbounded-retries",), "budget is enforced by the client"),
    ]


def test_scan_yaml_comments_and_suppress_findings_in_yaml() -> None:
    directives = scan(YAML, "k8s/api.yaml")
    assert [(d.line, d.target, d.rules) for d in directives] == [(10, 11, ("TL402",)), (14, 14, ("idle-timeout-order",))]
    finding = Finding("TL101", "idle-timeout-order", "error", "alb keeps idle connections 60s ...",
                      Location("k8s/alb.yaml", 7), (Related(Location("k8s/api.yaml", 14, 11), "gunicorn", "the other end"),))
    suppressor = Suppressor({"k8s/api.yaml": YAML}, [], TimeoutGraph(), load_catalog())
    [result] = suppressor.apply([finding])
    assert result.suppressed == "ALB idle is 1s here" and result.suppressed_by == "comment"


def test_scan_skips_files_without_the_marker_cheaply() -> None:
    assert scan("events {}\n" * 10_000, "big.conf") == []


def test_parse_annotation() -> None:
    assert parse_annotation("TL401, graceful-shutdown: drained by the mesh") == (
        ["TL401", "graceful-shutdown"], "drained by the mesh")
    assert parse_annotation("TL401") == (["TL401"], "")


def _graph() -> TimeoutGraph:
    where = Provenance(file="k8s/api.yaml", line=3)
    listener = Listener(id="k8s:api/listener", component="k8s:api", name="api :8080", location=where)
    upstream = Upstream(id="nginx:edge/up", component="nginx:edge", name="upstream api", location=where)
    return TimeoutGraph(components=[
        Component(id="k8s:api", kind="workload", product="kubernetes", name="api", location=where, listeners=[listener]),
        Component(id="nginx:edge", kind="nginx", product="nginx", name="edge", location=where, upstreams=[upstream]),
    ])


def test_object_annotation_suppresses_findings_on_its_object_and_reports_unused_ones() -> None:
    graph = _graph()
    location = Provenance(file="k8s/api.yaml", line=6, column=5)
    used = ObjectSuppression(subjects=["k8s:api"], rules=["idle-timeout-order"], reason="ALB idle is 1s", location=location)
    stale = ObjectSuppression(subjects=["k8s:api"], rules=["TL301", "TL9999"], reason="", location=location)
    hop = Finding("TL101", "idle-timeout-order", "error", "edge keeps idle connections ...", Location("edge/nginx.conf", 3),
                  subjects=("nginx:edge/up", "k8s:api/listener"))
    other = Finding("TL501", "forced-reset-on-close", "warning", "reset", Location("edge/nginx.conf", 9),
                    subjects=("nginx:edge/up",))
    catalog = load_catalog()
    suppressor = Suppressor({}, [used, stale], graph, catalog)
    first, second = suppressor.apply([hop, other])
    assert (first.suppressed, first.suppressed_by) == ("ALB idle is 1s", "annotation")
    assert second.suppressed is None
    context = SuppressionContext(suppressor, frozenset({"TL101", "TL301", "TL501"}), frozenset({"TL001", "TL002"}))
    unused = list(UnusedSuppression().check(context, BaseParams()))
    assert [hit.message for hit in unused] == [
        'unused suppression annotation [TL301,TL9999]: TL301 reported nothing here; "TL9999" is not a rule '
        "(see tolint rules)"]
    assert unused[0].location == Location("k8s/api.yaml", 6, 5)
    reasons = list(SuppressionReason().check(context, BaseParams()))
    assert [hit.message for hit in reasons] == [
        'suppression annotation [TL301,TL9999] gives no reason; write "RULES: reason"']


def test_annotation_without_rules_covers_every_rule() -> None:
    location = Provenance(file="k8s/api.yaml", line=6)
    everything = ObjectSuppression(subjects=["nginx:edge"], rules=[], reason="legacy edge", location=location)
    finding = Finding("TL501", "forced-reset-on-close", "warning", "reset", Location("edge/nginx.conf", 9),
                      subjects=("nginx:edge/up",))
    [result] = Suppressor({}, [everything], _graph(), load_catalog()).apply([finding])
    assert result.suppressed == "legacy edge"


@pytest.mark.parametrize("comment", [
    "# tolint: ignore[TL501] reason",
    "#tolint: ignore[TL501] reason",
    "#  tolint:ignore[ TL501 ] reason",
    "# tolint: ignore[forced-reset-on-close] -- reason",
])
def test_spellings_of_one_directive(comment: str, tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(
        f"events {{}}\nhttp {{\n    reset_timedout_connection on;  {comment}\n    server {{ listen 80; }}\n}}\n")
    report = lint([str(tmp_path)], Settings(), cwd=str(tmp_path))
    assert report.shown() == []
    assert [f.suppressed for f in report.findings] == ["reason"]
