"""``text``: one line per finding, ``path:line:col: CODE message [name]``."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, TextIO

from tolint.formatters.common import BOLD, SEVERITY_COLORS, painter, plural, sanitize

if TYPE_CHECKING:
    from tolint.pipeline import Report


class TextFormatter:
    name = "text"
    description = "one line per finding and per input error (the default)"

    def write(self, report: Report, stream: TextIO, color: bool) -> None:
        paint = painter(color)

        self.write_diagnostics(report, stream, color)
        for finding in report.findings:
            if finding.suppressed is not None:
                continue
            others = "".join(f" ({r.label}: {r.location.text()})" for r in finding.related)
            stream.write(
                f"{paint(sanitize(finding.location.text()), BOLD)}: "
                f"{paint(finding.code, SEVERITY_COLORS[finding.severity])} "
                f"{sanitize(finding.message)}{sanitize(others)} [{finding.name}]\n"
            )
        stream.write(self.summary(report) + "\n")

    @staticmethod
    def write_diagnostics(report: Report, stream: TextIO, color: bool) -> None:
        """One line per input problem: ``path:line: error: message``."""
        paint = painter(color)

        for diagnostic in report.diagnostics:
            where = ":".join(str(p) for p in (diagnostic.file, diagnostic.line, diagnostic.column) if p)
            label = paint(diagnostic.severity, SEVERITY_COLORS[diagnostic.severity])
            stream.write(f"{paint(sanitize(where), BOLD)}: {label}: {sanitize(diagnostic.message)}\n")

    @staticmethod
    def summary(report: Report) -> str:
        shown = [f for f in report.findings if f.suppressed is None]
        errors = sum(1 for d in report.diagnostics if d.severity == "error")
        files = plural(len(report.files), "file")
        if not report.files and not report.diagnostics:
            return "No nginx, HAProxy, Kubernetes or client settings files found."
        parts = []
        if shown:
            counts = Counter(f.severity for f in shown)
            detail = ", ".join(plural(counts[s], s) for s in ("error", "warning", "info") if counts[s])
            parts.append(f"Found {plural(len(shown), 'finding')} ({detail}) in {files}.")
        else:
            parts.append(f"No findings in {files}.")
        if errors:
            parts.append(f"{plural(errors, 'input error')} (see above).")
        hidden = report.hidden_by_baseline()
        if hidden:
            parts.append(f"{plural(hidden, 'finding')} hidden by the baseline.")
        if report.only_files is not None:
            parts.append(f"Only findings touching {plural(len(report.only_files), 'changed file')} are shown.")
        return " ".join(parts)
