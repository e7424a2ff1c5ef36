"""The rule catalog: one Markdown file per rule, front matter for the declaration, body for the docs.

In a source checkout the catalog is the top-level ``rules/`` folder; an installed wheel
carries it as ``tolint/_rules`` (see ``pyproject.toml``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tolint.findings import Severity

CODE_PATTERN = re.compile(r"^TL\d{3}$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
REQUIRED_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Options", "References")
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.DOTALL)
_SECTION = re.compile(r"^## (.+?)\s*$", re.MULTILINE)
_FENCE = re.compile(r"^```(\w+)(?:[ \t]+title=(\S+))?[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


class CatalogError(Exception):
    """A rule file is malformed. This is a bug in tolint or in a plugin, not in user input."""


class RuleMeta(BaseModel):
    """The front matter of a rule file."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    code: str
    name: str
    summary: str
    severity: Literal["error", "warning", "info"]
    template: str
    params: dict[str, Any] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)
    since: str = "0.1.0"
    # Opt-in rules run only when named by code or name (or switched on by a setting), never
    # through ALL, a prefix or a tag.
    opt_in: bool = False

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not CODE_PATTERN.match(value):
            raise ValueError("rule codes look like TL101")
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME_PATTERN.match(value):
            raise ValueError("rule names are kebab-case")
        return value


@dataclass(frozen=True)
class Example:
    """A fenced block from a rule doc: a file of a multi-file example tree."""

    language: str
    path: str
    content: str


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    summary: str
    severity: Severity
    template: str
    params: dict[str, Any]
    tags: tuple[str, ...]
    since: str
    doc: str  # the Markdown body
    sections: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    opt_in: bool = False

    def examples(self, section: str) -> list[Example]:
        """The fenced, titled files of a doc section ("Example" or "Use instead")."""
        body = self.sections.get(section, "")
        return [
            Example(language, path, content)
            for language, path, content in _FENCE.findall(body)
            if path
        ]

    def url(self) -> str:
        return f"https://github.com/tolint/tolint/blob/main/rules/{self.code}-{self.name}.md"


def rules_dir() -> Path:
    """The installed catalog if there is one, else the source checkout's ``rules/``."""
    package = Path(__file__).resolve().parent
    installed = package / "_rules"
    if installed.is_dir():
        return installed
    return package.parent / "rules"


def parse_rule(text: str, origin: str) -> Rule:
    match = _FRONT_MATTER.match(text.replace("\r\n", "\n"))
    if not match:
        raise CatalogError(f"{origin}: no front matter (a '---' block at the top)")
    from tolint.yaml_nodes import YamlError, compose

    try:
        documents = list(compose(match.group(1)))
        data = documents[0].root.to_python() if documents and documents[0].root is not None else None
        meta = RuleMeta.model_validate(data)
    except ValidationError as exc:
        raise CatalogError(f"{origin}: invalid front matter: {exc}") from exc
    except YamlError as exc:
        raise CatalogError(f"{origin}: front matter is not valid YAML: {exc.message} (line {exc.line})") from exc
    body = match.group(2).strip() + "\n"
    return Rule(
        code=meta.code,
        name=meta.name,
        summary=meta.summary,
        severity=meta.severity,
        template=meta.template,
        params=meta.params,
        tags=tuple(meta.tags),
        since=meta.since,
        doc=body,
        sections=split_sections(body),
        opt_in=meta.opt_in,
    )


def split_sections(body: str) -> dict[str, str]:
    sections: dict[str, str] = {}
    matches = list(_SECTION.finditer(body))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(body)
        sections[match.group(1)] = body[match.end():end].strip()
    return sections


class Catalog:
    """All rules, addressable by code or by name."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = sorted(rules, key=lambda rule: rule.code)
        self._by_key: dict[str, Rule] = {}
        for rule in self.rules:
            for key in (rule.code, rule.name):
                if key in self._by_key:
                    raise CatalogError(f"duplicate rule code or name: {key}")
                self._by_key[key] = rule

    def get(self, code_or_name: str) -> Rule | None:
        return self._by_key.get(code_or_name) or self._by_key.get(code_or_name.upper())

    def __iter__(self):  # noqa: ANN204 - iterator of Rule
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def matching(self, selector: str, include_opt_in: bool = False) -> list[Rule]:
        """Rules a selector names: ``ALL``, a code, a code prefix (``TL1``), a name or a tag.

        Opt-in rules are only selected by their code or name (``include_opt_in`` is for ignoring).
        """
        def wanted(rule: Rule) -> bool:
            return include_opt_in or not rule.opt_in

        if selector.upper() == "ALL":
            return [rule for rule in self.rules if wanted(rule)]
        exact = self.get(selector)
        if exact is not None:
            return [exact]
        upper = selector.upper()
        if re.fullmatch(r"TL\d{0,2}", upper):
            return [rule for rule in self.rules if rule.code.startswith(upper) and wanted(rule)]
        return [rule for rule in self.rules if selector in rule.tags and wanted(rule)]

    def select(self, select: list[str], ignore: list[str]) -> list[Rule]:
        """Rules chosen by ``select`` minus those named by ``ignore``; unknown selectors raise ValueError."""
        chosen: dict[str, Rule] = {}
        for selector in select:
            found = self.matching(selector)
            if not found:
                raise ValueError(f'unknown rule selector "{selector}" (not a code, prefix, name or tag)')
            chosen.update((rule.code, rule) for rule in found)
        for selector in ignore:
            found = self.matching(selector, include_opt_in=True)
            if not found:
                raise ValueError(f'unknown rule selector "{selector}" (not a code, prefix, name or tag)')
            for rule in found:
                chosen.pop(rule.code, None)
        return sorted(chosen.values(), key=lambda rule: rule.code)


@lru_cache(maxsize=1)
def load_catalog(directory: str | None = None) -> Catalog:
    folder = Path(directory) if directory else rules_dir()
    if not folder.is_dir():
        raise CatalogError(f"rule catalog not found at {folder}")
    rules = [parse_rule(path.read_text(encoding="utf-8"), path.name) for path in sorted(folder.glob("TL*.md"))]
    for rule, path in zip(rules, sorted(folder.glob("TL*.md"))):
        if not path.name.startswith(f"{rule.code}-{rule.name}."):
            raise CatalogError(f"{path.name}: file name must be {rule.code}-{rule.name}.md")
    return Catalog(rules)
