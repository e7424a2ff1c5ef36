"""``auto`` (the default): ``github`` under GitHub Actions (``GITHUB_ACTIONS=true``), else ``text``."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, TextIO

from tolint.formatters.full import FullFormatter
from tolint.formatters.github import GithubFormatter
from tolint.formatters.text import TextFormatter

if TYPE_CHECKING:
    from tolint.pipeline import Report


class AutoFormatter:
    name = "auto"
    description = "github under GitHub Actions, text elsewhere (the default)"

    def __init__(self, context: bool = False) -> None:
        self.context = context  # --show-context: full instead of text

    def chosen(self) -> GithubFormatter | TextFormatter | FullFormatter:
        if os.environ.get("GITHUB_ACTIONS") == "true":
            return GithubFormatter()
        return FullFormatter() if self.context else TextFormatter()

    def write(self, report: Report, stream: TextIO, color: bool) -> None:
        self.chosen().write(report, stream, color)
