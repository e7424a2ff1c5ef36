"""Template ``middlebox-idle``: pooled connections that cross a box which forgets idle flows.

A NAT gateway, a layer-4 load balancer or a stateful firewall keeps a table entry per
connection and drops the entry after an idle timeout, without telling either end. A pooled
or long-lived connection that can sit idle longer than that, with nothing (TCP keep-alive
probes, application pings) crossing it more often, is silently broken: the next request
on it is reset or vanishes.
"""

from __future__ import annotations

from collections.abc import Iterator

from tolint.checks.base import BaseParams, Seconds, Template
from tolint.findings import Hit, Related, anchor
from tolint.graph import Duration, Listener, Middlebox, TcpKeepalive, TimeoutGraph, Upstream
from tolint.durations import format_seconds

# Protocols whose connections stay open between requests without an HTTP keep-alive decision.
_LONG_LIVED = {"grpc", "tcp", "jdbc", "mysql", "postgresql", "redis", "amqp", "kafka"}


class MiddleboxIdle(Template):
    key = "middlebox-idle"
    description = (
        "On each hop that crosses a middlebox, compare the middlebox's idle timeout with how long "
        "the connection can stay idle and how often keep-alive traffic crosses it."
    )

    class Params(BaseParams):
        margin: Seconds = 1.0
        """How much earlier than the middlebox's idle timeout the connection must be closed or see traffic."""

    def run(self, graph: TimeoutGraph, params: Params) -> Iterator[Hit]:  # type: ignore[override]
        for hop, upstream, listener in graph.hop_ends():
            if not hop.middleboxes:
                continue
            if not _long_lived(upstream, listener):
                continue
            cap = idle_cap(upstream, listener)
            traffic = keepalive_traffic(upstream, listener)
            for box in hop.middleboxes:
                limit = box.idle_timeout.seconds
                if limit is None:
                    continue
                if cap is not None and cap[0] + params.margin <= limit:
                    continue  # an idle connection is closed before the box forgets it
                if traffic is not None and traffic[0] + params.margin <= limit:
                    continue  # keep-alive traffic refreshes the box's entry in time
                yield _hit(upstream, listener, box, cap, traffic)


def _long_lived(upstream: Upstream, listener: Listener) -> bool:
    if listener.idle_timeout is not None and listener.idle_timeout.seconds == 0 and listener.protocol.startswith("http"):
        return False  # the server closes after every response
    if upstream.reuse is not None:
        return upstream.reuses_connections
    return upstream.protocol in _LONG_LIVED or listener.protocol in _LONG_LIVED


def idle_cap(upstream: Upstream, listener: Listener) -> tuple[float, Duration] | None:
    """The longest a connection can stay idle, and the setting that bounds it (None: nothing does)."""
    bounds: list[Duration | None] = [upstream.idle_timeout, upstream.max_lifetime, listener.idle_timeout]
    if listener.protocol == "tcp" and listener.idle_timeout is None:
        bounds.append(listener.inactivity_timeout)
    finite = [(d.seconds, d) for d in bounds if d is not None and d.seconds is not None and d.seconds > 0]
    return min(finite, key=lambda item: item[0]) if finite else None


def keepalive_traffic(upstream: Upstream, listener: Listener) -> tuple[float, str] | None:
    """The longest silence keep-alive traffic allows on an idle connection, and what sends it."""
    found: list[tuple[float, str]] = []
    for owner, keepalive in ((upstream.name, upstream.tcp_keepalive), (listener.name, listener.tcp_keepalive)):
        gap = tcp_gap(keepalive)
        if gap is not None:
            found.append((gap[0], f"TCP keep-alive from {owner} every {gap[1]}"))
    for owner, settings in ((upstream.name, upstream.settings), (listener.name, listener.settings)):
        ping = settings.get("ping_interval")
        if isinstance(ping, Duration) and ping.seconds is not None and ping.seconds > 0:
            found.append((ping.seconds, f"pings from {owner} every {ping.describe()}"))
    return min(found, key=lambda item: item[0]) if found else None


def tcp_gap(keepalive: TcpKeepalive | None) -> tuple[float, str] | None:
    """Probes start after ``idle`` and repeat every ``interval``: the longest silence is the larger."""
    if keepalive is None or keepalive.enabled.value is not True or keepalive.idle is None:
        return None
    idle = keepalive.idle
    if idle.seconds is None:
        return None
    interval = keepalive.interval
    if interval is not None and interval.seconds is not None and interval.seconds > idle.seconds:
        return interval.seconds, f"{interval.describe()} after the first probe at {idle.describe()}"
    return idle.seconds, idle.describe()


def _why_silent(upstream: Upstream, listener: Listener) -> str:
    parts = []
    for owner, keepalive in ((upstream.name, upstream.tcp_keepalive), (listener.name, listener.tcp_keepalive)):
        if keepalive is not None and keepalive.enabled.value is not True:
            parts.append(f"TCP keep-alive is off at {owner} ({keepalive.enabled.origin()})")
    if not parts:
        parts.append("neither end enables TCP keep-alive or sends pings")
    return "; ".join(parts)


def _hit(upstream: Upstream, listener: Listener, box: Middlebox, cap: tuple[float, Duration] | None,
         traffic: tuple[float, str] | None) -> Hit:
    if cap is None:
        idle = "nothing closes an idle connection sooner"
    else:
        idle = f"a connection can stay idle for up to {cap[1].describe()}"
    if traffic is None:
        silent = f"and nothing crosses it while it is idle: {_why_silent(upstream, listener)}"
    else:
        silent = f"and the only keep-alive traffic is {traffic[1]}"
    if box.on_expiry == "rst":
        outcome = "the next request on such a connection gets a reset (connection reset by peer)"
    else:
        outcome = ("the next request on such a connection is silently dropped and hangs until TCP "
                   "gives up retransmitting")
    needed = f"; close idle connections or send keep-alive traffic within {format_seconds(box.idle_timeout.seconds)}"
    message = (
        f"{upstream.name} reaches {listener.name} through {box.name} ({box.kind}), which forgets connections "
        f"idle for {box.idle_timeout.describe()}; {idle}, {silent}; {outcome}{needed}"
    )
    related = []
    box_location = anchor(box.idle_timeout, box.location)
    related.append(Related(box_location, f"the middlebox: {box.name} forgets idle connections after "
                                         f"{box.idle_timeout.describe()}", "the middlebox"))
    if listener.idle_timeout is not None:
        related.append(Related(anchor(listener.idle_timeout, listener.location),
                               f"the other end: {listener.name} keeps idle connections for "
                               f"{listener.idle_timeout.describe()}", "the other end"))
    primary = cap[1] if cap is not None and cap[1] in (upstream.idle_timeout, upstream.max_lifetime) else upstream.idle_timeout
    return Hit(message=message, location=anchor(primary, upstream.location), related=tuple(related),
               subjects=(upstream.id, listener.id))
