"""Template ``resets``: settings that close connections with a TCP reset instead of a FIN."""

from __future__ import annotations

from collections.abc import Iterator

from tolint.checks.base import BaseParams, Template
from tolint.findings import Hit, anchor
from tolint.graph import TimeoutGraph


class Resets(Template):
    key = "resets"
    description = "Report every setting recorded on a listener or upstream that forces RST on close."

    def run(self, graph: TimeoutGraph, params: BaseParams) -> Iterator[Hit]:
        for component in graph.components:
            for owner in (*component.listeners, *component.upstreams):
                for setting in owner.resets:
                    why = setting.detail or "connections are closed with a TCP reset"
                    yield Hit(
                        message=f"{setting.raw}: {why}",
                        location=anchor(setting, owner.location),
                        subjects=(owner.id,),
                    )
