"""A documented default that holds for a range of product versions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Version = tuple[int, ...]


def dotted(version: Version) -> str:
    return ".".join(str(part) for part in version)


@dataclass(frozen=True)
class VersionedDefault:
    """A default and its source; ``since`` is inclusive and ``until`` exclusive."""

    value: str | None  # None: the setting is absent (no timeout, no keep-alive cache, ...)
    source: str
    since: Version | None = None
    until: Version | None = None

    def applies(self, version: Version) -> bool:
        if self.since is not None and version < self.since:
            return False
        return not (self.until is not None and version >= self.until)

    def describe_versions(self, show: Callable[[Version], str] = dotted) -> str:
        if self.since and self.until:
            return f"{show(self.since)} to {show(self.until)}"
        if self.since:
            return f"since {show(self.since)}"
        if self.until:
            return f"before {show(self.until)}"
        return "all versions"
