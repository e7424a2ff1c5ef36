"""Template ``long-lived-idle``: long-lived connections cut by timeouts meant for requests.

A WebSocket (or any upgraded) connection, and every connection of a proxy in TCP mode,
can stay silent for minutes. Proxies with a dedicated tunnel timeout (HAProxy's
``timeout tunnel``) apply it once such a connection is established; without one, the
client and server inactivity timeouts, usually tuned for request/response traffic
(seconds), close the idle connection under both ends.
"""

from __future__ import annotations

from collections.abc import Iterator

from tolint.checks.base import BaseParams, Seconds, Template
from tolint.findings import Hit, anchor, related
from tolint.graph import Duration, TimeoutGraph, Upstream


class LongLivedIdle(Template):
    key = "long-lived-idle"
    description = (
        "Find upstreams that carry long-lived connections (TCP mode, or WebSocket upgrades) with no "
        "tunnel timeout, where the client or server inactivity timeout cuts idle connections early."
    )

    class Params(BaseParams):
        min_idle: Seconds = 300.0
        """Idle limits shorter than this (seconds, or "5m") are reported."""
        products: list[str] = ["haproxy"]
        """Products whose upstreams have a tunnel timeout that takes over for long-lived connections."""
        short_lived_ports: list[int] = [25, 80, 443, 465, 587, 8080, 8443]
        """TCP-mode traffic to these ports only (HTTP(S) passthrough, SMTP) is not treated as long-lived."""

    def run(self, graph: TimeoutGraph, params: Params) -> Iterator[Hit]:  # type: ignore[override]
        for component in graph.components:
            if component.product not in params.products:
                continue
            for upstream in component.upstreams:
                why = _long_lived(upstream)
                if why is None or not upstream.targets or upstream.tunnel_timeout is not None:
                    continue
                if upstream.protocol == "tcp" and _only_short_lived(graph, upstream, params.short_lived_ports):
                    continue
                limits: list[tuple[Duration, str]] = []
                if upstream.read_timeout is not None:
                    limits.append((upstream.read_timeout, "the server side"))
                for listener_id in upstream.serves:
                    listener = graph.listener(listener_id)
                    if listener.inactivity_timeout is not None:
                        limits.append((listener.inactivity_timeout, f"the client side ({listener.name})"))
                finite = [(value, side) for value, side in limits if value.seconds is not None]
                if not finite:
                    continue  # nothing cuts them (and missing-timeout reports the unlimited values)
                cut, side = min(finite, key=lambda item: item[0].seconds or 0.0)
                if cut.seconds is not None and cut.seconds >= params.min_idle:
                    continue
                yield Hit(
                    message=(
                        f"{upstream.name} carries {why}, which can stay silent for long, but it has no timeout "
                        f"tunnel: an idle connection is closed after {cut.describe()} on {side}; set a tunnel "
                        "timeout that fits how long these connections stay silent (for example timeout tunnel 1h)"
                    ),
                    location=anchor(None, upstream.location),
                    related=related(cut, f"closes idle long-lived connections after {cut.text()}"),
                    subjects=(upstream.id,),
                )


def _only_short_lived(graph: TimeoutGraph, upstream: Upstream, short_lived: list[int]) -> bool:
    """True when the TCP traffic goes to ports of request/response protocols only."""
    ports = {target.port for target in upstream.targets if target.port is not None}
    if not ports:  # servers without a port get the client's destination port
        ports = {endpoint.port for listener_id in upstream.serves
                 for endpoint in graph.listener(listener_id).endpoints if endpoint.port is not None}
    return bool(ports) and ports <= set(short_lived)


def _long_lived(upstream: Upstream) -> str | None:
    """Why the upstream's connections are long-lived, or None."""
    if upstream.protocol == "tcp":
        mode = upstream.settings.get("mode")
        separator = ", " if mode is not None and mode.provenance.is_default else " "
        where = f" ({mode.raw}{separator}{mode.provenance.describe()})" if mode is not None else ""
        return f"TCP connections{where}"
    upgrade = upstream.settings.get("upgrade")
    if upgrade is not None and getattr(upgrade, "value", None) is True:
        detail = getattr(upgrade, "detail", None)
        return "WebSocket connections" + (f" ({detail})" if detail else "")
    return None
