"""Finding, reading and merging configuration: config files, ``extends`` and command-line flags.

Where settings come from, lowest priority first:

1. tolint's defaults (``Settings``);
2. the profiles and files a config file ``extends`` (shipped profiles ``recommended`` and
   ``strict`` in ``tolint/profiles/``, or a path relative to the file that names it);
3. the config file: ``--config FILE``, else the closest ``tolint.toml``, ``.tolint.toml`` or
   ``pyproject.toml`` with a ``[tool.tolint]`` table, walking up from the working directory;
4. command-line flags.

Paths and globs in a config file are relative to that file's directory; they are rebased
here onto the working directory, which is what discovery and findings use. Every error
names the file and the key, and is raised as ``ConfigError`` (the CLI exits 2).
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from tolint.config import Settings
from tolint.sources import read_regular_file

if TYPE_CHECKING:
    from tolint.catalog import Catalog

CONFIG_NAMES = ("tolint.toml", ".tolint.toml", "pyproject.toml")
PROFILES_DIR = Path(__file__).resolve().parent / "profiles"
MAX_CONFIG_BYTES = 1024 * 1024  # a config file is a few hundred bytes; a pyproject.toml a few kilobytes
DEFAULTS = "defaults"
COMMAND_LINE = "command line"
# Tables whose entries merge one by one across layers instead of replacing the whole table.
_TABLES = ("rules", "severity", "per-file-ignores")
_PATH_KEYS = ("paths", "baseline")
_GLOB_KEYS = ("exclude",)


class ConfigError(Exception):
    """A configuration problem; the message names the file and the key."""


@dataclass
class Layer:
    """Settings from one place, with kebab-case keys, paths already rebased onto the working directory."""

    origin: str  # a file's display path, "profile strict", or "command line"
    values: dict[str, Any]


@dataclass
class ResolvedConfig:
    settings: Settings
    # Where each value came from: top-level keys ("fail-on") and table entries ("rules.TL101.margin").
    origins: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # config files read, outermost profile first

    def origin(self, key: str) -> str:
        return self.origins.get(key, DEFAULTS)


def setting_keys() -> dict[str, str]:
    """Config-file key (kebab-case) -> Settings field name, for every setting (including ones added later)."""
    return {name.replace("_", "-"): name for name in Settings.model_fields}


def find_config(start: str) -> Path | None:
    """The closest config file at or above ``start``: tolint.toml, .tolint.toml, or a pyproject.toml with [tool.tolint]."""
    directory = Path(start).resolve()
    for folder in (directory, *directory.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if not candidate.is_file():
                continue
            if name != "pyproject.toml" or _has_tolint_table(candidate):
                return candidate
    return None


def _has_tolint_table(path: Path) -> bool:
    try:
        raw = read_regular_file(str(path), MAX_CONFIG_BYTES)
    except OSError:
        return False
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        # A broken pyproject.toml is ours only if it seems to configure tolint: then its
        # error is reported, rather than the configuration silently ignored.
        return b"[tool.tolint" in raw
    return isinstance(data.get("tool"), dict) and "tolint" in data["tool"]


def load_settings(cli: dict[str, Any] | None = None, config: str | None = None, cwd: str | None = None,
                  catalog: Catalog | None = None, use_files: bool = True) -> ResolvedConfig:
    """Resolve the settings for a run; ``cli`` holds flags as Settings field names (snake_case)."""
    base = os.path.abspath(cwd or os.getcwd())
    layers: list[Layer] = []
    files: list[str] = []
    if config is not None:
        path = Path(base, config)
        if not path.is_file():
            raise ConfigError(f"{config}: config file not found")
        layers += _file_layers(path, base, files, seen=set(), explicit=True)
    elif use_files:
        found = find_config(base)
        if found is not None:
            layers += _file_layers(found, base, files, seen=set(), explicit=True)
    if cli:
        values = {name.replace("_", "-"): value for name, value in cli.items()}
        layers.append(Layer(COMMAND_LINE, values))
    merged, origins = merge(layers)
    try:
        settings = Settings.model_validate(merged)
    except ValidationError as exc:  # every layer validated on its own, so this is a cross-layer surprise
        raise ConfigError(_validation_message(exc, origins)) from exc
    resolved = ResolvedConfig(settings=settings, origins=origins, files=files)
    if catalog is not None:
        check_rule_references(resolved, catalog)
    return resolved


def _file_layers(path: Path, cwd: str, files: list[str], seen: set[str], explicit: bool) -> list[Layer]:
    """The layers of one config file: what it extends (recursively), then the file itself."""
    real = os.path.realpath(path)
    shown = _display(path, cwd)
    if real in seen:
        raise ConfigError(f"{shown}: extends: circular extends")
    seen = seen | {real}
    table = _read_table(path, shown, explicit)
    layers: list[Layer] = []
    extends = table.pop("extends", [])
    for parent in [extends] if isinstance(extends, str) else extends:
        if not isinstance(parent, str):
            raise ConfigError(f"{shown}: extends: expected a profile name or a path, got {parent!r}")
        layers += _extends_layers(parent, path, cwd, files, seen, shown)
    files.append(shown)
    layers.append(Layer(shown, _check_layer(table, shown, str(path.parent), cwd)))
    return layers


def _extends_layers(parent: str, path: Path, cwd: str, files: list[str], seen: set[str], shown: str) -> list[Layer]:
    profile = PROFILES_DIR / f"{parent}.toml"
    if "/" not in parent and "." not in parent:
        if not profile.is_file():
            names = ", ".join(sorted(p.stem for p in PROFILES_DIR.glob("*.toml")))
            raise ConfigError(f'{shown}: extends: no profile "{parent}" (profiles: {names}; or give a path)')
        return _profile_layers(parent, profile, cwd, files, seen)
    target = path.parent / parent
    if not target.is_file():
        raise ConfigError(f'{shown}: extends: file "{parent}" not found (looked for {_display(target, cwd)})')
    return _file_layers(target, cwd, files, seen, explicit=True)


def _profile_layers(name: str, profile: Path, cwd: str, files: list[str], seen: set[str]) -> list[Layer]:
    origin = f"profile {name}"
    if origin in seen:
        raise ConfigError(f"{origin}: extends: circular extends")
    table = _parse_toml(profile, origin)
    layers: list[Layer] = []
    parent = table.pop("extends", None)
    if isinstance(parent, str):
        layers += _profile_layers(parent, PROFILES_DIR / f"{parent}.toml", cwd, files, seen | {origin})
    files.append(origin)
    layers.append(Layer(origin, _check_layer(table, origin, cwd, cwd)))
    return layers


def _read_table(path: Path, shown: str, explicit: bool) -> dict[str, Any]:
    data = _parse_toml(path, shown)
    if path.name != "pyproject.toml":
        return data
    tool = data.get("tool")
    table = tool.get("tolint") if isinstance(tool, dict) else None
    if table is None:
        if explicit:
            raise ConfigError(f"{shown}: no [tool.tolint] table")
        return {}
    if not isinstance(table, dict):
        raise ConfigError(f"{shown}: [tool.tolint] must be a table")
    return dict(table)


def _parse_toml(path: Path, shown: str) -> dict[str, Any]:
    try:
        return tomllib.loads(read_regular_file(str(path), MAX_CONFIG_BYTES).decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{shown}: not valid TOML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{shown}: not valid TOML: not UTF-8 (byte 0x{exc.object[exc.start]:02x} at offset "
                          f"{exc.start})") from exc
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read: {exc.strerror or exc}") from exc


def _check_layer(table: dict[str, Any], origin: str, config_dir: str, cwd: str) -> dict[str, Any]:
    """Reject unknown keys and bad values, naming the file; rebase paths onto the working directory."""
    known = setting_keys()
    section = "[tool.tolint]" if origin.endswith("pyproject.toml") else "the top level"
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(key.replace("_", "-"), [*known, "extends"], n=1)
            hint = f'; did you mean "{close[0]}"?' if close else ""
            raise ConfigError(f'{origin}: unknown key "{key}" in {section}{hint}')
    try:
        Settings.model_validate(table)
    except ValidationError as exc:
        raise ConfigError(_validation_message(exc, {}, origin)) from exc
    values = dict(table)
    for key in _PATH_KEYS:
        if key in values and values[key] is not None:
            rebased = [_rebase_path(p, config_dir, cwd) for p in _as_list(values[key])]
            values[key] = rebased if isinstance(values[key], list) else rebased[0]
    for key in _GLOB_KEYS:
        if key in values:
            values[key] = [rebase_glob(p, config_dir, cwd) for p in values[key]]
    if "per-file-ignores" in values:
        values["per-file-ignores"] = {rebase_glob(k, config_dir, cwd): v for k, v in values["per-file-ignores"].items()}
    return values


def _as_list(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]


def _rebase_path(path: str, config_dir: str, cwd: str) -> str:
    if path == "-" or os.path.isabs(path):
        return path
    absolute = os.path.normpath(os.path.join(config_dir, path))
    relative = os.path.relpath(absolute, cwd)
    return relative.replace(os.sep, "/")


def rebase_glob(pattern: str, config_dir: str, cwd: str) -> str:
    """A glob written relative to a config file, as a glob over paths shown relative to ``cwd``.

    Patterns starting with ``*`` match anywhere and are kept; others are anchored at the
    config file's directory (absolute when that lies outside the working directory, as
    display paths are).
    """
    if pattern.startswith("*") or os.path.isabs(pattern):
        return pattern
    trailing = "/" if pattern.endswith("/") else ""
    absolute = os.path.normpath(os.path.join(config_dir, pattern))
    relative = os.path.relpath(absolute, cwd)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return absolute.replace(os.sep, "/") + trailing
    return relative.replace(os.sep, "/") + trailing


def merge(layers: list[Layer]) -> tuple[dict[str, Any], dict[str, str]]:
    """Later layers win; tables merge entry by entry (a rule's params key by key)."""
    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for layer in layers:
        for key, value in layer.values.items():
            if key in _TABLES and isinstance(value, dict):
                table = merged.setdefault(key, {})
                for entry, entry_value in value.items():
                    if key == "rules" and isinstance(entry_value, dict):
                        table[entry] = {**table.get(entry, {}), **entry_value}
                        for param in entry_value:
                            origins[f"{key}.{entry}.{param}"] = layer.origin
                    else:
                        table[entry] = entry_value
                        origins[f"{key}.{entry}"] = layer.origin
                origins[key] = layer.origin
            else:
                merged[key] = value
                origins[key] = layer.origin
    return merged, origins


def _validation_message(exc: ValidationError, origins: dict[str, str], origin: str | None = None) -> str:
    error = exc.errors()[0]
    key = ".".join(str(part) for part in error["loc"])
    where = origin or origins.get(key.split(".")[0], DEFAULTS)
    value = f" (got {error['input']!r})" if "input" in error and not isinstance(error["input"], dict) else ""
    return f"{_where(where, key)} {error['msg']}{value}"


def _where(origin: str, key: str) -> str:
    """``tolint.toml: fail-on:``, or ``--fail-on:`` for a flag."""
    return f"--{key}:" if origin == COMMAND_LINE else f"{origin}: {key}:"


def check_rule_references(resolved: ResolvedConfig, catalog: Catalog) -> None:
    """Rule codes, names and selectors in the config exist, and rule params are valid for their template."""
    settings = resolved.settings
    for key in ("select", "ignore"):
        for selector in getattr(settings, key):
            if not catalog.matching(selector, include_opt_in=True):
                raise ConfigError(f'{_where(resolved.origin(key), key)} unknown rule selector "{selector}" '
                                  "(not a code, prefix, name or tag)")
    for glob, selectors in settings.per_file_ignores.items():
        for selector in selectors:
            if not catalog.matching(selector, include_opt_in=True):
                origin = resolved.origin(f"per-file-ignores.{glob}")
                raise ConfigError(f'{origin}: per-file-ignores."{glob}": unknown rule selector "{selector}"')
    for name in settings.severity:
        if catalog.get(name) is None:
            raise ConfigError(f'{resolved.origin(f"severity.{name}")}: severity.{name}: no rule "{name}"')
    for name, params in settings.rules.items():
        rule = catalog.get(name)
        origin = resolved.origin(f"rules.{name}." + next(iter(params), ""))
        if rule is None:
            raise ConfigError(f'{origin}: rules.{name}: no rule "{name}"')
        from tolint.checks import get_template  # templates load only when the config sets rule params

        template = get_template(rule.template)
        if template is None:
            continue  # reported by the engine with the rule's name
        try:
            template.Params.model_validate({**rule.params, **params})
        except ValidationError as exc:
            error = exc.errors()[0]
            param = ".".join(str(part) for part in error["loc"]) or "params"
            origin = resolved.origin(f"rules.{name}.{param}") if param in params else origin
            raise ConfigError(f"{origin}: rules.{name}.{param}: {error['msg']}") from exc


def rule_overrides(settings: Settings, catalog: Catalog) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Severity and params overrides keyed by rule code (the config may use codes or names)."""
    severities = {}
    for name, severity in settings.severity.items():
        rule = catalog.get(name)
        if rule is not None:
            severities[rule.code] = severity
    params: dict[str, dict[str, Any]] = {}
    for name, values in settings.rules.items():
        rule = catalog.get(name)
        if rule is not None:
            params[rule.code] = {**params.get(rule.code, {}), **values}
    return severities, params


def _display(path: Path, cwd: str) -> str:
    from tolint.sources import display_path

    return display_path(str(path), cwd)


def render_toml(resolved: ResolvedConfig) -> str:
    """The resolved configuration as tolint.toml text, each value commented with where it came from."""
    data = resolved.settings.model_dump(by_alias=True)
    lines = ["# Resolved tolint configuration (tolint.toml syntax; in pyproject.toml, under [tool.tolint])."]
    lines.append(f"# Read: {', '.join(resolved.files) if resolved.files else 'no config file'}.")
    lines.append("")
    for key, value in data.items():
        if key in _TABLES:
            continue
        if value is None:
            lines.append(f"# {key} is not set")
            continue
        lines.append(f"{key} = {toml_value(value)}  # {resolved.origin(key)}")
    for key in _TABLES:
        table = data.get(key) or {}
        if key == "rules":
            for rule, params in table.items():
                lines += ["", f"[rules.{_toml_key(rule)}]"]
                lines += [f"{_toml_key(p)} = {toml_value(v)}  # {resolved.origin(f'rules.{rule}.{p}')}"
                          for p, v in params.items()]
        elif table:
            lines += ["", f"[{key}]"]
            lines += [f"{_toml_key(k)} = {toml_value(v)}  # {resolved.origin(f'{key}.{k}')}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def toml_value(value: Any) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(str(value))


def _toml_key(key: str) -> str:
    import json
    import re

    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def render_json(resolved: ResolvedConfig) -> str:
    import json

    payload = {
        "settings": resolved.settings.model_dump(by_alias=True),
        "origins": dict(sorted(resolved.origins.items())),
        "files": resolved.files,
    }
    return json.dumps(payload, indent=2) + "\n"
