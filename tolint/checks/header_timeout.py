"""Template ``header-timeout-covers-idle``: a header timeout that also runs while a kept-alive socket is idle.

Some server versions (Node.js 10.15.2 to 12.18, 13.x) start the header timer of the next
request as soon as the previous response is sent. With a header timeout at or below the
keep-alive timeout, the server destroys idle keep-alive sockets early, and the load
balancer that reuses one gets a reset. Presets record which versions behave so.
"""

from __future__ import annotations

from collections.abc import Iterator

from tolint.checks.base import BaseParams, Seconds, Template
from tolint.findings import Hit, Related, anchor
from tolint.graph import TimeoutGraph, Value


class HeaderTimeoutCoversIdle(Template):
    key = "header-timeout-covers-idle"
    description = (
        "Find listeners whose header timeout also counts a kept-alive connection's idle time and is "
        "not longer than their keep-alive idle timeout."
    )

    class Params(BaseParams):
        margin: Seconds = 0.0
        """How much longer than the keep-alive timeout the header timeout must be."""

    def run(self, graph: TimeoutGraph, params: Params) -> Iterator[Hit]:  # type: ignore[override]
        for listener in graph.listeners():
            covers = listener.settings.get("header_timeout_covers_idle")
            if not isinstance(covers, Value) or covers.value is not True:
                continue
            header, idle = listener.header_timeout, listener.idle_timeout
            if header is None or idle is None or header.seconds is None or idle.seconds is None or idle.seconds == 0:
                continue
            if header.seconds > idle.seconds + params.margin:
                continue
            yield Hit(
                message=(
                    f"{listener.name}: the header timeout {header.describe()} is not above the keep-alive timeout "
                    f"{idle.describe()}, and this version starts the header timer while a kept-alive socket waits "
                    f"for its next request ({covers.origin()}); the server destroys idle keep-alive sockets after "
                    f"{header.text()} instead of {idle.text()}, so a load balancer that reuses one gets a reset "
                    "(502); set the header timeout above the keep-alive timeout"
                ),
                location=anchor(header, listener.location),
                related=(Related(anchor(idle, listener.location), f"the keep-alive timeout: {idle.describe()}"),),
                subjects=(listener.id,),
            )
