"""Template ``client-missing-timeout``: a client (HTTP, gRPC) with no timeout at all.

Merged into TL201 missing-timeout by the lead; until then no rule in the catalog uses it
(see tests/rule_cases/TL201-clients.yaml.pending and tests/checks/test_client_timeouts.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from tolint.checks.base import BaseParams, Template
from tolint.findings import Hit, anchor
from tolint.graph import TimeoutGraph


class ClientMissingTimeout(Template):
    key = "client-missing-timeout"
    description = "Find declared clients whose read timeout and request deadline are both unlimited."

    class Params(BaseParams):
        kinds: list[str] = ["client", "grpc-client"]
        """Component kinds checked: clients that make requests on behalf of their callers."""

    def run(self, graph: TimeoutGraph, params: Params) -> Iterator[Hit]:  # type: ignore[override]
        for component in graph.components:
            if component.kind not in params.kinds:
                continue
            for upstream in component.upstreams:
                known = [d for d in (upstream.request_timeout, upstream.read_timeout) if d is not None]
                if not known or any(d.seconds is not None for d in known):
                    continue
                values = " and ".join(d.describe() for d in known)
                yield Hit(
                    message=(
                        f"{upstream.name} has no timeout: {values}; a callee that stops answering holds the "
                        "request, and the thread, connection or goroutine behind it, forever"
                    ),
                    location=anchor(known[0], upstream.location),
                    subjects=(upstream.id,),
                )
