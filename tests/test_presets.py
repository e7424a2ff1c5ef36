"""The shipped presets: valid, typed by setting path, sourced, and versioned consistently."""

from __future__ import annotations

from pathlib import Path

import pytest

from tolint.parsers.client_model import SLOTS, parse_duration
from tolint.presets import (
    COMPONENT_KINDS,
    MIDDLEBOX_KINDS,
    PRESETS_BEGIN,
    PRESETS_END,
    load_presets,
    parse_version,
    render_markdown,
    version_in,
)

ROOT = Path(__file__).resolve().parent.parent
PRESETS = sorted({preset.id: preset for preset in load_presets().values()}.values(), key=lambda p: p.id)
REQUIRED = {  # the list, by preset id
    "aws-alb", "aws-nlb", "aws-clb", "aws-nat-gateway", "gcp-https-lb", "azure-lb", "cloudflare", "envoy",
    "istio-sidecar", "nodejs-http-server", "nodejs-http-agent", "go-http-server", "go-http-transport", "gunicorn",
    "uvicorn", "tomcat", "spring-boot", "hikaricp", "pgbouncer", "mysql", "postgresql", "redis", "grpc-client",
    "grpc-server", "python-requests", "linux-tcp-keepalive",
}


def test_every_required_product_has_a_preset() -> None:
    assert REQUIRED <= {preset.id for preset in PRESETS}


@pytest.mark.parametrize("preset", PRESETS, ids=[p.id for p in PRESETS])
def test_values_fit_their_setting_paths(preset) -> None:
    for path, setting in preset.settings.items():
        assert path in SLOTS, f"{preset.id}: unknown setting path {path}"
        if preset.kind in MIDDLEBOX_KINDS:
            assert "." not in path, path
        elif preset.kind in COMPONENT_KINDS:
            assert path.split(".")[0] in ("server", "client"), path
        for entry in setting.values:
            kind = SLOTS[path]
            text = str(entry.value)
            if kind == "duration":
                parse_duration(text)
            elif kind == "bool":
                assert text in ("true", "false"), (path, text)
            elif kind == "int":
                assert text.isdigit(), (path, text)
            assert entry.source.startswith("https://"), (path, entry.source)


@pytest.mark.parametrize("preset", PRESETS, ids=[p.id for p in PRESETS])
def test_version_ranges_do_not_overlap(preset) -> None:
    probes = {parse_version(edge) for s in preset.settings.values() for e in s.values for edge in (e.since, e.until)
              if edge} | {(0,), (999,)}
    for path, setting in preset.settings.items():
        if setting.follows is not None:
            continue
        if not any(e.since or e.until for e in setting.values):
            assert len(setting.values) == 1, path
            continue
        for probe in probes:
            matching = [e for e in setting.values if version_in(probe, e.since, e.until)]
            assert len(matching) <= 1, (path, probe)
    if preset.default_version:
        parse_version(preset.default_version)


@pytest.mark.parametrize(("version", "since", "until", "inside"), [
    ((26,), "26", None, True), ((25, 9, 1), None, "26", True), ((26, 0, 0), None, "26", False),
    ((10, 15, 2), "10.15.2", "12.19.0", True), ((12, 19), "10.15.2", "12.19.0", False), ((10, 15), "10.15.2", None, False),
])
def test_version_ranges(version, since, until, inside) -> None:
    assert version_in(version, since, until) is inside


def test_readme_preset_table_is_current() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = readme.index(PRESETS_BEGIN), readme.index(PRESETS_END) + len(PRESETS_END)
    assert readme[start:end] + "\n" == render_markdown(), (
        "README preset table is stale: replace it with the output of `tolint schema --presets`"
    )
