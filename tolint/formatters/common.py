"""Helpers every formatter shares."""

from __future__ import annotations

import re
from collections.abc import Callable

SEVERITY_COLORS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
BOLD = "\033[1m"
DIM = "\033[2m"
RESET = "\033[0m"

Painter = Callable[[str, str], str]


def painter(color: bool) -> Painter:
    """``paint(text, style)``: the text in that terminal style, or as it is without colour."""

    def paint(text: str, style: str) -> str:
        return f"{style}{text}{RESET}" if color else text

    return paint

# C0 and C1 control characters (ESC starts terminal escape sequences) except tab; the
# Unicode bidirectional controls, which reorder what a reader sees ("Trojan Source",
# CVE-2021-42574), and line separators; lone surrogates (bytes of a file name that is not
# UTF-8), which a strict UTF-8 stream cannot write.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8 (surrogate escape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def sanitize(text: str) -> str:
    """Make text from input files safe to print on a terminal: control characters become escapes."""
    return _CONTROL.sub(_escape, text)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
