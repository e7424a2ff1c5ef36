"""``github``: GitHub Actions workflow commands, so findings show as annotations on the diff.

``::error file=F,line=L,col=C,title=tolint TL101::path:line:col: TL101 message [name]``,
one group (``::group::``) per file. Escaping follows actions/toolkit (``command.ts``):
messages escape ``%``, CR and LF; property values also ``:`` and ``,``. ``col`` is left
out when the column is unknown. Other control characters are shown as ``\\xNN``.
"""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING, TextIO

from tolint.formatters.common import sanitize
from tolint.formatters.text import TextFormatter

if TYPE_CHECKING:
    from tolint.pipeline import Report

LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, file: str, line: int | None, column: int | None, title: str) -> str:
    properties = [f"file={escape_property(sanitize(file))}"]
    if line:
        properties.append(f"line={line}")
        if column:
            properties.append(f"col={column}")
    properties.append(f"title={escape_property(title)}")
    return f"::{level} {','.join(properties)}::{escape_data(sanitize(message))}\n"


class GithubFormatter:
    name = "github"
    description = "GitHub Actions annotations, grouped per file (chosen by auto under GitHub Actions)"

    def write(self, report: Report, stream: TextIO, color: bool) -> None:
        entries: list[tuple[str, int, str]] = []
        for diagnostic in report.diagnostics:
            where = ":".join(str(p) for p in (diagnostic.file, diagnostic.line, diagnostic.column) if p)
            text = command(LEVELS[diagnostic.severity], f"{where}: {diagnostic.message}", diagnostic.file,
                           diagnostic.line, diagnostic.column, "tolint input error")
            entries.append((diagnostic.file, diagnostic.line or 0, text))
        for finding in report.shown():
            others = "".join(f" ({r.label}: {r.location.text()})" for r in finding.related)
            message = f"{finding.location.text()}: {finding.code} {finding.message}{others} [{finding.name}]"
            text = command(LEVELS[finding.severity], message, finding.location.file, finding.location.line,
                           finding.location.column, f"tolint {finding.code}")
            entries.append((finding.location.file, finding.location.line or 0, text))
        entries.sort(key=lambda entry: (entry[0], entry[1]))
        for file, group in groupby(entries, key=lambda entry: entry[0]):
            stream.write(f"::group::{escape_data(sanitize(file))}\n")
            for _file, _line, text in group:
                stream.write(text)
            stream.write("::endgroup::\n")
        stream.write(TextFormatter.summary(report) + "\n")
