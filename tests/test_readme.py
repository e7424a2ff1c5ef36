"""The README documents every output format, configuration key and suppression form, with examples."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from tolint.catalog import load_catalog
from tolint.config_files import load_settings, setting_keys
from tolint.formatters import REGISTRY
from tolint.suppress import ANNOTATION, KINDS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end if end > 0 else None]


def subsections(text: str) -> dict[str, str]:
    parts = re.split(r"(?m)^### ", text)[1:]
    return {part.splitlines()[0].strip(): part for part in parts}


def test_every_output_format_has_a_section_with_an_example() -> None:
    formats = subsections(section("Output formats"))
    for name in REGISTRY:
        assert f"`{name}`" in formats, f"README: no '### `{name}`' under Output formats"
        if name != "auto":  # auto is github or text, both shown
            assert "```" in formats[f"`{name}`"], f"README: the {name} section has no example"


def test_example_configuration_has_every_key_and_is_valid(tmp_path: Path) -> None:
    blocks = re.findall(r"```toml\n(# pyproject.toml\n.*?)```", section("Configuration"), re.DOTALL)
    assert len(blocks) == 1, "README: the Configuration section needs one ```toml block starting '# pyproject.toml'"
    table = tomllib.loads(blocks[0])["tool"]["tolint"]
    missing = set(setting_keys()) - set(table)
    assert not missing, f"README: the example pyproject.toml lacks {sorted(missing)}"
    (tmp_path / "pyproject.toml").write_text(blocks[0], encoding="utf-8")
    settings = load_settings(cwd=str(tmp_path), catalog=load_catalog()).settings  # raises if the example is wrong
    assert settings.rules == {"idle-timeout-order": {"margin": "5s"}}


def test_every_configuration_key_is_in_the_key_table() -> None:
    text = section("Configuration")
    for key in [*setting_keys(), "extends"]:
        assert re.search(rf"^\| `{re.escape(key)}`|^\| [^|]*`{re.escape(key)}`", text, re.MULTILINE), (
            f"README: configuration key {key} is not in the table")


def test_every_suppression_form_is_shown() -> None:
    text = section("Suppressing findings")
    for kind in KINDS:
        assert f"# tolint: {kind}[" in text, f"README: no example of '# tolint: {kind}[...]'"
    assert f"{ANNOTATION}: \"" in text
    assert "per-file-ignores" in text and "unused-suppression" in text and "suppression-without-reason" in text


def test_baseline_and_changed_files_modes_are_documented() -> None:
    assert "--update-baseline" in section("Baseline")
    assert "id: tolint-changed" in README and "--changed-only" in README and "--changed-since" in README
