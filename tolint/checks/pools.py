"""Templates about connection pools: lifetimes and pings against the server's idle limits.

``pool-lifetime``: a pool without an idle timeout in effect keeps a connection until its
maximum lifetime; when that lifetime is at or above the server's idle timeout and no ping
keeps the connection busy, the server closes connections the pool still hands out.

``ping-policy``: a client that pings (gRPC keep-alive) more often than the server permits,
or while no call is active when the server does not allow that, is disconnected with
GOAWAY ENHANCE_YOUR_CALM "too_many_pings".
"""

from __future__ import annotations

from collections.abc import Iterator

from tolint.checks.base import BaseParams, Seconds, Template
from tolint.findings import Hit, Related, anchor
from tolint.graph import Duration, Listener, TimeoutGraph, Value


def server_idle(listener: Listener) -> Duration | None:
    """How long the server lets a connection sit unused (a TCP proxy's inactivity timeout counts)."""
    idle = listener.idle_timeout
    if idle is None and listener.protocol == "tcp":
        idle = listener.inactivity_timeout
    if idle is None or idle.seconds is None or idle.seconds == 0:
        return None
    return idle


class PoolLifetime(Template):
    key = "pool-lifetime"
    description = (
        "On each hop from a connection pool with no idle timeout in effect, compare the pool's "
        "maximum connection lifetime (and its keep-alive pings) with the server's idle timeout."
    )

    class Params(BaseParams):
        margin: Seconds = 1.0
        """How much shorter than the server's idle timeout the lifetime or the ping interval must be."""

    def run(self, graph: TimeoutGraph, params: Params) -> Iterator[Hit]:  # type: ignore[override]
        for hop, upstream, listener in graph.hop_ends():
            if not upstream.reuses_connections:
                continue
            if upstream.idle_timeout is not None:
                continue  # the pool retires idle connections itself: idle-timeout-order compares that
            lifetime = upstream.max_lifetime
            limit = server_idle(listener)
            if lifetime is None or limit is None:
                continue
            assert limit.seconds is not None
            ping = upstream.settings.get("ping_interval")
            if isinstance(ping, Duration) and ping.seconds is not None and ping.seconds + params.margin <= limit.seconds:
                continue  # pings reset the server's idle clock in time
            if lifetime.seconds is not None and lifetime.seconds + params.margin <= limit.seconds:
                continue
            if isinstance(ping, Duration) and ping.seconds is not None:
                pings = f"and pings idle connections only every {ping.describe()}"
            elif isinstance(ping, Duration):
                pings = f"and does not ping idle connections ({ping.origin()}: disabled)"
            else:
                pings = "and does not ping idle connections"
            needed = max(limit.seconds - params.margin, 0)
            yield Hit(
                message=(
                    f"{upstream.name} keeps a connection for up to {lifetime.describe()}, with no idle timeout, "
                    f"{pings}; but {listener.name} closes connections idle for {limit.describe()}. A connection "
                    "left unused that long is closed by the server while the pool still hands it out: the next "
                    "use fails (\"No operations allowed after connection closed\", \"server closed the "
                    f"connection unexpectedly\") or stalls on validation; keep the lifetime or the ping interval "
                    f"below {needed:g}s"
                ),
                location=anchor(lifetime, upstream.location),
                related=(Related(anchor(limit, listener.location),
                                 f"the other end: {listener.name} closes idle connections after {limit.describe()}",
                                 "the other end"),),
                subjects=(upstream.id, listener.id),
            )


class PingPolicy(Template):
    key = "ping-policy"
    description = (
        "On each hop whose client sends keep-alive pings, compare the ping interval with the "
        "shortest interval the server permits, and pings without calls with what the server allows."
    )

    def run(self, graph: TimeoutGraph, params: BaseParams) -> Iterator[Hit]:
        for hop, upstream, listener in graph.hop_ends():
            ping = upstream.settings.get("ping_interval")
            if not isinstance(ping, Duration) or ping.seconds is None:
                continue
            reasons: list[str] = []
            related: list[Related] = []
            minimum = listener.settings.get("ping_min_interval")
            if isinstance(minimum, Duration) and minimum.seconds is not None and ping.seconds < minimum.seconds:
                reasons.append(f"pings every {ping.describe()}, but {listener.name} accepts a ping at most every "
                               f"{minimum.describe()}")
                related.append(Related(anchor(minimum, listener.location),
                                       f"the other end: {listener.name} permits pings every {minimum.describe()}",
                                       "the other end"))
            client_idle = upstream.settings.get("ping_without_calls")
            server_idle_pings = listener.settings.get("ping_without_calls")
            if (isinstance(client_idle, Value) and client_idle.value is True and isinstance(server_idle_pings, Value)
                    and server_idle_pings.value is False):
                reasons.append(f"pings while no call is active ({client_idle.origin()}), which {listener.name} "
                               f"does not permit ({server_idle_pings.origin()})")
                location = anchor(server_idle_pings, listener.location)
                if all(item.location != location for item in related):
                    related.append(Related(location, f"the other end: {listener.name} forbids pings without calls",
                                           "the other end"))
            if not reasons:
                continue
            yield Hit(
                message=(
                    f"{upstream.name} " + "; it also ".join(reasons) + ". The server counts each such ping as a "
                    "strike and, after a few, closes the connection with GOAWAY ENHANCE_YOUR_CALM "
                    "(\"too_many_pings\"), failing the calls on it"
                ),
                location=anchor(ping, upstream.location),
                related=tuple(related),
                subjects=(upstream.id, listener.id),
            )
