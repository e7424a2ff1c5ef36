"""Helpers every formatter shares."""

from __future__ import annotations

import re

# C0 and C1 control characters (ESC starts terminal escape sequences) except tab.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def sanitize(text: str) -> str:
    """Make text from input files safe to print on a terminal: control characters become escapes."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
