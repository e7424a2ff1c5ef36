"""Templates about graceful shutdown: grace periods, preStop delays, drain times, load balancer draining.

They read each component's ``Lifecycle`` (for a Kubernetes workload container: the pod's
``terminationGracePeriodSeconds``, its preStop delay, and the app server's own drain time)
and, for traffic, the hops and aliases that lead to its listeners.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from tolint.checks.base import BaseParams, Seconds, Template
from tolint.durations import format_seconds
from tolint.findings import Hit, Related, anchor, related
from tolint.graph import Component, Duration, Hop, Lifecycle, TimeoutGraph

# Components that pass traffic through to the pod they sit in; traffic sources are looked up behind them.
PASS_THROUGH = ("istio-sidecar",)
# Callers that learn pod addresses from endpoints and keep sending to a terminating pod until they hear of it.
EDGE_KINDS = ["aws-alb", "aws-nlb", "aws-clb", "gcp-lb", "ingress-nginx", "k8s-gateway", "istio-mesh", "nginx",
              "haproxy"]


class _Traffic:
    """Who sends traffic to which component: hops into its listeners, and Services that select it."""

    def __init__(self, graph: TimeoutGraph) -> None:
        self.graph = graph
        self.incoming: dict[str, list[Hop]] = defaultdict(list)
        for hop in graph.hops:
            self.incoming[hop.listener].append(hop)
        self.aliased: dict[str, str] = {}
        for alias in graph.aliases:
            for listener in alias.listeners:
                self.aliased.setdefault(listener, alias.via)

    def serves(self, component: Component) -> str | None:
        """How the component receives traffic, or None when nothing points at it.

        A caller in the tree that reaches it counts; so does a Service that selects it on a
        port the pod declares or its server listens on (a Service in front of a container
        that runs ``sleep infinity``, for a mesh identity, does not).
        """
        for listener in component.listeners:
            if listener.id in self.incoming:
                return self.incoming[listener.id][0].via
            declared = "containerPort" in listener.settings or listener.idle_timeout is not None
            if listener.id in self.aliased and (declared or component.kind != "k8s-workload"):
                return self.aliased[listener.id]
        return None

    def callers(self, component: Component, kinds: set[str], depth: int = 0) -> list[tuple[Hop, Component]]:
        """Hops from components of ``kinds`` into the component, looking through pass-through sidecars."""
        found: list[tuple[Hop, Component]] = []
        for listener in component.listeners:
            for hop in self.incoming.get(listener.id, ()):
                caller = self.graph.component(self.graph.upstream(hop.upstream).component)
                if caller.kind in kinds:
                    found.append((hop, caller))
                elif caller.kind in PASS_THROUGH and depth < 2:
                    found.extend(self.callers(caller, kinds, depth + 1))
        return found

    def pods_behind(self, listener_id: str) -> list[Component]:
        """The components whose lifecycle governs a listener (through a pass-through sidecar)."""
        component = self.graph.component(self.graph.listener(listener_id).component)
        if component.kind not in PASS_THROUGH:
            return [component]
        found: list[Component] = []
        for upstream in component.upstreams:
            for hop in self.graph.hops_from(upstream.id):
                found.append(self.graph.component(self.graph.listener(hop.listener).component))
        return found


def _grace(component: Component) -> Duration | None:
    lifecycle = component.lifecycle
    return lifecycle.grace_period if lifecycle is not None else None


def _limited_grace(graph: TimeoutGraph) -> Iterator[tuple[Component, Lifecycle, Duration]]:
    """Components with a lifecycle whose grace period is known, finite and not zero."""
    for component in graph.components:
        lifecycle = component.lifecycle
        grace = lifecycle.grace_period if lifecycle is not None else None
        if lifecycle is not None and grace is not None and grace.seconds not in (None, 0):
            yield component, lifecycle, grace


class ZeroGrace(Template):
    key = "zero-grace"
    description = "Find components that serve traffic and are killed without SIGTERM (a grace period of 0)."

    def run(self, graph: TimeoutGraph, params: BaseParams) -> Iterator[Hit]:
        traffic = _Traffic(graph)
        for component in graph.components:
            grace = _grace(component)
            if grace is None or grace.seconds != 0:
                continue
            via = traffic.serves(component)
            if via is None:
                continue
            yield Hit(
                message=(
                    f"{component.name} serves traffic ({via}) but {grace.describe()} kills it with SIGKILL at "
                    "once, with no SIGTERM: in-flight requests are cut and callers that still route to it get "
                    "connection resets until its endpoint is removed"
                ),
                location=anchor(grace, component.location),
                subjects=(component.id, *(listener.id for listener in component.listeners)),
            )


class MissingPrestop(Template):
    key = "missing-prestop"
    description = (
        "Find pods that receive traffic from a load balancer, an ingress or a proxy through a Service "
        "and have no preStop delay, so they stop serving while endpoints still point at them."
    )

    class Params(BaseParams):
        caller_kinds: list[str] = EDGE_KINDS
        """Component kinds whose traffic makes a preStop delay necessary."""
        min_delay: Seconds = 1.0
        """A preStop delay shorter than this counts as missing."""

    def run(self, graph: TimeoutGraph, params: Params) -> Iterator[Hit]:  # type: ignore[override]
        traffic = _Traffic(graph)
        kinds = set(params.caller_kinds)
        for component in graph.components:
            lifecycle = component.lifecycle
            grace = _grace(component)
            if lifecycle is None or grace is None or grace.seconds == 0:
                continue  # no pod lifecycle, or zero-grace-period reports it
            delay = lifecycle.prestop_delay
            if delay is not None and (delay.seconds is None or delay.seconds >= params.min_delay):
                continue
            if delay is None and "preStop" in component.settings:
                continue  # a hook whose duration cannot be read (a script, an HTTP call): not guessed
            callers = traffic.callers(component, kinds)
            if not callers:
                continue
            hop, caller = callers[0]
            upstream = graph.upstream(hop.upstream)
            others = len({c.id for _, c in callers}) - 1
            who = caller.name + (f" and {others} other caller{'s' if others > 1 else ''}" if others else "")
            have = f"its preStop delay is {delay.describe()}" if delay is not None else "it has no preStop delay"
            yield Hit(
                message=(
                    f"{component.name} receives traffic from {who} ({hop.via}), but {have}: on SIGTERM it stops "
                    "serving at once, while its removal from the endpoints takes seconds to reach the caller, "
                    "which keeps sending it requests that fail (502, connection refused) during every rollout"
                ),
                location=anchor(delay, lifecycle.location or component.location),
                related=(Related(anchor(None, upstream.location), f"traffic comes from {upstream.name}", "caller"),),
                subjects=(component.id, upstream.id),
            )


class PrestopOverGrace(Template):
    key = "prestop-over-grace"
    description = "Find preStop delays that use up the whole grace period (the grace period includes the hook)."

    def run(self, graph: TimeoutGraph, params: BaseParams) -> Iterator[Hit]:
        for component, lifecycle, grace in _limited_grace(graph):
            delay = lifecycle.prestop_delay
            if delay is None or delay.seconds is None or delay.seconds < grace.seconds:
                continue
            yield Hit(
                message=(
                    f"{component.name}: the preStop delay of {delay.describe()} uses up the whole grace period of "
                    f"{grace.describe()}; the grace period counts from the start of the hook, so SIGTERM comes "
                    "only when it is over and SIGKILL follows about 2s later: the app never shuts down cleanly"
                ),
                location=anchor(delay, lifecycle.location or component.location),
                related=related(grace, f"the grace period: {grace.describe()}", "grace period"),
                subjects=(component.id,),
            )


class DrainOverGrace(Template):
    key = "drain-over-grace"
    description = (
        "Find components whose preStop delay plus their own drain time (app server graceful timeout, "
        "nginx worker_shutdown_timeout, a declared drain time) is longer than the grace period."
    )

    class Params(BaseParams):
        margin: Seconds = 0.0
        """Extra time the grace period must leave after the preStop delay and the drain time."""

    def run(self, graph: TimeoutGraph, params: Params) -> Iterator[Hit]:  # type: ignore[override]
        for component, lifecycle, grace in _limited_grace(graph):
            drain = lifecycle.drain_timeout
            if drain is None or drain.seconds is None:
                continue  # no drain bound: the grace period is the only one
            delay = lifecycle.prestop_delay
            before = delay.seconds if delay is not None and delay.seconds is not None else 0.0
            if before >= grace.seconds:
                continue  # prestop-exceeds-grace reports it
            needed = before + drain.seconds + params.margin
            if needed <= grace.seconds:
                continue
            if delay is not None and before:
                total = f"{delay.describe()} + {drain.describe()} = {format_seconds(before + drain.seconds)}"
            else:
                total = drain.describe()
            yield Hit(
                message=(
                    f"{component.name}: {total} is "
                    f"longer than the grace period of {grace.describe()}: SIGKILL arrives while it is still "
                    "finishing requests, which are cut off"
                ),
                location=anchor(grace, lifecycle.location or component.location),
                related=(*related(drain, f"its drain time: {drain.describe()}", "drain time"),
                         *(related(delay, f"the preStop delay: {delay.describe()}", "preStop")
                           if delay is not None and before else ())),
                subjects=(component.id,),
            )


class DeregistrationOverGrace(Template):
    key = "deregistration-over-grace"
    description = (
        "Find load balancers that keep draining a target longer than the pod lives after SIGTERM "
        "(target group deregistration delay, connection draining)."
    )

    def run(self, graph: TimeoutGraph, params: BaseParams) -> Iterator[Hit]:
        traffic = _Traffic(graph)
        for hop in graph.hops:
            upstream = graph.upstream(hop.upstream)
            balancer = graph.component(upstream.component)
            delay = upstream.settings.get("deregistration_delay")
            if not isinstance(delay, Duration) and balancer.lifecycle is not None:
                delay = balancer.lifecycle.deregistration_delay
            if not isinstance(delay, Duration) or delay.seconds is None:
                continue
            for pod in traffic.pods_behind(hop.listener):
                grace = _grace(pod)
                if grace is None or grace.seconds is None or delay.seconds <= grace.seconds:
                    continue
                yield Hit(
                    message=(
                        f"{balancer.name} keeps draining a deregistered target for {delay.describe()}, but "
                        f"{pod.name} is killed {grace.describe()} after SIGTERM: requests the load balancer "
                        "still counts as draining are cut off by SIGKILL; make the deregistration delay shorter "
                        "than the grace period"
                    ),
                    location=anchor(delay, upstream.location),
                    related=related(grace, f"the pod's grace period: {grace.describe()}", "grace period"),
                    subjects=(upstream.id, pod.id),
                )
