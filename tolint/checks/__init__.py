"""The registry of check templates, keyed by the name rules use in their ``template`` field.

The registry is explicit: adding a template means adding a line here. Plugins add
templates through the ``tolint.checks`` entry-point group.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from tolint.checks.base import Template
from tolint.checks.header_timeout import HeaderTimeoutCoversIdle
from tolint.checks.idle_order import IdleOrder
from tolint.checks.long_lived import LongLivedIdle
from tolint.checks.middlebox import MiddleboxIdle
from tolint.checks.obsolete import ObsoleteSettings
from tolint.checks.pool_reuse import PoolReuse
from tolint.checks.pools import PingPolicy, PoolLifetime
from tolint.checks.probes import ProbeTiming
from tolint.checks.resets import Resets
from tolint.checks.retries import NonIdempotentRetry, RetryBackoff, RetryBudget, UnboundedRetries
from tolint.checks.shutdown import DeregistrationOverGrace, DrainOverGrace, MissingPrestop, PrestopOverGrace, ZeroGrace
from tolint.checks.suppressions import SuppressionReason, UnusedSuppression
from tolint.checks.timeout_chain import TimeoutInversion
from tolint.checks.unlimited_timeout import UnlimitedTimeout

REGISTRY: dict[str, type[Template]] = {
    IdleOrder.key: IdleOrder,
    PoolReuse.key: PoolReuse,
    Resets.key: Resets,
    NonIdempotentRetry.key: NonIdempotentRetry,
    UnboundedRetries.key: UnboundedRetries,
    UnusedSuppression.key: UnusedSuppression,
    SuppressionReason.key: SuppressionReason,
    ZeroGrace.key: ZeroGrace,
    MissingPrestop.key: MissingPrestop,
    PrestopOverGrace.key: PrestopOverGrace,
    DrainOverGrace.key: DrainOverGrace,
    DeregistrationOverGrace.key: DeregistrationOverGrace,
    ProbeTiming.key: ProbeTiming,
    UnlimitedTimeout.key: UnlimitedTimeout,
    LongLivedIdle.key: LongLivedIdle,
    ObsoleteSettings.key: ObsoleteSettings,
    MiddleboxIdle.key: MiddleboxIdle,
    PoolLifetime.key: PoolLifetime,
    PingPolicy.key: PingPolicy,
    HeaderTimeoutCoversIdle.key: HeaderTimeoutCoversIdle,
    TimeoutInversion.key: TimeoutInversion,
    RetryBudget.key: RetryBudget,
    RetryBackoff.key: RetryBackoff,
}


def get_template(key: str) -> type[Template] | None:
    """The template registered under ``key``, looking at plugins only when it is not built in."""
    template = REGISTRY.get(key)
    if template is not None:
        return template
    for entry in entry_points(group="tolint.checks"):
        if entry.name == key:
            loaded = entry.load()
            if isinstance(loaded, type) and issubclass(loaded, Template):
                REGISTRY[key] = loaded
                return loaded
    return None
