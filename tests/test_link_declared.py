"""The linker's post-pass: declared middleboxes go onto the hops their selectors name."""

from __future__ import annotations

from tolint.graph import (
    Component,
    DeclaredLink,
    Duration,
    Endpoint,
    Fragment,
    Listener,
    Middlebox,
    Provenance,
    Target,
    Upstream,
)
from tolint.link import link

HERE = Provenance(file="net.tolint.yaml", line=3)
NAT = Middlebox(name="nat", kind="nat-gateway", location=HERE,
                idle_timeout=Duration(seconds=350, key="idle", provenance=HERE))


def _fragment(*links: DeclaredLink) -> Fragment:
    edge = Component(
        id="nginx:deploy/edge/nginx.conf", kind="nginx", product="nginx", name="nginx deploy/edge/nginx.conf",
        location=HERE, files=["deploy/edge/nginx.conf", "deploy/edge/conf.d/api.conf"],
        upstreams=[Upstream(id="u1", component="nginx:deploy/edge/nginx.conf", name="u1", location=HERE,
                            targets=[Target(host="api.internal", port=8080, provenance=HERE)])],
    )
    api = Component(id="api", kind="app-server", product="x", name="api", location=HERE, listeners=[
        Listener(id="api:l", component="api", name="api", location=HERE, names=["api.internal"],
                 endpoints=[Endpoint(port=8080)])])
    return Fragment(components=[edge, api], links=list(links))


def _boxes(*links: DeclaredLink) -> tuple[list[str], list[str]]:
    graph = link([_fragment(*links)])
    return [box.name for box in graph.hops[0].middleboxes], [d.message for d in graph.diagnostics]


def test_selectors_by_file_name_and_target() -> None:
    for caller, callee in [("edge/nginx.conf", "api"), ("conf.d/api.conf", "api.internal:8080"),
                           ("nginx:deploy/edge/nginx.conf", "api.internal"), ("u1", "*"), ("*", "api:l")]:
        boxes, problems = _boxes(DeclaredLink(upstream=caller, to=callee, middleboxes=[NAT], location=HERE))
        assert (boxes, problems) == (["nat"], []), (caller, callee)


def test_a_partial_file_name_does_not_match_and_is_reported() -> None:
    boxes, problems = _boxes(DeclaredLink(upstream="ge/nginx.conf", to="*", middleboxes=[NAT], location=HERE))
    assert boxes == []
    assert problems == ["nat: no hop in the linted tree goes from 'ge/nginx.conf' to any target, so it is on no connection "
                        "(tolint graph shows the hops; tolint check --verbose, the targets that did not resolve)"]


def test_the_same_middlebox_is_attached_once() -> None:
    link_one = DeclaredLink(upstream="*", to="*", middleboxes=[NAT], location=HERE)
    boxes, _ = _boxes(link_one, link_one.model_copy())
    assert boxes == ["nat"]
