"""Template ``pool-reuse``: a pool of idle connections is configured but nothing lets it be reused."""

from __future__ import annotations

from collections.abc import Iterator

from tolint.checks.base import BaseParams, Template
from tolint.findings import Hit, anchor, related
from tolint.graph import TimeoutGraph


class PoolReuse(Template):
    key = "pool-reuse"
    description = (
        "Find upstreams with an explicitly configured pool of idle connections whose requests "
        "are sent in a way that closes the connection after every response."
    )

    def run(self, graph: TimeoutGraph, params: BaseParams) -> Iterator[Hit]:
        for upstream in graph.upstreams():
            pool, reuse = upstream.pool_size, upstream.reuse
            if pool is None or reuse is None or pool.provenance.is_default:
                continue
            if not isinstance(pool.value, int) or pool.value <= 0 or reuse.value is not False:
                continue
            reason = reuse.detail or "connections are closed after every response"
            yield Hit(
                message=(
                    f"{upstream.name}: {pool.raw} ({pool.provenance.describe()}) caches idle connections, "
                    f"but {reason}; "
                    "no connection is ever reused"
                ),
                location=anchor(reuse, upstream.location),
                related=related(pool, "the connection pool that is never used"),
                subjects=(upstream.id,),
            )
