"""What rules report: ``Hit`` from a template, ``Finding`` once the engine has stamped it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # findings are read on the result cache's fast path, which never builds a graph
    from tolint.graph import Duration, Provenance, Value

Severity = Literal["error", "warning", "info"]
SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}


@dataclass(frozen=True, slots=True)
class Location:
    file: str
    line: int | None = None
    column: int | None = None

    @classmethod
    def of(cls, provenance: Provenance) -> Location | None:
        if provenance.file is None:
            return None
        return cls(provenance.file, provenance.line, provenance.column)

    def text(self) -> str:
        parts = [self.file]
        if self.line:
            parts.append(str(self.line))
            if self.column:
                parts.append(str(self.column))
        return ":".join(parts)


@dataclass(frozen=True, slots=True)
class Related:
    location: Location
    message: str
    label: str = "see"  # how one-line output introduces it: "the other end", "see"


@dataclass(frozen=True, slots=True)
class Hit:
    """A template's report: a message, where it points, and the other places involved."""

    message: str
    location: Location
    related: tuple[Related, ...] = ()
    # Component/listener/upstream ids involved, for suppressions written at either end.
    subjects: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    name: str
    severity: Severity
    message: str
    location: Location
    related: tuple[Related, ...] = ()
    subjects: tuple[str, ...] = ()
    suppressed: str | None = field(default=None, compare=False)  # the justification, when suppressed
    # How it was suppressed: "comment", "annotation" (in the source), "config" (per-file-ignores)
    # or "baseline"; see tolint.suppress.
    suppressed_by: str | None = field(default=None, compare=False)
    # Stable identity across runs (survives lines moving); see tolint.fingerprints.
    fingerprint: str | None = field(default=None, compare=False)

    def locations(self) -> tuple[Location, ...]:
        """The primary location, then the related ones: where a suppression may be written."""
        return (self.location, *(r.location for r in self.related))


def anchor(setting: Duration | Value | None, fallback: Provenance) -> Location:
    """Where to point for a setting: where it was written, or the block it applies to."""
    if setting is not None:
        location = Location.of(setting.provenance)
        if location is not None:
            return location
    location = Location.of(fallback)
    return location if location is not None else Location("<unknown>")


def related(setting: Duration | Value | None, message: str, label: str = "see") -> tuple[Related, ...]:
    """A related location for a setting, when it can be pointed at."""
    if setting is None:
        return ()
    location = Location.of(setting.provenance)
    return (Related(location, message, label),) if location is not None else ()
