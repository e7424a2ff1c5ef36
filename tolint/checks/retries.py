"""Templates about retries: replaying non-idempotent requests, and retries without a bound."""

from __future__ import annotations

from collections.abc import Iterator

from tolint.checks.base import BaseParams, Template
from tolint.durations import format_seconds
from tolint.findings import Hit, anchor, related
from tolint.graph import TimeoutGraph


class NonIdempotentRetry(Template):
    key = "non-idempotent-retry"
    description = "Find retry policies that replay non-idempotent requests (POST, PATCH, LOCK)."

    def run(self, graph: TimeoutGraph, params: BaseParams) -> Iterator[Hit]:
        for upstream in graph.upstreams():
            retry = upstream.retry
            if retry is None or retry.non_idempotent.value is not True:
                continue
            where = retry.non_idempotent
            message = (
                f"{upstream.name} retries non-idempotent requests (POST, PATCH, LOCK) on another attempt: "
                f"{where.raw} ({where.provenance.describe()})"
            )
            if where.detail:
                message += f"; {where.detail}"
            redispatch = retry.redispatch if retry.redispatch is not None and retry.redispatch.value is True else None
            if redispatch is not None:
                message += f", and {redispatch.origin()} sends the retry to another server"
            message += "; a request the first server already processed can run twice"
            yield Hit(
                message=message,
                location=anchor(where, upstream.location),
                related=related(redispatch, "retries go to another server"),
                subjects=(upstream.id,),
            )


class UnboundedRetries(Template):
    key = "unbounded-retries"
    description = (
        "Find upstreams with several servers that retry on more than the product's default "
        "conditions with neither a bound on the number of tries nor on the total time."
    )

    class Params(BaseParams):
        default_conditions: list[str] = ["error", "timeout"]
        """Retry conditions that are the product's default and are not counted as added."""

    def run(self, graph: TimeoutGraph, params: Params) -> Iterator[Hit]:  # type: ignore[override]
        for upstream in graph.upstreams():
            retry = upstream.retry
            if retry is None:
                continue
            conditions = retry.conditions.value if isinstance(retry.conditions.value, list) else []
            added = [c for c in conditions if c not in params.default_conditions and c != "off"]
            if not added or "off" in conditions:
                continue
            bounded_tries = retry.tries is not None and isinstance(retry.tries.value, int) and retry.tries.value > 0
            bounded_time = retry.budget is not None and retry.budget.seconds is not None
            if bounded_tries or bounded_time:
                continue
            servers = len(upstream.targets)
            if servers < 2:
                continue
            per_try = upstream.read_timeout
            if per_try is not None and per_try.seconds is not None:
                worst = f"{servers} × {per_try.describe()} = {format_seconds(servers * per_try.seconds)}"
            else:
                worst = f"{servers} × an unlimited read timeout"
            tries_key = retry.tries.key if retry.tries is not None else "a tries limit"
            budget_key = retry.budget.key if retry.budget is not None else "a time limit"
            yield Hit(
                message=(
                    f"{upstream.name} retries ({retry.conditions.raw}, {retry.conditions.provenance.describe()}) "
                    f"across {servers} servers with neither "
                    f"{tries_key} nor {budget_key} set: one request can take up to {worst} "
                    "before the client gets an answer"
                ),
                location=anchor(retry.conditions, upstream.location),
                subjects=(upstream.id,),
            )
