"""``full``: each finding with the source lines of both ends, for people reading a terminal.

``tolint check --show-context`` selects it. The first line of each finding is the same
``path:line:col: CODE message [name]`` as ``text``, so editors can still jump to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from tolint.findings import Location
from tolint.formatters.common import DIM, SEVERITY_COLORS, Painter, painter, sanitize
from tolint.formatters.text import TextFormatter
from tolint.sources import split_lines

if TYPE_CHECKING:
    from tolint.pipeline import Report


class FullFormatter:
    name = "full"
    description = "each finding with the source lines of both ends and their values (--show-context)"

    def write(self, report: Report, stream: TextIO, color: bool) -> None:
        paint = painter(color)

        lines_of: dict[str, list[str]] = {}

        def source_lines(file: str) -> list[str]:
            if file not in lines_of:
                lines_of[file] = split_lines(report.sources.get(file, ""))
            return lines_of[file]

        TextFormatter.write_diagnostics(report, stream, color)
        for finding in report.shown():
            severity = paint(f"{finding.severity}[{finding.code}]", SEVERITY_COLORS[finding.severity])
            stream.write(f"{sanitize(finding.location.text())}: {severity} {sanitize(finding.message)} "
                         f"[{finding.name}]\n")
            stream.write(self._frame(finding.location, source_lines(finding.location.file), paint))
            for related in finding.related:
                stream.write(f"  --> {sanitize(related.location.text())}: {sanitize(related.message)}\n")
                stream.write(self._frame(related.location, source_lines(related.location.file), paint))
            stream.write(paint(f"  docs: tolint rule {finding.code}", DIM) + "\n\n")
        stream.write(TextFormatter.summary(report) + "\n")

    @staticmethod
    def _frame(location: Location, lines: list[str], paint: Painter) -> str:
        """The source line a location points at, with a caret under the column."""
        if not location.line or not 0 < location.line <= len(lines):
            return ""
        line = lines[location.line - 1]
        number = str(location.line)
        gutter = " " * len(number)
        shown = sanitize(line.rstrip())
        frame = f"  {gutter} |\n  {number} | {shown}\n"
        if location.column and location.column <= len(line) + 1:
            lead = "".join("\t" if char == "\t" else " " for char in line[:location.column - 1])
            frame += f"  {gutter} | {lead}{paint('^', SEVERITY_COLORS['error'])}\n"
        return frame
