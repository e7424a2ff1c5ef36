from __future__ import annotations

from tolint.graph import Alias, Component, Endpoint, Fragment, Listener, Provenance, Target, Upstream
from tolint.link import link

HERE = Provenance(file="f", line=1)


def component(cid: str, listeners=(), upstreams=()) -> Component:
    return Component(id=cid, kind="test", product="test", name=cid, location=HERE,
                     listeners=list(listeners), upstreams=list(upstreams))


def listener(lid: str, cid: str, port: int, host: str | None = None, names=()) -> Listener:
    return Listener(id=lid, component=cid, name=lid, location=HERE, endpoints=[Endpoint(host=host, port=port)],
                    names=list(names))


def upstream(uid: str, cid: str, host: str | None, port: int | None) -> Upstream:
    return Upstream(id=uid, component=cid, name=uid, location=HERE,
                    targets=[Target(host=host, port=port, raw=f"{host}:{port}", provenance=HERE)])


def test_name_match_loopback_and_unresolved() -> None:
    graph = link([Fragment(components=[
        component("edge", upstreams=[upstream("u1", "edge", "app.internal", 8080), upstream("u2", "edge", "127.0.0.1", 9000),
                                     upstream("u3", "edge", "elsewhere.example", 80), upstream("u4", "edge", None, None)],
                  listeners=[listener("edge-local", "edge", 9000, "127.0.0.1")]),
        component("app", listeners=[listener("app-l", "app", 8080, names=["app.internal"]),
                                    listener("app-other", "app", 8081, names=["app.internal"])]),
    ])])
    assert {(h.upstream, h.listener, h.via) for h in graph.hops} == {
        ("u1", "app-l", "host name matches server name"),
        ("u2", "edge-local", "loopback address in the same component"),
    }
    reasons = {u.upstream: u.reason for u in graph.unresolved}
    assert "no listener" in reasons["u3"] and "variables" in reasons["u4"]


def test_ambiguity_is_not_guessed() -> None:
    graph = link([Fragment(components=[
        component("edge", upstreams=[upstream("u", "edge", "web", 80)]),
        component("a", listeners=[listener("a1", "a", 80, names=["web"])]),
        component("b", listeners=[listener("b1", "b", 80, names=["web"])]),
    ])])
    assert graph.hops == []
    assert "ambiguous: 2 listeners match" in graph.unresolved[0].reason


def test_aliases_and_wildcard_names() -> None:
    graph = link([Fragment(
        components=[
            component("edge", upstreams=[upstream("u", "edge", "api.prod.svc.cluster.local", 8080),
                                         upstream("w", "edge", "shop.example.com", 80)]),
            component("pod", listeners=[listener("pod-l", "pod", 8000), listener("star", "pod", 80, names=["*.example.com"])]),
        ],
        aliases=[Alias(names=["api.prod.svc.cluster.local"], port=8080, listeners=["pod-l"], via="Service prod/api",
                       location=HERE)],
    )])
    assert {(h.upstream, h.listener, h.via) for h in graph.hops} == {
        ("u", "pod-l", "Service prod/api"), ("w", "star", "host name matches server name")}


def test_an_alias_fans_out_to_every_listener_behind_it() -> None:
    graph = link([Fragment(
        components=[component("edge", upstreams=[upstream("u", "edge", "api.prod", 80)]),
                    component("a", listeners=[listener("a1", "a", 8000)]),
                    component("b", listeners=[listener("b1", "b", 8000)])],
        aliases=[Alias(names=["api.prod"], port=80, listeners=["a1", "b1"], via="Service prod/api port 80",
                       location=HERE)],
    )])
    assert sorted(h.listener for h in graph.hops) == ["a1", "b1"] and graph.unresolved == []


def test_alias_ambiguity_copies_and_reasons() -> None:
    def alias(via: str, file: str, listeners=("a1",), reason=None) -> Alias:
        return Alias(names=["api"], port=80, listeners=list(listeners), via=via,
                     location=Provenance(file=file, line=1), reason=reason)

    def caller(file: str) -> Component:
        return Component(id="edge", kind="test", product="test", name="edge", location=HERE, upstreams=[
            Upstream(id="u", component="edge", name="u", location=HERE, targets=[
                Target(host="api", port=80, raw="api:80", provenance=Provenance(file=file, line=3))])])

    a = component("a", listeners=[listener("a1", "a", 8000), listener("b1", "a", 8001)])
    different = link([Fragment(components=[caller("x/nginx.conf"), a],
                               aliases=[alias("Service prod/api port 80", "p.yaml"),
                                        alias("Service staging/api port 80", "s.yaml")])])
    assert different.unresolved[0].reason == ("api:80 is ambiguous: it names Service prod/api port 80, "
                                              "Service staging/api port 80")
    copies = [alias("Service default/api port 80", "prod/svc.yaml", ["a1"]),
              alias("Service default/api port 80", "staging/svc.yaml", ["b1"])]
    nearest = link([Fragment(components=[caller("prod/nginx.conf"), a], aliases=copies)])
    assert [h.listener for h in nearest.hops] == ["a1"]
    tied = link([Fragment(components=[caller("elsewhere/nginx.conf"), a], aliases=copies)])
    assert "defined in several files (prod/svc.yaml, staging/svc.yaml)" in tied.unresolved[0].reason
    empty = link([Fragment(components=[caller("x/nginx.conf"), a],
                           aliases=[alias("Service prod/api port 80", "p.yaml", [], "selector app=api matches no pod")])])
    assert empty.unresolved[0].reason == "api:80 (Service prod/api port 80): selector app=api matches no pod"
