"""Product presets: the documented defaults of well-known products, as data.

Each ``*.yaml`` file in this package describes one product (``aws-alb``, ``nodejs-http-server``,
``hikaricp`` ...): what kind of component it is and the default of each setting, written
with the product's own name for the setting, the version range it applies to and the
page that documents it. A component in a client settings file says ``preset: aws-alb``
and overrides only what differs; every value it does not write comes from here, with a
provenance that says "AWS ALB default" and links to the source.

Setting paths are the client settings format's own (``server.idle-timeout``,
``client.retry.attempts``); ``tolint/parsers/client_model.py`` lists them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tolint.graph import default_source, DefaultSource
from tolint.versioned import Version

PRESET_DIR = Path(__file__).resolve().parent
COMPONENT_KINDS = ("client", "grpc-client", "pool", "app-server", "grpc-server", "database",
                   "load-balancer", "cdn", "proxy", "sidecar")
MIDDLEBOX_KINDS = ("nat-gateway", "l4-load-balancer", "firewall")
OTHER_KINDS = ("tcp-keepalive",)
_VERSION = re.compile(r"^[0-9]{1,9}(\.[0-9]{1,9})*$")


class PresetError(Exception):
    """A shipped preset file is malformed: a bug in tolint, caught by the test suite."""


def parse_version(text: str) -> Version:
    """``"10.15.3"`` -> ``(10, 15, 3)``; a leading ``v`` is accepted. Raises ValueError."""
    stripped = str(text).strip().lstrip("vV")
    if not _VERSION.match(stripped):
        raise ValueError(f'invalid version "{text}" (expected numbers separated by dots, e.g. "18.17.1")')
    return tuple(int(part) for part in stripped.split("."))


def _pad(version: Version, length: int) -> Version:
    return version + (0,) * (length - len(version))


def version_in(version: Version, since: str | None, until: str | None) -> bool:
    """``since`` is inclusive and ``until`` exclusive, compared part by part (``26`` is ``26.0.0``)."""
    for bound, lower in ((since, True), (until, False)):
        if bound is None:
            continue
        edge = parse_version(bound)
        width = max(len(edge), len(version))
        left, right = _pad(version, width), _pad(edge, width)
        if lower and left < right:
            return False
        if not lower and left >= right:
            return False
    return True


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True,
                              alias_generator=lambda name: name.replace("_", "-"))


class PresetValue(_Strict):
    """One documented default, for the versions it applies to."""

    value: Any
    source: str
    since: str | None = None
    until: str | None = None
    note: str | None = None  # e.g. that a fact is not verified, shown in the preset table

    def versions_text(self) -> str:
        if self.since and self.until:
            return f"{self.since} to {self.until}"
        if self.since:
            return f"since {self.since}"
        if self.until:
            return f"before {self.until}"
        return "all versions"


class PresetSetting(_Strict):
    """A setting's product name and its default(s), or another setting it follows."""

    key: str | None = None  # the product's spelling: keepAliveTimeout, idle_timeout.timeout_seconds
    value: Any = None
    source: str | None = None
    note: str | None = None
    values: list[PresetValue] = Field(default_factory=list)
    # When the product has one setting for two things (an ALB's idle timeout applies to both
    # the client and the target connections), the second follows the first, even when the
    # component overrides it.
    follows: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> PresetSetting:
        if self.follows is not None:
            if self.values or self.value is not None or self.key is not None:
                raise ValueError("a setting that follows another has no key or value of its own")
            return self
        if self.key is None:
            raise ValueError("key is required")
        if self.values and self.value is not None:
            raise ValueError("give value or values, not both")
        if self.value is not None:
            if not self.source:
                raise ValueError("source is required")
            self.values = [PresetValue(value=self.value, source=self.source, note=self.note)]
            self.value = None
        if not self.values:
            raise ValueError("value or values is required")
        return self

    def for_version(self, version: Version | None) -> PresetValue | None:
        """The default that applies to ``version`` (the first range that contains it)."""
        for entry in self.values:
            if version is None:
                if entry.since is None and entry.until is None:
                    return entry
                continue
            if version_in(version, entry.since, entry.until):
                return entry
        return None


