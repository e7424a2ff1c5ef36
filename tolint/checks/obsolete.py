"""Template ``obsolete-settings``: keywords the configured product version rejects or ignores."""

from __future__ import annotations

from collections.abc import Iterator

from tolint.checks.base import BaseParams, Template
from tolint.findings import Hit, anchor
from tolint.graph import TimeoutGraph


class ObsoleteSettings(Template):
    key = "obsolete-settings"
    description = (
        "Report every keyword that the parser recorded as removed, ignored or deprecated in the "
        "product version being linted (each component's ``obsolete`` list)."
    )

    def run(self, graph: TimeoutGraph, params: BaseParams) -> Iterator[Hit]:
        for component in graph.components:
            for setting in component.obsolete:
                why = setting.detail or f"{component.product} no longer supports it"
                yield Hit(
                    message=f"{setting.raw}: {why}",
                    location=anchor(setting, component.location),
                    subjects=(component.id,),
                )
