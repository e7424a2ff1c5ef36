"""Template ``idle-order``: on every hop the caller must drop idle connections before the callee does."""

from __future__ import annotations

from collections.abc import Iterator

from tolint.checks.base import BaseParams, Seconds, Template
from tolint.findings import Hit, Related, anchor
from tolint.graph import TimeoutGraph


class IdleOrder(Template):
    key = "idle-order"
    description = (
        "On each hop whose caller reuses idle connections, compare the caller's idle timeout "
        "with the callee's keep-alive idle timeout; the callee must keep connections longer."
    )

    class Params(BaseParams):
        margin: Seconds = 1.0
        """How much longer (seconds) the callee must keep idle connections than the caller."""

    def run(self, graph: TimeoutGraph, params: Params) -> Iterator[Hit]:  # type: ignore[override]
        for _hop, upstream, listener in graph.hop_ends():
            if not upstream.reuses_connections:
                continue
            caller, callee = upstream.idle_timeout, listener.idle_timeout
            if caller is None or callee is None or callee.seconds is None or callee.seconds == 0:
                continue  # the callee never closes idle connections, or does not keep them at all
            if caller.seconds is not None and caller.seconds + params.margin <= callee.seconds:
                continue
            needed = (caller.seconds or 0) + params.margin
            callee_location = anchor(callee, listener.location)
            callee_text = callee.describe()
            yield Hit(
                message=(
                    f"{upstream.name} keeps idle connections for {caller.describe()}, but {listener.name} "
                    f"closes them after {callee_text}; a request sent as the server closes the "
                    "connection fails with a reset (502)"
                ),
                location=anchor(caller, upstream.location),
                related=(
                    Related(callee_location, f"the other end: {listener.name} closes idle connections after "
                            f"{callee_text}; it needs at least {needed:g}s", "the other end"),
                ),
                subjects=(upstream.id, listener.id),
            )