class Preset(_Strict):
    id: str
    title: str  # "Node.js http server"
    product: str  # "Node.js": what a provenance says ("Node.js default before 26")
    kind: str
    summary: str
    docs: str
    protocol: str | None = None
    port: int | None = None
    aliases: list[str] = Field(default_factory=list)
    default_version: str | None = None  # assumed when a component declares none
    versions_note: str | None = None  # why that version is assumed
    notes: str | None = None
    settings: dict[str, PresetSetting] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> Preset:
        if self.kind not in COMPONENT_KINDS + MIDDLEBOX_KINDS + OTHER_KINDS:
            raise ValueError(f"unknown kind {self.kind!r}")
        versioned = any(entry.since or entry.until for s in self.settings.values() for entry in s.values)
        if versioned and self.default_version is None:
            raise ValueError("a preset with versioned defaults needs default-version")
        if self.default_version is not None:
            parse_version(self.default_version)
        for path, setting in self.settings.items():
            if setting.follows is not None and setting.follows not in self.settings:
                raise ValueError(f"{path} follows {setting.follows}, which the preset does not define")
        return self

    @property
    def is_middlebox(self) -> bool:
        return self.kind in MIDDLEBOX_KINDS

    def default_source(self, entry: PresetValue, version_text: str | None, assumed: bool) -> DefaultSource:
        versions = entry.versions_text()
        if assumed and (entry.since or entry.until) and version_text:
            versions += f"; {version_text} assumed, no version declared"
        return default_source(product=self.product, versions=versions, source=entry.source)


@lru_cache(maxsize=1)
def load_presets() -> dict[str, Preset]:
    """Every shipped preset by id and by alias. Loaded once, only when a client settings file is read."""
    from tolint.yaml_nodes import compose

    presets: dict[str, Preset] = {}
    for path in sorted(PRESET_DIR.glob("*.yaml")):
        try:
            # Scalars come back as text; the client settings builder types them by setting path.
            documents = list(compose(path.read_text(encoding="utf-8")))
            data = documents[0].root.to_python() if documents and documents[0].root else None
            preset = Preset.model_validate(data)
        except Exception as exc:  # a broken shipped file is a tolint bug; say which file
            raise PresetError(f"{path.name}: {exc}") from exc
        if preset.id != path.stem:
            raise PresetError(f"{path.name}: id {preset.id!r} must match the file name")
        for name in (preset.id, *preset.aliases):
            if name in presets:
                raise PresetError(f"{path.name}: preset name {name!r} is defined twice")
            presets[name] = preset
    return presets


@lru_cache(maxsize=2)  # asked once per declared component: a large tree declares thousands
def preset_names(middleboxes: bool = False) -> tuple[str, ...]:
    """Preset names (ids and aliases) a component, or with ``middleboxes`` a middlebox, may use."""
    return tuple(sorted(
        name for name, preset in load_presets().items()
        if (preset.kind in MIDDLEBOX_KINDS if middleboxes else preset.kind in COMPONENT_KINDS)
    ))


def render_markdown() -> str:
    """The README's preset table: each preset and every default it sets, with its source."""
    lines = [
        PRESETS_BEGIN,
        "",
        "| Preset | Kind | Product | Defaults: setting path, the product's name for it, value (versions) |",
        "|---|---|---|---|",
    ]
    for preset in sorted({p.id: p for p in load_presets().values()}.values(), key=lambda item: item.id):
        cells = []
        for path, setting in preset.settings.items():
            if setting.follows is not None:
                cells.append(f"`{path}`: same as `{setting.follows}`")
                continue
            for entry in setting.values:
                details = [] if entry.versions_text() == "all versions" else [entry.versions_text()]
                if entry.note:
                    details.append(entry.note)
                extra = f" ({'; '.join(details)})" if details else ""
                cells.append(f"`{path}`: [{setting.key}]({entry.source}) {_text(entry.value)}{extra}")
        name = f"`{preset.id}`" + "".join(f", `{alias}`" for alias in preset.aliases)
        title = f"[{preset.title}]({preset.docs})"
        if preset.default_version:
            title += f" (assumed version: {preset.default_version})"
        lines.append(f"| {name} | {preset.kind} | {title} | {'<br>'.join(cells)} |")
    lines += ["", PRESETS_END]
    return "\n".join(lines) + "\n"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


PRESETS_BEGIN = "<!-- presets:begin (generated by `tolint schema --presets`; do not edit) -->"
PRESETS_END = "<!-- presets:end -->"
