"""Templates about retries: replaying non-idempotent requests, and retries without a bound."""

from __future__ import annotations

from collections.abc import Iterator

from tolint.checks.base import BaseParams, Seconds, Template
from tolint.durations import format_seconds
from tolint.findings import Hit, Related, anchor, related
from tolint.graph import Duration, RetryPolicy, TimeoutGraph


def retries(retry: RetryPolicy) -> bool:
    """Whether a policy can retry at all: not ``off``, and not limited to a single attempt."""
    words = retry.conditions.value if isinstance(retry.conditions.value, list) else []
    if words == ["off"]:
        return False
    return not (retry.tries is not None and retry.tries.value == 1)


def _finite(duration: Duration | None) -> Duration | None:
    return duration if duration is not None and duration.seconds is not None else None


class NonIdempotentRetry(Template):
    key = "non-idempotent-retry"
    description = "Find retry policies that replay non-idempotent requests (POST, PATCH, LOCK)."

    def run(self, graph: TimeoutGraph, params: BaseParams) -> Iterator[Hit]:
        for upstream in graph.upstreams():
            retry = upstream.retry
            if retry is None or retry.non_idempotent.value is not True or not retries(retry):
                continue
            if retry.idempotency_key is not None and retry.idempotency_key.value not in (False, "", None):
                continue  # the server can deduplicate a replayed request
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


class RetryBudget(Template):
    key = "retry-budget"
    description = (
        "Find retry policies whose attempts, each with its own timeout, plus the delays between "
        "them, do not fit in the caller's deadline (or whose last retry can never start in time)."
    )

    class Params(BaseParams):
        margin: Seconds = 0.0
        """How much the attempts may exceed the deadline before it is reported."""

    def run(self, graph: TimeoutGraph, params: Params) -> Iterator[Hit]:  # type: ignore[override]
        for upstream in graph.upstreams():
            retry = upstream.retry
            if retry is None or retry.tries is None or not retries(retry):
                continue
            tries = retry.tries.value
            if not isinstance(tries, int) or isinstance(tries, bool) or tries < 2:
                continue  # 0 (unlimited) is unbounded-retries' business
            per_try = _finite(retry.per_try_timeout) or _finite(upstream.read_timeout)
            if per_try is None or per_try.seconds is None:
                continue
            backoff = _finite(retry.backoff)
            pause = backoff.seconds if backoff is not None and backoff.seconds else 0.0
            delays = f" plus {tries - 1} × {backoff.describe()} between them" if pause and backoff else ""
            attempts = f"{upstream.name} makes up to {tries} attempts ({retry.tries.origin()}) of {per_try.describe()} each"
            deadline = _finite(upstream.request_timeout)
            budget = _finite(retry.budget)
            if deadline is not None and deadline is not per_try and deadline.seconds is not None:
                # A deadline ends the attempt in flight: every attempt must fit in it.
                total = tries * per_try.seconds + (tries - 1) * pause
                if total <= deadline.seconds + params.margin:
                    continue
                message = (f"{attempts}{delays}, {format_seconds(total)} in all, but {deadline.describe()} ends the "
                           "whole call first; a slow attempt uses up the deadline and the retries it was meant to "
                           "allow never run")
                limit = deadline
            elif budget is not None and budget.seconds is not None:
                # A retry budget (nginx proxy_next_upstream_timeout) only stops new attempts from starting.
                last_start = (tries - 1) * (per_try.seconds + pause)
                if last_start < budget.seconds - params.margin:
                    continue
                message = (f"{attempts}{delays}, but after timed-out attempts the last one would start at "
                           f"{format_seconds(last_start)}, when {budget.describe()} no longer lets a retry start; "
                           f"the last {'retry' if tries == 2 else 'retries'} can never follow a timeout")
                limit = budget
            else:
                continue
            yield Hit(
                message=message,
                location=anchor(retry.tries, upstream.location),
                related=(Related(anchor(limit, upstream.location), f"the limit: {limit.describe()}"),),
                subjects=(upstream.id,),
            )


class RetryBackoff(Template):
    key = "retry-backoff"
    description = "Find client retry policies that retry at once: no backoff delay and no jitter."

    def run(self, graph: TimeoutGraph, params: BaseParams) -> Iterator[Hit]:
        for upstream in graph.upstreams():
            retry = upstream.retry
            # Only policies that have a backoff at all: a proxy moving on to the next server does not.
            if retry is None or retry.backoff is None or not retries(retry):
                continue
            if retry.backoff.seconds is None or retry.backoff.seconds > 0:
                continue
            if retry.jitter is not None and retry.jitter.value is True:
                continue
            attempts = f"{retry.tries.text()} attempts ({retry.tries.origin()})" if retry.tries is not None else "attempts"
            if retry.backoff.raw.endswith("(not declared)"):
                delay = f"no backoff is declared for the retry {retry.backoff.provenance.describe()}"
            else:
                delay = f"backoff {retry.backoff.describe()}"
            yield Hit(
                message=(
                    f"{upstream.name} retries at once: {attempts} with no delay between them ({delay}) and no "
                    "jitter; when the callee is overloaded or restarting, "
                    "every client retries in the same instant and multiplies the load it is failing under"
                ),
                location=anchor(retry.backoff, upstream.location),
                subjects=(upstream.id,),
            )
