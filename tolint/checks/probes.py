"""Template ``probe-timing``: probes that time out after their next run is due, and liveness that gives up first."""

from __future__ import annotations

from collections.abc import Iterator

from tolint.checks.base import BaseParams, Seconds, Template
from tolint.durations import format_seconds
from tolint.findings import Hit, anchor, related
from tolint.graph import Component, Duration, TimeoutGraph, Value

PROBES = ("liveness", "readiness", "startup")


def _probe(component: Component, kind: str) -> tuple[Duration, Duration, Value] | None:
    settings = component.settings
    timeout = settings.get(f"{kind}Probe.timeoutSeconds")
    period = settings.get(f"{kind}Probe.periodSeconds")
    threshold = settings.get(f"{kind}Probe.failureThreshold")
    if not isinstance(timeout, Duration) or not isinstance(period, Duration) or not isinstance(threshold, Value):
        return None
    return timeout, period, threshold


class ProbeTiming(Template):
    key = "probe-timing"
    description = (
        "Find probes whose timeoutSeconds is not below periodSeconds, and liveness probes that give up "
        "(periodSeconds x failureThreshold) before the readiness probe takes the pod out of rotation."
    )

    class Params(BaseParams):
        margin: Seconds = 0.0
        """How much longer than the readiness probe the liveness probe must take to give up."""

    def run(self, graph: TimeoutGraph, params: Params) -> Iterator[Hit]:  # type: ignore[override]
        for component in graph.components:
            probes = {kind: found for kind in PROBES if (found := _probe(component, kind)) is not None}
            for kind, (timeout, period, _threshold) in probes.items():
                if timeout.seconds is None or period.seconds is None or timeout.seconds < period.seconds:
                    continue
                yield Hit(
                    message=(
                        f"{component.name}: the {kind} probe's {timeout.describe()} is not shorter than its "
                        f"{period.describe()}: a slow probe is still running when the next one is due, so the "
                        "kubelet probes less often than the period says and detects a hung container later "
                        "than periodSeconds x failureThreshold"
                    ),
                    location=anchor(timeout, component.location),
                    related=related(period, f"{period.describe()}", "period"),
                    subjects=(component.id,),
                )
            if "liveness" in probes and "readiness" in probes:
                hit = self._liveness_first(component, probes, params.margin)
                if hit is not None:
                    yield hit

    @staticmethod
    def _liveness_first(component: Component, probes: dict, margin: float) -> Hit | None:
        _, live_period, live_threshold = probes["liveness"]
        _, ready_period, ready_threshold = probes["readiness"]
        if live_period.seconds is None or ready_period.seconds is None:
            return None
        live = live_period.seconds * int(live_threshold.value)  # type: ignore[arg-type]
        ready = ready_period.seconds * int(ready_threshold.value)  # type: ignore[arg-type]
        if live >= ready + margin:
            return None
        return Hit(
            message=(
                f"{component.name}: the liveness probe gives up after {format_seconds(live)} "
                f"({live_period.describe()} x failureThreshold {live_threshold.value}), before the readiness "
                f"probe does after {format_seconds(ready)} ({ready_period.describe()} x failureThreshold "
                f"{ready_threshold.value}): the container is restarted while it still receives traffic, "
                "instead of first being taken out of rotation"
            ),
            location=anchor(live_threshold if not live_threshold.provenance.is_default else live_period,
                            component.location),
            related=related(ready_threshold if not ready_threshold.provenance.is_default else ready_period,
                            "the readiness probe", "readiness"),
            subjects=(component.id,),
        )
