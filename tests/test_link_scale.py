"""The linker on large and hostile trees: resolving a target never scans every listener.

A 3 MB nginx file with 20,000 servers took six minutes to link when every target was
compared with every listener; the index makes each lookup a dictionary access.
"""

from __future__ import annotations

import time

from tolint.graph import Component, Endpoint, Fragment, Listener, Provenance, Target, Upstream
from tolint.link import link

HERE = Provenance(file="f", line=1)


def _tree(count: int) -> list[Fragment]:
    """``count`` servers, each proxying to the next by server name, and one by address and one by loopback."""
    components = []
    for index in range(count):
        cid = f"c{index}"
        following = (index + 1) % count
        components.append(Component(
            id=cid, kind="test", product="test", name=cid, location=HERE,
            listeners=[Listener(id=f"{cid}-l", component=cid, name=f"{cid}-l", location=HERE,
                                endpoints=[Endpoint(host=f"10.{index // 250}.{index % 250}.1", port=80),
                                           Endpoint(host="127.0.0.1", port=8080)],
                                names=[f"s{index}.internal"])],
            upstreams=[Upstream(id=f"{cid}-u", component=cid, name=f"{cid}-u", location=HERE, targets=[
                Target(host=f"s{following}.internal", port=80, provenance=HERE),
                Target(host=f"10.{following // 250}.{following % 250}.1", port=80, provenance=HERE),
                Target(host="127.0.0.1", port=8080, provenance=HERE),
            ])],
        ))
    return [Fragment(components=components)]


def test_thousands_of_servers_link_in_linear_time() -> None:
    fragments = _tree(6000)
    started = time.perf_counter()
    graph = link(fragments)
    elapsed = time.perf_counter() - started
    assert len(graph.hops) == 6000 * 2 and not graph.unresolved  # name (and address: the same listener) + loopback
    # Scanning every listener for every target took about 30 s here; the index takes well under one.
    assert elapsed < 5, f"linking 6000 servers took {elapsed:.1f}s"


def _listener(lid: str, names: list[str], ports: list[int | None]) -> Listener:
    return Listener(id=lid, component=lid, name=lid, location=HERE, names=names,
                    endpoints=[Endpoint(port=port) for port in ports])


def _resolve(host: str, port: int | None, *listeners: Listener) -> set[str]:
    caller = Component(id="caller", kind="test", product="test", name="caller", location=HERE, upstreams=[
        Upstream(id="u", component="caller", name="u", location=HERE,
                 targets=[Target(host=host, port=port, provenance=HERE)])])
    others = [Component(id=item.id, kind="test", product="test", name=item.id, location=HERE, listeners=[item])
              for item in listeners]
    graph = link([Fragment(components=[caller, *others])])
    return {hop.listener for hop in graph.hops}


def test_indexed_names_match_like_server_names() -> None:
    star = _listener("star", ["*.Example.com"], [80])
    dot = _listener("dot", [".example.org"], [80])
    inner = _listener("inner", ["www.*"], [80])
    regex = _listener("regex", ["~^api\\d+$"], [80])
    assert _resolve("a.b.example.com", 80, star) == {"star"}
    assert _resolve("example.com", 80, star) == set()  # *.example.com does not name the domain itself
    assert _resolve("example.org", 80, dot) == {"dot"} and _resolve("x.example.org", 80, dot) == {"dot"}
    assert _resolve("www.shop.test", 80, inner) == {"inner"}
    assert _resolve("api1", 80, regex) == set()  # regular expressions are not evaluated
    assert _resolve("a.example.com", 81, star) == set()  # wrong port


def test_a_listener_on_several_ports_is_not_ambiguous_with_itself() -> None:
    both = _listener("both", ["app"], [80, 443])
    assert _resolve("app", None, both) == {"both"}
    assert _resolve("app", 443, both, _listener("other", ["app"], [None])) == set()  # two listeners: ambiguous
