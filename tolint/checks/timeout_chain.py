"""Template ``timeout-inversion``: a caller that gives up before the callee does.

Request paths follow ``Upstream.serves``: a request accepted by a listener is forwarded by
the upstreams that serve that listener. On each hop, the caller's time to wait for an
answer is compared with the time its callee is prepared to wait for its own backends (or
to let the request run, for an application server with a handler timeout).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from tolint.checks.base import BaseParams, Seconds, Template
from tolint.checks.retries import retries
from tolint.findings import Hit, Related, anchor
from tolint.graph import Duration, TimeoutGraph, Upstream


def patience(upstream: Upstream) -> Duration | None:
    """How long a caller waits for the first byte of an answer: the shorter of its read
    (inactivity) timeout and its whole-request deadline; None when neither is finite."""
    finite = [d for d in (upstream.read_timeout, upstream.request_timeout)
              if d is not None and d.seconds is not None and d.seconds > 0]
    return min(finite, key=lambda d: d.seconds or 0) if finite else None


class TimeoutInversion(Template):
    key = "timeout-inversion"
    description = (
        "On each hop, compare how long the caller waits for an answer with how long the callee "
        "waits for its own backends or lets a request run."
    )

    class Params(BaseParams):
        margin: Seconds = 0.0
        """How much longer the callee's timeout must be than the caller's before it is reported."""

    def run(self, graph: TimeoutGraph, params: Params) -> Iterator[Hit]:  # type: ignore[override]
        served_by: dict[str, list[Upstream]] = defaultdict(list)
        for upstream in graph.upstreams():
            for listener_id in upstream.serves:
                served_by[listener_id].append(upstream)
        for hop in graph.hops:
            caller = graph.upstream(hop.upstream)
            waits = patience(caller)
            if waits is None or waits.seconds is None:
                continue
            listener = graph.listener(hop.listener)
            candidates: list[tuple[Duration, str]] = []
            for onward in served_by.get(listener.id, ()):
                if onward.id == caller.id:
                    continue
                bound = patience(onward)
                if bound is not None:
                    candidates.append((bound, f"{onward.name} waits up to {bound.describe()} for its backend"))
            handler = listener.settings.get("handler_timeout")
            if isinstance(handler, Duration) and handler.seconds is not None and handler.seconds > 0:
                candidates.append((handler, f"{listener.name} lets a request run for up to {handler.describe()}"))
            if not candidates:
                continue
            longest, what = max(candidates, key=lambda item: item[0].seconds or 0)
            assert longest.seconds is not None
            if longest.seconds <= waits.seconds + params.margin:
                continue
            retry = caller.retry
            again = ""
            # A proxy with one server has nowhere to retry to; a client policy (with a backoff) retries anyway.
            if retry is not None and retries(retry) and (retry.backoff is not None or len(caller.targets) > 1):
                again = (f", and {caller.name} retries ({retry.conditions.raw or 'on failure'}), starting the same "
                         "work again while the first run goes on")
            yield Hit(
                message=(
                    f"{caller.name} gives up after {waits.describe()}, but behind it {what}; when the backend is "
                    f"slow the caller answers with an error (504) while the work goes on{again}; give the caller "
                    "the longer timeout, or shorten the callee's"
                ),
                location=anchor(waits, caller.location),
                related=(Related(anchor(longest, listener.location), f"the other end: {what}", "the other end"),),
                subjects=(caller.id, listener.id),
            )
