"""What a check template is, and the parameter types templates share."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict

from tolint import durations
from tolint.findings import Hit
from tolint.graph import TimeoutGraph


def _to_seconds(value: object) -> object:
    """Accept ``"1s"``, ``"500ms"``, ``"2m"`` (nginx syntax) or a number of seconds."""
    if isinstance(value, str):
        return durations.parse_nginx(value)
    return value


# A duration parameter in a rule's front matter or in user config.
Seconds = Annotated[float, BeforeValidator(_to_seconds)]


class BaseParams(BaseModel):
    """Base for template parameters: unknown keys are errors, so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class Template:
    """A check template: logic shared by rules that differ only in their parameters.

    A template yields ``Hit``s; the engine stamps code, name and severity from the rule
    that instantiated it, so a template can never misreport its own identity.
    """

    key: ClassVar[str]
    description: ClassVar[str]
    Params: ClassVar[type[BaseParams]] = BaseParams

    def run(self, graph: TimeoutGraph, params: BaseParams) -> Iterator[Hit]:
        raise NotImplementedError
