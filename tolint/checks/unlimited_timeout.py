"""Template ``unlimited-timeout``: a timeout a product needs is unlimited (not set, or set to 0).

Which timeouts are required is data, per product, in the rule's parameters: for HAProxy
the ones its own startup check asks for (``timeout client`` on frontends; ``timeout
connect`` and ``timeout server`` on backends with servers), for an HTTP client its connect
and read timeouts, and so on. A requirement names the role (listener or upstream), the
graph fields of which at least one must be limited, and optionally the protocols and
whether the upstream must have targets. A field the parser left unset (``None``) is
unknown (an environment variable, say) and never reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import model_validator

from tolint.checks.base import BaseParams, Template
from tolint.findings import Hit, Location, Related, anchor
from tolint.graph import Duration, Listener, TimeoutGraph, Upstream

# What an unlimited value of each field lets happen.
_CONSEQUENCES = {
    "inactivity_timeout": "a client that goes silent holds its connection forever",
    "idle_timeout": "an idle connection is never closed",
    "header_timeout": "a client that never finishes its request headers holds its connection forever",
    "body_timeout": "a client that stops sending its request body holds its connection forever",
    "send_timeout": "a client that stops reading the response holds its connection forever",
    "request_timeout": "a request can last forever",
    "connect_timeout": "a connection attempt to a server that does not answer waits forever",
    "read_timeout": "a server that stops answering holds the request, and the client's connection, forever",
    "tunnel_timeout": "an idle tunnel (WebSocket, CONNECT, TCP) stays open forever",
}


class Requirement(BaseParams):
    """One timeout (or set of alternatives) a product requires."""

    role: Literal["listener", "upstream"]
    any_of: list[str]
    """Duration fields of the listener or upstream; the requirement holds when any of them is limited."""
    protocols: list[str] = []
    """Only listeners or upstreams speaking one of these protocols (empty: all)."""
    with_targets: bool = False
    """Only upstreams with at least one target (HAProxy checks backends that have servers)."""
    note: str = ""
    """Appended to the message (for example which alternative would also do)."""

    @model_validator(mode="after")
    def _fields_are_durations(self) -> Requirement:
        model = Listener if self.role == "listener" else Upstream
        for name in self.any_of:
            info = model.__pydantic_fields__.get(name)
            if info is None or "Duration" not in str(info.annotation):
                raise ValueError(f'"{name}" is not a timeout field of a {self.role}')
        if not self.any_of:
            raise ValueError("any_of needs at least one field")
        return self


class UnlimitedTimeout(Template):
    key = "unlimited-timeout"
    description = (
        "Find listeners and upstreams whose product requires a timeout that is unlimited, either "
        "because it is not set (and the product's default is no timeout) or because it is set to 0."
    )

    class Params(BaseParams):
        requirements: dict[str, list[Requirement]] = {}
        """Required timeouts, keyed by product (a component's ``product``, e.g. ``haproxy``) or by
        kind (``kind:client``: every declared client, whatever its product)."""

    def run(self, graph: TimeoutGraph, params: Params) -> Iterator[Hit]:  # type: ignore[override]
        # One hit per place to fix: a defaults line that sets "timeout client 0" for five
        # frontends is one problem, named once with the five frontends as related places.
        groups: dict[Location, list[tuple[Listener | Upstream, list[tuple[Duration, Requirement]]]]] = {}
        for component in graph.components:
            requirements = [*params.requirements.get(component.product, ()),
                            *params.requirements.get(f"kind:{component.kind}", ())]
            if not requirements:
                continue
            owners: list[tuple[str, Listener | Upstream]] = [("listener", item) for item in component.listeners]
            owners += [("upstream", item) for item in component.upstreams]
            for role, owner in owners:
                for duration, requirement in _violations(role, owner, requirements):
                    location = anchor(duration, owner.location)
                    entries = groups.setdefault(location, [])
                    for existing_owner, missing in entries:
                        if existing_owner is owner:
                            missing.append((duration, requirement))
                            break
                    else:
                        entries.append((owner, [(duration, requirement)]))
        for location, entries in groups.items():
            yield _hit(location, entries)


def _violations(role: str, owner: Listener | Upstream,
                requirements: list[Requirement]) -> Iterator[tuple[Duration, Requirement]]:
    for requirement in requirements:
        if requirement.role != role:
            continue
        if requirement.protocols and owner.protocol not in requirement.protocols:
            continue
        if requirement.with_targets and not getattr(owner, "targets", None):
            continue
        known = [value for name in requirement.any_of if (value := getattr(owner, name)) is not None]
        if not known or any(not value.unlimited for value in known):
            continue
        yield known[0], requirement


def _hit(location: Location, entries: list[tuple[Listener | Upstream, list[tuple[Duration, Requirement]]]]) -> Hit:
    # The same unlimited value (one line, one key) may hold for several owners: say it once.
    items: dict[tuple[str, str, str], tuple[Duration, list[str]]] = {}
    related: dict[Location, Related] = {}
    for owner, missing in entries:
        for duration, requirement in missing:
            field = next(name for name in requirement.any_of if getattr(owner, name) is duration)
            _, names = items.setdefault((duration.key or field, field, requirement.note), (duration, []))
            if owner.name not in names:
                names.append(owner.name)
        owner_location = Location.of(owner.location)
        if owner_location is not None and owner_location != location:
            related.setdefault(owner_location, Related(owner_location, f"{owner.name} is left without a limit",
                                                       "used by"))
    names = list(dict.fromkeys(name for _, owners in items.values() for name in owners))
    parts = []
    for (key, field, note), (duration, owners) in items.items():
        where = duration.provenance.describe()
        if duration.provenance.is_default:
            text = f"{key} is not set ({where}: no timeout)"
        else:
            text = f"{duration.raw or key} ({where}) means no timeout"
        if len(names) > 1:
            text += f" for {', '.join(owners)}"
        text += f": {_CONSEQUENCES.get(field, 'there is no limit')}"
        parts.append(text + (f" ({note})" if note else ""))
    message = "; ".join(parts)
    if len(names) == 1:
        message = f"{names[0]}: {message}"
    return Hit(message=message, location=location, related=tuple(related.values()),
               subjects=tuple(dict.fromkeys(owner.id for owner, _ in entries)))
