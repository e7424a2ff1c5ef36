"""Output formats, in a registry: the CLI looks a format up by name and calls ``write``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TextIO

from tolint.formatters.auto import AutoFormatter
from tolint.formatters.full import FullFormatter
from tolint.formatters.github import GithubFormatter
from tolint.formatters.gitlab import GitlabFormatter
from tolint.formatters.json_format import JsonFormatter
from tolint.formatters.junit import JunitFormatter
from tolint.formatters.sarif import SarifFormatter
from tolint.formatters.text import TextFormatter

if TYPE_CHECKING:
    from tolint.pipeline import Report


class Formatter(Protocol):
    name: str
    description: str

    def write(self, report: Report, stream: TextIO, color: bool) -> None: ...


REGISTRY: dict[str, Formatter] = {
    formatter.name: formatter
    for formatter in (
        TextFormatter(),
        FullFormatter(),
        JsonFormatter(),
        SarifFormatter(),
        GithubFormatter(),
        JunitFormatter(),
        GitlabFormatter(),
        AutoFormatter(),
    )
}
