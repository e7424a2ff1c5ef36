"""Resolved settings for one run.

This module holds the settings model; finding and reading ``[tool.tolint]`` /
``tolint.toml``, ``extends`` and merging command-line flags over them happen in
``tolint.config_files``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tolint.parsers.haproxy_defaults import DEFAULT_HAPROXY_VERSION
from tolint.parsers.haproxy_syntax import parse_version as parse_haproxy_version
from tolint.parsers.nginx_defaults import DEFAULT_NGINX_VERSION, parse_version
from tolint.sources import DEFAULT_MAX_FILE_BYTES


class Settings(BaseModel):
    """Every setting a run uses. Keys are written kebab-case in config files (``nginx-version``).

    Each product's version setting is a flat ``<product>_version`` field, so defaults can
    follow the version the user runs.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True, alias_generator=lambda name: name.replace("_", "-"))

    paths: list[str] = Field(default_factory=lambda: ["."])
    exclude: list[str] = Field(default_factory=list)
    select: list[str] = Field(default_factory=lambda: ["ALL"])
    ignore: list[str] = Field(default_factory=list)
    fail_on: Literal["error", "warning", "info"] = "warning"
    nginx_version: str = DEFAULT_NGINX_VERSION
    nginx_include_prefix: str = "/etc/nginx"
    haproxy_version: str = DEFAULT_HAPROXY_VERSION
    allow_outside_tree: bool = False
    max_file_size: int = DEFAULT_MAX_FILE_BYTES
    # Tables: keyed by rule code or name ([tool.tolint.rules.TL101], [tool.tolint.severity]).
    rules: dict[str, dict[str, Any]] = Field(default_factory=dict)
    severity: dict[str, Literal["error", "warning", "info"]] = Field(default_factory=dict)
    # Glob (relative to the config file) -> rules not reported for matching files.
    per_file_ignores: dict[str, list[str]] = Field(default_factory=dict)
    # Runs suppression-without-reason (TL002): every suppression must say why.
    require_suppression_reason: bool = False
    # A baseline file of accepted findings (see tolint.baseline); relative to the config file.
    baseline: str | None = None
    # The cluster DNS domain Service names end in (svc.ns.svc.<domain>).
    kubernetes_cluster_domain: str = "cluster.local"

    @field_validator("nginx_version")
    @classmethod
    def _nginx_version(cls, value: str) -> str:
        parse_version(value)
        return value

    @field_validator("haproxy_version")
    @classmethod
    def _haproxy_version(cls, value: str) -> str:
        if parse_haproxy_version(value) < parse_haproxy_version("2.0"):
            raise ValueError(f'HAProxy "{value}" is older than 2.0, the oldest version tolint knows')
        return value

    @field_validator("max_file_size")
    @classmethod
    def _max_file_size(cls, value: int) -> int:
        if value <= 0:
            raise ValueError("must be a positive number of bytes")
        return value
